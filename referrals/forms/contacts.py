"""Forms for recording a contact (issue 17): the contact on one page (what was reported, the
children and the adults, each found among those already known), and "Check your answers"
with a proposed decision for each child, or screening later.

The children and adults are numbered rows of one form (`person_field`), so that one error
summary serves the page; "Add another child" posts the form and shows it again with one more
row (without JavaScript), or `static/js/contact.mjs` adds the row in place from the page's
`<template>` (a row rendered with the placeholder `ROW`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Layout
from django import forms
from django.utils import timezone

from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper
from accounts.models import User
from casework import safety
from referrals.codes import ConsentPosition, ReferralSource
from referrals.forms.local_data import _users_with
from referrals.identifiers import normalise_nhs_number, validate_nhs_number
from referrals.models import Relationship
from referrals.models.contacts import VOICE_NEEDED, LevelOfNeed, Outcome

MAX_PEOPLE = 10
# The placeholder row number of the page's row templates (static/js/contact.mjs replaces it).
ROW = "__row__"
PERSON_FIELDS = ("first_name", "last_name", "date_of_birth", "nhs_number")
KINDS = {"child": "children", "adult": "adults"}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def read_date(value: str) -> date | None:
    """A typed date (day/month/year), or None when empty or not a date."""
    try:
        return forms.DateField(input_formats=DATE_FORMATS).to_python(value)
    except forms.ValidationError:
        return None


def person_field(kind: str, n: int | str, name: str) -> str:
    """The form field `name` of the `kind` ("child" or "adult") row `n` (from 0)."""
    return f"{kind}_{n}_{name}"


class TakenByField(forms.ModelChoiceField):
    """Staff are named by their full names (the username only when there is none)."""

    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class ContactDetailsForm(RuledForm):
    """What was reported: when, who took it, who reported it and what."""

    received_date = forms.DateField(
        label="Date received",
        help_text="For example, 23/11/2026. Out-of-hours contacts: the date it actually came in",
        input_formats=DATE_FORMATS,
        # A text input, so that GOV.UK's input styles apply (DateInput has no govuk-input).
        widget=forms.TextInput,
        error_messages={
            "required": "Enter the date the contact was received",
            "invalid": "Enter the date as day/month/year, like 23/11/2026",
        },
    )
    received_time = forms.TimeField(
        label="Time received",
        help_text="24-hour clock, for example 21:30",
        input_formats=["%H:%M"],
        widget=forms.TextInput,
        error_messages={
            "required": "Enter the time the contact was received",
            "invalid": "Enter the time as hours and minutes, like 21:30",
        },
    )
    taken_by: forms.ModelChoiceField[User] = TakenByField(
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
        self.fields["taken_by"].queryset = _users_with("record_contacts").order_by(
            "first_name", "last_name", "username"
        )
        self.fields["source"].choices = [("", "Choose a source"), *ReferralSource.choices]
        self.fields["consent"].choices = ConsentPosition.choices
        self.helper = PageFormHelper()
        self.helper.layout = Layout(*self.detail_layout())

    @staticmethod
    def detail_layout() -> list:
        return [
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
        ]


class FindPersonForm(RuledForm):
    """What the matching endpoint is given: a child's or an adult's identity, never in a URL."""

    kind = forms.ChoiceField(choices=[("child", "child"), ("adult", "adult")])
    row = forms.IntegerField(min_value=0, max_value=MAX_PEOPLE - 1)
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    date_of_birth = forms.DateField(
        required=False, input_formats=DATE_FORMATS,
        error_messages={"invalid": "Enter the date of birth as day/month/year, like 14/3/2016"},
    )  # fmt: skip
    nhs_number = forms.CharField(required=False)

    def clean_nhs_number(self):
        value = self.cleaned_data["nhs_number"]
        if value:
            validate_nhs_number(value)
        return normalise_nhs_number(value)

    def clean(self):
        cleaned = super().clean()
        if (
            not (cleaned.get("first_name") or "").strip()
            or not (cleaned.get("last_name") or "").strip()
        ):
            raise forms.ValidationError("Enter the first and last name to look for")
        return cleaned


@dataclass
class PersonRow:
    """One child or adult row of the contact form, as typed."""

    kind: str
    n: int | str  # `ROW` in the page's row template
    helper: FormHelper
    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    nhs_number: str = ""
    relationship: str = ""
    match: str = ""  # a known record's pk, "new", or "" (not chosen yet)
    also: list[str] = field(default_factory=list)  # "person:<pk>" / "child:<pk>" offered
    typed: bool = False
    valid: bool = False

    matches: list | None = None  # the candidates shown (referrals.selectors.Match), if looked for

    @property
    def number(self) -> int | str:
        return self.n + 1 if isinstance(self.n, int) else "__number__"

    @property
    def prefix(self) -> str:
        return f"{self.kind}_{self.n}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def _row_fields(kind: str, n: int | str, number: int | str) -> dict[str, forms.Field]:
    what = "child" if kind == "child" else "adult"
    fields: dict[str, forms.Field] = {
        person_field(kind, n, "first_name"): forms.CharField(
            label="First name", required=False, max_length=100
        ),
        person_field(kind, n, "last_name"): forms.CharField(
            label="Last name", required=False, max_length=100
        ),
        person_field(kind, n, "date_of_birth"): forms.DateField(
            label="Date of birth",
            required=False,
            input_formats=DATE_FORMATS,
            help_text="If known. For example, 14/3/2016",
            widget=forms.TextInput,
            error_messages={
                "invalid": f"Enter {what} {number}'s date of birth as "
                "day/month/year, like 14/3/2016"
            },
        ),
        person_field(kind, n, "nhs_number"): forms.CharField(
            label="NHS number", required=False, help_text="If known. 10 digits"
        ),
    }
    if kind == "adult":
        fields[person_field(kind, n, "relationship")] = forms.ChoiceField(
            label="Relationship to the children", required=False,
            choices=[("", "Choose a relationship"), *Relationship.Kind.choices],
        )  # fmt: skip
    return fields


def _row_helper(kind: str, n: int | str, number: int | str) -> FormHelper:
    helper = PageFormHelper()
    helper.render_unmentioned_fields = False
    layout = [
        Field.text(person_field(kind, n, "first_name"), field_width=20),
        Field.text(person_field(kind, n, "last_name"), field_width=20),
        Field.text(person_field(kind, n, "date_of_birth"), field_width=10),
        Field.text(person_field(kind, n, "nhs_number"), field_width=10),
    ]
    if kind == "adult":
        layout.append(Field.select(person_field(kind, n, "relationship")))
    helper.layout = Layout(*layout)
    return helper


class PersonRowTemplate(RuledForm):
    """A blank row numbered `ROW`, for the page's `<template>` (static/js/contact.mjs)."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.fields.update(_row_fields(kind, ROW, "__number__"))
        self.helper = _row_helper(kind, ROW, "__number__")
        self.row = PersonRow(kind=kind, n=ROW, helper=self.helper)


class ContactForm(ContactDetailsForm):
    """The whole contact on one page: what was reported, the children and the adults."""

    def __init__(self, *args, children: int = 1, adults: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.counts = {
            "child": max(1, min(children, MAX_PEOPLE)),
            "adult": max(1, min(adults, MAX_PEOPLE)),
        }
        self.row_helpers: dict[str, list[FormHelper]] = {"child": [], "adult": []}
        for kind, count in self.counts.items():
            for n in range(count):
                self.fields.update(_row_fields(kind, n, n + 1))
                self.row_helpers[kind].append(_row_helper(kind, n, n + 1))
        self.helper.render_unmentioned_fields = False
        # Rows whose only fault is that no known record (or "new") was chosen: they still
        # show their candidates, so that the person can choose.
        self.choices_asked: set[str] = set()

    def ask_which_record(self, kind: str, n: int | str, message: str) -> None:
        """Ask which of the known records (or a new one) row `n` is: the error is shown on
        the row's first name, and the row keeps its candidates to choose from."""
        field = person_field(kind, n, "first_name")
        self.add_error(field, message)
        self.choices_asked.add(field)

    @staticmethod
    def counts_from(data) -> dict[str, int]:
        """How many rows of each kind were posted."""

        def count(name: str) -> int:
            value = str(data.get(name, "1"))
            return int(value) if value.isdigit() else 1

        return {"children": count("children"), "adults": count("adults")}

    def rows(self, kind: str) -> list[PersonRow]:
        """The rows of `kind` as typed, with the date of birth read where it is valid."""
        source = self.data if self.is_bound else self.initial
        errors = self.errors if self.is_bound else {}
        rows = []
        for n in range(self.counts[kind]):

            def raw(name: str, n: int = n) -> str:
                return str(source.get(person_field(kind, n, name), "") or "").strip()

            also_key = person_field(kind, n, "also")
            also = source.getlist(also_key) if hasattr(source, "getlist") else source.get(
                also_key, []
            )  # fmt: skip
            row = PersonRow(
                kind=kind, n=n, helper=self.row_helpers[kind][n],
                first_name=raw("first_name"), last_name=raw("last_name"),
                date_of_birth=read_date(raw("date_of_birth")), nhs_number=raw("nhs_number"),
                relationship=raw("relationship"), match=raw("match"),
                also=[str(value) for value in also],
                typed=any(raw(name) for name in PERSON_FIELDS),
            )  # fmt: skip
            row.valid = bool(row.first_name and row.last_name) and not any(
                self._faulty(errors, person_field(kind, n, name))
                for name in (*PERSON_FIELDS, "relationship")
            )
            if row.valid:
                row.nhs_number = normalise_nhs_number(row.nhs_number)
            rows.append(row)
        return rows

    def _faulty(self, errors, field: str) -> bool:
        """Whether `field` has an error other than the question of which record it is."""
        if field not in errors:
            return False
        return field not in self.choices_asked or len(errors[field]) > 1

    def clean(self):
        cleaned = super().clean()
        for kind in ("child", "adult"):
            for n in range(self.counts[kind]):
                number = n + 1
                key = person_field(kind, n, "nhs_number")
                value = cleaned.get(key) or ""
                if value:
                    try:
                        validate_nhs_number(value)
                    except forms.ValidationError as error:
                        self.add_error(key, error)
                        continue
                    cleaned[key] = normalise_nhs_number(value)
                typed = any(
                    str(self.data.get(person_field(kind, n, name), "")).strip()
                    for name in PERSON_FIELDS
                )
                if not typed:
                    continue
                for name, what in (("first_name", "first name"), ("last_name", "last name")):
                    key = person_field(kind, n, name)
                    if not (cleaned.get(key) or "").strip() and key not in self.errors:
                        self.add_error(key, f"Enter {kind} {number}'s {what}")
                born = cleaned.get(person_field(kind, n, "date_of_birth"))
                if born and born > timezone.localdate():
                    self.add_error(
                        person_field(kind, n, "date_of_birth"),
                        f"{kind.capitalize()} {number}'s date of birth must be today or in the "
                        "past",
                    )
        return cleaned


# "Check your answers": a proposed decision for each child, or screening later ----------------

PROPOSE, LATER = "propose", "later"


def proposal_field(n: int, name: str) -> str:
    """The field `name` of child `n`'s proposal on the check page."""
    return f"decision_{n}_{name}"


PROPOSAL_FIELDS = ("when", "outcome", "level_of_need", "rationale")


class ContactProposalsForm(RuledForm):
    """For each child: propose a decision now (outcome, level of need, rationale) or leave it
    to screen later. Nothing is chosen for a child until someone chooses (DESIGN.md: "apply to
    siblings" may pre-fill, and each child is confirmed one by one)."""

    def __init__(self, *args, names: list[str], child_ids: list[int | None] | None = None,
                 **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.names = names
        # Each child's record, if known (None: a new child): the safety rule reads its open work.
        self.child_ids = child_ids or [None] * len(names)
        levels = list(LevelOfNeed.objects.filter(is_active=True))
        self.levels = {str(level.pk): level for level in levels}
        self.child_helpers: list[FormHelper] = []
        for n, name in enumerate(names):
            self.fields[proposal_field(n, "when")] = forms.ChoiceField(
                label=f"What now for {name}?", widget=forms.RadioSelect,
                choices=[(PROPOSE, "Propose a decision now"),
                         (LATER, "Leave it to screen later")],
                error_messages={"required": f"Choose whether to propose a decision for {name} "
                                "now or screen later"},
            )  # fmt: skip
            self.fields[proposal_field(n, "outcome")] = forms.ChoiceField(
                label=f"Decision for {name}", widget=forms.RadioSelect, required=False,
                choices=Outcome.choices,
            )  # fmt: skip
            self.fields[proposal_field(n, "level_of_need")] = forms.ChoiceField(
                label=f"Level of need for {name}", widget=forms.RadioSelect, required=False,
                choices=[(str(level.pk), level.name) for level in levels],
            )  # fmt: skip
            self.fields[proposal_field(n, "rationale")] = forms.CharField(
                label=f"Rationale for {name}", widget=forms.Textarea, required=False,
                help_text="Why this decision, for this child: what you weighed, history included",
            )  # fmt: skip
            self.fields[proposal_field(n, "childs_voice")] = forms.CharField(
                label=f"{name}'s voice", widget=forms.Textarea, required=False,
                help_text="What is known of the child's own views, wishes and daily life, and "
                "how it is known; or why nothing is known yet. Needed for a referral or an "
                "urgent strategy discussion",
            )  # fmt: skip
            self.fields[proposal_field(n, "safety_reason")] = forms.CharField(
                label=f"Reason under the safety rule for {name}", widget=forms.Textarea,
                required=False,
                help_text="Needed when closing (no further action, advice or early help) while "
                "the child or a brother or sister has open child-protection work, or when the "
                "level of need does not expect the outcome: say how this decision addresses it",
            )  # fmt: skip
            helper = PageFormHelper()
            helper.render_unmentioned_fields = False
            helper.layout = Layout(
                Field.radios(proposal_field(n, "when"), legend_size="s", inline=True),
                Fieldset(
                    Field.radios(proposal_field(n, "outcome"), legend_size="s", small=True),
                    Field.radios(proposal_field(n, "level_of_need"), legend_size="s", small=True),
                    Field.textarea(proposal_field(n, "rationale"), rows=4),
                    Field.textarea(proposal_field(n, "childs_voice"), rows=3),
                    Field.textarea(proposal_field(n, "safety_reason"), rows=3),
                    legend=f"The decision for {name}, if proposed now",
                    legend_size="s",
                ),
            )
            self.child_helpers.append(helper)
        self.helper = PageFormHelper()

    def clean(self):
        cleaned = super().clean()
        for n, name in enumerate(self.names):
            if cleaned.get(proposal_field(n, "when")) != PROPOSE:
                continue
            if not cleaned.get(proposal_field(n, "outcome")):
                self.add_error(proposal_field(n, "outcome"), f"Choose the decision for {name}")
            if not cleaned.get(proposal_field(n, "level_of_need")):
                self.add_error(
                    proposal_field(n, "level_of_need"), f"Choose the level of need for {name}"
                )
            if not (cleaned.get(proposal_field(n, "rationale")) or "").strip():
                self.add_error(
                    proposal_field(n, "rationale"),
                    f"Give the rationale for the decision for {name}",
                )
            self._clean_voice_and_safety(n, name, cleaned)
        return cleaned

    def _clean_voice_and_safety(self, n: int, name: str, cleaned: dict) -> None:
        """The child's voice and the safety rule, as on the decision page (issue 18)."""
        outcome = cleaned.get(proposal_field(n, "outcome"))
        if not outcome:
            return
        if (
            outcome in VOICE_NEEDED
            and not (cleaned.get(proposal_field(n, "childs_voice")) or "").strip()
        ):
            self.add_error(
                proposal_field(n, "childs_voice"),
                f"Say what is known of {name}'s own views and daily life, or why nothing is "
                "known yet",
            )
        if (cleaned.get(proposal_field(n, "safety_reason")) or "").strip():
            return
        level = self.levels.get(cleaned.get(proposal_field(n, "level_of_need")) or "")
        child_id = self.child_ids[n]
        found = (
            safety.concerns_for(child_id=child_id, outcome=outcome, level=level)
            if child_id is not None
            else safety.concerns(own=safety.OpenWork(), sibling_work=False, outcome=outcome,
                                 level=level)
        )  # fmt: skip
        if found:
            self.add_error(
                proposal_field(n, "safety_reason"),
                f"{safety.RULE_NAME} for {name}: "
                + "; ".join(found)
                + ". Give the reason that addresses this",
            )

    def proposals(self) -> list[dict | None]:
        """Each child's proposal (outcome, level of need pk, rationale), or None for later."""
        found: list[dict | None] = []
        for n in range(len(self.names)):
            if self.cleaned_data.get(proposal_field(n, "when")) != PROPOSE:
                found.append(None)
                continue
            found.append({
                "outcome": self.cleaned_data[proposal_field(n, "outcome")],
                "level_of_need": int(self.cleaned_data[proposal_field(n, "level_of_need")]),
                "rationale": self.cleaned_data[proposal_field(n, "rationale")],
                "childs_voice": self.cleaned_data.get(proposal_field(n, "childs_voice"), ""),
                "safety_reason": self.cleaned_data.get(proposal_field(n, "safety_reason"), ""),
            })  # fmt: skip
        return found

    @staticmethod
    def applied(data, *, source: int, count: int) -> dict:
        """What was posted, with child `source`'s outcome, level of need and rationale copied
        to every other child (nobody's "what now" is chosen for them)."""
        initial = {key: data.get(key, "") for key in data}
        for n in range(count):
            if n == source:
                continue
            for name in ("outcome", "level_of_need", "rationale"):
                initial[proposal_field(n, name)] = data.get(proposal_field(source, name), "")
        return initial


# The siblings' sign-off: every proposed decision of one contact on one page ------------------


def review_field(pk: int, name: str) -> str:
    return f"review_{pk}_{name}"


class SiblingsReviewForm(RuledForm):
    """A manager's sign-off or return of each proposed decision of one contact, one submit;
    each child needs its own choice (nothing is pre-selected)."""

    def __init__(self, *args, children: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.children = children
        self.child_helpers: dict[int, FormHelper] = {}
        for pk, name in children:
            self.fields[review_field(pk, "action")] = forms.ChoiceField(
                label=f"Your decision for {name}", widget=forms.RadioSelect,
                choices=[("sign_off", "Sign it off"), ("return", "Return it with a comment")],
                error_messages={"required": f"Choose whether to sign off or return the decision "
                                f"for {name}"},
            )  # fmt: skip
            self.fields[review_field(pk, "comment")] = forms.CharField(
                label="Comment", widget=forms.Textarea, required=False,
                help_text="Your reasons. Needed when you return it: say what needs to change",
            )  # fmt: skip
            self.fields[review_field(pk, "proposal")] = forms.IntegerField(widget=forms.HiddenInput)
            helper = PageFormHelper()
            helper.render_unmentioned_fields = False
            helper.layout = Layout(
                Field.radios(review_field(pk, "action"), legend_size="s"),
                Field.textarea(review_field(pk, "comment"), rows=3),
                Field(review_field(pk, "proposal")),
            )
            self.child_helpers[pk] = helper
        self.helper = PageFormHelper()
        self.helper.layout = Layout(Button("submit", "Confirm"))

    def clean(self):
        cleaned = super().clean()
        for pk, name in self.children:
            comment = (cleaned.get(review_field(pk, "comment")) or "").strip()
            if cleaned.get(review_field(pk, "action")) == "return" and not comment:
                self.add_error(
                    review_field(pk, "comment"),
                    f"Say what needs to change in the decision for {name}",
                )
        return cleaned

    def reviews(self) -> list[dict]:
        return [
            {
                "contact_child": pk,
                "proposal": self.cleaned_data[review_field(pk, "proposal")],
                "action": self.cleaned_data[review_field(pk, "action")],
                "comment": self.cleaned_data[review_field(pk, "comment")],
            }
            for pk, _ in self.children
        ]
