"""Information requests, the multi-agency check at screening (DESIGN.md "Information sharing
and access"): shared with the asked agency through accounts.sharing, with its lawful basis."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts import sharing
from accounts.models import User
from accounts.permissions import Perm
from casework import access
from casework.errors import RuleBroken
from casework.models import EventKind
from casework.outbox import emit
from casework.references import child_reference
from casework.transitions import audit_transition, require_right
from referrals.models.contacts import (
    ContactChild,
    ContactChildState,
)
from referrals.models.information_requests import InformationRequest, Priority, RequestState
from referrals.timescales import information_request_due

# Information requests (the multi-agency check at screening; DESIGN.md "Information sharing
# and access"). The request is shared with the asked agency through accounts.sharing, with the
# same lawful basis, so the sharing record exists.
INFORMATION_REQUEST_PERMISSION = "referrals.view_informationrequest"


@transaction.atomic
def information_request_send(
    *, by: User, contact_child: ContactChild, agency, question: str, article6: str,
    condition: str, consent: str, family_told: bool | None, family_note: str, priority: str,
):  # fmt: skip
    """Ask one partner agency about a child being screened; due by its priority."""

    require_right(by, Perm.REQUEST_INFORMATION)
    current = ContactChild.objects.select_for_update().get(pk=contact_child.pk)
    if current.state != ContactChildState.SCREENING:
        raise RuleBroken("Partner agencies can be asked only while the child is being screened")
    if not agency.is_active or agency.kind == agency.Kind.LOCAL_AUTHORITY:
        raise RuleBroken("Choose an active partner agency")
    if not question.strip():
        raise RuleBroken("Enter the question for the agency")
    if priority not in Priority.values:
        raise RuleBroken("Choose the priority")
    asked_at = timezone.now()
    request = InformationRequest(
        contact_child=current, child_id=current.child_id, agency=agency, question=question,
        article6=article6, condition=condition, consent=consent,
        family_told=bool(family_told), family_note=family_note, priority=priority,
        due_at=information_request_due(asked_at, priority), asked_by=by, asked_at=asked_at,
    )  # fmt: skip
    if family_told is None:
        raise RuleBroken("Say whether the family was told what is shared, or why not")
    request.save()
    try:
        sharing.share(
            by=by, obj=request, permission=INFORMATION_REQUEST_PERMISSION, agency=agency,
            article6=article6, condition=condition, consent=consent, family_told=family_told,
            family_note=family_note, reason="Information request at screening",
            child_ref=child_reference(current.child_id),
        )  # fmt: skip
    except sharing.SharingRefused as error:
        raise RuleBroken(str(error)) from error
    emit(kind=EventKind.INFORMATION_REQUESTED, about=request, agency=agency)
    return request


@transaction.atomic
def information_request_answer(*, by: User, request, answer: str):
    """The asked agency's answer, once."""

    require_right(by, Perm.ANSWER_INFORMATION_REQUESTS)
    if by.agency_id != request.agency_id:
        raise PermissionDenied("Only the agency asked answers it.")
    if not access.visible_information_requests(by).filter(pk=request.pk).exists():
        raise PermissionDenied("This request is not shared with your agency.")
    current = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if current.state != RequestState.OPEN:
        raise RuleBroken("This request has already been answered")
    if not answer.strip():
        raise RuleBroken("Enter the answer")
    source = current.state
    # Two answers at once: the second save matches no row still open (ConcurrentTransition).
    current.record_answer(by=by, answer=answer)
    current.save(update_fields=["answer", "answered_by", "answered_at", "state"])
    audit_transition(by, current, source, "record_answer")
    return current
