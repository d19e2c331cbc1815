"""The returns' services (issue 22): a child's census details, and the exports made in the
background, their progress, downloads and purge. Each is audited here, explicitly."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from accounts.audit import Event, record_event
from accounts.models import User
from accounts.permissions import Perm
from casework import access
from casework.errors import ChangedBySomeoneElse, RuleBroken
from referrals.codes import validate_disabilities
from referrals.models import Child
from returns.annex_a import write_annex_a
from returns.census import write_census
from returns.models import Export, ExportKind, ExportState

CENSUS_DETAILS = ("sex", "ethnicity", "disabilities", "upn", "former_upn", "upn_unknown")


@transaction.atomic
def child_census_update(*, by: User, child: Child, version: int, **details) -> Child:
    """Change a child's census details only (DOMAIN.md "CIN census": sex, ethnicity,
    disabilities, UPN or why none) under the census rules; a second editor is told."""
    access.require_right(by, Perm.PREPARE_RETURNS, access.PREPARES_RETURNS)
    current = Child.objects.select_for_update().get(pk=child.pk)
    if current.version != version:
        raise ChangedBySomeoneElse(current)
    problems = validate_disabilities(list(details.get("disabilities") or []))
    if problems:
        raise RuleBroken("; ".join(problems))
    for name in CENSUS_DETAILS:
        default: list | str = [] if name == "disabilities" else ""
        setattr(current, name, details.get(name) or default)
    current.upn = current.upn.strip().upper()
    current.former_upn = current.former_upn.strip().upper()
    current.full_clean(exclude=["first_name_key", "last_name_key", "last_name_sound"])
    current.version += 1
    current.save()
    return current


def exports_root() -> Path:
    root = Path(settings.EXPORTS_ROOT)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


@transaction.atomic
def export_request(
    *, by: User, kind: str, year: int | None = None, start: date | None = None,
    end: date | None = None,
) -> Export:  # fmt: skip
    """Ask for a census (`year`) or Annex A (`start`..`end`, an end after today taken as
    today) export; it is made in the background once this commits. Audited."""
    access.require_right(by, Perm.PREPARE_RETURNS, access.PREPARES_RETURNS)
    today = timezone.localdate()
    if kind == ExportKind.CENSUS:
        if year is None or not 2000 <= year <= today.year + 1:
            raise RuleBroken("Choose a census year")
        export = Export.objects.create(kind=kind, year=year, requested_by=by)
    elif kind == ExportKind.ANNEX_A:
        if start is None or end is None:
            raise RuleBroken("Enter the start and end of the period")
        end = min(end, today)
        if start > end:
            raise RuleBroken("The period must start on or before its end (and today)")
        export = Export.objects.create(
            kind=kind, period_start=start, period_end=end, requested_by=by
        )
    else:
        raise RuleBroken("Choose the census or Annex A")
    record_event(
        Event.EXPORT, actor=by, obj=export,
        details={"action": "requested", "kind": export.kind, "what": export.describe},
    )  # fmt: skip
    # The queued task commits with the export (the database backend's row), or neither does.
    make_export.enqueue(export.pk)
    return export


@task()
def make_export(export_id: int) -> int:
    """The background task (`manage.py run_worker` runs it): make the export's file."""
    return export_run(export_id=export_id).done


def export_run(*, export_id: int) -> Export:
    """Make the export's file (the background task): progress is saved as it goes; a failure
    is recorded by the class of its error only."""
    export = Export.objects.get(pk=export_id)
    if export.state != ExportState.QUEUED:
        return export
    Export.objects.filter(pk=export.pk).update(state=ExportState.RUNNING)
    suffix = "xml" if export.kind == ExportKind.CENSUS else "xlsx"
    name = f"export-{export.pk:06d}-{os.urandom(8).hex()}.{suffix}"
    path = exports_root() / name

    def progress(done: int, total: int) -> None:
        Export.objects.filter(pk=export.pk).update(done=done, total=total)

    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            if export.kind == ExportKind.CENSUS:
                assert export.year is not None  # noqa: S101  # set by export_request
                written = write_census(out, year=export.year, progress=progress)
            else:
                assert export.period_start and export.period_end  # noqa: S101  # same
                written = write_annex_a(
                    out, start=export.period_start, end=export.period_end, progress=progress
                )
    except Exception as error:
        path.unlink(missing_ok=True)
        Export.objects.filter(pk=export.pk).update(
            state=ExportState.FAILED, finished_at=timezone.now(), failure=type(error).__name__
        )
        raise
    Export.objects.filter(pk=export.pk).update(
        state=ExportState.READY, file_name=name, finished_at=timezone.now(),
        done=written, total=max(written, export.total),
    )  # fmt: skip
    export.refresh_from_db()
    return export


def export_download(*, by: User, export: Export) -> Path:
    """The file of a ready export, for someone who may make the returns; the download is
    audited (who, which export)."""
    access.require_right(by, Perm.PREPARE_RETURNS, access.PREPARES_RETURNS)
    if export.state != ExportState.READY or not export.file_name:
        raise RuleBroken("This export is not ready to download")
    path = exports_root() / export.file_name
    if not path.is_file():
        raise RuleBroken("This export's file has been removed: make it again")
    record_event(
        Event.EXPORT, actor=by, obj=export,
        details={"action": "downloaded", "kind": export.kind, "what": export.describe},
    )  # fmt: skip
    return path


def purge_exports(*, now=None) -> int:
    """Remove export files older than EXPORT_KEEP_HOURS (the periodic job); the record stays,
    marked removed. Returns how many files were removed."""
    now = now or timezone.now()
    old = Export.objects.filter(
        state=ExportState.READY,
        finished_at__lt=now - timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    removed = 0
    for export in old:
        (exports_root() / export.file_name).unlink(missing_ok=True)
        Export.objects.filter(pk=export.pk).update(state=ExportState.PURGED, file_name="")
        removed += 1
    return removed
