"""Forms for the decision per child: screening notes, the proposal, feedback."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper, yes_no_field
from referrals.models.contacts import LevelOfNeed, Outcome


class ProposeDecisionForm(RuledForm):
    outcome = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision"},
    )
    level_of_need: forms.ModelChoiceField[LevelOfNeed] = forms.ModelChoiceField(
        queryset=None,
        label="Level of need",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the level of need"},
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea,
        help_text="Why this decision, for this child: what you weighed, history included",
        error_messages={"required": "Give the rationale for the decision"},
    )

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = Outcome.choices
        self.fields["level_of_need"].queryset = LevelOfNeed.objects.filter(is_active=True)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size="m"),
            Field.radios("level_of_need", legend_size="m"),
            Field.textarea("rationale", rows=6),
            Button("submit", "Continue"),
        )


class FeedbackForm(RuledForm):
    feedback_given = yes_no_field(
        "Has the referrer been told the outcome?",
        required="Say whether the referrer has been told",
    )
    feedback_note = forms.CharField(
        label="What they were told, or why they could not be told",
        widget=forms.Textarea,
        help_text="For a referral a partner agency made on this service, when the referrer has "
        "been told, this text is shown to them on their 'My referrals' page",
        error_messages={"required": "Say what the referrer was told, or why not"},
    )
    family_told = yes_no_field(
        "Has the family been told?",
        required="Say whether the family has been told",
    )
    family_note = forms.CharField(
        label="What the family was told, or why not",
        widget=forms.Textarea,
        error_messages={"required": "Say what the family was told, or why not"},
    )

    def __init__(self, *args, family_needed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        fields = [
            Field.radios("feedback_given", legend_size="s"),
            Field.textarea("feedback_note", rows=3),
        ]
        if family_needed:
            fields += [
                Field.radios("family_told", legend_size="s"),
                Field.textarea("family_note", rows=3),
            ]
        else:
            del self.fields["family_told"], self.fields["family_note"]
        self.helper = PageFormHelper()
        self.helper.layout = Layout(*fields, Button("submit", "Save feedback"))


class ScreeningNotesForm(RuledForm):
    screening_notes = forms.CharField(
        label="Screening notes",
        widget=forms.Textarea,
        required=False,
        help_text="What you found out: checks made, history, who you spoke to",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.textarea("screening_notes", rows=6),
            "version",
            # Named: on the decision page it shares one form with the proposal (issue 19).
            Button.secondary("save_notes", "Save notes"),
        )
