"""The returns' part of the home page (issue 22), loaded by the template: the workspace app
imports nothing from returns (a top app), so the home page asks through this tag."""

from __future__ import annotations

from django import template

from returns import selectors

register = template.Library()


@register.inclusion_tag("returns/includes/home.html", takes_context=True)
def returns_home(context) -> dict:
    """How many problems each data-quality rule finds (one query per rule), and the newest
    exports."""
    return {
        "counts": selectors.data_quality_counts(),
        "exports": selectors.recent_exports(limit=5),
    }
