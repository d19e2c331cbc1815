"""Information sharing records pages (issue 9; DESIGN.md "Information sharing and access").

Managers and auditors list every sharing record (shares, decisions not to share, ends of
sharing), newest first, filtered by agency and decision; a manager ends a live share with a
reason (accounts.sharing.revoke). On a child's page, those who ask partners for information
record a decision not to share (accounts.sharing.decline; the form is here, the view is the
child page's). Partners get 404, the system administrator 403. Lists and reads are audited;
the list never loads the encrypted reason or family note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts import rights, selectors
from accounts.audit import case_view, record_list, record_read
from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Agency
from accounts.sharing import (
    Article6Basis,
    ConsentPosition,
    SharingDecision,
    SharingRecord,
    SharingRefused,
    SpecialCondition,
    revoke,
)

# The permission a decision not to share is about: the child's record.
CHILD_RECORD = "referrals.view_child"
_CHILD_REF = re.compile(r"^FD(\d{6,})$")


def _partner_agencies():
    return Agency.objects.filter(is_active=True).exclude(kind=Agency.Kind.LOCAL_AUTHORITY)


class NotSharedForm(RuledForm):
    """A decision not to share with an agency: what was asked for or considered, and why not;
    the lawful basis, consent and what the family was told only when they help."""

    prefix = "not_shared"

    agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        queryset=None,
        label="Agency",
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency it is not shared with"},
    )
    asked_for = forms.CharField(
        label="What was asked for or considered",
        widget=forms.Textarea,
        error_messages={"required": "Say what was asked for or considered"},
    )
    reason = forms.CharField(
        label="Why it is not shared",
        widget=forms.Textarea,
        error_messages={"required": "Say why it is not shared"},
    )
    article6 = forms.ChoiceField(
        label="Lawful basis considered (UK GDPR Article 6, optional)",
        choices=Article6Basis.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    condition = forms.ChoiceField(
        label="Condition for special category or criminal offence data (optional)",
        choices=SpecialCondition.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    consent = forms.ChoiceField(
        label="Consent (optional)",
        choices=ConsentPosition.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    family_told = forms.TypedChoiceField(
        label="Has the family been told of this decision? (optional)",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )
    family_note = forms.CharField(
        label="What the family was told, or why not (optional)",
        widget=forms.Textarea,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _partner_agencies()
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.select("agency"),
            Field.textarea("asked_for", rows=3),
            Field.textarea("reason", rows=4),
            Field.radios("article6", legend_size="s"),
            Field.radios("condition", legend_size="s"),
            Field.radios("consent", legend_size="s"),
            Field.radios("family_told", legend_size="s", inline=True),
            Field.textarea("family_note", rows=3),
            Button.primary("submit", "Record the decision not to share"),
        )

    def decline_arguments(self) -> dict:
        """What accounts.sharing.decline takes; what was asked for is kept with the reason,
        encrypted, since it may say something about the family."""
        data = self.cleaned_data
        return {
            "agency": data["agency"],
            "reason": (
                f"Asked for or considered: {data['asked_for'].strip()}\n"
                f"Why it is not shared: {data['reason'].strip()}"
            ),
            "article6": data["article6"],
            "condition": data["condition"],
            "consent": data["consent"],
            "family_told": data["family_told"],
            "family_note": data["family_note"],
        }


class SharingFilterForm(RuledForm):
    agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        queryset=None, required=False, label="Agency", empty_label="Any agency"
    )
    decision = forms.ChoiceField(
        required=False,
        label="Decision",
        choices=[
            ("", "Any decision"),
            (SharingDecision.SHARED, "Shared"),
            (SharingDecision.NOT_SHARED, "Not shared"),
            (SharingDecision.REVOKED, "Sharing ended"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.exclude(kind=Agency.Kind.LOCAL_AUTHORITY)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.select("agency"),
            Field.select("decision"),
            Button.secondary("filter", "Filter"),
        )


class EndSharingForm(RuledForm):
    reason = forms.CharField(
        label="Why the sharing ends",
        widget=forms.Textarea,
        help_text="The agency or person no longer sees the record once you end it",
        error_messages={"required": "Say why the sharing ends"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.textarea("reason", rows=4), Button.warning("submit", "End sharing")
        )


@dataclass(frozen=True)
class SharingRow:
    record: SharingRecord
    child_pk: int | None
    live: bool
    expired: bool
    is_the_child: bool  # what was shared (or not) is the child's record itself


def child_pk(child_ref: str) -> int | None:
    """The child's id in its reference ("FD000123"), for a link to the child's page."""
    match = _CHILD_REF.match(child_ref or "")
    return int(match.group(1)) if match else None


def _row(record: SharingRecord, now) -> SharingRow:
    shared = record.decision == SharingDecision.SHARED and record.ended_at is None
    expired = shared and record.expires_at is not None and record.expires_at <= now
    return SharingRow(
        record, child_pk(record.child_ref), shared and not expired, expired,
        bool(record.child_ref) and record.what == f"Child {record.child_ref}",
    )  # fmt: skip


@case_view(SharingRecord)
def sharing_records(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every sharing record, newest first, 50 a page, filtered by agency and decision."""
    rights.refuse_sharing_records(request.user)
    form = SharingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    agency = filters.get("agency")
    records = selectors.sharing_records(
        agency_id=agency.pk if agency else None, decision=filters.get("decision") or None
    )
    page = Paginator(records, selectors.SHARING_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [_row(record, now) for record in page.object_list]
    record_list(request, SharingRecord, [row.record.pk for row in rows])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/sharing_records.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_end": rights.can_end_sharing(request.user),
        },
    )


@case_view(SharingRecord)
def sharing_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """End a live share before its time, with the reason (accounts.sharing.revoke)."""
    rights.refuse_sharing_records(request.user, to_end=True)
    record = get_object_or_404(
        SharingRecord.objects.select_related("agency", "user", "by").defer("reason", "family_note"),
        pk=pk,
        decision=SharingDecision.SHARED,
    )
    form = EndSharingForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            revoke(by=request.user, record=record, reason=form.cleaned_data["reason"])
        except SharingRefused as error:
            form.add_error(None, str(error))
            status = 409
            record.refresh_from_db(fields=["ended_at"])
        else:
            messages.success(request, f"Sharing of {record.what} has ended.")
            return redirect("accounts:sharing")
    record_read(request, record, child_ref=record.child_ref)
    return render(
        request,
        "accounts/sharing_end.html",
        {"form": form, "row": _row(record, timezone.now())},
        status=status,
    )
