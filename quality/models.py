"""Quality audits (issue 21; DESIGN.md "Oversight and returns"): a manager asks an auditor or
a manager to audit one piece of work (a contact decision, a referral, a strategy discussion or
a section 47 enquiry) against the authority's short local form, grade it on Ofsted's four-point
scale, record findings and actions; the worker whose work it is reads it and responds.

Named "quality audits" to keep them apart from the audit trail, in which they are recorded like
any case record.

QualityAudit: assigned -> in progress -> completed -> responded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.audit import register_audited
from accounts.encryption import EncryptedTextField
from casework.errors import RuleBroken
from referrals.models import ContactChild, Referral, Team
from strategy.models import Section47, StrategyDiscussion

_USER = settings.AUTH_USER_MODEL


@register_audited
class AuditQuestion(models.Model):
    """One question of the local audit form, kept by the system administrator; a retired
    question stays with the audits that answered it."""

    text = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Grade(models.TextChoices):
    """Ofsted's four-point scale."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"


class SubjectKind(models.TextChoices):
    CONTACT_DECISION = "contact_decision", "Contact decision"
    REFERRAL = "referral", "Referral"
    DISCUSSION = "discussion", "Strategy discussion"
    ENQUIRY = "enquiry", "Section 47 enquiry"


class QualityAuditState(models.TextChoices):
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed: waiting for the worker's response"
    RESPONDED = "responded", "Worker responded"


OPEN_AUDIT_STATES = (QualityAuditState.ASSIGNED, QualityAuditState.IN_PROGRESS)


class Answer(models.TextChoices):
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    NOT_MET = "not_met", "Not met"


@register_audited
class QualityAudit(ConcurrentTransitionMixin, models.Model):
    """One piece of work audited by one auditor."""

    state = FSMField(
        default=QualityAuditState.ASSIGNED, choices=QualityAuditState.choices, protected=True
    )
    kind = models.CharField(max_length=20, choices=SubjectKind.choices)
    contact_child = models.ForeignKey(
        ContactChild, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    discussion = models.ForeignKey(
        StrategyDiscussion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    section47 = models.ForeignKey(
        Section47, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Whose work it is (who proposed, convened or ran it), and their team then.
    worker = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    auditor = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    due = models.DateField()
    assigned_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    grade = models.CharField(max_length=24, choices=Grade.choices, blank=True)
    findings = EncryptedTextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    response = EncryptedTextField(blank=True, help_text="The worker's response")
    responded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due", "pk"]
        indexes = [
            # "Assigned to me and due" on the auditor's home page: open rows only.
            models.Index(
                fields=["auditor", "due"],
                name="quality_audit_open_due",
                condition=models.Q(state__in=["assigned", "in_progress"]),
            ),
            models.Index(fields=["completed_at"], name="quality_audit_completed"),
        ]
        constraints = [
            models.CheckConstraint(
                name="quality_audit_one_subject",
                condition=(
                    models.Q(
                        kind="contact_decision",
                        contact_child__isnull=False,
                        referral__isnull=True,
                        discussion__isnull=True,
                        section47__isnull=True,
                    )
                    | models.Q(
                        kind="referral",
                        contact_child__isnull=True,
                        referral__isnull=False,
                        discussion__isnull=True,
                        section47__isnull=True,
                    )
                    | models.Q(
                        kind="discussion",
                        contact_child__isnull=True,
                        referral__isnull=True,
                        discussion__isnull=False,
                        section47__isnull=True,
                    )
                    | models.Q(
                        kind="enquiry",
                        contact_child__isnull=True,
                        referral__isnull=True,
                        discussion__isnull=True,
                        section47__isnull=False,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return f"Quality audit QA-{self.pk:06d}" if self.pk else "Quality audit (new)"

    @property
    def subject(self) -> models.Model | None:
        return self.contact_child or self.referral or self.discussion or self.section47

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_AUDIT_STATES

    def refuse_unless_auditor(self, by) -> None:
        if by.pk != self.auditor_id:
            raise RuleBroken("Only the person it is assigned to records this audit")

    @transition(
        field=state, source=QualityAuditState.ASSIGNED, target=QualityAuditState.IN_PROGRESS
    )
    def start(self, *, by) -> None:
        self.refuse_unless_auditor(by)
        self.started_at = timezone.now()

    @transition(field=state, source=OPEN_AUDIT_STATES, target=QualityAuditState.COMPLETED)
    def complete(self, *, by) -> None:
        self.refuse_unless_auditor(by)
        if not self.grade:
            raise RuleBroken("Choose the grade")
        if not self.findings.strip():
            raise RuleBroken("Record the findings")
        self.started_at = self.started_at or timezone.now()
        self.completed_at = timezone.now()

    @transition(field=state, source=QualityAuditState.COMPLETED, target=QualityAuditState.RESPONDED)
    def respond(self, *, by, response: str) -> None:
        if by.pk != self.worker_id:
            raise RuleBroken("Only the worker whose work was audited responds")
        if not response.strip():
            raise RuleBroken("Write your response")
        self.response, self.responded_at = response, timezone.now()


@register_audited
class QualityAuditAnswer(models.Model):
    """The auditor's answer to one question of the local form."""

    audit = models.ForeignKey(QualityAudit, on_delete=models.PROTECT, related_name="answers")
    question = models.ForeignKey(AuditQuestion, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"Quality audit answer QA-{self.audit_id:06d}/{self.question_id}"


@register_audited
class QualityAuditAction(models.Model):
    """An action the audit set: what (encrypted), who owns it, by when."""

    audit = models.ForeignKey(QualityAudit, on_delete=models.PROTECT, related_name="actions")
    description = EncryptedTextField()
    owner = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    due = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "pk"]
        indexes = [
            models.Index(
                fields=["due"], name="quality_action_open", condition=models.Q(done_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"Quality audit action QAA-{self.pk:06d}" if self.pk else "Quality audit action"
