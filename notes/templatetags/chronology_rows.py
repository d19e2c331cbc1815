"""`{% chronology_rows events can_add %}`: the chronology table's rows.

A long chronology has hundreds of rows, and the template engine's cost per variable made its
rendering most of the page's time (issue 20: 500 events within 100 ms). The rows are built here,
every value escaped, in the markup the template had: the GOV.UK table classes, the event linked
to its record, a brother's or sister's name, the "Significant" tag, a manual entry's "Correct"
link (for those who may add entries) and the detail with its line breaks."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines

from notes.chronology import Event

register = template.Library()

_CELL = '<td class="govuk-table__cell">'


def _row(event: Event, can_add: bool) -> str:
    what: str = escape(event.what)
    if event.link:
        what = f'<a class="govuk-link" href="{escape(event.link)}">{what}</a>'
    if event.child_name:
        what += f'<br><span class="govuk-body-s">{escape(event.child_name)}</span>'
    if event.significant:
        what += ' <strong class="govuk-tag govuk-tag--purple">Significant</strong>'
    if event.correct_link and can_add:
        what += (
            f'<br><a class="govuk-link app-no-print" href="{escape(event.correct_link)}">Correct'
            f'<span class="govuk-visually-hidden"> the entry of {event.day_text}</span></a>'
        )
    detail = escape(normalize_newlines(event.detail)).replace("\n", "<br>")
    return (
        '<tr class="govuk-table__row">'
        f'<td class="govuk-table__cell app-nowrap">{escape(event.when_text)}</td>'
        f"{_CELL}{what}</td>"
        f'<td class="govuk-table__cell app-wrap">{detail}</td>'
        f"{_CELL}{escape(event.source)}</td>"
        "</tr>\n"
    )


@register.simple_tag
def chronology_rows(events: Iterable[Event], can_add: bool) -> SafeString:
    return mark_safe("".join(_row(event, can_add) for event in events))  # noqa: S308  # every value escaped above
