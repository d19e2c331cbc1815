"""Partner referrals: the multi-agency referral form (issue 9; DESIGN.md "Information sharing
and access": partners see their own referrals, status and feedback, never the LA's screening).

A partner practitioner submits a `PartnerReferral` with the children as the referrer knows
them. It lands in the front door's queue, where a practitioner records it as a contact (with
the matching the partner never sees); the partner follows it on "My referrals".

PartnerReferral: submitted -> recorded (the contact it became).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.audit import register_audited
from accounts.encryption import EncryptedTextField
from accounts.sharing import ConsentPosition

_USER = settings.AUTH_USER_MODEL


class PartnerReferralState(models.TextChoices):
    SUBMITTED = "submitted", "Received by the front door"
    RECORDED = "recorded", "Recorded by the front door"


@register_audited
class PartnerReferral(ConcurrentTransitionMixin, models.Model):
    """A referral a partner practitioner made, as submitted; the contact it became once the
    front door recorded it."""

    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+",
        help_text="The referrer's agency when it was made",
    )  # fmt: skip
    submitted_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    state = FSMField(
        default=PartnerReferralState.SUBMITTED, choices=PartnerReferralState.choices,
        protected=True,
    )  # fmt: skip
    referrer_role = EncryptedTextField(help_text="The referrer's role")
    referrer_contact = EncryptedTextField(help_text="A phone number or e-mail to call back on")
    concern = EncryptedTextField(help_text="What happened and what the referrer is worried about")
    immediate_risk = models.BooleanField(help_text="A child is at risk of immediate harm")
    adults = EncryptedTextField(blank=True, help_text="Parents, carers and others in the home")
    consent = models.CharField(max_length=50, choices=ConsentPosition.choices)
    consent_note = EncryptedTextField(blank=True, help_text="Why consent is refused or not sought")
    family_told = models.BooleanField(help_text="The family knows about this referral")
    contact = models.OneToOneField(
        "referrals.Contact", null=True, blank=True, on_delete=models.PROTECT,
        related_name="partner_referral",
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "submitted_at"], name="partner_referral_agency"),
            models.Index(
                fields=["submitted_at"], name="partner_referral_waiting",
                condition=models.Q(state="submitted"),
            ),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="submitted", contact__isnull=True)
                | models.Q(state="recorded", contact__isnull=False),
                name="partner_referral_recorded_has_contact",
            )
        ]

    def __str__(self) -> str:
        return f"Partner referral PR-{self.pk:06d}" if self.pk else "Partner referral (new)"

    @property
    def reference(self) -> str:
        return f"PR-{self.pk:06d}"

    @transition(field=state, source=PartnerReferralState.SUBMITTED,
                target=PartnerReferralState.RECORDED)  # fmt: skip
    def record(self, *, contact, by) -> None:
        self.contact, self.recorded_by, self.recorded_at = contact, by, timezone.now()


@register_audited
class PartnerReferralChild(models.Model):
    """A child as the referrer knows them (names and dates as given; the front door matches)."""

    referral = models.ForeignKey(PartnerReferral, on_delete=models.PROTECT, related_name="children")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Partner referral PR-{self.referral_id:06d} child {self.pk}"
