"""The invited partner agency's forms for a strategy discussion: its own attendance and
contribution, with who sees the contribution (strategy.services.partners)."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper
from strategy.forms.discussions import ATTENDANCE_CHOICES
from strategy.models import ABSENT, Attendance


class ContributionForm(RuledForm):
    """An invited agency's own attendance and contribution, with who sees the contribution."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    attendance = forms.ChoiceField(
        label="Did your agency attend?", choices=ATTENDANCE_CHOICES, widget=forms.RadioSelect,
        error_messages={"required": "Choose whether your agency attended"},
    )  # fmt: skip
    attendees = forms.CharField(
        label="Who attended for your agency", required=False, max_length=300,
        help_text="Names and roles",
    )  # fmt: skip
    absence_reason = forms.CharField(
        label="Why your agency did not attend", required=False, widget=forms.Textarea
    )
    contribution = forms.CharField(
        label="What your agency shared", required=False, widget=forms.Textarea,
        help_text="What your agency knows about the children and the adults around them, "
        "attributed to your agency",
    )  # fmt: skip
    audience = forms.ChoiceField(
        label="Who sees what your agency shared", widget=forms.RadioSelect,
        choices=[
            ("invited", "Everyone invited to the discussion"),
            ("la", "The local authority only"),
        ],
        help_text="The local authority always sees it",
        error_messages={"required": "Choose who sees what your agency shared"},
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            "version",
            Field.radios("attendance", legend_size="s", inline=True),
            Field.text("attendees"),
            Field.textarea("absence_reason", rows=3),
            Field.textarea("contribution", rows=6),
            Field.radios("audience", legend_size="s", small=True),
            Button("submit", "Save your agency's part"),
        )

    def clean(self):
        cleaned = super().clean()
        if "version" in self.errors:
            self.add_error(None, "This page is out of date: open it again")
        attendance = cleaned.get("attendance")
        if attendance == Attendance.ATTENDED and not cleaned.get("attendees", "").strip():
            self.add_error("attendees", "Enter who attended for your agency")
        if attendance in ABSENT and not cleaned.get("absence_reason", "").strip():
            self.add_error("absence_reason", "Say why your agency did not attend")
        return cleaned
