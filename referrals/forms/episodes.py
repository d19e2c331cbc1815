"""Forms of the referral and assessment pages (referrals/views/episodes.py).

They check what a form can check on its own; the services enforce the journey's rules and
their messages reach the same error summary.
"""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.core.exceptions import ValidationError

from accounts.field_rules import RuledForm
from accounts.forms import DateField, PageFormHelper
from casework import safety
from referrals.codes import (
    NO_FACTORS,
    AssessmentFactor,
    PrimaryNeed,
    ReasonForClosure,
    validate_assessment_factors,
)
from referrals.forms.decisions import SafetyReasonField
from referrals.models.episodes import NextSteps

NO_PRIMARY_NEED = "None: no further action"


class NextStepsForm(SafetyReasonField):
    """Proposed next steps for a referral, with the census primary need (none for no
    further action: census rules 8831, 8610)."""

    next_steps = forms.ChoiceField(
        label="Next steps",
        widget=forms.RadioSelect,
        choices=NextSteps.choices,
        error_messages={"required": "Choose the next steps"},
    )
    primary_need = forms.ChoiceField(
        label="Primary need",
        required=False,
        choices=[("", NO_PRIMARY_NEED), *PrimaryNeed.choices],
        help_text="The child's main need, as the children in need census records it. "
        "Choose 'None' only for no further action",
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea,
        help_text="Why these next steps for this child: what you weighed, history included",
        error_messages={"required": "Give the rationale for the next steps"},
    )

    def __init__(self, *args, child_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.child_id = child_id
        self.fields["safety_reason"].help_text = (
            "Needed for no further action while the child or a brother or sister has open "
            "child-protection work: say how this decision addresses it"
        )
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.radios("next_steps", legend_size="m"),
            Field.select("primary_need"),
            Field.textarea("rationale", rows=6),
            Field.textarea("safety_reason", rows=3),
            Button("submit", "Continue"),
        )

    def clean(self):
        cleaned = super().clean()
        next_steps, need = cleaned.get("next_steps"), cleaned.get("primary_need")
        if next_steps == NextSteps.NO_FURTHER_ACTION and need:
            self.add_error(
                "primary_need",
                "A referral with no further action has no primary need: choose 'None'",
            )
        elif next_steps and next_steps != NextSteps.NO_FURTHER_ACTION and not need:
            self.add_error("primary_need", "Choose the child's primary need")
        self.clean_safety_reason_for(
            child_id=self.child_id, outcome=next_steps, closing=safety.CLOSING_NEXT_STEPS
        )
        return cleaned


class CloseReferralForm(RuledForm):
    reason = forms.ChoiceField(
        label="Reason for closure",
        widget=forms.RadioSelect,
        choices=ReasonForClosure.choices,
        help_text="As the children in need census records it",
        error_messages={"required": "Choose the reason for closure"},
    )
    closure_date = DateField(
        what="the closure date",
        label="Closure date",
        help_text="For example, 27 3 2026",
        require_all_fields=False,
    )
    plan_end_reason = forms.CharField(
        label="Why the child protection plan ends",
        widget=forms.Textarea,
        help_text="The child's plan ends with the referral, on the closure date",
        error_messages={"required": "Say why the child protection plan ends"},
    )

    def __init__(self, *args, open_plan: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        fields = [
            Field.radios("reason", legend_size="m"),
            Field("closure_date", context={"legend_size": "govuk-fieldset__legend--m"}),
        ]
        if open_plan:
            fields.append(Field.textarea("plan_end_reason", rows=3))
        else:
            del self.fields["plan_end_reason"]
        self.helper = PageFormHelper()
        self.helper.layout = Layout(*fields, Button("submit", "Close the referral"))


def _factor_choices() -> list[Choice]:
    """The census factors, 'no factors identified' last, after an 'or'."""
    others = [
        Choice(value, label) for value, label in AssessmentFactor.choices if value != NO_FACTORS
    ]
    others[-1] = Choice(others[-1].value, others[-1].label, divider="or")
    return [*others, Choice(NO_FACTORS.value, NO_FACTORS.label)]


YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, missing: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        widget=forms.RadioSelect,
        choices=YES_NO,
        coerce=lambda answer: answer == "yes",
        error_messages={"required": missing},
    )


def yes_no_initial(answer: bool | None) -> str:
    """A stored answer as the radios' value (nothing chosen while unknown)."""
    return "" if answer is None else ("yes" if answer else "no")


class AssessmentForm(RuledForm):
    """The factors identified at assessment (CIN census codes), Annex A list 4's two answers
    and the analysis; `version` catches a second editor."""

    factors = forms.MultipleChoiceField(
        label="Factors identified",
        widget=forms.CheckboxSelectMultiple,
        choices=_factor_choices(),
        help_text="Select all that apply. A is the child, B a parent or carer, C another "
        "member of the household",
        error_messages={"required": "Choose the factors identified, or 'no factors identified'"},
    )
    child_seen = _yes_no(
        "Was the child seen during the continuous assessment?",
        "Choose whether the child was seen during the assessment",
    )
    needs_support = _yes_no(
        "Was the child assessed as requiring LA children's social care support?",
        "Choose whether the child was assessed as requiring children's social care support",
    )
    analysis = forms.CharField(
        label="Analysis",
        widget=forms.Textarea,
        help_text="What the assessment found and what it means for the child",
        error_messages={"required": "Record the analysis of the assessment"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.checkboxes("factors", legend_size="m", small=True),
            Field.radios("child_seen", legend_size="s", inline=True),
            Field.radios("needs_support", legend_size="s", inline=True),
            Field.textarea("analysis", rows=8),
            "version",
            Button("submit", "Save"),
        )

    def clean_factors(self):
        factors = self.cleaned_data["factors"]
        problems = validate_assessment_factors(list(factors))
        if problems:
            raise ValidationError(problems)
        return factors

    def clean(self):
        cleaned = super().clean()
        if self.has_error("version"):
            # A hidden field: its problem goes where the error summary shows it.
            self.add_error(None, "This page is out of date: open it again, then make your change")
        return cleaned


class AuthoriseForm(RuledForm):
    comment = forms.CharField(
        label="Comment",
        widget=forms.Textarea,
        required=False,
        help_text="Optional. Anything the worker or the next reader should know",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(Field.textarea("comment", rows=4), Button("submit", "Continue"))
