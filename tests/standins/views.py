"""Stand-in case views for testing the audit middleware before the case pages exist."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

from accounts import access
from accounts.audit import case_view, record_list, record_read
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


def not_a_case_page(request):
    raise Http404


def broken_page(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("standin/notes/", note_list),
    path("standin/notes/<int:pk>/", note_detail),
    path("standin/create/<int:count>/", create_notes),
    path("standin/other/", not_a_case_page),
    path("standin/broken/", broken_page),
    path("", include("config.urls")),
]
