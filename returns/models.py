"""The statutory returns' one record (issue 22): an export made in the background."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportKind(models.TextChoices):
    CENSUS = "census", "CIN census"
    ANNEX_A = "annex_a", "Ofsted Annex A"


class ExportState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"
    PURGED = "purged", "Removed"


class Export(models.Model):
    """A statutory return made in the background (issue 22): what was asked for, by whom, its
    progress, and the file, kept under `EXPORTS_ROOT` (outside the web root) until the
    periodic purge removes it. Only the returns services change it; every request and
    download is in the audit trail, written by those services."""

    kind = models.CharField(max_length=10, choices=ExportKind.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Census year")
    period_start = models.DateField(null=True, blank=True, help_text="Annex A period")
    period_end = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The exception's class only: a message could quote confidential data.
    failure = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"Export E-{self.pk:06d}" if self.pk else "Export (new)"

    @property
    def describe(self) -> str:
        if self.kind == ExportKind.CENSUS:
            return (
                f"CIN census {self.year - 1}-{str(self.year)[-2:]}" if self.year else "CIN census"
            )
        start = self.period_start.strftime("%d/%m/%Y") if self.period_start else ""
        end = self.period_end.strftime("%d/%m/%Y") if self.period_end else ""
        return f"Ofsted Annex A, {start} to {end}"

    @property
    def percent(self) -> int:
        if self.state == ExportState.READY:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)

    @property
    def in_progress(self) -> bool:
        return self.state in (ExportState.QUEUED, ExportState.RUNNING)

    @property
    def download_name(self) -> str:
        if self.kind == ExportKind.CENSUS:
            return f"cin-census-{self.year}.xml"
        return f"annex-a-{self.period_start:%Y-%m-%d}-to-{self.period_end:%Y-%m-%d}.xlsx"
