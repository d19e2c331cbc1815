"""Children, people and contacts, and the local data the front door runs on."""

from __future__ import annotations

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
