"""The front door queue's filters: by next step, allocated worker and overdue (issue 19).
Posted, then kept in the session: a worker's name never goes in the address."""

from __future__ import annotations

from typing import cast

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper
from referrals.selectors import NextStep, QueueFilters


class QueueFilterForm(RuledForm):
    stage = forms.ChoiceField(label="Next step", required=False)
    worker = forms.TypedChoiceField(
        label="Allocated worker", required=False, coerce=int, empty_value=None
    )
    overdue = forms.BooleanField(label="Only what is overdue", required=False)

    def __init__(self, *args, workers: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["stage"]).choices = [
            ("", "Any next step"),
            *NextStep.choices,
        ]
        cast(forms.ChoiceField, self.fields["worker"]).choices = [
            ("", "Any worker"),
            *((str(pk), name) for pk, name in workers),
        ]
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.select("stage"),
            Field.select("worker"),
            Field.checkbox("overdue"),
            Button.secondary("filter", "Apply filters"),
        )

    def filters(self) -> QueueFilters:
        data = self.cleaned_data
        return QueueFilters(stage=data["stage"], worker=data["worker"], overdue=data["overdue"])

    @staticmethod
    def initial_for(filters: QueueFilters) -> dict:
        return {
            "stage": filters.stage,
            "worker": "" if filters.worker is None else str(filters.worker),
            "overdue": filters.overdue,
        }
