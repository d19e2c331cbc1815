"""Strategy discussion forms: convene, record, invite, actions, record as held, sign off or
return, cancel (DOMAIN.md "Strategy discussions", "The record")."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import cast

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape, format_html

from accounts.field_rules import RuledForm
from accounts.forms import DateField, PageFormHelper, yes_no_field
from accounts.models import Agency, User
from accounts.sharing import ConsentPosition
from strategy.models import (
    REQUIRED_AGENCY_KINDS,
    Attendance,
    DiscussionFormat,
    DiscussionOutcome,
)
from strategy.services import RECORD_FIELDS, AttendanceRecord, ChildDecision, recorded_by_itself
from strategy.services.partners import SharingTerms

YES_NO = [("yes", "Yes"), ("no", "No")]
# What an agency's attendance may be recorded as ("invited" is the state before recording).
ATTENDANCE_CHOICES = [
    (value, label) for value, label in Attendance.choices if value != Attendance.INVITED
]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _as_yes_no(value: bool | None) -> str:
    answers: dict[bool | None, str] = {True: "yes", False: "no"}
    return answers.get(value, "")


class Heading:
    """A sub-heading inside a form's layout; the text is escaped (agency names and children's
    names are data, never markup)."""

    def __init__(self, text: str, *, size: str = "s", level: int = 3) -> None:
        self.text, self.size, self.level = text, size, level

    def render(self, form, context, template_pack=None, **kwargs) -> str:
        return format_html(
            '<h{} class="govuk-heading-{}">{}</h{}>', self.level, self.size, self.text, self.level
        )


class Paragraph:
    """A paragraph of guidance inside a form's layout; the text is escaped."""

    def __init__(self, text: str) -> None:
        self.text = text

    def render(self, form, context, template_pack=None, **kwargs) -> str:
        return format_html('<p class="govuk-body">{}</p>', self.text)


def _moment(day: date | None, at: time | None) -> datetime | None:
    if day is None or at is None:
        return None
    return timezone.make_aware(datetime.combine(day, at))


def _time_field(label: str, *, required: bool, what: str) -> forms.TimeField:
    return forms.TimeField(
        label=label, required=required, help_text="24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M"], widget=forms.TextInput,
        error_messages={
            "required": f"Enter {what}",
            "invalid": "Enter the time as hours and minutes, like 14:30",
        },
    )  # fmt: skip


class ConveneForm(RuledForm):
    """Convene a discussion from a referral: the children, when, how, who chairs, who is
    invited, and whether it must be held today."""

    children = forms.MultipleChoiceField(
        label="Which children is the discussion about?",
        widget=forms.CheckboxSelectMultiple,
        help_text="This referral's child, and any brother or sister with an open referral "
        "from the same contact",
        error_messages={"required": "Choose at least one child the discussion is about"},
    )
    scheduled_on = DateField(
        label="Date of the discussion", help_text="For example, 27 3 2026",
        what="the date of the discussion",
    )  # fmt: skip
    scheduled_time = _time_field("Time", required=True, what="the time of the discussion")
    format = forms.ChoiceField(
        label="How will it be held?",
        widget=forms.RadioSelect,
        choices=DiscussionFormat.choices,
        error_messages={"required": "Choose how the discussion is held"},
    )
    chair: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None,
        label="Chair",
        empty_label="Choose the chair",
        error_messages={"required": "Choose who chairs the discussion"},
    )
    agencies: forms.ModelMultipleChoiceField[Agency] = forms.ModelMultipleChoiceField(
        queryset=None,
        label="Agencies to invite",
        widget=forms.CheckboxSelectMultiple,
        help_text="The local authority, the police and health are the minimum. Add the "
        "referrer's agency, the school and anyone else who knows the family",
        error_messages={"required": "Choose the agencies to invite"},
    )
    same_day = forms.BooleanField(
        label="It must be held today: an injury or recent sexual abuse",
        required=False,
        help_text="Otherwise it is due within 1 working day",
    )

    shared_history = forms.CharField(
        label="History shared with the invited agencies", required=False, widget=forms.Textarea,
        help_text="What they need of the family's history and chronology, and no more: "
        "they see it with the children's names and dates of birth",
    )  # fmt: skip
    sharing_consent = forms.ChoiceField(
        label="Consent to share with the invited agencies", choices=ConsentPosition.choices,
        widget=forms.RadioSelect,
        help_text="Consent is not needed when a child is or may be at risk: say where it stands",
        error_messages={"required": "Choose the consent position for sharing with the agencies"},
    )  # fmt: skip
    sharing_family_told = yes_no_field(
        "Has the family been told what is shared?",
        required="Say whether the family has been told what is shared",
    )
    sharing_family_note = forms.CharField(
        label="What the family was told, or why not", widget=forms.Textarea,
        help_text="If telling them would raise the risk, say so",
        error_messages={"required": "Say what the family was told, or why not"},
    )  # fmt: skip

    def __init__(self, *args, referrals, chairs, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.referrals = {str(referral.pk): referral for referral in referrals}
        cast(forms.ChoiceField, self.fields["children"]).choices = [
            (key, f"{r.child.first_name} {r.child.last_name} ({r.child.census_id})")
            for key, r in self.referrals.items()
        ]
        chair = cast(forms.ModelChoiceField, self.fields["chair"])
        chair.queryset = chairs
        chair.label_from_instance = lambda user: user.display_name  # type: ignore[method-assign, assignment]  # Django's label hook
        cast(forms.ModelMultipleChoiceField, self.fields["agencies"]).queryset = agencies
        if not self.is_bound:
            self.initial.setdefault(
                "agencies", [a.pk for a in agencies if a.kind in REQUIRED_AGENCY_KINDS]
            )
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.checkboxes("children", legend_size="m"),
            Field("scheduled_on", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.text("scheduled_time", field_width=5),
            Field.radios("format", legend_size="s"),
            Field.select("chair"),
            Field.checkboxes("agencies", legend_size="m", small=True),
            Field.checkbox("same_day"),
            Heading("What the invited agencies see", size="m", level=2),
            Field.textarea("shared_history", rows=4),
            Field.radios("sharing_consent", legend_size="s", small=True),
            Field.radios("sharing_family_told", legend_size="s", inline=True),
            Field.textarea("sharing_family_note", rows=2),
            Button("submit", "Convene the discussion"),
        )

    def clean(self):
        cleaned = super().clean()
        cleaned["scheduled_for"] = _moment(
            cleaned.get("scheduled_on"), cleaned.get("scheduled_time")
        )
        cleaned["referrals"] = [self.referrals[key] for key in cleaned.get("children", [])]
        return cleaned

    def sharing_terms(self):

        data = self.cleaned_data
        return SharingTerms(
            history=data["shared_history"], consent=data["sharing_consent"],
            family_told=data["sharing_family_told"], family_note=data["sharing_family_note"],
        )  # fmt: skip


class RecordForm(RuledForm):
    """The record of the discussion (DOMAIN.md "The record"), saved in part as often as
    needed: attendance and contribution per agency, the discussion's findings, and the
    decision for each child."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    held_on = DateField(
        label="Date it was held", required=False, help_text="For example, 27 3 2026",
        what="the date the discussion was held",
    )  # fmt: skip
    held_time = _time_field("Time it started", required=False, what="the time it started")
    other_children = forms.CharField(
        label="Other children affected", required=False, widget=forms.Textarea,
        help_text="Other children in the household, or who the same adults care for",
    )  # fmt: skip
    # Whether the history was reviewed is no longer asked (issue 20): recording the
    # discussion as held keeps the chronology reviewed.
    history_note = forms.CharField(
        label="What the history and chronology showed", required=False,
        widget=forms.Textarea,
        help_text="The child's chronology, as it stands when you record the discussion as "
        "held, is kept with the record",
    )  # fmt: skip
    childs_views = forms.CharField(
        label="The child's views", required=False, widget=forms.Textarea,
        help_text="What the child has said, in their words where you can, or why their views "
        "could not be sought",
    )  # fmt: skip
    risk_analysis = forms.CharField(
        label="Risk analysis", required=False, widget=forms.Textarea,
        help_text="What the agencies' information shows together, past incidents included",
    )  # fmt: skip
    police_plan = forms.CharField(
        label="The police plan", required=False, widget=forms.Textarea,
        help_text="Any criminal investigation, and how it fits with the enquiries",
    )  # fmt: skip
    safety_plan = forms.CharField(
        label="Immediate safety plan", required=False, widget=forms.Textarea,
        help_text="How each child is kept safe until the next step",
    )  # fmt: skip
    legal_action = forms.CharField(
        label="Legal action", required=False, widget=forms.Textarea,
        help_text="Whether legal action is needed now, or 'None'",
    )  # fmt: skip
    family_told = forms.ChoiceField(
        label="Will the family be told about the discussion?", required=False,
        choices=YES_NO, widget=forms.RadioSelect,
    )  # fmt: skip
    family_note = forms.CharField(
        label="What the family is told, or why not", required=False, widget=forms.Textarea,
        help_text="If telling them would raise the risk, say so",
    )  # fmt: skip

    def __init__(self, *args, discussion, **kwargs) -> None:
        super().__init__(*args, **kwargs)

        everyone = list(discussion.participants.all())
        # A partner agency that recorded its own part keeps it (strategy.services.partners).
        self.participants = [p for p in everyone if not recorded_by_itself(p)]
        self.recorded_themselves = [p for p in everyone if recorded_by_itself(p)]
        self.children = list(discussion.children.all())
        attendance_layout: list[Heading | Paragraph | Field] = [
            Paragraph(
                f"{p.agency.name} recorded its own attendance and contribution: they are shown "
                "on the discussion's page and are kept as it recorded them."
            )
            for p in self.recorded_themselves
        ]
        for p in self.participants:
            name = p.agency.name
            self.fields[f"attendance_{p.pk}"] = forms.ChoiceField(
                label=escape(f"Did {name} attend?"), required=False,
                choices=ATTENDANCE_CHOICES, widget=forms.RadioSelect,
            )  # fmt: skip
            self.fields[f"attendees_{p.pk}"] = forms.CharField(
                label=escape(f"Who attended for {name}"), required=False, max_length=300,
                help_text="Names and roles",
            )  # fmt: skip
            self.fields[f"absence_reason_{p.pk}"] = forms.CharField(
                label=escape(f"Why {name} did not attend"), required=False,
                widget=forms.Textarea,
            )  # fmt: skip
            self.fields[f"contribution_{p.pk}"] = forms.CharField(
                label=escape(f"What {name} shared"), required=False, widget=forms.Textarea,
                help_text="The agency's information, attributed to it",
            )  # fmt: skip
            attendance_layout += [
                Heading(name),
                Field.radios(f"attendance_{p.pk}", small=True, inline=True),
                Field.text(f"attendees_{p.pk}"),
                Field.textarea(f"absence_reason_{p.pk}", rows=2),
                Field.textarea(f"contribution_{p.pk}", rows=4),
            ]
        decision_layout = []
        for c in self.children:
            child = f"{c.child.first_name} {c.child.last_name}"
            self.fields[f"outcome_{c.pk}"] = forms.ChoiceField(
                label=escape(f"Decision for {child}"), required=False,
                choices=DiscussionOutcome.choices, widget=forms.RadioSelect,
            )  # fmt: skip
            self.fields[f"rationale_{c.pk}"] = forms.CharField(
                label=escape(f"Rationale for {child}'s decision"), required=False,
                widget=forms.Textarea,
                help_text="Why this decision, for this child: what was weighed",
            )  # fmt: skip
            decision_layout += [
                Heading(f"{child} ({c.child.census_id})"),
                Field.radios(f"outcome_{c.pk}", legend_size="s"),
                Field.textarea(f"rationale_{c.pk}", rows=4),
            ]
        if not self.is_bound:
            self.initial.update(self.initial_from(discussion))
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            "version",
            Heading("When it was held", size="m"),
            Field("held_on", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.text("held_time", field_width=5),
            Heading("Attendance and what each agency shared", size="m"),
            *attendance_layout,
            Heading("The discussion", size="m"),
            Field.textarea("other_children", rows=3),
            Field.textarea("history_note", rows=3),
            Field.textarea("childs_views", rows=4),
            Field.textarea("risk_analysis", rows=6),
            Field.textarea("police_plan", rows=3),
            Field.textarea("safety_plan", rows=4),
            Field.textarea("legal_action", rows=2),
            Field.radios("family_told", legend_size="s", inline=True),
            Field.textarea("family_note", rows=3),
            Heading("The decision for each child", size="m"),
            *decision_layout,
        )

    def initial_from(self, discussion) -> dict:
        """The form's values from what is saved."""
        held = timezone.localtime(discussion.held_at) if discussion.held_at else None
        initial = {
            "version": discussion.version,
            "held_on": held.date() if held else None,
            "held_time": held.strftime("%H:%M") if held else "",
            "family_told": _as_yes_no(discussion.family_told),
        }
        for name in ("other_children", "history_note", "childs_views", "risk_analysis",
                     "police_plan", "safety_plan", "legal_action", "family_note"):  # fmt: skip
            initial[name] = getattr(discussion, name)
        for p in self.participants:
            attended = "" if p.attendance == Attendance.INVITED else p.attendance
            initial[f"attendance_{p.pk}"] = attended
            initial[f"attendees_{p.pk}"] = p.attendees
            initial[f"absence_reason_{p.pk}"] = p.absence_reason
            initial[f"contribution_{p.pk}"] = p.contribution
        for c in self.children:
            initial[f"outcome_{c.pk}"] = c.outcome
            initial[f"rationale_{c.pk}"] = c.rationale
        return initial

    def clean(self):
        cleaned = super().clean()
        if "version" in self.errors:  # hidden: no field shows its error
            self.add_error(None, "This page is out of date: open the record again")
        held_on, held_time = cleaned.get("held_on"), cleaned.get("held_time")
        if held_on and not held_time and "held_time" not in self.errors:
            self.add_error("held_time", "Enter the time it started")
        if held_time and not held_on and "held_on" not in self.errors:
            self.add_error("held_on", "Enter the date the discussion was held")
        held_at = _moment(held_on, held_time)
        if held_at is not None and held_at > timezone.now():
            self.add_error("held_on", "The date and time it was held cannot be in the future")
        for p in self.participants:
            attended = cleaned.get(f"attendance_{p.pk}") == Attendance.ATTENDED
            if attended and not cleaned.get(f"attendees_{p.pk}", "").strip():
                self.add_error(f"attendees_{p.pk}", f"Enter who attended for {p.agency.name}")
        cleaned["held_at"] = held_at
        return cleaned

    def service_arguments(self) -> dict:
        """What `services.discussion_record` takes, from the cleaned form."""

        data = self.cleaned_data
        record = {name: data[name] for name in RECORD_FIELDS if name in data}
        record["family_told"] = _yes_no(data["family_told"])
        attendance = [
            AttendanceRecord(
                participant_id=p.pk,
                attendance=data[f"attendance_{p.pk}"] or Attendance.INVITED,
                attendees=data[f"attendees_{p.pk}"],
                absence_reason=data[f"absence_reason_{p.pk}"],
                contribution=data[f"contribution_{p.pk}"],
            )
            for p in self.participants
        ]
        decisions = [
            ChildDecision(
                discussion_child_id=c.pk,
                outcome=data[f"outcome_{c.pk}"],
                rationale=data[f"rationale_{c.pk}"],
            )
            for c in self.children
        ]
        return {"attendance": attendance, "decisions": decisions, **record}


class InviteForm(RuledForm):
    agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        queryset=None,
        label="Agency",
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency to invite"},
    )

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.select("agency"), Button.secondary("invite", "Invite the agency")
        )


class ActionForm(RuledForm):
    """An action the discussion set: what, who owns it, for which agency, by when."""

    description = forms.CharField(
        label="Action", widget=forms.Textarea,
        error_messages={"required": "Describe the action"},
    )  # fmt: skip
    owner = forms.CharField(
        label="Who owns it", max_length=200, help_text="A name and role",
        error_messages={"required": "Enter who owns the action"},
    )  # fmt: skip
    agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        queryset=None,
        label="Their agency",
        empty_label="Choose an agency",
        error_messages={"required": "Choose the owner's agency"},
    )
    due = DateField(
        label="Due by", help_text="For example, 3 4 2026", what="the date the action is due"
    )

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.textarea("description", rows=3),
            Field.text("owner", field_width=20),
            Field.select("agency"),
            Field("due", context={"legend_size": "govuk-fieldset__legend--s"}),
            Button.secondary("add_action", "Add the action"),
        )


class RescheduleForm(RuledForm):
    """Move a convened discussion to another date and time (issue 24)."""

    scheduled_on = DateField(
        label="New date of the discussion", help_text="For example, 27 3 2026",
        what="the new date of the discussion",
    )  # fmt: skip
    scheduled_time = _time_field("New time", required=True, what="the new time of the discussion")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field("scheduled_on", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.text("scheduled_time", field_width=5),
            Field("version"),
            Button("submit", "Move the discussion"),
        )

    def clean(self):
        cleaned = super().clean()
        cleaned["scheduled_for"] = _moment(
            cleaned.get("scheduled_on"), cleaned.get("scheduled_time")
        )
        return cleaned


class CancelForm(RuledForm):
    reason = forms.CharField(
        label="Why is the discussion cancelled?",
        widget=forms.Textarea,
        help_text="For example, the child's circumstances are now known and there is no "
        "cause to suspect significant harm",
        error_messages={"required": "Give the reason the discussion is cancelled"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.textarea("reason", rows=4), Button.warning("submit", "Cancel the discussion")
        )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Give the reason the discussion is cancelled")
        return reason
