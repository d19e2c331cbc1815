"""Forms for the local data (levels of need, closure days, teams) and allocating a child's work."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper
from accounts.models import User
from accounts.permissions import Perm
from casework.access import users_with_right
from referrals.models import Team
from referrals.models.contacts import Outcome


class LevelOfNeedForm(RuledForm):
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
    expected_outcomes = forms.MultipleChoiceField(
        label="Outcomes this level expects",
        widget=forms.CheckboxSelectMultiple,
        choices=Outcome.choices,
        required=False,
        help_text="Select all that apply. Any other outcome at this level needs a reason under "
        "the safety rule. Select none if the level expects every outcome",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.text("name", field_width=20),
            Field.textarea("description", rows=4),
            Field.text("order", field_width=2),
            Field.checkbox("is_active"),
            Field.checkboxes("expected_outcomes", legend_size="s", small=True),
            Button("submit", "Save"),
        )


class ClosureDayForm(RuledForm):
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


def _users_with(perm_value: str):

    return users_with_right(Perm(perm_value))


class TeamForm(RuledForm):
    name = forms.CharField(
        label="Team name", max_length=100, error_messages={"required": "Enter the team's name"}
    )
    manager: forms.ModelChoiceField[User] = forms.ModelChoiceField(
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


class DutyManagerForm(RuledForm):
    manager: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None,
        label="Front door duty manager",
        help_text="Told when work becomes overdue for a child with no team allocated yet",
        empty_label="Choose the duty manager",
        error_messages={"required": "Choose the duty manager"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = _users_with("allocate_work")
        self.fields["manager"].label_from_instance = lambda user: (
            user.get_full_name() or user.username
        )
        self.helper = PageFormHelper()
        self.helper.layout = Layout(Field.select("manager"), Button("submit", "Set duty manager"))


class AllocationForm(RuledForm):
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        queryset=None,
        label="Team",
        empty_label="Choose a team",
        error_messages={"required": "Choose the team"},
    )
    worker: forms.ModelChoiceField[User] = forms.ModelChoiceField(
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
