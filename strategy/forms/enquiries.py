"""Forms of the section 47 enquiry pages: propose the outcome, review it, record the initial
conference (DOMAIN.md "Section 47 enquiries, ICPC, CP plan")."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.core.exceptions import ValidationError

from accounts.field_rules import RuledForm
from accounts.forms import DateField, PageFormHelper
from accounts.models import Agency
from referrals.codes import CategoryOfAbuse
from strategy.models import EnquiryOutcome


class ProposeOutcomeForm(RuledForm):
    outcome = forms.ChoiceField(
        label="What is the outcome of the enquiry?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome of the enquiry"},
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea,
        help_text="Why this outcome: what the enquiry found, the child's safety and wishes, "
        "and what each agency shared",
        error_messages={"required": "Give the rationale for the outcome"},
    )

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = EnquiryOutcome.choices
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size="m"),
            Field.textarea("rationale", rows=6),
            Button("submit", "Continue"),
        )

    def clean_rationale(self):
        rationale = self.cleaned_data["rationale"]
        if not rationale.strip():
            raise ValidationError("Give the rationale for the outcome")
        return rationale


NO_PLAN = "none"


class ConferenceForm(RuledForm):
    """The initial child protection conference, recorded by its chair."""

    held_on = DateField(
        what="the date of the conference",
        label="When was the conference held?",
        help_text="For example, 27 3 2026. Not a weekend, not before the enquiry started",
    )
    agencies: forms.ModelMultipleChoiceField[Agency] = forms.ModelMultipleChoiceField(
        queryset=None,
        label="Which agencies attended?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={"required": "Choose the agencies that attended"},
    )
    # One question, so that no answer is hidden behind another (a conditional reveal's
    # aria-expanded on a radio is reported by axe): a plan always has its category.
    outcome = forms.ChoiceField(
        label="Did the conference decide on a child protection plan?",
        widget=forms.RadioSelect,
        help_text="If it did, choose the plan's initial category of abuse",
        error_messages={"required": "Say whether the conference decided on a plan"},
    )
    summary = forms.CharField(
        label="Summary of the conference",
        widget=forms.Textarea,
        help_text="Its decisions and the reasons for them",
        error_messages={"required": "Summarise the conference's decisions and reasons"},
    )

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.filter(is_active=True).order_by("name")
        self.fields["outcome"].choices = [
            *((code, f"Yes, a plan: {label.lower()}") for code, label in CategoryOfAbuse.choices),
            (NO_PLAN, "No plan"),
        ]
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field("held_on", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.checkboxes("agencies", legend_size="s", small=True),
            Field.radios("outcome", legend_size="s"),
            Field.textarea("summary", rows=6),
            Button("submit", "Record the conference"),
        )

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome:
            cleaned["plan"] = outcome != NO_PLAN
            cleaned["category"] = "" if outcome == NO_PLAN else outcome
        return cleaned
