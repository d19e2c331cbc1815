"""Quality audit pages (issue 21): the list, assigning, the audit itself, recording it against
the local form, the worker's response, and the system administrator's questions. Thin: an
access getter, a form, one service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts import sessions
from accounts.audit import case_view, record_list, record_read
from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from accounts.permissions import Perm
from casework import access
from casework.errors import ChangedBySomeoneElse, RuleBroken
from casework.references import child_reference
from quality import selectors, services
from quality.forms import AssignForm, QuestionForm, RecordForm, RespondForm
from quality.models import (
    AuditQuestion,
    QualityAudit,
    QualityAuditAction,
    QualityAuditState,
    SubjectKind,
)

PAGE_SIZE = 50
_ONLY_ADMIN = "Only the system administrator keeps the audit form's questions."


def _auditors():
    return (
        access.users_with_right(Perm.READ_REPORTS)
        .filter(is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def _staff():
    return User.objects.filter(
        is_active=True, pk__in=access.users_with_right(Perm.VIEW_CASE_RECORDS)
    ).order_by("first_name", "last_name", "username")


@case_view(QualityAudit)
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The quality audits the user may see: every one for managers and auditors, the audits
    of their own work and those assigned to them for anyone else with case records."""
    access.refuse_case_object(request.user)
    page = Paginator(selectors.quality_audit_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    record_list(request, QualityAudit, [audit.pk for audit in page])
    return render(
        request,
        "quality/list.html",
        {
            "page": page,
            "can_assign": access.can_assign_quality_audits(request.user),
            "due": selectors.quality_audits_due(request.user),
        },
    )


@case_view(QualityAudit)
def audit_assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A manager assigns a piece of work (or an item of the no-further-action sample, whose
    link fills the kind and number in) to an auditor or manager, with a due date."""
    access.refuse_case_object(request.user)
    if not access.can_assign_quality_audits(request.user):
        raise PermissionDenied("Only managers assign quality audits.")
    initial: dict[str, object] = {}
    if request.GET.get("kind") in SubjectKind.values:
        initial["kind"] = request.GET["kind"]
    if (request.GET.get("number") or "").isdigit():
        initial["number"] = int(request.GET["number"])
    form = AssignForm(request.POST or None, initial=initial, auditors=_auditors())
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audit = services.quality_audit_assign(
                by=request.user, kind=data["kind"], pk=data["number"], auditor=data["auditor"],
                due=data["due"],
            )  # fmt: skip
        except RuleBroken as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(request, f"{audit} is assigned.")
            return redirect("quality:detail", pk=audit.pk)
    return render(request, "quality/assign.html", {"form": form}, status=status)


def _subject_link(audit: QualityAudit) -> tuple[str, str]:
    """The audited record's opaque reference and the address of its page."""
    if audit.contact_child is not None:
        cc = audit.contact_child
        return (
            f"Contact C-{cc.contact_id:06d}, the decision for {child_reference(cc.child_id)}",
            reverse("referrals:contact", args=[cc.contact_id]),
        )
    if audit.referral_id:
        return str(audit.referral), reverse("referrals:referral", args=[audit.referral_id])
    if audit.discussion_id:
        return str(audit.discussion), reverse("strategy:discussion", args=[audit.discussion_id])
    return str(audit.section47), reverse("strategy:section47", args=[audit.section47_id])


@case_view(QualityAudit)
def audit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One quality audit: what was audited (by reference), the answers, grade, findings,
    actions and the worker's response; the worker's response form when it is theirs."""
    audit = access.get_quality_audit_for_user(request.user, pk)
    form = None
    if audit.state == QualityAuditState.COMPLETED and audit.worker_id == request.user.pk:
        form = RespondForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(request, "This audit is not waiting for your response")
            return redirect("quality:detail", pk=pk)
        if form.is_valid():
            try:
                services.quality_audit_respond(
                    by=request.user, audit=audit, response=form.cleaned_data["response"]
                )
            except RuleBroken as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(request, "Your response is recorded.")
                return redirect("quality:detail", pk=pk)
    record_read(request, audit)
    reference, link = _subject_link(audit)
    return render(
        request,
        "quality/detail.html",
        {
            "audit": audit,
            "reference": reference,
            "link": link,
            "answers": selectors.audit_questions_with_answers(audit),
            "actions": selectors.audit_actions(audit),
            "form": form,
            "can_record": audit.is_open and audit.auditor_id == request.user.pk,
            "marks_done": audit.auditor_id == request.user.pk
            or access.has_right(request.user, Perm.SIGN_OFF_DECISIONS),
        },
        status=status,
    )


@case_view(QualityAudit)
def audit_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The auditor records the audit against the local form: save to finish later, or
    complete it (every question answered, the grade and the findings)."""
    audit = access.get_quality_audit_for_user(request.user, pk)
    if audit.auditor_id != request.user.pk:
        raise PermissionDenied("Only the person it is assigned to records this audit.")
    if not audit.is_open:
        messages.info(request, "This audit is completed.")
        return redirect("quality:detail", pk=pk)
    questions = selectors.active_questions()
    initial = {f"question_{q}": a for q, a in selectors.audit_answers(audit).items()}
    initial.update(grade=audit.grade, findings=audit.findings)
    form = RecordForm(request.POST or None, initial=initial, questions=questions, owners=_staff())
    status = 200
    if request.method == "POST" and form.is_valid():
        complete = "complete" in request.POST
        if complete:
            form.check_complete()
    if request.method == "POST" and form.is_bound and not form.errors:
        data = form.cleaned_data
        actions = []
        if data.get("action_description"):
            actions.append(
                services.ActionInput(
                    description=data["action_description"],
                    owner=data["action_owner"],
                    due=data["action_due"],
                )
            )
        try:
            services.quality_audit_record(
                by=request.user, audit=audit, version=_posted_version(request),
                answers=form.answers(), grade=data["grade"], findings=data["findings"],
                actions=actions, complete=complete,
            )  # fmt: skip
        except ChangedBySomeoneElse:
            form.add_error(None, "This audit was changed by someone else. Check it and save again")
            status = 409
        except RuleBroken as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(
                request, "The audit is completed." if complete else "The audit is saved."
            )
            return redirect("quality:detail", pk=pk)
    record_read(request, audit)
    reference, link = _subject_link(audit)
    return render(
        request,
        "quality/record.html",
        {
            "audit": audit, "form": form, "reference": reference, "link": link,
            "actions": selectors.audit_actions(audit),
        },
        status=status,
    )  # fmt: skip


def _posted_version(request: AuthenticatedHttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def questions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The system administrator's page of the local audit form's questions."""
    access.require_right(request.user, Perm.MANAGE_LOCAL_DATA, _ONLY_ADMIN)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.audit_question_add(by=request.user, text=form.cleaned_data["text"])
        messages.success(request, "The question is added to the audit form.")
        return redirect("quality:questions")
    return render(
        request,
        "quality/questions.html",
        {"form": form, "questions": selectors.active_questions()},
    )


@sessions.posted_from("quality:detail", "pk")
@case_view(QualityAudit)
def action_done(request: AuthenticatedHttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Mark one of the audit's actions done (its owner, the audit's auditor or a manager)."""
    audit = access.get_quality_audit_for_user(request.user, pk)
    action = get_object_or_404(QualityAuditAction, pk=action_pk, audit=audit)
    try:
        services.quality_audit_action_done(by=request.user, action=action)
    except RuleBroken as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The action is marked done.")
    return redirect("quality:detail", pk=pk)


@sessions.posted_from("quality:questions")
def question_retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Take a question off the form (audits keep their answers)."""
    access.require_right(request.user, Perm.MANAGE_LOCAL_DATA, _ONLY_ADMIN)
    question = get_object_or_404(AuditQuestion, pk=pk, is_active=True)
    services.audit_question_retire(by=request.user, question=question)
    messages.success(request, "The question is taken off the audit form.")
    return redirect("quality:questions")
