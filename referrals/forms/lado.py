"""The LADO service's form for its outcome."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper
from referrals.models import LadoOutcome


class LadoOutcomeForm(RuledForm):
    outcome = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect,
        choices=LadoOutcome.choices,
        error_messages={"required": "Choose the outcome"},
    )
    note = forms.CharField(
        label="What was decided and why",
        widget=forms.Textarea,
        error_messages={"required": "Say what was decided and why"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size="s"),
            Field.textarea("note", rows=5),
            Button("submit", "Record the outcome"),
        )
