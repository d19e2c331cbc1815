"""The quality audit forms (issue 21): assigning, recording against the local form,
responding, and the system administrator's questions."""

from __future__ import annotations

from typing import cast

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import DateField, PageFormHelper
from accounts.models import User
from quality.models import Answer, AuditQuestion, Grade, SubjectKind

_LEGEND = {"legend_size": "govuk-fieldset__legend--s"}


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class AssignForm(RuledForm):
    kind = forms.ChoiceField(
        label="What kind of work is it?",
        choices=SubjectKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of work to audit"},
    )
    number = forms.IntegerField(
        label="Its number",
        min_value=1,
        help_text="The number in the record's reference: 123 for C-000123",
        error_messages={
            "required": "Enter the record's number",
            "invalid": "The record's number must be a number, like 123",
            "min_value": "The record's number must be 1 or more",
        },
    )
    auditor = UserChoiceField(
        queryset=User.objects.none(),
        label="Who will audit it?",
        empty_label="Choose an auditor or manager",
        error_messages={"required": "Choose who will audit it"},
    )
    due = DateField(
        label="Due by", help_text="For example, 3 4 2026", what="the date the audit is due"
    )

    def __init__(self, *args, auditors, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["auditor"]).queryset = auditors
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.radios("kind", legend_size="s"),
            Field.text("number", field_width=10),
            Field.select("auditor"),
            Field("due", context=_LEGEND),
            Button("submit", "Assign the audit"),
        )


class RecordForm(RuledForm):
    """The local form's questions (one field each, `question_<id>`), the grade, the findings
    and, optionally, one action (add more by saving again)."""

    grade = forms.ChoiceField(
        label="Grade", choices=Grade.choices, widget=forms.RadioSelect, required=False,
        help_text="Ofsted's four-point scale",
    )  # fmt: skip
    findings = forms.CharField(
        label="Findings", widget=forms.Textarea, required=False,
        help_text="What the audit found: strengths and what needs to improve",
    )  # fmt: skip
    action_description = forms.CharField(
        label="An action (optional)", widget=forms.Textarea, required=False,
        help_text="What must be done. Add more actions one at a time",
    )  # fmt: skip
    action_owner = UserChoiceField(
        queryset=User.objects.none(), label="Who owns the action", required=False,
        empty_label="Choose the action's owner",
    )  # fmt: skip
    action_due = DateField(
        label="Action due by", help_text="For example, 3 4 2026", required=False,
        what="the date the action is due",
    )  # fmt: skip

    def __init__(self, *args, questions: list[AuditQuestion], owners, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"question_{question.pk}"] = forms.ChoiceField(
                label=question.text, choices=Answer.choices, widget=forms.RadioSelect,
                required=False,
            )  # fmt: skip
        cast(forms.ModelChoiceField, self.fields["action_owner"]).queryset = owners
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            *(Field.radios(f"question_{q.pk}", legend_size="s", inline=True) for q in questions),
            Field.radios("grade", legend_size="m"),
            Field.textarea("findings", rows=6),
            Field.textarea("action_description", rows=3),
            Field.select("action_owner"),
            Field("action_due", context=_LEGEND),
            Button.secondary("save", "Save and finish later"),
            Button("complete", "Complete the audit"),
        )

    def answers(self) -> dict[int, str]:
        return {
            q.pk: self.cleaned_data[f"question_{q.pk}"]
            for q in self.questions
            if self.cleaned_data.get(f"question_{q.pk}")
        }

    def check_complete(self) -> None:
        """Completing needs every question answered, the grade and the findings."""
        for question in self.questions:
            if not self.cleaned_data.get(f"question_{question.pk}"):
                self.add_error(f"question_{question.pk}", "Answer this question")
        if not self.cleaned_data.get("grade"):
            self.add_error("grade", "Choose the grade")
        if not (self.cleaned_data.get("findings") or "").strip():
            self.add_error("findings", "Record the findings")

    def clean(self):
        cleaned = super().clean()
        parts = (
            (cleaned.get("action_description") or "").strip(),
            cleaned.get("action_owner"),
            cleaned.get("action_due"),
        )
        if any(parts) and not all(parts):
            if not parts[0]:
                self.add_error("action_description", "Say what the action is")
            if not parts[1]:
                self.add_error("action_owner", "Choose who owns the action")
            if not parts[2] and "action_due" not in self.errors:
                self.add_error("action_due", "Enter the date the action is due")
        return cleaned


class RespondForm(RuledForm):
    response = forms.CharField(
        label="Your response",
        widget=forms.Textarea,
        help_text="What you will do about the findings and actions, or anything you disagree with",
        error_messages={"required": "Write your response"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.textarea("response", rows=5), Button("submit", "Send your response")
        )


class QuestionForm(RuledForm):
    text = forms.CharField(
        label="Question",
        max_length=300,
        help_text="For example, was the child's voice recorded?",
        error_messages={"required": "Enter the question"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(Field.text("text"), Button("submit", "Add the question"))
