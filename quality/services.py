"""The only writers of quality audits (issue 21): assign, record (save or complete), respond,
and the system administrator's questions of the local form. Each checks the actor's right
through casework.access, calls the transition, saves, and writes the audit trail's
transition entry in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.audit import record_transition
from accounts.models import User
from accounts.permissions import Perm
from casework import access
from casework.errors import RuleBroken
from casework.locking import locked
from quality.models import (
    AuditQuestion,
    Grade,
    QualityAudit,
    QualityAuditAction,
    QualityAuditAnswer,
    QualityAuditState,
    SubjectKind,
)
from referrals.models import Allocation, ContactChild, Referral
from strategy.models import Section47, StrategyDiscussion


@dataclass(frozen=True)
class Subject:
    """The work a quality audit is about: its kind, the record and whose work it is."""

    kind: str
    record: ContactChild | Referral | StrategyDiscussion | Section47
    worker_id: int
    child_ids: tuple[int, ...]


def find_subject(kind: str, pk: int) -> Subject:
    """The record of `kind` numbered `pk`, with the worker whose work it is (who proposed the
    decision or next steps, convened the discussion, started the enquiry's assessment)."""
    if kind == SubjectKind.CONTACT_DECISION:
        cc = ContactChild.objects.select_related("current_decision", "contact").filter(pk=pk)
        found = cc.first()
        if found is None or found.current_decision is None:
            raise RuleBroken("There is no contact decision with that number")
        return Subject(kind, found, found.current_decision.proposed_by_id, (found.child_id,))
    if kind == SubjectKind.REFERRAL:
        referral = Referral.objects.select_related("current_decision").filter(pk=pk).first()
        if referral is None:
            raise RuleBroken("There is no referral with that number")
        worker = (
            referral.current_decision.proposed_by_id
            if referral.current_decision
            else referral.created_by_id
        )
        return Subject(kind, referral, worker, (referral.child_id,))
    if kind == SubjectKind.DISCUSSION:
        discussion = StrategyDiscussion.objects.filter(pk=pk).first()
        if discussion is None:
            raise RuleBroken("There is no strategy discussion with that number")
        children = tuple(discussion.children.values_list("child_id", flat=True))
        return Subject(kind, discussion, discussion.convened_by_id, children)
    if kind == SubjectKind.ENQUIRY:
        enquiry = Section47.objects.select_related("assessment").filter(pk=pk).first()
        if enquiry is None:
            raise RuleBroken("There is no section 47 enquiry with that number")
        return Subject(kind, enquiry, enquiry.assessment.started_by_id, (enquiry.child_id,))
    raise RuleBroken("Choose what kind of work to audit")


def _field_of(kind: str) -> str:
    return {
        SubjectKind.CONTACT_DECISION: "contact_child",
        SubjectKind.REFERRAL: "referral",
        SubjectKind.DISCUSSION: "discussion",
        SubjectKind.ENQUIRY: "section47",
    }[SubjectKind(kind)]


def quality_audit_assign(*, by: User, kind: str, pk: int, auditor: User, due: date) -> QualityAudit:
    """A manager assigns one piece of work to an auditor or a manager (issue 21); never to the
    worker whose work it is."""
    if not access.can_assign_quality_audits(by):
        raise RuleBroken("Only managers assign quality audits")
    if not access.can_read_reports(auditor):
        raise RuleBroken("Choose an auditor or a manager to carry out the audit")
    with transaction.atomic():
        subject = find_subject(kind, pk)
        # A restricted child's work is audited only by someone it is open to.
        access.require_open(by, *subject.child_ids)
        if subject.worker_id == auditor.pk:
            raise RuleBroken("Choose someone other than the worker whose work it is")
        team_id = (
            Allocation.objects.filter(child_id__in=subject.child_ids, ended_at__isnull=True)
            .values_list("team_id", flat=True)
            .first()
        )
        audit = QualityAudit(
            kind=kind, worker_id=subject.worker_id, team_id=team_id, auditor=auditor, due=due,
            assigned_by=by, **{_field_of(kind): subject.record},
        )  # fmt: skip
        audit.save()
        record_transition(actor=by, obj=audit, source="", target=audit.state, name="assign")
        return audit


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: User
    due: date


def quality_audit_record(
    *, by: User, audit: QualityAudit, version: int | None, answers: dict[int, str], grade: str,
    findings: str, actions: list[ActionInput], complete: bool,
) -> QualityAudit:  # fmt: skip
    """The auditor records the audit against the local form: answers, grade, findings and
    actions; saved to finish later, or completed (then the worker is asked to respond)."""
    with transaction.atomic():
        current = locked(QualityAudit, audit, version)
        current.refuse_unless_auditor(by)
        if not current.is_open:
            raise RuleBroken("This audit is already completed")
        if grade and grade not in Grade.values:
            raise RuleBroken("Choose the grade")
        source = current.state
        if current.state == QualityAuditState.ASSIGNED:
            current.start(by=by)
        current.grade, current.findings = grade, findings
        current.version += 1
        if complete:
            current.complete(by=by)
        current.save()
        existing = {a.question_id: a for a in current.answers.all()}
        for question_id, answer in answers.items():
            row = existing.get(question_id)
            if row is None:
                QualityAuditAnswer(audit=current, question_id=question_id, answer=answer).save()
            elif row.answer != answer:
                row.answer = answer
                row.save()
        for action in actions:
            QualityAuditAction(
                audit=current, description=action.description, owner=action.owner, due=action.due
            ).save()
        if current.state != source:
            record_transition(
                actor=by, obj=current, source=source, target=current.state,
                name="complete" if complete else "start",
            )  # fmt: skip
        return current


def quality_audit_respond(*, by: User, audit: QualityAudit, response: str) -> QualityAudit:
    """The worker whose work was audited reads it and responds (issue 21)."""
    with transaction.atomic():
        current = locked(QualityAudit, audit)
        if current.state != QualityAuditState.COMPLETED:
            raise RuleBroken("This audit is not waiting for your response")
        source = current.state
        current.respond(by=by, response=response)
        current.version += 1
        current.save()
        record_transition(
            actor=by, obj=current, source=source, target=current.state, name="respond"
        )
        return current


def may_mark_done(user: User, action: QualityAuditAction) -> bool:
    """The action's owner, the audit's auditor, or a manager."""
    return user.pk in (action.owner_id, action.audit.auditor_id) or access.has_right(
        user, Perm.SIGN_OFF_DECISIONS
    )


def quality_audit_action_done(*, by: User, action: QualityAuditAction) -> QualityAuditAction:
    """An action the audit set is done (issue 21): marked by its owner, the audit's auditor or
    a manager, once; the quality audits report then no longer counts it open."""
    with transaction.atomic():
        current = locked(QualityAuditAction, action)
        if not may_mark_done(by, current):
            raise PermissionDenied(
                "Only the action's owner, the audit's auditor or a manager marks it done."
            )
        if current.done_at is not None:
            raise RuleBroken("This action is already marked done")
        current.done_at = timezone.now()
        current.save(update_fields=["done_at"])
        return current


def audit_question_add(*, by: User, text: str) -> AuditQuestion:
    """The system administrator adds a question to the local audit form."""
    access.require_right(by, Perm.MANAGE_LOCAL_DATA, "Only the system administrator does this.")
    with transaction.atomic():
        last = AuditQuestion.objects.aggregate(last=Max("position"))["last"] or 0
        question = AuditQuestion(text=text.strip(), position=last + 1)
        question.save()
        return question


def audit_question_retire(*, by: User, question: AuditQuestion) -> AuditQuestion:
    """The system administrator takes a question off the form; audits keep their answers."""
    access.require_right(by, Perm.MANAGE_LOCAL_DATA, "Only the system administrator does this.")
    with transaction.atomic():
        current = locked(AuditQuestion, question)
        current.is_active = False
        current.save()
        return current
