"""Forms of the section 47 enquiry pages: propose the outcome, review it, record the initial
conference (DOMAIN.md "Section 47 enquiries, ICPC, CP plan")."""

from __future__ import annotations

from crispy_forms.utils import TEMPLATE_PACK
from crispy_forms_gds.layout import Button, ConditionalQuestion, ConditionalRadios, Field, Layout
from django import forms
from django.core.exceptions import ValidationError

from accounts.forms import DateField, PageFormHelper

YES_NO = [("yes", "Yes"), ("no", "No")]


class ProposeOutcomeForm(forms.Form):
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
        from strategy.models import EnquiryOutcome

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


class _SmallLegendConditionalRadios(ConditionalRadios):
    """Conditional radios whose question is sized like the form's other questions."""

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        with context.push(legend_size="govuk-fieldset__legend--s"):
            return super().render(form, context, template_pack, **kwargs)


class ConferenceForm(forms.Form):
    """The initial child protection conference, recorded by its chair."""

    held_on = DateField(
        what="the date of the conference",
        label="When was the conference held?",
        help_text="For example, 27 3 2026. Not a weekend, not before the enquiry started",
    )
    agencies = forms.ModelMultipleChoiceField(
        queryset=None,
        label="Which agencies attended?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={"required": "Choose the agencies that attended"},
    )
    plan = forms.TypedChoiceField(
        label="Did the conference decide on a child protection plan?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the conference decided on a plan"},
    )
    category = forms.ChoiceField(
        label="Category of abuse",
        widget=forms.RadioSelect,
        required=False,
        help_text="The plan's initial category",
    )
    summary = forms.CharField(
        label="Summary of the conference",
        widget=forms.Textarea,
        help_text="Its decisions and the reasons for them",
        error_messages={"required": "Summarise the conference's decisions and reasons"},
    )

    def __init__(self, *args, **kwargs):
        from accounts.models import Agency
        from referrals.codes import CategoryOfAbuse

        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.filter(is_active=True).order_by("name")
        self.fields["category"].choices = CategoryOfAbuse.choices
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field("held_on", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.checkboxes("agencies", legend_size="s", small=True),
            _SmallLegendConditionalRadios(
                "plan",
                ConditionalQuestion("Yes", Field.radios("category", legend_size="s", small=True)),
                "No",
            ),
            Field.textarea("summary", rows=6),
            Button("submit", "Record the conference"),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("plan") is True and not cleaned.get("category"):
            self.add_error("category", "Choose the category of abuse for the plan")
        if cleaned.get("plan") is False:
            # A category chosen before answering "No" is hidden, and not recorded.
            cleaned["category"] = ""
        return cleaned
