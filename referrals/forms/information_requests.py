"""Forms for asking a partner agency for information, and for its answer."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper, yes_no_field
from accounts.models import Agency
from accounts.sharing import Article6Basis, ConsentPosition, SpecialCondition
from referrals.models.information_requests import Priority

YES_NO = [("yes", "Yes"), ("no", "No")]


class InformationRequestForm(RuledForm):
    agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        queryset=None,
        label="Agency",
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency to ask"},
    )
    question = forms.CharField(
        label="Your question",
        widget=forms.Textarea,
        help_text="Ask only for what you need to decide about this child",
        error_messages={"required": "Enter the question for the agency"},
    )
    article6 = forms.ChoiceField(
        label="Lawful basis (UK GDPR Article 6)",
        choices=Article6Basis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the Article 6 lawful basis"},
    )
    condition = forms.ChoiceField(
        label="Condition for special category or criminal offence data (optional)",
        choices=SpecialCondition.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Needed if the question involves health, ethnicity or offences",
    )
    consent = forms.ChoiceField(
        label="Consent",
        choices=ConsentPosition.choices,
        widget=forms.RadioSelect,
        help_text="Consent is not needed when a child is or may be at risk",
        error_messages={"required": "Choose the consent position"},
    )
    family_told = yes_no_field(
        "Has the family been told what you are asking?",
        required="Say whether the family has been told",
    )
    family_note = forms.CharField(
        label="What the family was told, or why not",
        widget=forms.Textarea,
        error_messages={"required": "Say what the family was told, or why not"},
    )
    priority = forms.ChoiceField(
        label="Priority",
        choices=Priority.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the priority"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).exclude(
            kind=Agency.Kind.LOCAL_AUTHORITY
        )
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.select("agency"),
            Field.textarea("question", rows=5),
            Field.radios("article6", legend_size="s"),
            Field.radios("condition", legend_size="s"),
            Field.radios("consent", legend_size="s"),
            Field.radios("family_told", legend_size="s", inline=True),
            Field.textarea("family_note", rows=3),
            Field.radios("priority", legend_size="s"),
            Button.primary("submit", "Send the request"),
        )


class AnswerForm(RuledForm):
    answer = forms.CharField(
        label="Your answer",
        widget=forms.Textarea,
        help_text="What your agency knows that helps decide about this child",
        error_messages={"required": "Enter your answer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.textarea("answer", rows=6), Button.primary("submit", "Send the answer")
        )
