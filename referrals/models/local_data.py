"""The authority's local data the front door runs on: closure days and teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.audit import register_audited


@register_audited
class ClosureDay(models.Model):
    """A day the authority's front door is closed besides weekends and bank holidays."""

    day = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.name} ({self.day:%-d %B %Y})"


class Team(models.Model):
    """A team of workers with its team manager (allocation, conference chair independence)."""

    name = models.CharField(max_length=100, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_teams"
    )

    def __str__(self) -> str:
        return self.name


register_audited(Team)


class DutyManager(models.Model):
    """The front door's duty manager, set on the local data page: told of work that becomes
    overdue where the child has no team allocated yet (issue 24). The latest row is current;
    earlier ones are kept as history."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-set_at", "-pk"]

    def __str__(self) -> str:
        return f"Duty manager {self.pk}" if self.pk else "Duty manager (new)"

    @classmethod
    def current(cls):
        """The duty manager now, or None if none was ever set."""
        row = cls.objects.select_related("manager").order_by("-set_at", "-pk").first()
        return row.manager if row is not None else None


register_audited(DutyManager)
