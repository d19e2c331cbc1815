from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms


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
        self.helper = FormHelper()
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
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("day", field_width=10),
            Field.text("name", field_width=20),
            Button("submit", "Add closure day"),
        )
