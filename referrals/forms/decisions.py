"""Forms for the decision per child: screening notes, the proposal, feedback."""

from __future__ import annotations

from typing import cast

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper, yes_no_field
from casework import safety
from referrals.models.contacts import VOICE_NEEDED, LevelOfNeed, Outcome

CHILDS_VOICE_NEEDED = (
    "Say what is known of the child's own views and daily life, or why nothing is known yet"
)


class ChildsVoiceField(RuledForm):
    """The child's voice on a child's decision (DOMAIN.md finding 10): a form that proposes a
    decision adds this and calls `clean_childs_voice_for(outcome)` from its `clean()`."""

    childs_voice = forms.CharField(
        label="The child's voice",
        widget=forms.Textarea,
        required=False,
        help_text="What is known of the child's own views, wishes and daily life, and how it "
        "is known; or why nothing is known yet. Needed for a referral or an urgent strategy "
        "discussion",
    )

    def clean_childs_voice_for(self, outcome: str | None) -> None:
        if outcome in VOICE_NEEDED and not self.cleaned_data.get("childs_voice", "").strip():
            self.add_error("childs_voice", CHILDS_VOICE_NEEDED)


class SafetyReasonField(RuledForm):
    """The safety rule's reason (casework.safety): a form that proposes closing adds this and
    calls `clean_safety_reason_for(...)` from its `clean()`; the service asks the rule again."""

    safety_reason = forms.CharField(
        label="Reason under the safety rule",
        widget=forms.Textarea,
        required=False,
        help_text="Needed when closing (no further action, advice or early help) while the "
        "child or a brother or sister has open child-protection work, or when the level of "
        "need does not expect the outcome: say how this decision addresses it",
    )

    def clean_safety_reason_for(
        self, *, child_id: int | None, outcome: str | None, level: LevelOfNeed | None = None,
        closing: frozenset = safety.CLOSING_OUTCOMES,
    ) -> None:  # fmt: skip
        if child_id is None or not outcome:
            return
        if self.cleaned_data.get("safety_reason", "").strip():
            return
        found = safety.concerns_for(child_id=child_id, outcome=outcome, level=level,
                                    closing=closing)  # fmt: skip
        if found:
            self.add_error(
                "safety_reason",
                f"{safety.RULE_NAME}: " + "; ".join(found) + ". Give the reason that "
                "addresses this",
            )


class ProposeDecisionForm(ChildsVoiceField, SafetyReasonField):
    outcome = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision"},
    )
    level_of_need: forms.ModelChoiceField[LevelOfNeed] = forms.ModelChoiceField(
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

    def __init__(self, *args, child_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.child_id = child_id
        cast(forms.ChoiceField, self.fields["outcome"]).choices = Outcome.choices
        cast(
            forms.ModelChoiceField, self.fields["level_of_need"]
        ).queryset = LevelOfNeed.objects.filter(is_active=True)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size="m"),
            Field.radios("level_of_need", legend_size="m"),
            Field.textarea("rationale", rows=6),
            Field.textarea("childs_voice", rows=4),
            Field.textarea("safety_reason", rows=3),
            Button("submit", "Continue"),
        )

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        self.clean_childs_voice_for(outcome)
        self.clean_safety_reason_for(
            child_id=self.child_id, outcome=outcome, level=cleaned.get("level_of_need")
        )
        return cleaned


class FeedbackForm(RuledForm):
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


class ScreeningNotesForm(RuledForm):
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
            # Named: on the decision page it shares one form with the proposal (issue 19).
            Button.secondary("save_notes", "Save notes"),
        )
