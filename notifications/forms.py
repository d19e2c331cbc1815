"""The preferences form (issue 24)."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper
from notifications.models import Timing


class PreferenceForm(RuledForm):
    timing = forms.ChoiceField(
        label="When should we e-mail you that a proposal of yours was returned, or that "
        "feedback was given on your referral?",
        choices=Timing.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when to be told"},
    )
    morning_digest = forms.BooleanField(
        label="Send me a morning e-mail with how much of my work is due today and overdue",
        required=False,
        help_text="Workers and managers only. It holds counts and a link, nothing about a child",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.radios("timing", legend_size="m"),
            Field.checkbox("morning_digest"),
            Button("submit", "Save"),
        )
