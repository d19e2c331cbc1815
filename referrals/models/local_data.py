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
