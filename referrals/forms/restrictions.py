"""Forms for restricting a child's record, naming who may open it, lifting it, and breaking
the glass."""

from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper
from casework import access


def _reason_field(label: str, required: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.Textarea, help_text=help_text,
        error_messages={"required": required},
    )  # fmt: skip


class BreakGlassForm(RuledForm):
    reason = _reason_field(
        "Why do you need to open this record?",
        "Give the reason you need to open this record",
        "Your reason, your name and the time are recorded, and managers can read them",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.textarea("reason", rows=4), Button.warning("submit", "Open the record")
        )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason you need to open this record")
        return reason


def _people_field() -> forms.ModelMultipleChoiceField:
    field = forms.ModelMultipleChoiceField(
        queryset=access.users_who_may_be_named(),
        label="Who may open the record without giving a reason?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Anyone else, auditors included, gives a reason to open it, and managers "
        "can read it",
        error_messages={"required": "Name at least one person who may open the record"},
    )
    field.label_from_instance = lambda user: user.display_name  # type: ignore[method-assign, assignment]  # Django's per-field label hook
    return field


class RestrictForm(RuledForm):
    reason = _reason_field(
        "Why is the record restricted?",
        "Give the reason the record is restricted",
        "For example, the child's parent works in children's services. Managers can read it",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allowed"] = _people_field()
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.textarea("reason", rows=3),
            Field.checkboxes("allowed", legend_size="s", small=True),
            Button("submit", "Restrict the record"),
        )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason the record is restricted")
        return reason


class AllowedForm(RuledForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allowed"] = _people_field()
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.checkboxes("allowed", legend_size="s", small=True),
            Button("submit", "Save who may open it"),
        )


class LiftForm(RuledForm):
    lift_reason = _reason_field(
        "Why is the restriction lifted?",
        "Give the reason the restriction is lifted",
        "It is kept as a note on the child's record",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.textarea("lift_reason", rows=3), Button.warning("submit", "Lift the restriction")
        )

    def clean_lift_reason(self) -> str:
        reason = self.cleaned_data["lift_reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason the restriction is lifted")
        return reason
