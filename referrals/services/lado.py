"""The LADO service's part (issue 9): each LADO referral is shared with the LADO service
through accounts.sharing when it opens; the LADO's users record its outcome, once.

DESIGN.md "Information sharing and access": for the LADO service, the LADO referrals sent to it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import sharing
from accounts.audit import record_transition
from accounts.models import Agency, User
from casework import access
from casework.errors import RuleBroken
from casework.references import child_reference
from referrals.models import LadoOutcome, LadoReferral, LadoState

FAMILY_NOT_TOLD = "The family is not told of an allegation about an adult before the LADO decides"
SHARE_REASON = "A LADO referral: an allegation about an adult who works with children"


def lado_service() -> Agency | None:
    """The active LADO service (the first agency of kind LADO), or None if none is set up."""
    return Agency.objects.filter(kind=Agency.Kind.LADO, is_active=True).order_by("pk").first()


def share_with_lado(*, by: User, lado_referral: LadoReferral) -> LadoReferral:
    """Share a newly opened LADO referral with the LADO service, with its lawful basis; with
    no LADO service set up it stays unshared (the decision page says so)."""
    agency = lado_service()
    if agency is None:
        return lado_referral
    contact_child = lado_referral.contact_child
    if contact_child.family_told is not None and contact_child.family_note:
        family_told, family_note = contact_child.family_told, contact_child.family_note
    else:
        family_told, family_note = False, FAMILY_NOT_TOLD
    sharing.share(
        by=by, obj=lado_referral, permission=access.LADO_VIEW, agency=agency,
        article6=sharing.Article6Basis.PUBLIC_TASK, condition=sharing.SpecialCondition.SAFEGUARDING,
        consent=contact_child.contact.consent, family_told=family_told, family_note=family_note,
        reason=SHARE_REASON, child_ref=lado_referral.child.census_id,
    )  # fmt: skip
    lado_referral.agency = agency
    lado_referral.save(update_fields=["agency"])
    return lado_referral


@transaction.atomic
def lado_outcome_record(
    *, by: User, lado_referral: LadoReferral, outcome: str, note: str
) -> LadoReferral:
    """The LADO service records what it decided, once (audited as a transition)."""
    current = LadoReferral.objects.select_for_update().get(pk=lado_referral.pk)
    shared = access.lado_referrals_for(by, LadoReferral.objects.filter(pk=current.pk)).exists()
    if current.agency_id is None or current.agency_id != by.agency_id or not shared:
        raise PermissionDenied("Only the LADO service it was sent to records its outcome.")
    if current.state != LadoState.OPEN:
        raise RuleBroken("The outcome of this LADO referral is already recorded")
    if outcome not in LadoOutcome.values:
        raise RuleBroken("Choose the outcome")
    if not note.strip():
        raise RuleBroken("Say what was decided and why")
    source = current.state
    # Two outcomes at once: the second save matches no row still open (ConcurrentTransition).
    current.record_outcome(by=by, outcome=outcome, note=note)
    current.save()
    record_transition(
        actor=by, obj=current, source=source, target=current.state, name="record_outcome",
        reason=current.get_outcome_display(), child_ref=child_reference(current.child_id),
    )  # fmt: skip
    return current
