"""The one sequence every proposal, sign-off and return follows (DESIGN.md "The journey"):
the actor's right, the record locked, its state, four eyes, the rule of the step, the
transition, the saves, and the audit entry of the transition, in the caller's transaction.

Each kind of reviewed work (a contact's decision for one child, a referral's next steps, a
strategy discussion's record, a section 47 enquiry's outcome) describes itself once as a
`Review`; its services call `propose`, `sign_off` and `return_for_changes` with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from accounts.audit import record_transition
from accounts.models import User
from accounts.permissions import Perm
from casework import access
from casework.access import require_right
from casework.errors import RuleBroken
from casework.locking import locked
from casework.models import EventKind
from casework.outbox import emit
from casework.references import child_reference

Rule = Callable[[Any], None]


def audit_transition(by: User, record, source: str, name: str, reason: str = "") -> None:
    """The transition of a record about one child, with from, to and reason."""
    record_transition(
        actor=by, obj=record, source=source, target=record.state, name=name,
        reason=reason, child_ref=child_reference(record.child_id),
    )  # fmt: skip


def four_eyes(by: User, author_id: int | None, *, did: str = "proposed this decision") -> None:
    """Whoever proposed (or recorded) never signs off; with one manager the item waits."""
    if author_id != by.pk:
        return
    if not access.users_with_right(Perm.SIGN_OFF_DECISIONS).exclude(pk=author_id).exists():
        raise RuleBroken(
            f"You {did}, so another manager must sign it off. There is no other manager yet: "
            "it waits for one"
        )
    raise RuleBroken(f"You {did}, so another manager must sign it off")


def _current_decision(record) -> models.Model | None:
    return record.current_decision


@dataclass(frozen=True)
class Review:
    """How one kind of work is proposed and reviewed, in the words its pages use."""

    model: type[models.Model]
    # The states and the transitions (method names on the model) of the review.
    open_state: str
    waiting_state: str
    propose_transition: str
    sign_off_transition: str
    return_transition: str
    # The refusals, in plain words: "Only {waiting} can be signed off".
    not_open: str
    waiting: str
    did: str
    # Whose work it is (four eyes), and the proposal row saved with the record.
    author_id: Callable[[Any], int | None]
    proposal: Callable[[Any], models.Model | None] = _current_decision
    proposal_field: str = "current_decision"
    propose_right: Perm = Perm.PROPOSE_DECISIONS
    review_right: Perm = Perm.SIGN_OFF_DECISIONS
    # Contacts' decisions are guarded by ConcurrentTransitionMixin and their callers keep the
    # record they passed; every other record is taken locked and returned fresh.
    lock: bool = True
    bump_version_on_return: bool = False
    audit: Callable[..., None] = audit_transition

    def take(self, *, by: User, record, right: Perm, state: str, refusal: str):
        """The record to change: the right, the record (locked), and its state."""
        require_right(by, right)
        current = locked(self.model, record) if self.lock else record
        if current.state != state:  # type: ignore[union-attr]  # a workflow's model has its FSM `state`
            raise RuleBroken(refusal)
        return current

    def apply(self, *, by: User, current, name: str, reason: str = "", **arguments) -> None:
        """The transition, the saves and the audit entry, in that order."""
        proposal = self.proposal(current)
        source = current.state
        getattr(current, name)(by=by, **arguments)
        if proposal is not None:
            proposal.save()
        current.save()
        self.audit(by, current, source, name, reason=reason)


def propose(
    review: Review, *, by: User, record, create: Callable[[Any], models.Model],
    rules: Rule | None = None, reason: Callable[[Any], str] = lambda proposal: "",
):  # fmt: skip
    """A new proposal row for `record` (a proposal is never edited: a returned one is kept);
    `rules` checks what the step needs, in its own order, before anything is written.
    Returns the record and the proposal."""
    current = review.take(
        by=by, record=record, right=review.propose_right, state=review.open_state,
        refusal=review.not_open,
    )  # fmt: skip
    if rules is not None:
        rules(current)
    proposal = create(current)
    source = current.state
    setattr(current, review.proposal_field, proposal)
    getattr(current, review.propose_transition)(by=by)
    current.save()
    review.audit(by, current, source, review.propose_transition, reason=reason(proposal))
    return current, proposal


def sign_off(review: Review, *, by: User, record, comment: str = "", rules: Rule | None = None):
    """Another manager signs the work off (four eyes; with one manager it waits)."""
    current = review.take(
        by=by, record=record, right=review.review_right, state=review.waiting_state,
        refusal=f"Only {review.waiting} can be signed off",
    )  # fmt: skip
    four_eyes(by, review.author_id(current), did=review.did)
    if rules is not None:
        rules(current)
    review.apply(by=by, current=current, name=review.sign_off_transition, comment=comment)
    return current


def return_for_changes(review: Review, *, by: User, record, comment: str):
    """Another manager returns the work with what needs to change; the proposal is kept."""
    current = review.take(
        by=by, record=record, right=review.review_right, state=review.waiting_state,
        refusal=f"Only {review.waiting} can be returned",
    )  # fmt: skip
    if not comment.strip():
        raise RuleBroken("Say what needs to change")
    author_id = review.author_id(current)
    four_eyes(by, author_id, did=review.did)
    if review.bump_version_on_return:
        current.version += 1
    review.apply(by=by, current=current, name=review.return_transition, comment=comment)
    if author_id is not None:
        author = User.objects.get(pk=author_id)
        emit(kind=EventKind.PROPOSAL_RETURNED, about=current, user=author)
    return current
