"""Stand-in case views for testing the audit middleware before the case pages exist."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import engines
from django.urls import include, path

from accounts.audit import case_view, record_list, record_read
from casework import access
from tests.standins.models import SealedNote


@case_view(SealedNote)
def note_detail(request, pk):
    access.require_case_records_access(request.user)
    note = get_object_or_404(SealedNote, pk=pk)
    record_read(request, note, child_ref=note.reference)
    return HttpResponse(f"Note {note.pk}")


@case_view(SealedNote)
def note_list(request):
    access.require_case_records_access(request.user)
    notes = list(SealedNote.objects.order_by("pk"))
    record_list(request, SealedNote, [note.pk for note in notes])
    return HttpResponse(f"{len(notes)} notes")


def create_notes(request, count):
    """Creates `count` notes in one request (for counting the audit's queries)."""
    for n in range(count):
        SealedNote.objects.create(reference=f"C{n}", body="a concern")
    return HttpResponse("created")


NOTE_FORM = engines["django"].from_string(
    """{% extends "base.html" %}{% block title %}Record a note{% endblock %}
{% block content %}{% load drafts %}<h1 class="govuk-heading-l">Record a note</h1>
{% draft_offer %}<form method="post" data-keep-draft novalidate>{% csrf_token %}
<div class="govuk-form-group"><label class="govuk-label" for="id_reference">Reference</label>
<input class="govuk-input" id="id_reference" name="reference" type="text"></div>
<div class="govuk-form-group"><label class="govuk-label" for="id_body">What happened</label>
<textarea class="govuk-textarea" id="id_body" name="body" rows="5"></textarea></div>
<button type="submit" class="govuk-button" data-module="govuk-button">Save note</button>
</form>{% endblock %}"""
)


def note_form(request):
    """A form that keeps drafts, as case forms will."""
    if request.method == "POST":
        SealedNote.objects.create(reference=request.POST["reference"], body=request.POST["body"])
        return redirect("/")
    return HttpResponse(NOTE_FORM.render({}, request))


def not_a_case_page(request):
    raise Http404


def broken_page(request):
    raise RuntimeError("a bug")


def writes_then_breaks(request):
    SealedNote.objects.create(reference="LOST", body="never kept")
    raise RuntimeError("a bug after a write")


def action_refused_half_way(request):
    """A service that audits a transition, then hits a rule and rolls back; the view carries on."""
    from django.db import transaction

    from accounts.audit import record_transition

    try:
        with transaction.atomic():
            note = SealedNote.objects.create(reference="ROLLED-BACK", body="x")
            record_transition(actor=request.user, obj=note, source="a", target="b")
            raise ValueError("a rule was broken")
    except ValueError:
        pass
    SealedNote.objects.create(reference="KEPT", body="y")
    return HttpResponse("carried on")


urlpatterns = [
    path("standin/notes/", note_list),
    path("standin/notes/<int:pk>/", note_detail),
    path("standin/create/<int:count>/", create_notes),
    path("standin/other/", not_a_case_page),
    path("standin/note-form/", note_form),
    path("standin/broken/", broken_page),
    path("standin/writes-then-breaks/", writes_then_breaks),
    path("standin/refused-half-way/", action_refused_half_way),
    path("", include("config.urls")),
]
