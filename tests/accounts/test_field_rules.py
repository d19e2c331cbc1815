"""Field rules that fit people's real names and places (accounts/field_rules.py, issue 16)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.core.exceptions import ValidationError

from accounts.field_rules import (
    LINE_MAX,
    LONG_TEXT_MAX,
    NameCharacters,
    PostcodeField,
    RuledForm,
    is_uk_postcode,
    name_characters,
    normalise_postcode,
)

REAL_NAMES = [
    "O'Brien", "Anne-Marie", "Zoë", "Nguyễn Văn An", "Siobhán", "Mary-Kate O\u2019Neill", "李小龍",
    "Ngā Tāngata", "Jean-Luc d'Artagnan", "Ørjan Åsheim", "José María", "Dr. J. Smith Jr.",
    "Flat 2/3, 10 St. Mary's Road (rear)", "Apartment #4, Bl. 7; 1 Queen\u2019s Walk", "محمد",
]  # fmt: skip
REFUSED = ["<b>", "a>b", "{{x}}", "back\\slash", "back`tick", "nul\x00", "bell\x07",
           "line\nbreak", "rtl\u202eoverride", "bad \ufffd bytes"]  # fmt: skip


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_names_and_places_are_valid(name):
    name_characters(name)


@pytest.mark.parametrize("text", REFUSED)
def test_markup_and_control_characters_are_refused_in_names(text):
    with pytest.raises(ValidationError):
        name_characters(text)


def test_the_message_names_the_field_and_the_characters():
    with pytest.raises(ValidationError) as refused:
        NameCharacters(what="Last name")("<O'Brien>")
    assert refused.value.messages == ["Last name must not include < or >"]
    with pytest.raises(ValidationError) as refused:
        NameCharacters(what="Last name")("O\ufffdBrien")
    assert refused.value.messages == [
        "Last name has characters that could not be read. Type it again"
    ]


@pytest.mark.parametrize(
    ("typed", "normal"),
    [("sw1a1aa", "SW1A 1AA"), ("SW1A 1AA", "SW1A 1AA"), (" ec1a  1bb ", "EC1A 1BB"),
     ("w1a0ax", "W1A 0AX"), ("M1 1AE", "M1 1AE"), ("b338th", "B33 8TH"), ("cr26xh", "CR2 6XH"),
     ("dn551pt", "DN55 1PT"), ("GIR 0AA", "GIR 0AA"), ("bt1 1aa", "BT1 1AA")],
)  # fmt: skip
def test_uk_postcodes_are_checked_and_normalised(typed, normal):
    assert is_uk_postcode(typed)
    assert normalise_postcode(typed) == normal
    assert PostcodeField(required=False).clean(typed) == normal


@pytest.mark.parametrize(
    "typed",
    ["SW1A", "SW1A 1A", "12345", "SW1A 1AAA", "Q1 1AA", "SW1A 1CA", "<b>", "N1 1AA;", "N1\x001AA"],
)
def test_anything_else_is_not_a_postcode(typed):
    with pytest.raises(ValidationError) as refused:
        PostcodeField(required=False).clean(typed)
    assert refused.value.messages in (
        ["Enter a real postcode"],
        ["The postcode must not contain control characters"],
    )


class SampleForm(RuledForm):
    first_name = forms.CharField(label="First name")
    address = forms.CharField(label="Address", max_length=120, help_text="Where they live.")
    summary = forms.CharField(label="Summary", widget=forms.Textarea)
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A field made after the base form's __init__ gets the rules too.
        self.fields["extra_last_name"] = forms.CharField(label="Last name", required=False)


def test_every_free_text_field_gets_a_stated_maximum():
    form = SampleForm()
    assert form.fields["first_name"].max_length == LINE_MAX
    assert form.fields["summary"].max_length == LONG_TEXT_MAX
    assert form.fields["address"].max_length == 120  # its own limit is kept
    assert form.fields["first_name"].help_text == f"You can enter up to {LINE_MAX} characters"
    assert form.fields["address"].help_text == "Where they live. You can enter up to 120 characters"
    assert form.fields["summary"].help_text == "You can enter up to 20,000 characters"
    assert form.fields["extra_last_name"].max_length == LINE_MAX
    assert "maxlength" not in str(form["address"])  # refused with a message, never cut off
    assert form.fields["version"].help_text == ""


def test_the_rules_refuse_with_gov_uk_messages_and_keep_what_was_typed():
    data = {
        "first_name": "Zoë <script>", "address": "1 High Street" * 20,
        "summary": "Line one\r\nLine two\x1b", "extra_last_name": "O'Brien-Nguyễn",
    }  # fmt: skip
    form = SampleForm(data)
    assert not form.is_valid()
    assert form.errors == {
        "first_name": ["First name must not include < or >"],
        "address": ["Address must be 120 characters or fewer"],
        "summary": ["Summary must not contain control characters"],
    }
    assert form["first_name"].value() == "Zoë <script>"
    ok = SampleForm({"first_name": "Zoë", "address": "1 High St", "summary": "a\r\n\tb"})
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data["summary"] == "a\r\n\tb"


def test_long_text_over_its_limit_is_refused():
    form = SampleForm({"first_name": "A", "address": "B", "summary": "x" * (LONG_TEXT_MAX + 1)})
    assert form.errors["summary"] == ["Summary must be 20,000 characters or fewer"]


# Every product form follows the rules ---------------------------------------------------------

FORM_PACKAGES = ["accounts", "notes", "referrals.forms", "strategy.forms", "workspace"]
# Forms left out on purpose, each with its reason.
LEFT_OUT = {
    # The second factor's code is checked as a code; a hint about its length would mislead.
    "accounts.forms.SecurityCodeForm",
}


def product_forms():
    found = {}
    for package_name in FORM_PACKAGES:
        package = importlib.import_module(package_name)
        names = [package_name]
        if hasattr(package, "__path__"):
            names += [f"{package_name}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
        for module_name in names:
            if "migrations" in module_name or "management" in module_name:
                continue
            if not any(part in module_name for part in ("forms", "views")):
                continue
            module = importlib.import_module(module_name)
            for name, value in inspect.getmembers(module, inspect.isclass):
                if value.__module__ == module_name and issubclass(value, forms.BaseForm):
                    found[f"{module_name}.{name}"] = value
    return found


def test_every_product_form_with_free_text_follows_the_field_rules():
    found = product_forms()
    assert "notes.forms.NoteForm" in found and "referrals.forms.children.HouseholdForm" in found
    django_auth_forms = {
        name for name, form in found.items() if form.__module__ == "accounts.password_reset"
    }
    offenders = [
        name
        for name, form in found.items()
        if not issubclass(form, RuledForm)
        and any(isinstance(field, forms.CharField) for field in form.base_fields.values())
        and name not in LEFT_OUT
        and not name.startswith("accounts.forms.SignInForm")
        and name not in django_auth_forms
    ]
    assert offenders == []
