"""The reports' filters (GET): a period of whole months, a team, a worker, and the sample's
seed."""

from __future__ import annotations

import re
from datetime import date
from typing import cast

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper
from reports.selectors import SEED_MAX, Filters, add_months, last_twelve_months

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
PERIODS = [("12", "12 months"), ("6", "6 months"), ("3", "3 months"), ("1", "1 month")]


class ReportFilterForm(RuledForm):
    start = forms.CharField(
        label="From the month",
        required=False,
        max_length=7,
        help_text="Year and month, for example 2026-01. Empty: the last 12 months",
    )
    months = forms.TypedChoiceField(
        label="For", choices=PERIODS, coerce=int, required=False, empty_value=None
    )
    team = forms.TypedChoiceField(label="Team", required=False, coerce=int, empty_value=None)
    worker = forms.TypedChoiceField(label="Worker", required=False, coerce=int, empty_value=None)
    seed = forms.IntegerField(
        label="Sample seed",
        required=False,
        min_value=0,
        max_value=SEED_MAX,
        help_text="The same seed gives the same sample",
        error_messages={
            "invalid": "The sample seed must be a whole number",
            "min_value": "The sample seed must be 0 or more",
            "max_value": f"The sample seed must be {SEED_MAX} or less",
        },
    )

    def __init__(self, *args, teams, workers, with_seed: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["team"]).choices = [
            ("", "Every team"),
            *((str(pk), name) for pk, name in teams),
        ]
        cast(forms.ChoiceField, self.fields["worker"]).choices = [
            ("", "Every worker"),
            *((str(pk), name) for pk, name in workers),
        ]
        self.fields["team"].error_messages["invalid_choice"] = "Choose a team from the list"
        self.fields["worker"].error_messages["invalid_choice"] = "Choose a worker from the list"
        self.fields["months"].error_messages["invalid_choice"] = "Choose a period from the list"
        if not with_seed:
            del self.fields["seed"]
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.text("start", field_width=10),
            Field.select("months"),
            Field.select("team"),
            Field.select("worker"),
            *([Field.text("seed", field_width=10)] if with_seed else []),
            Button.secondary("apply", "Apply filters"),
        )

    def clean_start(self) -> date | None:
        value = (self.cleaned_data.get("start") or "").strip()
        if not value:
            return None
        match = _MONTH.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
            raise forms.ValidationError("From the month must be a year and month, like 2026-01")
        return date(int(match.group(1)), int(match.group(2)), 1)

    def filters(self) -> Filters:
        """The filters asked for; without a seed, one made from the period's first month (so
        the same period gives the same sample until someone sets another)."""
        data = self.cleaned_data
        months = data.get("months") or 12
        start = data.get("start") or add_months(last_twelve_months().end, -months)
        seed = data.get("seed")
        return Filters(
            start=start,
            end=add_months(start, months),
            team_id=data.get("team"),
            worker_id=data.get("worker"),
            seed=start.year * 100 + start.month if seed is None else seed,
        )
