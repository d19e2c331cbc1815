"""Forms for recording a contact: what was reported, and finding the children and adults."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.forms import PageFormHelper
from accounts.models import User
from referrals.codes import ConsentPosition, ReferralSource
from referrals.forms.local_data import _users_with
from referrals.identifiers import normalise_nhs_number, validate_nhs_number
from referrals.models import Relationship


class ContactDetailsForm(forms.Form):
    """Step 1 of recording a contact: when, who took it, who reported it and what."""

    received_date = forms.DateField(
        label="Date received",
        help_text="For example, 23/11/2026. Out-of-hours contacts: the date it actually came in",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={
            "required": "Enter the date the contact was received",
            "invalid": "Enter the date as day/month/year, like 23/11/2026",
        },
    )
    received_time = forms.TimeField(
        label="Time received",
        help_text="24-hour clock, for example 21:30",
        input_formats=["%H:%M"],
        error_messages={
            "required": "Enter the time the contact was received",
            "invalid": "Enter the time as hours and minutes, like 21:30",
        },
    )
    taken_by: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None,
        label="Taken by",
        empty_label=None,
        help_text="Who took the contact (the person on call, out of hours)",
    )
    source = forms.ChoiceField(label="Source", error_messages={"required": "Choose the source"})
    referrer_name = forms.CharField(label="Referrer's name", required=False, max_length=200)
    referrer_role = forms.CharField(label="Referrer's role", required=False, max_length=200)
    referrer_agency = forms.CharField(
        label="Referrer's organisation", required=False, max_length=200
    )
    referrer_contact = forms.CharField(
        label="How to reach the referrer", required=False, max_length=300,
        help_text="A phone number or e-mail address, for feedback",
    )  # fmt: skip
    concern = forms.CharField(
        label="The concern",
        widget=forms.Textarea,
        help_text="What was reported, in the referrer's words where you can",
        error_messages={"required": "Record the concern"},
    )
    consent = forms.ChoiceField(
        label="Consent to share information",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the consent position"},
    )
    urgent = forms.BooleanField(label="Urgent: a child may be at immediate risk", required=False)

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["taken_by"].queryset = _users_with("record_contacts")
        self.fields["source"].choices = [("", "Choose a source"), *ReferralSource.choices]
        self.fields["consent"].choices = ConsentPosition.choices
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.text("received_date", field_width=10),
            Field.text("received_time", field_width=5),
            Field.select("taken_by"),
            Field.select("source"),
            Field.text("referrer_name", field_width=20),
            Field.text("referrer_role", field_width=20),
            Field.text("referrer_agency", field_width=20),
            Field.text("referrer_contact", field_width=30),
            Field.textarea("concern", rows=6),
            Field.radios("consent", legend_size="s"),
            Field.checkbox("urgent"),
            Button("submit", "Continue"),
        )


class FindChildForm(forms.Form):
    """Step 2: a child the contact is about, found among known children first."""

    first_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the child's first name"},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the child's last name"},
    )
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, help_text="If known. For example, 14/3/2016",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": "Enter the date of birth as day/month/year, like 14/3/2016"},
    )  # fmt: skip
    nhs_number = forms.CharField(
        label="NHS number", required=False, help_text="If known. 10 digits"
    )
    match = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_nhs_number(self):

        value = self.cleaned_data["nhs_number"]
        if value:
            validate_nhs_number(value)
        return normalise_nhs_number(value)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.text("first_name", field_width=20),
            Field.text("last_name", field_width=20),
            Field.text("date_of_birth", field_width=10),
            Field.text("nhs_number", field_width=10),
        )


class FindAdultForm(FindChildForm):
    """Step 3: an adult around the children (parent, carer, partner, alleged perpetrator)."""

    relationship = forms.ChoiceField(label="Relationship to the children", required=False)

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["first_name"].error_messages["required"] = "Enter the adult's first name"
        self.fields["last_name"].error_messages["required"] = "Enter the adult's last name"
        self.fields["relationship"].choices = [
            ("", "Choose a relationship"),
            *Relationship.Kind.choices,
        ]
        self.helper.layout.fields.append(Field.select("relationship"))
