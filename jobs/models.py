"""One row per periodic job: when it is next due, and how its last runs went."""

from __future__ import annotations

from django.db import models


class PeriodicJob(models.Model):
    # The task's import path, e.g. "accounts.tasks.expire_grants".
    name = models.CharField(max_length=200, primary_key=True)
    # The scheduler claims a run by moving this forward in one conditional UPDATE: of several
    # processes, only the one whose UPDATE changed the row enqueues the run.
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_result_id = models.CharField(max_length=64, blank=True, default="")
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    # The exception's class only: a message could quote confidential data.
    last_failure = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
