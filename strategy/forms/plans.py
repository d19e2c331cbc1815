"""Forms of the child protection plan pages: a review, and the plan's end."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import DateField, PageFormHelper
from referrals.codes import CategoryOfAbuse


class PlanReviewForm(RuledForm):
    """A review of the plan (`CPPreviewDate`) and the category it settled on."""

    reviewed_on = DateField(
        what="the date of the review",
        label="When was the plan reviewed?",
        help_text="For example, 27 3 2026. After the day the plan started, not in the future",
    )
    category = forms.ChoiceField(
        label="Category of abuse after the review",
        widget=forms.RadioSelect,
        choices=CategoryOfAbuse.choices,
        help_text="The plan's latest category",
        error_messages={"required": "Choose the category of abuse the review settled on"},
    )
    note = forms.CharField(
        label="What the review decided",
        widget=forms.Textarea,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field("reviewed_on", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.radios("category", legend_size="s"),
            Field.textarea("note", rows=4),
            "version",
            Button("submit", "Record the review"),
        )


class PlanEndForm(RuledForm):
    """The plan's end (`CPPendDate`) and why."""

    end_date = DateField(
        what="the date the plan ended",
        label="When did the plan end?",
        help_text="For example, 27 3 2026. Not before the plan started, not in the future",
    )
    reason = forms.CharField(
        label="Why the plan ended",
        widget=forms.Textarea,
        error_messages={"required": "Say why the plan ended"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field("end_date", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.textarea("reason", rows=4),
            "version",
            Button("submit", "End the plan"),
        )
