"""The search of the register of children and adults (issue 20): posted, never in the address."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import DateField, PageFormHelper
from referrals.identifiers import normalise_nhs_number
from referrals.selectors import SearchTerms

NOTHING_ASKED = "Enter a name, date of birth, address or postcode, NHS number, UPN or reference"


class SearchForm(RuledForm):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=200,
        help_text="A surname, or a first name and surname. Names that sound alike are found too.",
    )
    date_of_birth = DateField(
        what="the date of birth", label="Date of birth", required=False,
        help_text="For example, 27 3 2016",
    )  # fmt: skip
    address = forms.CharField(
        label="Address or postcode", required=False, max_length=300,
        help_text="A full postcode, or part of the address",
    )  # fmt: skip
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=12)
    upn = forms.CharField(label="Unique pupil number (UPN)", required=False, max_length=13)
    reference = forms.CharField(
        label="Reference", required=False, max_length=12,
        help_text="A child's reference, like FD000123, or an adult's, like P-000045",
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("name", "address", "nhs_number", "upn", "reference"):
            # Search terms are not kept by the browser's form history.
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.text("name", field_width=20),
            Field("date_of_birth"),
            Field.text("address", field_width=20),
            Field.text("nhs_number", field_width=10),
            Field.text("upn", field_width=10),
            Field.text("reference", field_width=10),
            Button("search", "Search"),
        )

    def clean_nhs_number(self) -> str:
        number = normalise_nhs_number(self.cleaned_data["nhs_number"])
        if number and (len(number) != 10 or not number.isdigit()):
            raise forms.ValidationError("Enter an NHS number of 10 digits, like 943 476 5919")
        return number

    def clean(self):
        cleaned = super().clean()
        asked = [
            cleaned.get(name)
            for name in ("name", "date_of_birth", "address", "nhs_number", "upn", "reference")
        ]
        if not self.errors and not any(asked):
            self.add_error("name", NOTHING_ASKED)
        return cleaned

    def terms(self) -> SearchTerms:
        data = self.cleaned_data
        return SearchTerms(
            name=data["name"].strip(), date_of_birth=data["date_of_birth"],
            address=data["address"].strip(), nhs_number=data["nhs_number"],
            upn=data["upn"].strip(), reference=data["reference"].strip(),
        )  # fmt: skip
