"""The child's chronology (issue 20): the page with its filters and print stylesheet, its PDF,
manual entries and their corrections, and the entries a worker shares with the agencies
invited to a strategy discussion."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.audit import case_view, record_export, record_read
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from casework import access
from casework.errors import RuleBroken
from notes import pdf, services
from notes.chronology import Filters, child_chronology, chronology_events
from notes.forms import ChronologyEntryForm, ChronologyFilterForm, ShareChronologyForm
from notes.models import ChronologyEntry, SharedChronologyEntry
from referrals.models import Child
from strategy.models import DiscussionState, StrategyDiscussion
from strategy.selectors import discussion_detail


def _filters(request: AuthenticatedHttpRequest) -> tuple[ChronologyFilterForm, Filters, bool]:
    """The page's GET filters: none when nothing is asked or what is asked is not valid (the
    error summary says why, and the whole chronology is shown)."""
    form = ChronologyFilterForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return form, Filters(), False
    data = form.cleaned_data
    filters = Filters(
        kinds=frozenset(data["kind"]), since=data["since"], until=data["until"],
        significant_only=data["significant"],
    )  # fmt: skip
    return form, filters, data["related"]


@case_view(Child)
def chronology(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A child's chronology: every event from the records and the manual entries, in the
    order they happened, filtered by kind, dates and significance."""
    child = access.get_case_record_for_user(request.user, Child, pk=pk)
    form, filters, with_related = _filters(request)
    found = child_chronology(child, user=request.user, filters=filters, with_related=with_related)
    record_read(request, child, child_ref=child.census_id)
    return render(
        request,
        "notes/chronology.html",
        {
            "child": child,
            "chronology": found,
            "filter_form": form,
            "filtered": bool(request.GET),
            "query": request.GET.urlencode(),
            "can_add": access.has_right(request.user, Perm.RECORD_CONTACTS),
        },
    )


@case_view(Child)
def chronology_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The chronology (with the page's filters) as a PDF download, audited as an export with
    the children whose events it holds; restricted records closed to the user stay out."""
    child = access.get_case_record_for_user(request.user, Child, pk=pk)
    _, filters, with_related = _filters(request)
    found = child_chronology(child, user=request.user, filters=filters, with_related=with_related)
    content = pdf.chronology_pdf(found, made_at=timezone.now(), made_by=request.user)
    shown = [child.pk, *(row.child.pk for row in found.related if not row.restricted)]
    record_export(request, Child, shown, child_ref=child.census_id)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="chronology-{child.census_id}.pdf"'
    return response


@case_view(Child)
def chronology_entry_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a manual entry, dated when the event happened."""
    child = access.get_case_record_for_user(
        request.user, Child, right=Perm.RECORD_CONTACTS, refusal=access.RECORDS_CONTACTS, pk=pk
    )
    form = ChronologyEntryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.chronology_entry_add(by=request.user, child=child, **form.cleaned_data)
        except RuleBroken as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The entry is added to the chronology.")
            return redirect("notes:chronology", pk=pk)
    record_read(request, child, child_ref=child.census_id)
    return render(
        request, "notes/chronology_entry.html",
        {"form": form, "child": child, "title": "Add to the chronology"},
    )  # fmt: skip


@case_view(ChronologyEntry)
def chronology_entry_correct(request: AuthenticatedHttpRequest, pk: int, entry_pk: int):
    """Correct a manual entry: a new version; the earlier ones are kept and shown here."""
    entry = access.get_case_record_for_user(
        request.user, ChronologyEntry.objects.select_related("child"),
        right=Perm.RECORD_CONTACTS, refusal=access.RECORDS_CONTACTS, pk=entry_pk, child_id=pk,
    )  # fmt: skip
    initial = {name: getattr(entry, name) for name in ("happened_on", "source", "text")}
    initial["significant"] = entry.significant
    posted = request.POST if request.method == "POST" else None
    form = ChronologyEntryForm(posted, initial=initial, submit="Save the correction")
    if request.method == "POST" and form.is_valid():
        try:
            services.chronology_entry_correct(by=request.user, entry=entry, **form.cleaned_data)
        except RuleBroken as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The correction is saved; the earlier version is kept.")
            return redirect("notes:chronology", pk=pk)
    versions = []
    earlier: ChronologyEntry | None = entry
    while earlier is not None:  # the chain of versions is short: a query per correction
        versions.append(earlier)
        earlier = earlier.supersedes
    record_read(request, entry, child_ref=entry.child.census_id)
    return render(
        request, "notes/chronology_entry.html",
        {"form": form, "child": entry.child, "title": "Correct a chronology entry",
         "versions": versions},
    )  # fmt: skip


@case_view(StrategyDiscussion)
def discussion_chronology(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """While the discussion is convened, the worker picks entries of its children's
    chronologies to share with the invited agencies (accounts.sharing, on the discussion's
    lawful basis and terms)."""
    access.refuse_case_object(request.user)
    discussion = discussion_detail(pk)
    access.require_right(request.user, Perm.CONVENE_STRATEGY_DISCUSSIONS)
    child_ids = [row.child_id for row in discussion.children.all()]
    access.require_open(request.user, *child_ids)
    events = chronology_events(child_ids)
    by_key = {f"{event.child_id}:{event.key}": event for event in events}
    shared = list(SharedChronologyEntry.objects.filter(discussion=discussion))
    already = {f"{item.child_id}:{item.key}" for item in shared}
    names = {row.child_id: f"{row.child.first_name} {row.child.last_name}"
             for row in discussion.children.all()}  # fmt: skip
    choices = [
        (key, f"{event.day:%-d %b %Y}: {event.what}"
              + (f" ({names[event.child_id]})" if len(names) > 1 else ""))
        for key, event in by_key.items() if key not in already
    ]  # fmt: skip
    posted = request.POST if request.method == "POST" else None
    form = ShareChronologyForm(posted, choices=choices)
    status, errors = 200, []
    if discussion.state != DiscussionState.CONVENED:
        status, errors = 409, ["Entries are shared only while the discussion is convened"]
    elif request.method == "POST" and form.is_valid():
        try:
            services.discussion_chronology_share(
                by=request.user, discussion=discussion,
                events=[by_key[key] for key in form.cleaned_data["entries"]],
            )  # fmt: skip
        except RuleBroken as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The entries are shared with the invited agencies.")
            return redirect("strategy:discussion", pk=pk)
    for row in discussion.children.all():
        record_read(request, row, child_ref=row.child.census_id)
    return render(
        request, "notes/discussion_chronology.html",
        {"discussion": discussion, "form": form, "shared": shared, "names": names,
         "can_share": status == 200, "errors": errors},
        status=status,
    )  # fmt: skip
