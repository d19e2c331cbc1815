"""Partner referrals (issue 9): a partner practitioner submits the multi-agency referral form;
the front door records it as a contact (matching the children as for any contact); the
partner follows its status and the feedback given, never the LA's screening or decisions.

DESIGN.md ("Information sharing and access": "What partners see: their own referrals (status
and feedback, never the LA's screening) by ownership"; "The partner referral form never shows
the LA's matches or history").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.audit import AuditEntry, record_transition
from accounts.models import Agency, User
from accounts.permissions import Perm
from accounts.sharing import ConsentPosition
from casework import access
from casework.errors import RuleBroken
from casework.transitions import require_right
from referrals.codes import ReferralSource
from referrals.models.contacts import Contact, ContactChild
from referrals.models.partner_referrals import (
    PartnerReferral,
    PartnerReferralChild,
    PartnerReferralState,
)

ALREADY_RECORDED = (
    "This referral from a partner agency has already been recorded as a contact, so it "
    "cannot be recorded again"
)

# The CIN census source (DOMAIN.md "CIN census") a partner agency's referral starts with; the
# practitioner recording the contact may choose a more exact one (a GP, a school nurse...).
SOURCE_OF_AGENCY_KIND: dict[str, str] = {
    Agency.Kind.POLICE: ReferralSource.POLICE,
    Agency.Kind.HEALTH: ReferralSource.OTHER_HEALTH,
    Agency.Kind.EDUCATION: ReferralSource.SCHOOLS,
    Agency.Kind.LADO: ReferralSource.ANOTHER_LA,
    Agency.Kind.OTHER_LOCAL_AUTHORITY: ReferralSource.ANOTHER_LA,
    Agency.Kind.LOCAL_AUTHORITY: ReferralSource.OTHER_LA_DEPARTMENT,
    Agency.Kind.INSPECTORATE: ReferralSource.OTHER,
    Agency.Kind.OTHER: ReferralSource.OTHER,
}


# The key under which the contact wizard keeps its pending state (accounts.sessions).
NEW_CONTACT = "new-contact"


@dataclass(frozen=True)
class ReferredChild:
    """A child as the referrer knows them."""

    first_name: str
    last_name: str
    date_of_birth: date | None = None
    address: str = ""
    postcode: str = ""


def _clean(text: str) -> str:
    return " ".join((text or "").split())


@transaction.atomic
def partner_referral_submit(
    *, by: User, children: list[ReferredChild], concern: str, immediate_risk: bool,
    adults: str, consent: str, consent_note: str, family_told: bool, referrer_role: str,
    referrer_contact: str,
) -> PartnerReferral:  # fmt: skip
    """A partner practitioner's referral, as submitted, for the front door to record
    (finding 1: every concern is recorded); creation is audited by auditlog."""
    require_right(by, Perm.MAKE_REFERRALS)
    if not access.makes_referrals(by):
        raise RuleBroken("Only partner agencies make referrals here: record a contact instead")
    people = [child for child in children if _clean(child.first_name) or _clean(child.last_name)]
    if not people:
        raise RuleBroken("Add at least one child your referral is about")
    for number, child in enumerate(people, start=1):
        if not _clean(child.first_name) or not _clean(child.last_name):
            raise RuleBroken(f"Enter child {number}'s first and last name")
        if child.date_of_birth and child.date_of_birth > timezone.localdate():
            raise RuleBroken(f"Child {number}'s date of birth must be today or in the past")
    if not concern.strip():
        raise RuleBroken("Say what happened and what worries you")
    if consent not in ConsentPosition.values:
        raise RuleBroken("Choose the consent position")
    if consent != ConsentPosition.GIVEN and not consent_note.strip():
        raise RuleBroken("Say why consent was refused or not sought")
    if not referrer_role.strip():
        raise RuleBroken("Enter your role")
    if not referrer_contact.strip():
        raise RuleBroken("Enter a phone number or email address the front door can call you on")
    referral = PartnerReferral.objects.create(
        agency_id=by.agency_id, submitted_by=by, referrer_role=referrer_role.strip(),
        referrer_contact=referrer_contact.strip(), concern=concern.strip(),
        immediate_risk=bool(immediate_risk), adults=adults.strip(), consent=consent,
        consent_note=consent_note.strip() if consent != ConsentPosition.GIVEN else "",
        family_told=bool(family_told),
    )  # fmt: skip
    for child in people:
        PartnerReferralChild.objects.create(
            referral=referral, first_name=_clean(child.first_name),
            last_name=_clean(child.last_name), date_of_birth=child.date_of_birth,
            address=_clean(child.address), postcode=_clean(child.postcode).upper(),
        )  # fmt: skip
    return referral


@transaction.atomic
def partner_referral_record(
    *, by: User, partner_referral: PartnerReferral, contact: Contact
) -> PartnerReferral:
    """The front door has recorded the referral as `contact` (once: a second recording is
    refused); the transition is audited. Two at once: one wins (ConcurrentTransition)."""
    require_right(by, Perm.RECORD_CONTACTS)
    current = PartnerReferral.objects.select_for_update().get(pk=partner_referral.pk)
    if current.state != PartnerReferralState.SUBMITTED or (
        partner_referral.state != PartnerReferralState.SUBMITTED
    ):
        raise RuleBroken(ALREADY_RECORDED)
    if PartnerReferral.objects.filter(contact=contact).exists():
        raise RuleBroken("That contact already records another referral from a partner agency")
    source = partner_referral.state
    # The instance the caller loaded: if someone recorded it since, its save matches no row
    # in the state it was loaded in and raises ConcurrentTransition.
    partner_referral.record(contact=contact, by=by)
    partner_referral.version += 1
    partner_referral.save()
    record_transition(
        actor=by, obj=partner_referral, source=source, target=partner_referral.state,
        name="record", reason=str(contact),
    )  # fmt: skip
    return partner_referral


# What the front door's "Record as a contact" puts into the contact wizard ----------------


def contact_wizard_start(partner_referral: PartnerReferral, *, by: User) -> dict:
    """The contact wizard's pending state (NEW_CONTACT) prefilled from the
    referral: the details as the partner gave them and the children to look for, so that the
    practitioner matches them as for any contact."""
    received = timezone.localtime(partner_referral.submitted_at)
    agency = partner_referral.agency
    parts = [partner_referral.concern]
    if partner_referral.adults:
        parts.append(f"In the home (as the referrer gave it): {partner_referral.adults}")
    if partner_referral.consent_note:
        parts.append(f"Consent: {partner_referral.consent_note}")
    parts.append(
        "The family knows about this referral: " + ("yes" if partner_referral.family_told else "no")
    )
    submitter = partner_referral.submitted_by
    return {
        "details": {
            "received_date": received.strftime("%d/%m/%Y"),
            "received_time": received.strftime("%H:%M"),
            "taken_by": str(by.pk),
            "source": SOURCE_OF_AGENCY_KIND.get(agency.kind, ReferralSource.OTHER),
            "referrer_name": (submitter.get_full_name() or submitter.username)[:200],
            "referrer_role": partner_referral.referrer_role[:200],
            "referrer_agency": agency.name[:200],
            "referrer_contact": partner_referral.referrer_contact[:300],
            "concern": "\n\n".join(parts),
            "consent": partner_referral.consent,
            "urgent": partner_referral.immediate_risk,
        },
        "children": [],
        "partner_referral": {"pk": partner_referral.pk, "reference": partner_referral.reference},
        "referred_children": [
            {
                "first_name": child.first_name,
                "last_name": child.last_name,
                "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else "",
                "address": child.address,
                "postcode": child.postcode,
            }
            for child in partner_referral.children.all()
        ],
        "referred_adults": partner_referral.adults,
    }


# Selectors: what the partner follows, and what waits at the front door -------------------

LIST_PAGE_SIZE = 50
LIST_FIELDS = ("pk", "agency_id", "submitted_by_id", "submitted_at", "state", "contact_id",
               "immediate_risk", "version")  # fmt: skip


def _with_feedback(queryset):
    return queryset.annotate(
        has_feedback=Exists(
            ContactChild.objects.filter(contact_id=OuterRef("contact_id"), feedback_given=True)
        )
    )


def my_referrals(user: User):
    """The referrals the user follows, newest first, with their children and whether
    feedback has been given (never the LA's records: only the children as the referrer gave
    them, and a yes or no)."""
    return _with_feedback(
        access.partner_referrals_for(user)
        .only(*LIST_FIELDS)
        .prefetch_related("children")
        .order_by("-submitted_at", "-pk")
    )


def partner_referral_status(referral: PartnerReferral, *, has_feedback: bool) -> tuple[str, str]:
    """The status the partner sees, and its tag's colour."""
    if has_feedback:
        return "Feedback given", "green"
    if referral.state == PartnerReferralState.RECORDED:
        return PartnerReferralState.RECORDED.label, "purple"
    return PartnerReferralState.SUBMITTED.label, "blue"


@dataclass(frozen=True)
class Feedback:
    text: str
    given_at: datetime | None


def feedback_for(referral: PartnerReferral) -> list[Feedback]:
    """The feedback the front door gave on the contact the referral became: the text only
    (never which LA child record it is about), each with when it was recorded, in two
    queries. Identical feedback for siblings is shown once."""
    if referral.contact_id is None:
        return []
    given = list(
        ContactChild.objects.filter(contact_id=referral.contact_id, feedback_given=True)
        .only("pk", "feedback_note")
        .order_by("pk")
    )
    if not given:
        return []
    # ContactChild has no feedback time of its own: the audit trail's last change of the
    # feedback says when it was recorded.
    when: dict[int, datetime] = {}
    for object_id, timestamp, changes in AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ContactChild),
        object_id__in=[cc.pk for cc in given],
        action=AuditEntry.Action.UPDATE,
    ).values_list("object_id", "timestamp", "changes"):
        if isinstance(changes, dict) and "feedback_note" in changes:
            when[object_id] = max(when.get(object_id, timestamp), timestamp)
    shown: dict[str, Feedback] = {}
    for cc in given:
        if cc.feedback_note and cc.feedback_note not in shown:
            shown[cc.feedback_note] = Feedback(cc.feedback_note, when.get(cc.pk))
    return list(shown.values())


QUEUE_LIMIT = 50


def waiting_for_front_door(user: User):
    """Partner referrals not yet recorded, oldest first (immediate risk marked on the page),
    with the agency and the children as the referrer gave them."""
    return (
        access.waiting_partner_referrals(user)
        .select_related("agency")
        .only(*LIST_FIELDS, "agency__name", "agency__kind")
        .prefetch_related("children")
        .order_by("submitted_at", "pk")
    )
