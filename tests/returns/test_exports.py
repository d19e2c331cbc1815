"""The exports page (issue 22): starting the census or Annex A as a background task (run
synchronously here), its progress, the download (audited, data officers and managers only),
files kept outside the web root readable by the service's user only, and the purge."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from returns import selectors, services
from returns.models import Export, ExportKind, ExportState
from tests.conftest import sign_in
from tests.returns.xlsx import read_workbook

pytestmark = pytest.mark.django_db

EXPORTS = reverse("returns:exports")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _exports_folder(settings, tmp_path):
    settings.EXPORTS_ROOT = str(tmp_path / "exports")
    settings.TASKS = IMMEDIATE


@pytest.fixture
def officer(make_user):
    return make_user(Role.DATA_OFFICER)


def annex_a_post(start, end) -> dict:
    return {
        "kind": "annex_a",
        "start_0": start.day, "start_1": start.month, "start_2": start.year,
        "end_0": end.day, "end_1": end.month, "end_2": end.year,
    }  # fmt: skip


def test_a_data_officer_makes_annex_a_and_downloads_it_audited(client, officer):
    sign_in(client, officer)
    today = timezone.localdate()
    response = client.post(EXPORTS, annex_a_post(today - timedelta(days=30), today))
    export = Export.objects.get()
    assert response.url == reverse("returns:export", args=[export.pk])
    assert export.state == ExportState.READY and export.kind == ExportKind.ANNEX_A
    page = client.get(response.url).content.decode()
    assert "Ready" in page and reverse("returns:export-download", args=[export.pk]) in page
    # Stored outside the web root, readable and writable by the service's user only.
    path = Path(services.exports_root()) / export.file_name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    download = client.get(reverse("returns:export-download", args=[export.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    saved = Path(services.exports_root()) / "downloaded.xlsx"
    saved.write_bytes(b"".join(download.streaming_content))
    assert next(iter(read_workbook(saved))) == "List 1 Contacts"
    events = AuditEntry.objects.filter(event=Event.EXPORT, object_pk=str(export.pk))
    assert sorted(entry.additional_data["action"] for entry in events) == [
        "downloaded", "requested",
    ]  # fmt: skip
    assert all(entry.actor == officer for entry in events)


def test_a_census_export_runs_as_a_task_and_reports_progress(client, officer):
    sign_in(client, officer)
    year = selectors.census_year_now()
    response = client.post(EXPORTS, {"kind": "census", "year": year})
    export = Export.objects.get()
    assert response.status_code == 302 and export.state == ExportState.READY
    progress = client.get(reverse("returns:export", args=[export.pk]), {"progress": 1}).json()
    assert progress == {"in_progress": False, "percent": 100, "status": progress["status"]}
    assert progress["status"].startswith("Ready")


def test_a_queued_export_shows_its_progress_and_no_download(client, officer, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sign_in(client, officer)
    client.post(EXPORTS, {"kind": "census", "year": selectors.census_year_now()})
    export = Export.objects.get()
    assert export.state == ExportState.QUEUED
    page = client.get(reverse("returns:export", args=[export.pk])).content.decode()
    assert "data-export-progress" in page and "export-progress.mjs" in page
    assert "Waiting to start" in page
    assert reverse("returns:export-download", args=[export.pk]) not in page
    download = client.get(reverse("returns:export-download", args=[export.pk]))
    assert download.status_code == 302
    assert not AuditEntry.objects.filter(
        event=Event.EXPORT, additional_data__action="downloaded"
    ).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "census"}, "Choose the census year"),
        ({"kind": "census", "year": "1999"}, "Select a valid choice"),
        ({"kind": "annex_a"}, "Enter the start of the period"),
        ({"kind": "annex_a", "start_0": "31", "start_1": "2", "start_2": "2026",
          "end_0": "1", "end_1": "3", "end_2": "2026"}, "must be a real date"),
        ("later", "The end of the period must be on or after its start"),
        ({"kind": "explode"}, None),
    ],
)  # fmt: skip
def test_bad_input_shows_the_error_summary_and_starts_nothing(client, officer, data, message):
    sign_in(client, officer)
    if data == "later":
        today = timezone.localdate()
        data = annex_a_post(today, today - timedelta(days=3))
    response = client.post(EXPORTS, data)
    assert response.status_code == 200
    page = response.content.decode()
    if message:
        assert "govuk-error-summary" in page and message in page
    assert not Export.objects.exists()


@pytest.mark.parametrize(("role", "status"), [
    (Role.DATA_OFFICER, 200), (Role.MANAGER, 200), (Role.PRACTITIONER, 403),
    (Role.AUDITOR, 403), (Role.SYSTEM_ADMINISTRATOR, 403), (Role.PARTNER_PRACTITIONER, 403),
])  # fmt: skip
def test_who_makes_and_downloads_returns(client, make_user, officer, role, status):
    export = services.export_request(
        by=officer, kind=ExportKind.CENSUS, year=selectors.census_year_now()
    )
    sign_in(client, make_user(role))
    assert client.get(EXPORTS).status_code == status
    assert client.get(reverse("returns:export", args=[export.pk])).status_code == status
    download = client.get(reverse("returns:export-download", args=[export.pk]))
    assert download.status_code == status
    client.post(EXPORTS, {"kind": "census", "year": selectors.census_year_now()})
    assert Export.objects.count() == (2 if status == 200 else 1)


def test_old_files_are_purged_and_the_record_says_so(officer):
    export = services.export_request(
        by=officer, kind=ExportKind.CENSUS, year=selectors.census_year_now()
    )
    path = Path(services.exports_root()) / Export.objects.get().file_name
    assert path.exists()
    assert services.purge_exports(now=timezone.now()) == 0
    assert services.purge_exports(now=timezone.now() + timedelta(hours=100)) == 1
    assert not path.exists()
    assert Export.objects.get(pk=export.pk).state == ExportState.PURGED


def test_the_exports_page_costs_the_same_queries_for_one_export_and_many(
    client, officer, django_assert_max_num_queries
):
    sign_in(client, officer)
    services.export_request(by=officer, kind=ExportKind.CENSUS, year=selectors.census_year_now())
    with django_assert_max_num_queries(12):
        assert client.get(EXPORTS).status_code == 200
    for _ in range(5):
        services.export_request(
            by=officer, kind=ExportKind.CENSUS, year=selectors.census_year_now()
        )
    with django_assert_max_num_queries(12):
        assert client.get(EXPORTS).status_code == 200
