"""Information request pages (issue 9): the local authority asks a partner agency from the
child's decision page; the partner answers on "Requests to answer", which shows the question,
the child's name and date of birth and nothing of the LA's screening, decisions or history."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.audit import case_view, record_list, record_read
from accounts.forms import PageFormHelper, yes_no_field
from accounts.models import Agency
from accounts.permissions import Perm
from accounts.sharing import Article6Basis, ConsentPosition, SpecialCondition
from casework import access
from casework.errors import RuleBroken
from referrals import services
from referrals.contacts import ContactChild
from referrals.requests import InformationRequest, Priority, RequestState

YES_NO = [("yes", "Yes"), ("no", "No")]
REQUESTS_PAGE_SIZE = 50


class InformationRequestForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=None,
        label="Agency",
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency to ask"},
    )
    question = forms.CharField(
        label="Your question",
        widget=forms.Textarea,
        help_text="Ask only for what you need to decide about this child",
        error_messages={"required": "Enter the question for the agency"},
    )
    article6 = forms.ChoiceField(
        label="Lawful basis (UK GDPR Article 6)",
        choices=Article6Basis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the Article 6 lawful basis"},
    )
    condition = forms.ChoiceField(
        label="Condition for special category or criminal offence data (optional)",
        choices=SpecialCondition.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Needed if the question involves health, ethnicity or offences",
    )
    consent = forms.ChoiceField(
        label="Consent",
        choices=ConsentPosition.choices,
        widget=forms.RadioSelect,
        help_text="Consent is not needed when a child is or may be at risk",
        error_messages={"required": "Choose the consent position"},
    )
    family_told = yes_no_field(
        "Has the family been told what you are asking?",
        required="Say whether the family has been told",
    )
    family_note = forms.CharField(
        label="What the family was told, or why not",
        widget=forms.Textarea,
        error_messages={"required": "Say what the family was told, or why not"},
    )
    priority = forms.ChoiceField(
        label="Priority",
        choices=Priority.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the priority"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).exclude(
            kind=Agency.Kind.LOCAL_AUTHORITY
        )
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.select("agency"),
            Field.textarea("question", rows=5),
            Field.radios("article6", legend_size="s"),
            Field.radios("condition", legend_size="s"),
            Field.radios("consent", legend_size="s"),
            Field.radios("family_told", legend_size="s", inline=True),
            Field.textarea("family_note", rows=3),
            Field.radios("priority", legend_size="s"),
            Button.primary("submit", "Send the request"),
        )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        widget=forms.Textarea,
        help_text="What your agency knows that helps decide about this child",
        error_messages={"required": "Enter your answer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.textarea("answer", rows=6), Button.primary("submit", "Send the answer")
        )


def _asking_contact_child(request: HttpRequest, pk: int, cc_pk: int) -> ContactChild:
    access.refuse_case_object(request.user)
    if not access.has_right(request.user, Perm.REQUEST_INFORMATION):
        raise PermissionDenied("Your role does not allow asking partner agencies.")
    contact_child = get_object_or_404(
        ContactChild.objects.select_related("contact", "child"), pk=cc_pk, contact_id=pk
    )
    access.require_open(request.user, contact_child.child)  # a restricted child: break glass
    return contact_child


@case_view(ContactChild)
def information_request_new(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
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
def information_requests(request: HttpRequest) -> HttpResponse:
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
def information_request(request: HttpRequest, pk: int) -> HttpResponse:
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
