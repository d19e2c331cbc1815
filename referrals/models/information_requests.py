"""Information requests: the multi-agency check at screening (DESIGN.md "Information sharing
and access", DOMAIN.md "Information sharing").

For a child being screened, the local authority asks one partner agency a question, with the
lawful basis, the consent position, whether the family was told, and a priority: red is due
by the end of the same day, amber by the end of one working day later (local defaults,
`INFORMATION_REQUEST_RED_WORKING_DAYS` / `_AMBER_`). The request is shared with the agency
through accounts.sharing; the agency answers it once. The question, the answer and the note
to the family are encrypted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.audit import register_audited
from accounts.encryption import EncryptedTextField
from accounts.sharing import Article6Basis, ConsentPosition, SpecialCondition
from casework.references import about_child


class Priority(models.TextChoices):
    RED = "red", "Red: answer today"
    AMBER = "amber", "Amber: answer by the end of the next working day"


class RequestState(models.TextChoices):
    OPEN = "open", "Outstanding"
    ANSWERED = "answered", "Answered"


@register_audited
class InformationRequest(ConcurrentTransitionMixin, models.Model):
    """A question to one partner agency about one child being screened, and its answer."""

    contact_child = models.ForeignKey(
        "referrals.ContactChild", on_delete=models.PROTECT, related_name="information_requests"
    )
    child = models.ForeignKey(
        "referrals.Child", on_delete=models.PROTECT, related_name="information_requests"
    )
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="information_requests"
    )
    question = EncryptedTextField()
    article6 = models.CharField(max_length=10, choices=Article6Basis.choices)
    condition = models.CharField(max_length=20, choices=SpecialCondition.choices, blank=True)
    consent = models.CharField(max_length=50, choices=ConsentPosition.choices)
    family_told = models.BooleanField()
    family_note = EncryptedTextField(help_text="What the family was told, or why not")
    priority = models.CharField(max_length=5, choices=Priority.choices)
    due_at = models.DateTimeField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    answer = EncryptedTextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    state = FSMField(
        max_length=10, choices=RequestState.choices, default=RequestState.OPEN, protected=True
    )

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["agency", "state", "due_at"], name="info_request_agency_due"),
        ]

    def __str__(self) -> str:
        return f"Information request IR-{self.pk:06d}" if self.pk else "Information request (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)

    @transition(field=state, source=RequestState.OPEN, target=RequestState.ANSWERED)
    def record_answer(self, *, by, answer: str) -> None:
        """The asked agency's answer, once."""
        self.answer, self.answered_by, self.answered_at = answer, by, timezone.now()

    @property
    def is_open(self) -> bool:
        return self.state == RequestState.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.now() > self.due_at
