"""The LADO service's inbox: each LADO referral shared with it, and its outcome recorded once."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.audit import case_view, record_list, record_read
from accounts.http import AuthenticatedHttpRequest
from casework import access
from casework.errors import RuleBroken
from casework.references import child_reference
from referrals import services
from referrals.forms.lado import LadoOutcomeForm
from referrals.models import LadoReferral, LadoState

INBOX_PAGE_SIZE = 50


PAGE_FIELDS = (
    "pk", "due", "created_at", "state", "outcome", "agency_id", "child_id", "contact_child_id",
    "child__first_name", "child__last_name", "child__date_of_birth",
    "contact_child__state", "contact_child__contact_id", "contact_child__contact__concern",
    "contact_child__contact__received_at",
)  # fmt: skip


def _shown(user, *, detail: bool = False):
    """The LADO referrals shared with the user's LADO service, in SQL, loading only what the
    pages show (the contact's concern, the child's name and date of birth; never the local
    authority's screening notes or decisions)."""
    fields: tuple[str, ...] = PAGE_FIELDS
    related = ["child", "contact_child__contact"]
    if detail:
        fields += ("outcome_note", "outcome_at", "outcome_by__first_name",
                   "outcome_by__last_name", "outcome_by__username")  # fmt: skip
        related.append("outcome_by")
    return access.lado_referrals_for(
        user, LadoReferral.objects.select_related(*related).only(*fields)
    )


def _tags(lado: LadoReferral, today) -> LadoReferral:
    # Flags for the template, set on the instance.
    lado.overdue = lado.state == LadoState.OPEN and lado.due < today  # type: ignore[attr-defined]  # as above
    lado.due_today = lado.state == LadoState.OPEN and lado.due == today  # type: ignore[attr-defined]  # as above
    return lado


@case_view(LadoReferral)
def lado_inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The LADO referrals sent to the user's LADO service: open first, due soonest first."""
    access.refuse_lado_inbox(request.user)
    ordered = _shown(request.user).order_by(
        Case(When(state=LadoState.OPEN, then=Value(0)), default=Value(1),
             output_field=IntegerField()),
        "due", "pk",
    )  # fmt: skip
    page = Paginator(ordered, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [_tags(lado, today) for lado in page.object_list]
    record_list(request, LadoReferral, [lado.pk for lado in rows])
    return render(request, "referrals/lado_inbox.html", {"rows": rows, "page": page})


@case_view(LadoReferral)
def lado_referral(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One LADO referral, and the form to record its outcome while it is open."""
    access.refuse_lado_inbox(request.user)
    lado = get_object_or_404(_shown(request.user, detail=True), pk=pk)
    form = LadoOutcomeForm(request.POST or None) if lado.state == LadoState.OPEN else None
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(request, "The outcome of this LADO referral is already recorded")
            return redirect("referrals:lado-referral", pk=pk)
        if form.is_valid():
            try:
                services.lado_outcome_record(
                    by=request.user, lado_referral=lado, outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                )  # fmt: skip
            except RuleBroken as error:
                form.add_error(None, str(error))
                status = 409
            except PermissionDenied as error:
                form.add_error(None, str(error))
                status = 403
            else:
                messages.success(request, "The outcome is recorded.")
                return redirect("referrals:lado-referral", pk=pk)
    record_read(request, lado, child_ref=child_reference(lado.child_id))
    return render(
        request,
        "referrals/lado_referral.html",
        {"lado": _tags(lado, timezone.localdate()), "form": form},
        status=status,
    )
