"""The returns pages' forms (issue 22)."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.utils import timezone

from accounts.field_rules import RuledForm
from accounts.forms import DateField, PageFormHelper
from referrals.codes import Disability, Ethnicity, Sex, UPNUnknown, validate_disabilities
from returns.selectors import census_year_now


class ChildCensusForm(RuledForm):
    """What the CIN census records about a child that a data officer keeps (DOMAIN.md "CIN
    census"): no name, address or case text."""

    sex = forms.ChoiceField(
        label="Sex", widget=forms.RadioSelect, error_messages={"required": "Choose the sex"}
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity", error_messages={"required": "Choose the ethnicity"}
    )
    disabilities = forms.MultipleChoiceField(
        label="Disabilities",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply, or 'No disability'",
        error_messages={"required": "Choose the child's disabilities, or 'No disability'"},
    )
    upn = forms.CharField(label="Unique pupil number (UPN)", required=False, max_length=13)
    former_upn = forms.CharField(label="Former UPN", required=False, max_length=13)
    upn_unknown = forms.ChoiceField(label="If there is no UPN, why", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = Sex.choices
        self.fields["ethnicity"].choices = Ethnicity.choices
        self.fields["disabilities"].choices = Disability.choices
        self.fields["upn_unknown"].choices = [("", "Not applicable"), *UPNUnknown.choices]
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.radios("sex", legend_size="s", inline=True),
            Field.select("ethnicity"),
            Field.checkboxes("disabilities", legend_size="s", small=True),
            Field.text("upn", field_width=10),
            Field.text("former_upn", field_width=10),
            Field.select("upn_unknown"),
            "version",
            Button("submit", "Save"),
        )

    def clean_disabilities(self):
        codes = self.cleaned_data["disabilities"]
        problems = validate_disabilities(list(codes))
        if problems:
            raise forms.ValidationError(problems)
        return codes

    def clean(self):
        cleaned = super().clean()
        if self.has_error("version"):
            self.add_error(None, "This page is out of date: open it again, then make your change")
        if not cleaned.get("upn") and not cleaned.get("upn_unknown"):
            self.add_error("upn_unknown", "Enter the UPN, or choose why there is none")
        return cleaned


def _census_years() -> list[tuple[int, str]]:
    """This collection year and the two before (2026 is the year ending 31 March 2026)."""
    current = census_year_now()
    return [(year, f"{year - 1} to {year} (ending 31 March {year})") for year in
            range(current, current - 3, -1)]  # fmt: skip


class CensusExportForm(RuledForm):
    year = forms.TypedChoiceField(
        label="Census year",
        coerce=int,
        widget=forms.RadioSelect,
        help_text="A year still in progress is made as at today, for checking",
        error_messages={"required": "Choose the census year"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _census_years()
        self.helper = PageFormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("year", legend_size="s"), Button("submit", "Make the census")
        )


class AnnexAForm(RuledForm):
    start = DateField(
        label="From", what="the start of the period", help_text="For example, 1 6 2026"
    )
    end = DateField(
        label="To", what="the end of the period",
        help_text="An end after today is taken as today",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field("start"), Field("end"), Button("submit", "Make Annex A"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > min(end, timezone.localdate()):
            self.add_error("end", "The end of the period must be on or after its start")
        return cleaned
