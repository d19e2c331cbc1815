"""Forms of the audit-trail pages."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.audit import Event
from accounts.forms import PageFormHelper


def _date_field(label: str, example: str, which: str) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        help_text=f"For example, {example}",
        input_formats=["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"],
        error_messages={"invalid": f"Enter the {which} date as day/month/year, like {example}"},
    )


class AuditFilterForm(forms.Form):
    """Filters for an audit trail page: a date range and what happened."""

    date_from = _date_field("From", "27/3/2026", "start")
    date_to = _date_field("To", "31/3/2026", "end")
    event = forms.ChoiceField(
        required=False, label="What happened", choices=[("", "Anything"), *Event.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("date_from", field_width=10),
            Field.text("date_to", field_width=10),
            Field.select("event"),
            Button.secondary("filter", "Filter"),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned
