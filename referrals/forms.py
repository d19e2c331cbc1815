from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.forms import PageFormHelper, yes_no_field
from accounts.permissions import Perm
from casework.access import users_with_right
from referrals.codes import ConsentPosition, Disability, Ethnicity, ReferralSource, Sex, UPNUnknown
from referrals.contacts import LevelOfNeed, Outcome
from referrals.identifiers import normalise_nhs_number, validate_nhs_number
from referrals.models import Relationship, Team


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
        self.helper = PageFormHelper()
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
        self.helper = PageFormHelper()
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


class FeedbackForm(forms.Form):
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
    taken_by = forms.ModelChoiceField(
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


class ScreeningNotesForm(forms.Form):
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
            Button.secondary("submit", "Save notes"),
        )


class ChildDetailsForm(forms.Form):
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
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
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


def _users_with(perm_value: str):

    return users_with_right(Perm(perm_value))


class TeamForm(forms.Form):
    name = forms.CharField(
        label="Team name", max_length=100, error_messages={"required": "Enter the team's name"}
    )
    manager = forms.ModelChoiceField(
        queryset=None,
        label="Team manager",
        empty_label="Choose the team manager",
        error_messages={"required": "Choose the team manager"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = _users_with("allocate_work")
        self.fields["manager"].label_from_instance = lambda user: (
            user.get_full_name() or user.username
        )
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.text("name", field_width=20),
            Field.select("manager"),
            Button("submit", "Add team"),
        )


class AllocationForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=None,
        label="Team",
        empty_label="Choose a team",
        error_messages={"required": "Choose the team"},
    )
    worker = forms.ModelChoiceField(
        queryset=None,
        label="Worker",
        empty_label="Choose a worker",
        error_messages={"required": "Choose the worker"},
    )

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["worker"].queryset = _users_with("record_contacts")
        self.fields["worker"].label_from_instance = lambda user: (
            user.get_full_name() or user.username
        )
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.select("team"), Field.select("worker"), Button("submit", "Allocate")
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


class HouseholdForm(forms.Form):
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
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        error_messages={"max_length": "The postcode must be 10 characters or fewer"},
    )
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
