"""Partner referral pages (issue 9).

For partners: "My referrals" (their own, or for a safeguarding lead their agency's), the
multi-agency referral form with its check page and confirmation, and one referral's status
and feedback, never the LA's matches, screening, notes or decisions. For the front door: one
waiting referral with everything submitted, and "Record as a contact", which starts the
contact wizard prefilled. Reads and lists are audited; refusals follow casework.access.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import sessions
from accounts.audit import case_view, record_list, record_read
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from accounts.sharing import ConsentPosition
from casework import access
from casework.answers import check_your_answers
from referrals.forms.partner_referrals import MAX_CHILDREN, PartnerReferralForm, kept_children
from referrals.models.contacts import ContactChild
from referrals.models.partner_referrals import PartnerReferral, PartnerReferralState
from referrals.services import partner_referrals as services

NEW_REFERRAL = "new-partner-referral"


def _status(referral: PartnerReferral, has_feedback: bool) -> PartnerReferral:
    # For the template, set on the instance.
    referral.status, referral.status_colour = services.partner_referral_status(  # type: ignore[attr-defined]  # as above
        referral, has_feedback=has_feedback
    )
    return referral


@case_view(PartnerReferral)
def my_referrals(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The referrals the user follows, newest first, 50 a page."""
    access.refuse_my_referrals(request.user)
    page = Paginator(services.my_referrals(request.user), services.LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [_status(referral, referral.has_feedback) for referral in page.object_list]
    record_list(request, PartnerReferral, [referral.pk for referral in rows])
    return render(
        request,
        "referrals/partner_referrals/my_referrals.html",
        {
            "rows": rows,
            "page": page,
            "agency_wide": access.has_right(request.user, Perm.SEE_AGENCY_WORK),
        },
    )


def _form_page(
    request: AuthenticatedHttpRequest, form: PartnerReferralForm, errors=()
) -> HttpResponse:
    return render(
        request,
        "referrals/partner_referrals/new.html",
        {
            "form": form, "errors": list(errors), "phone": settings.FRONT_DOOR_PHONE,
            "max_children": MAX_CHILDREN,
        },
    )  # fmt: skip


def _child_count(data) -> int:
    value = data.get("children", "")
    return max(1, min(int(value), MAX_CHILDREN)) if value.isdigit() else 1


def my_referral_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The multi-agency referral form; "Add another child" shows it again with one more."""
    access.refuse_my_referrals(request.user)
    if request.method != "POST":
        kept = sessions.kept(user=request.user, key=NEW_REFERRAL)
        return _form_page(
            request, PartnerReferralForm.from_kept(kept) if kept else PartnerReferralForm()
        )
    count = _child_count(request.POST)
    if "add_child" in request.POST:
        more = min(count + 1, MAX_CHILDREN)
        return _form_page(request, PartnerReferralForm.from_post(request.POST, children=more))
    form = PartnerReferralForm(request.POST, children=count)
    if not form.is_valid():
        return _form_page(request, form)
    # Kept sealed until checked (what is typed never sits in the plain session table).
    sessions.keep(user=request.user, key=NEW_REFERRAL, data=form.to_keep())
    return redirect("referrals:my-referral-check")


def my_referral_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Check your answers, then send the referral."""
    access.refuse_my_referrals(request.user)

    def submit(kept: dict) -> PartnerReferral:
        details = kept["details"]
        return services.partner_referral_submit(
            by=request.user, children=kept_children(kept), concern=details["concern"],
            immediate_risk=details["immediate_risk"], adults=details["adults"],
            consent=details["consent"], consent_note=details["consent_note"],
            family_told=details["family_told"], referrer_role=details["referrer_role"],
            referrer_contact=details["referrer_contact"],
        )  # fmt: skip

    def context(kept: dict) -> dict:
        details = kept["details"]
        return {
            "children": kept_children(kept), "details": details,
            "consent": ConsentPosition(details["consent"]).label
            if details["consent"] in ConsentPosition.values else "",
        }  # fmt: skip

    return check_your_answers(
        request,
        key=NEW_REFERRAL,
        back="referrals:my-referral-new",
        read=lambda kept: kept if kept and kept.get("children") else None,
        submit=submit,
        done=lambda referral: reverse("referrals:my-referral-sent", args=[referral.pk]),
        template="referrals/partner_referrals/check.html",
        context=context,
    )


def _followed(request: AuthenticatedHttpRequest, pk: int) -> PartnerReferral:
    access.refuse_my_referrals(request.user)
    return get_object_or_404(
        access.partner_referrals_for(request.user).select_related("agency", "submitted_by"),
        pk=pk,
    )


@case_view(PartnerReferral)
def my_referral_sent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The confirmation, with the reference."""
    referral = _followed(request, pk)
    record_read(request, referral)
    return render(request, "referrals/partner_referrals/sent.html", {"referral": referral})


@case_view(PartnerReferral)
def my_referral(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One referral: what the partner sent, its status and the feedback given; nothing of the
    council's (no matches, screening, notes, decisions or the LA's child records)."""
    referral = _followed(request, pk)
    feedback = services.feedback_for(referral)
    _status(referral, bool(feedback))
    record_read(request, referral)
    return render(
        request,
        "referrals/partner_referrals/my_referral.html",
        {"referral": referral, "children": list(referral.children.all()), "feedback": feedback},
    )


# The front door's side --------------------------------------------------------------------


def _recorded_children(referral: PartnerReferral) -> list:
    """Once recorded, the referral is about its contact's children (a restricted one asks for
    the break glass: the partner's typed details name the child)."""
    if referral.contact_id is None:
        return []
    return [ContactChild.objects.filter(contact_id=referral.contact_id).values("child_id")]


def _waiting_or_recorded(request: AuthenticatedHttpRequest, pk: int) -> PartnerReferral:
    return access.get_case_record_for_user(
        request.user,
        PartnerReferral.objects.select_related("agency", "submitted_by", "recorded_by"),
        children=_recorded_children,
        pk=pk,
    )


@case_view(PartnerReferral)
def partner_referral(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything the partner submitted, and "Record as a contact" while it waits."""
    referral = _waiting_or_recorded(request, pk)
    record_read(request, referral)
    return render(
        request,
        "referrals/partner_referrals/front_door.html",
        {
            "referral": referral,
            "children": list(referral.children.all()),
            "can_record": access.has_right(request.user, Perm.RECORD_CONTACTS)
            and referral.state == PartnerReferralState.SUBMITTED,
        },
    )


@sessions.posted_from("referrals:partner-referral", "pk")
@case_view(PartnerReferral)
@require_POST
def partner_referral_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Start the contact wizard prefilled from the referral; the contact's children are
    matched as for any contact, and saving the contact records the referral."""
    referral = _waiting_or_recorded(request, pk)
    access.require_right(request.user, Perm.RECORD_CONTACTS, "Your role does not record contacts.")
    if referral.state != PartnerReferralState.SUBMITTED:
        messages.error(request, services.ALREADY_RECORDED)
        return redirect("referrals:partner-referral", pk=pk)
    sessions.keep(
        user=request.user, key=services.NEW_CONTACT,
        data=services.contact_wizard_start(referral, by=request.user),
    )  # fmt: skip
    # A new contact from this referral: what was typed on the contact pages before (already
    # replaced above) must not come back in its place.
    for page in ("referrals:contact-new", "referrals:contact-new-check"):
        sessions.discard_draft(user=request.user, path=reverse(page))
    return redirect("referrals:contact-new")


def queue_section(request: AuthenticatedHttpRequest) -> dict:
    """The front door queue's "Referrals from partner agencies": those waiting to be
    recorded, oldest first (at most QUEUE_LIMIT); the list is audited when it shows any."""
    waiting = list(services.waiting_for_front_door(request.user)[: services.QUEUE_LIMIT])
    if waiting:
        record_list(request, PartnerReferral, [referral.pk for referral in waiting])
    return {"partner_referrals": waiting, "partner_referrals_limit": services.QUEUE_LIMIT}
