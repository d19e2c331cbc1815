"""The audit trail of a record, a child or a user, for managers and auditors.

A trail about a restricted child (the child's own, or a record that belongs to the child) asks
for the break glass like the child's page; on any trail, an entry about a restricted child not
open to the reader shows only "Restricted record" and the reference (issue 16)."""

from __future__ import annotations

import csv

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts import rights
from accounts.audit import record_export, record_list
from accounts.http import AuthenticatedHttpRequest
from accounts.models import AuditEntry, User
from casework import access
from casework.references import child_id_from_reference
from workspace import selectors
from workspace.audit_display import audit_rows, children_of_record
from workspace.forms import AuditFilterForm

AUDIT_PAGE_SIZE = 100
AUDIT_EXPORT_LIMIT = 50_000


def _audit_trail_page(
    request: AuthenticatedHttpRequest, *, heading: str, subject: str, **scope
) -> HttpResponse:
    """One page of an audit trail (or its CSV); every showing is itself audited."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entries(
        **scope,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        event=filters.get("event") or None,
    )
    if request.GET.get("format") == "csv" and not form.errors:
        return _audit_csv(request, entries, subject)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    record_list(request, AuditEntry, [entry.pk for entry in rows])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workspace/audit_trail.html",
        {
            "heading": heading,
            "subject": subject,
            "form": form,
            "page": page,
            "rows": audit_rows(request.user, rows),
            "query": query.urlencode(),
            "csv_query": _with(query, format="csv"),
        },
    )


def _with(query, **values) -> str:
    query = query.copy()
    for key, value in values.items():
        query[key] = value
    return query.urlencode()


def _audit_csv(request: AuthenticatedHttpRequest, entries, subject: str) -> HttpResponse:
    rows = list(entries[:AUDIT_EXPORT_LIMIT])
    record_export(request, AuditEntry, [entry.pk for entry in rows])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["sequence", "time", "user", "event", "record type", "record", "record id", "child",
         "details", "address"]
    )  # fmt: skip
    for row in audit_rows(request.user, rows):
        entry = row.entry
        writer.writerow(
            [entry.sequence, timezone.localtime(entry.timestamp).isoformat(), row.actor,
             entry.get_event_display(), "" if row.restricted else entry.content_type.name,
             row.record, "" if row.restricted else entry.object_pk,
             row.restricted or entry.child_ref, "; ".join(row.details), entry.remote_addr or ""]
        )  # fmt: skip
    return response


def _require_audit_reader(request: AuthenticatedHttpRequest) -> None:
    # Before any lookup, so that a refusal never reveals whether the record exists.
    if not rights.can_read_audit_trail(request.user):
        raise PermissionDenied("Only managers and auditors read the audit trail.")


def audit_record(
    request: AuthenticatedHttpRequest, model_label: str, object_pk: str
) -> HttpResponse:
    """Who has seen or changed one record, whatever app its model lives in ("app.model")."""
    _require_audit_reader(request)
    app_label, _, model_name = model_label.partition(".")
    content_type = get_object_or_404(ContentType, app_label=app_label, model=model_name)
    references = selectors.audit_child_references(content_type=content_type, object_pk=object_pk)
    access.require_open(
        request.user, *children_of_record(content_type.model_class(), object_pk, references)
    )
    return _audit_trail_page(
        request,
        heading="Audit trail of a record",
        subject=f"{content_type.name} {object_pk}",
        content_type=content_type,
        object_pk=object_pk,
    )


def audit_child(request: AuthenticatedHttpRequest, child_ref: str) -> HttpResponse:
    """Everything that concerns one child, in one query a page."""
    _require_audit_reader(request)
    child_id = child_id_from_reference(child_ref)
    if child_id is not None:
        access.require_open(request.user, child_id)
    return _audit_trail_page(
        request, heading="Audit trail of a child's records", subject=child_ref, child_ref=child_ref
    )


def audit_user(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    """Everything one user did."""
    _require_audit_reader(request)
    user = get_object_or_404(User, pk=user_id)
    return _audit_trail_page(
        request,
        heading="Audit trail of a user",
        subject=f"{user.display_name} ({user.username})",
        actor_id=user.pk,
    )
