"""Forms for a child's record: census details and households."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import PostcodeField, RuledForm
from accounts.forms import PageFormHelper
from referrals.codes import Disability, Ethnicity, Sex, UPNUnknown


class ChildDetailsForm(RuledForm):
    """What the CIN census records about a child."""

    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the last name"}
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        help_text="For example, 14/3/2016",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": "Enter the date of birth as day/month/year, like 14/3/2016"},
    )
    expected_date_of_birth = forms.DateField(
        label="Expected date of birth",
        required=False,
        help_text="For an unborn child only",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": "Enter the expected date of birth as day/month/year"},
    )
    date_of_death = forms.DateField(
        label="Date of death",
        required=False,
        help_text="Only if the child has died",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": "Enter the date of death as day/month/year, like 14/3/2016"},
    )
    sex = forms.ChoiceField(label="Sex", widget=forms.RadioSelect)
    ethnicity = forms.ChoiceField(label="Ethnicity")
    disabilities = forms.MultipleChoiceField(
        label="Disabilities",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply, or 'No disability'",
    )
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=12)
    upn = forms.CharField(label="Unique pupil number (UPN)", required=False, max_length=13)
    upn_unknown = forms.ChoiceField(label="If there is no UPN, why", required=False)
    address = forms.CharField(label="Address", required=False, max_length=300)
    postcode = PostcodeField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = Sex.choices
        self.fields["ethnicity"].choices = Ethnicity.choices
        self.fields["disabilities"].choices = Disability.choices
        self.fields["upn_unknown"].choices = [("", "Not applicable"), *UPNUnknown.choices]
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.text("first_name", field_width=20),
            Field.text("last_name", field_width=20),
            Field.text("date_of_birth", field_width=10),
            Field.text("expected_date_of_birth", field_width=10),
            Field.text("date_of_death", field_width=10),
            Field.radios("sex", legend_size="s", inline=True),
            Field.select("ethnicity"),
            Field.checkboxes("disabilities", legend_size="s", small=True),
            Field.text("nhs_number", field_width=10),
            Field.text("upn", field_width=10),
            Field.select("upn_unknown"),
            Field.text("address", field_width=30),
            Field.text("postcode", field_width=10),
            "version",
            Button("submit", "Save"),
        )


class HouseholdForm(RuledForm):
    """A household the child lives in: the address, and the adults and other children who
    live there, chosen among those already linked to the child."""

    address = forms.CharField(
        label="Address",
        max_length=300,
        error_messages={
            "required": "Enter the household's address",
            "max_length": "The address must be 300 characters or fewer",
        },
    )
    postcode = PostcodeField(required=False)
    people = forms.MultipleChoiceField(
        label="Adults who live there",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The adults linked to the child. Select all that apply",
        error_messages={"invalid_choice": "Choose adults from the list"},
    )
    children = forms.MultipleChoiceField(
        label="Other children who live there",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Children named in a contact with this child. Select all that apply",
        error_messages={"invalid_choice": "Choose children from the list"},
    )

    def __init__(self, *args, adults=(), siblings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.adults = {str(person.pk): person for person, _ in adults}
        self.siblings = {str(child.pk): child for child in siblings}
        self.fields["people"].choices = [
            (
                str(person.pk),
                f"{person.first_name} {person.last_name}" + (f", {kinds}" if kinds else ""),
            )
            for person, kinds in adults
        ]
        self.fields["children"].choices = [
            (
                str(child.pk),
                # A restricted child not open to the user is named by reference only.
                f"Restricted record {child.census_id}"
                if getattr(child, "closed", False)
                else f"{child.first_name} {child.last_name} ({child.census_id})",
            )
            for child in siblings
        ]
        layout = [Field.text("address", field_width=30), Field.text("postcode", field_width=10)]
        # A list with nothing to choose is left out rather than shown empty.
        for name, choices in (("people", self.adults), ("children", self.siblings)):
            if choices:
                layout.append(Field.checkboxes(name, legend_size="s", small=True))
            else:
                del self.fields[name]
        self.helper = PageFormHelper()
        self.helper.layout = Layout(*layout, Button("submit", "Add the household"))

    def clean_people(self):
        return [self.adults[key] for key in self.cleaned_data["people"]]

    def clean_children(self):
        return [self.siblings[key] for key in self.cleaned_data["children"]]
