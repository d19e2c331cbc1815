"""Quality audit lists and counts (issue 21), in SQL: what is assigned to an auditor and due,
the audits a user may see, and grades and open actions by team and month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import User
from casework import access
from quality.models import (
    OPEN_AUDIT_STATES,
    AuditQuestion,
    Grade,
    QualityAudit,
    QualityAuditAction,
)

_LIST_RELATED = ("worker", "auditor", "team")


@dataclass(frozen=True)
class AuditsDue:
    """A user's open quality audits, soonest due first, and how many are overdue."""

    rows: list[QualityAudit]
    count: int
    overdue: int


def quality_audits_due(user: User, *, today: date | None = None, limit: int = 20) -> AuditsDue:
    """The quality audits assigned to `user` and not yet completed, soonest due first (for the
    auditor's and manager's home page): two queries under the partial index on open rows."""
    today = today or timezone.localdate()
    mine = QualityAudit.objects.filter(auditor_id=user.pk, state__in=OPEN_AUDIT_STATES)
    counts = mine.aggregate(count=Count("pk"), overdue=Count("pk", filter=Q(due__lt=today)))
    rows = list(mine.select_related(*_LIST_RELATED).defer("findings", "response")[:limit])
    return AuditsDue(rows=rows, count=counts["count"], overdue=counts["overdue"])


def quality_audit_list(user: User) -> QuerySet[QualityAudit]:
    """The quality audits `user` may see (casework.access), open first then newest."""
    return (
        access.visible_quality_audits(user)
        .select_related(*_LIST_RELATED)
        .defer("findings", "response")
        .order_by("completed_at", "due", "-pk")
    )


def active_questions() -> list[AuditQuestion]:
    return list(AuditQuestion.objects.filter(is_active=True))


def audit_answers(audit: QualityAudit) -> dict[int, str]:
    return dict(audit.answers.values_list("question_id", "answer"))


def audit_questions_with_answers(audit: QualityAudit) -> list[tuple[AuditQuestion, str]]:
    """The questions an audit answered (retired ones included) and the active ones it has not."""
    answers = {a.question_id: a for a in audit.answers.select_related("question")}
    questions = {q.pk: q for q in AuditQuestion.objects.filter(is_active=True)}
    questions.update({pk: a.question for pk, a in answers.items()})
    ordered = sorted(questions.values(), key=lambda q: (q.position, q.pk))
    return [(q, answers[q.pk].get_answer_display() if q.pk in answers else "") for q in ordered]


def audit_actions(audit: QualityAudit) -> list[QualityAuditAction]:
    return list(audit.actions.select_related("owner"))


@dataclass(frozen=True)
class GradeRow:
    team: str
    month: date
    outstanding: int
    good: int
    requires_improvement: int
    inadequate: int
    open_actions: int

    @property
    def total(self) -> int:
        return self.outstanding + self.good + self.requires_improvement + self.inadequate


def grades_by_team_and_month(
    *, start: date, end: date, team_id: int | None = None, worker_id: int | None = None
) -> list[GradeRow]:
    """Completed audits' grades, and their actions still open, by team and month of
    completion: two aggregate queries whatever the number of audits."""
    audits = QualityAudit.objects.filter(completed_at__date__gte=start, completed_at__date__lt=end)
    if team_id:
        audits = audits.filter(team_id=team_id)
    if worker_id:
        audits = audits.filter(worker_id=worker_id)
    grades = (
        audits.annotate(month=TruncMonth("completed_at"))
        .values("team__name", "month")
        .annotate(**{grade.value: Count("pk", filter=Q(grade=grade.value)) for grade in Grade})
        .order_by("month", "team__name")
    )
    actions = {
        (row["audit__team__name"], row["month"]): row["open"]
        for row in QualityAuditAction.objects.filter(audit__in=audits, done_at__isnull=True)
        .annotate(month=TruncMonth("audit__completed_at"))
        .values("audit__team__name", "month")
        .annotate(open=Count("pk"))
    }
    return [
        GradeRow(
            team=row["team__name"] or "No team",
            month=_as_date(row["month"]),
            outstanding=row[Grade.OUTSTANDING.value],
            good=row[Grade.GOOD.value],
            requires_improvement=row[Grade.REQUIRES_IMPROVEMENT.value],
            inadequate=row[Grade.INADEQUATE.value],
            open_actions=actions.get((row["team__name"], row["month"]), 0),
        )
        for row in grades
    ]


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") else value
