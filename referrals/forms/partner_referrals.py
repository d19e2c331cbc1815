"""The multi-agency referral form a partner practitioner fills in (issue 9): one or more
children, what happened, immediate risk, the people in the home, consent, whether the family
knows, and how to call the referrer back. "Add another child" posts the form and shows it again
with one more child, keeping what was typed: it works without JavaScript."""

from __future__ import annotations

from datetime import date

from crispy_forms_gds.layout import Button, Field, Fieldset, Layout
from django import forms
from django.utils import timezone

from accounts.field_rules import PostcodeField, RuledForm
from accounts.forms import DateField, PageFormHelper, yes_no_field
from accounts.sharing import ConsentPosition
from referrals.services.partner_referrals import ReferredChild

MAX_CHILDREN = 10
CHILD_FIELDS = ("first_name", "last_name", "date_of_birth", "address", "postcode")
DETAIL_FIELDS = (
    "concern", "immediate_risk", "adults", "consent", "consent_note", "family_told",
    "referrer_role", "referrer_contact",
)  # fmt: skip


def child_field(number: int, name: str) -> str:
    """The form field of child `number` (from 0)."""
    return f"child_{number}_{name}"


def _as_yes_no(value) -> str:
    return {True: "yes", False: "no"}.get(value, "")


class PartnerReferralForm(RuledForm):
    """The whole referral on one page; the children's fields are numbered from 0."""

    concern = forms.CharField(
        label="What happened, and what worries you?",
        widget=forms.Textarea,
        help_text="What you saw or were told, when, and by whom. Use the child's own words "
        "where you can",
        error_messages={"required": "Say what happened and what worries you"},
    )
    immediate_risk = yes_no_field(
        "Is a child at risk of immediate harm?",
        required="Say whether a child is at risk of immediate harm",
    )
    adults = forms.CharField(
        label="Parents, carers and others in the home",
        widget=forms.Textarea,
        required=False,
        help_text="Their names, how they are related to the children, and anything you know "
        "about them",
    )
    consent = forms.ChoiceField(
        label="Has the family agreed to this referral?",
        choices=ConsentPosition.choices,
        widget=forms.RadioSelect,
        help_text="You do not need consent to refer a child who is or may be at risk of harm",
        error_messages={"required": "Choose whether the family agreed to this referral"},
    )
    consent_note = forms.CharField(
        label="Why consent was refused or not sought",
        widget=forms.Textarea,
        required=False,
        help_text="Needed if consent was refused or not sought",
    )
    family_told = yes_no_field(
        "Does the family know about this referral?",
        required="Say whether the family knows about this referral",
    )
    referrer_role = forms.CharField(
        label="Your role",
        max_length=200,
        help_text="For example, police constable, school nurse, designated safeguarding lead",
        error_messages={
            "required": "Enter your role",
            "max_length": "Your role must be 200 characters or fewer",
        },
    )
    referrer_contact = forms.CharField(
        label="How can the front door call you back?",
        max_length=300,
        help_text="A phone number or email address",
        error_messages={
            "required": "Enter a phone number or email address the front door can call you on",
            "max_length": "The phone number or email address must be 300 characters or fewer",
        },
    )

    def __init__(self, *args, children: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.child_count = max(1, min(children, MAX_CHILDREN))
        layout = []
        for n in range(self.child_count):
            number = n + 1
            self.fields[child_field(n, "first_name")] = forms.CharField(
                label="First name", required=False, max_length=100,
                error_messages={"max_length": f"Child {number}'s first name must be 100 "
                                "characters or fewer"},
            )  # fmt: skip
            self.fields[child_field(n, "last_name")] = forms.CharField(
                label="Last name", required=False, max_length=100,
                error_messages={"max_length": f"Child {number}'s last name must be 100 "
                                "characters or fewer"},
            )  # fmt: skip
            self.fields[child_field(n, "date_of_birth")] = DateField(
                what=f"child {number}'s date of birth", label="Date of birth",
                required=False, help_text="If you know it. For example, 27 3 2016",
            )  # fmt: skip
            self.fields[child_field(n, "address")] = forms.CharField(
                label="Address", required=False, max_length=300,
                error_messages={"max_length": "The address must be 300 characters or fewer"},
            )  # fmt: skip
            self.fields[child_field(n, "postcode")] = PostcodeField(
                required=False,
                error_messages={"invalid": f"Enter a real postcode for child {number}"},
            )
            layout.append(
                Fieldset(
                    Field.text(child_field(n, "first_name"), field_width=20),
                    Field.text(child_field(n, "last_name"), field_width=20),
                    Field(
                        child_field(n, "date_of_birth"),
                        context={"legend_size": "govuk-fieldset__legend--s"},
                    ),
                    Field.text(child_field(n, "address"), field_width=30),
                    Field.text(child_field(n, "postcode"), field_width=10),
                    legend=f"Child {number}",
                    legend_size="m",
                )
            )
        self.order_fields([*(child_field(n, name) for n in range(self.child_count)
                             for name in CHILD_FIELDS), *DETAIL_FIELDS])  # fmt: skip
        if self.child_count < MAX_CHILDREN:
            layout.append(Button.secondary("add_child", "Add another child"))
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            *layout,
            Fieldset(
                Field.textarea("concern", rows=8),
                Field.radios("immediate_risk", legend_size="s", inline=True),
                Field.textarea("adults", rows=4),
                Field.radios("consent", legend_size="s"),
                Field.textarea("consent_note", rows=3),
                Field.radios("family_told", legend_size="s", inline=True),
                legend="Your concern",
                legend_size="m",
            ),
            Fieldset(
                Field.text("referrer_role", field_width=20),
                Field.text("referrer_contact", field_width=30),
                legend="About you",
                legend_size="m",
            ),
            Button("submit", "Continue"),
        )

    def clean(self):
        cleaned = super().clean()
        children = []
        for n in range(self.child_count):
            values = {name: cleaned.get(child_field(n, name)) for name in CHILD_FIELDS}
            typed = any(self.data.get(child_field(n, name)) for name in CHILD_FIELDS if
                        name != "date_of_birth") or values["date_of_birth"]  # fmt: skip
            if not typed:
                continue  # an empty child is left out
            number = n + 1
            for name, what in (("first_name", "first name"), ("last_name", "last name")):
                if not (values[name] or "").strip() and child_field(n, name) not in self.errors:
                    self.add_error(child_field(n, name), f"Enter child {number}'s {what}")
            born = values["date_of_birth"]
            if born and born > timezone.localdate():
                self.add_error(
                    child_field(n, "date_of_birth"),
                    f"Child {number}'s date of birth must be today or in the past",
                )
            children.append(
                ReferredChild(
                    first_name=(values["first_name"] or "").strip(),
                    last_name=(values["last_name"] or "").strip(),
                    date_of_birth=born,
                    address=(values["address"] or "").strip(),
                    postcode=(values["postcode"] or "").strip().upper(),
                )
            )
        if not children and not any(
            child_field(n, "date_of_birth") in self.errors for n in range(self.child_count)
        ):
            self.add_error(child_field(0, "first_name"), "Enter the first name of a child")
        consent = cleaned.get("consent")
        if consent and consent != ConsentPosition.GIVEN and not cleaned.get("consent_note"):
            self.add_error("consent_note", "Say why consent was refused or not sought")
        cleaned["children"] = children
        return cleaned

    # Keeping what was typed between posts, and between the form and its check page.

    @classmethod
    def from_post(cls, data, *, children: int) -> PartnerReferralForm:
        """An unbound form showing what was posted (no errors yet), with `children` child
        sections (one more than was posted, for "Add another child")."""
        initial: dict = {name: data.get(name, "") for name in DETAIL_FIELDS}
        for n in range(children):
            for name in CHILD_FIELDS:
                if name == "date_of_birth":
                    initial[child_field(n, name)] = [
                        data.get(f"{child_field(n, name)}_{part}", "") for part in range(3)
                    ]
                else:
                    initial[child_field(n, name)] = data.get(child_field(n, name), "")
        return cls(initial=initial, children=children)

    @classmethod
    def from_kept(cls, kept: dict) -> PartnerReferralForm:
        """The form as the check page's "Change" link shows it: what is kept."""
        details = dict(kept["details"])
        initial = {
            **details,
            "immediate_risk": _as_yes_no(details.get("immediate_risk")),
            "family_told": _as_yes_no(details.get("family_told")),
        }
        for n, child in enumerate(kept["children"]):
            for name in CHILD_FIELDS:
                value = child.get(name, "")
                if name == "date_of_birth":
                    value = date.fromisoformat(value) if value else None
                initial[child_field(n, name)] = value
        return cls(initial=initial, children=len(kept["children"]))

    def to_keep(self) -> dict:
        """What the check page needs, as plain data for the encrypted draft store."""
        data = self.cleaned_data
        return {
            "children": [
                {
                    "first_name": c.first_name,
                    "last_name": c.last_name,
                    "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else "",
                    "address": c.address,
                    "postcode": c.postcode,
                }
                for c in data["children"]
            ],
            "details": {name: data[name] for name in DETAIL_FIELDS},
        }


def kept_children(kept: dict) -> list[ReferredChild]:
    """The children of a kept referral, as the service takes them."""
    return [
        ReferredChild(
            first_name=c["first_name"], last_name=c["last_name"],
            date_of_birth=date.fromisoformat(c["date_of_birth"]) if c["date_of_birth"] else None,
            address=c["address"], postcode=c["postcode"],
        )
        for c in kept["children"]
    ]  # fmt: skip
