from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms


class LevelOfNeedForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100, error_messages={"required": "Enter the level's name"}
    )
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea,
        required=False,
        help_text="What the level means on your continuum of need",
    )
    order = forms.IntegerField(
        label="Position",
        min_value=0,
        max_value=99,
        help_text="Lower levels come first",
        error_messages={
            "required": "Enter the level's position",
            "invalid": "Enter a whole number",
        },
    )
    is_active = forms.BooleanField(
        label="Practitioners can choose this level", required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("name", field_width=20),
            Field.textarea("description", rows=4),
            Field.text("order", field_width=2),
            Field.checkbox("is_active"),
            Button("submit", "Save"),
        )


class ClosureDayForm(forms.Form):
    day = forms.DateField(
        label="Date",
        help_text="For example, 24/12/2026",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={
            "required": "Enter the date",
            "invalid": "Enter the date as day/month/year, like 24/12/2026",
        },
    )
    name = forms.CharField(
        label="Reason", max_length=100, error_messages={"required": "Enter the reason"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("day", field_width=10),
            Field.text("name", field_width=20),
            Button("submit", "Add closure day"),
        )


class ProposeDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision"},
    )
    level_of_need = forms.ModelChoiceField(
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
        from referrals.contacts import LevelOfNeed, Outcome

        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = Outcome.choices
        self.fields["level_of_need"].queryset = LevelOfNeed.objects.filter(is_active=True)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size="m"),
            Field.radios("level_of_need", legend_size="m"),
            Field.textarea("rationale", rows=6),
            Button("submit", "Continue"),
        )


class ReviewForm(forms.Form):
    """A manager's sign-off or return, with a comment (required to return)."""

    action = forms.ChoiceField(
        label="Your decision",
        choices=[("sign_off", "Sign it off"), ("return", "Return it with a comment")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to sign it off or return it"},
    )
    comment = forms.CharField(
        label="Comment",
        widget=forms.Textarea,
        required=False,
        help_text="Your reasons. Needed when you return it: say what needs to change",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("action", legend_size="m"),
            Field.textarea("comment", rows=4),
            Button("submit", "Confirm"),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "return" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", "Say what needs to change")
        return cleaned


class FeedbackForm(forms.Form):
    feedback_given = forms.TypedChoiceField(
        label="Has the referrer been told the outcome?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the referrer has been told"},
    )
    feedback_note = forms.CharField(
        label="What they were told, or why they could not be told",
        widget=forms.Textarea,
        error_messages={"required": "Say what the referrer was told, or why not"},
    )
    family_told = forms.TypedChoiceField(
        label="Has the family been told?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the family has been told"},
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
        self.helper = FormHelper()
        self.helper.layout = Layout(*fields, Button("submit", "Save feedback"))
