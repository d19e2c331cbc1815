"""Demo quality audits (issue 21): the local audit form's questions, one audit assigned to the
auditor and not yet started, and one completed (graded, with an action) waiting for the
practitioner's response. Loaded by `manage.py load_demo` after the cases; idempotent (once
only). Through the real services; the findings are invented."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from quality import services
from quality.models import AuditQuestion, Grade, QualityAudit, SubjectKind
from referrals.models import ContactChild
from referrals.models.contacts import ContactChildState

QUESTIONS = (
    "Was the decision made within one working day?",
    "Does the rationale address the concern as reported and the child's history?",
    "Was the child's voice recorded?",
    "Were partner agencies consulted where they should have been?",
)


@transaction.atomic
def load() -> int:
    """Returns how many audits were made (0 when they exist already)."""
    if QualityAudit.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["manager", "auditor",
                                                                      "sysadmin"])}  # fmt: skip
    for text in QUESTIONS:
        if not AuditQuestion.objects.filter(text=text).exists():
            services.audit_question_add(by=users["sysadmin"], text=text)
    # Two of `practitioner`'s decisions in families whose records nobody restricts.
    decided = [
        found
        for first, last in (("Morwenna", "Penhallow"), ("Ivy", "Chegwidden"))
        if (found := ContactChild.objects.filter(
            child__first_name=first, child__last_name=last,
            state__in=[ContactChildState.SIGNED_OFF, ContactChildState.CLOSED],
            current_decision__proposed_by__username="practitioner",
        ).first()) is not None
    ]  # fmt: skip
    if len(decided) < 2:
        return 0
    today = timezone.localdate()
    auditor = users["auditor"]
    services.quality_audit_assign(
        by=users["manager"], kind=SubjectKind.CONTACT_DECISION, pk=decided[0].pk,
        auditor=auditor, due=today + timedelta(days=10),
    )  # fmt: skip
    done = services.quality_audit_assign(
        by=users["manager"], kind=SubjectKind.CONTACT_DECISION, pk=decided[1].pk,
        auditor=auditor, due=today + timedelta(days=5),
    )  # fmt: skip
    questions = list(AuditQuestion.objects.filter(is_active=True))
    services.quality_audit_record(
        by=auditor, audit=done, version=done.version,
        answers={q.pk: "met" if i % 2 == 0 else "partly" for i, q in enumerate(questions)},
        grade=Grade.GOOD, findings="A clear rationale; the history panel was read (fictional).",
        actions=[services.ActionInput(
            description="Record what the referrer was told, and when.",
            owner=done.worker, due=today + timedelta(days=14),
        )],
        complete=True,
    )  # fmt: skip
    # An audit of the restricted child's decision (Jenna Quiller's): behind the break glass.
    jenna = ContactChild.objects.filter(
        child__first_name="Jenna", child__last_name="Quiller",
        current_decision__proposed_by__username="practitioner",
    ).first()  # fmt: skip
    if jenna is None:
        return 2
    services.quality_audit_assign(
        by=users["manager"], kind=SubjectKind.CONTACT_DECISION, pk=jenna.pk, auditor=auditor,
        due=today + timedelta(days=12),
    )  # fmt: skip
    return 3
