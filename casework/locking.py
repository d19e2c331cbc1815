"""One way to take a record for a change: its current row, locked, with the version the form
was shown at checked (CONVENTIONS.md, "Concurrency")."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from casework.errors import ChangedBySomeoneElse

M = TypeVar("M", bound=models.Model)


def locked(model: type[M], record: models.Model, version: int | None = None) -> M:
    """The current row of `record`, locked; a stale `version` means someone else saved first.
    `select_for_update` waits on PostgreSQL and does nothing on SQLite, where the version
    column and `ConcurrentTransitionMixin` still catch the second writer."""
    current = model.objects.select_for_update().get(pk=record.pk)  # type: ignore[attr-defined]  # every locked model keeps Django's `objects`
    if version is not None and getattr(current, "version", None) != version:
        raise ChangedBySomeoneElse(current)
    return current
