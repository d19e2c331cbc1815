"""Information requests: asked from the decision page, answered by the partner agency on its
own pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.audit import case_view, record_list, record_read
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from casework import access
from casework.errors import RuleBroken
from referrals import services
from referrals.forms.information_requests import AnswerForm, InformationRequestForm
from referrals.models.contacts import ContactChild
from referrals.models.information_requests import InformationRequest, RequestState

REQUESTS_PAGE_SIZE = 50


def _asking_contact_child(request: AuthenticatedHttpRequest, pk: int, cc_pk: int) -> ContactChild:
    return access.get_case_record_for_user(
        request.user,
        ContactChild.objects.select_related("contact", "child"),
        right=Perm.REQUEST_INFORMATION,
        refusal="Your role does not allow asking partner agencies.",
        pk=cc_pk,
        contact_id=pk,
    )


@case_view(ContactChild)
def information_request_new(request: AuthenticatedHttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """Ask a partner agency about a child being screened."""
    contact_child = _asking_contact_child(request, pk, cc_pk)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        form = InformationRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.information_request_send(
                    by=request.user, contact_child=contact_child, agency=data["agency"],
                    question=data["question"], article6=data["article6"],
                    condition=data["condition"], consent=data["consent"],
                    family_told=data["family_told"], family_note=data["family_note"],
                    priority=data["priority"],
                )  # fmt: skip
            except RuleBroken as error:
                errors, status = [str(error)], 409
            else:
                messages.success(request, f"The request is sent to {data['agency'].name}.")
                return redirect("referrals:decision", pk=pk, cc_pk=cc_pk)
    else:
        form = InformationRequestForm()
        record_read(request, contact_child, child_ref=contact_child.child.census_id)
    return render(
        request,
        "referrals/information_request_new.html",
        {"cc": contact_child, "contact": contact_child.contact, "form": form, "errors": errors},
        status=status,
    )


@case_view(InformationRequest)
def information_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Requests to answer: those shared with the user's agency, open first, due soonest."""
    access.refuse_information_request(request.user)
    ordered = (
        access.visible_information_requests(request.user)
        .select_related("child", "agency")
        .defer("question", "family_note", "answer")
        .annotate(
            open_first=Case(
                When(state=RequestState.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "due_at", "pk")
    )
    page = Paginator(ordered, REQUESTS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    record_list(request, InformationRequest, [row.pk for row in rows])
    return render(request, "referrals/information_requests.html", {"rows": rows, "page": page})


@case_view(InformationRequest)
def information_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One request: the question, the child's name and date of birth, and the answer form."""
    access.refuse_information_request(request.user)
    info_request = get_object_or_404(
        access.visible_information_requests(request.user).select_related(
            "child", "agency", "answered_by"
        ),
        pk=pk,
    )
    errors: list[str] = []
    status = 200
    form = AnswerForm()
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.information_request_answer(
                    by=request.user, request=info_request, answer=form.cleaned_data["answer"]
                )
            except RuleBroken as error:
                errors, status = [str(error)], 409
                info_request.refresh_from_db()
            else:
                messages.success(request, "Your answer is sent. Thank you.")
                return redirect("referrals:information-requests")
    else:
        record_read(request, info_request, child_ref=info_request.child.census_id)
    return render(
        request,
        "referrals/information_request.html",
        {"info_request": info_request, "form": form, "errors": errors},
        status=status,
    )
