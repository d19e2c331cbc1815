"""Field rules that fit people's real names and places (issue 16).

- Every free-text field has a maximum length, stated on the page as hint text: generous for
  notes and other long text (`LONG_TEXT_MAX`), enough for one line elsewhere (`LINE_MAX`)
  unless the field sets its own; no `maxlength` attribute, which would cut pasted text off
  silently: a longer text gets a GOV.UK error and is kept on the page.
- In names and addresses only < > { } \\ and the backtick, and control characters, are
  refused: apostrophes, hyphens, accents and every alphabet stay valid (`name_characters`).
- No free text may hold control characters (new lines and tabs aside in long text) or the
  replacement character U+FFFD, which is what bytes that were not valid UTF-8 become when the
  request is read: such text is refused with a message, never stored as U+FFFD silently.
- UK postcodes are checked and written the one standard way (`PostcodeField`).

Forms get the rules by deriving from `RuledForm`; the validators and `PostcodeField` can be used
on their own, on a form field or a model field.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.forms import DeclarativeFieldsMetaclass
from django.utils.deconstruct import deconstructible

LINE_MAX = 300
LONG_TEXT_MAX = 20_000

MARKUP_CHARACTERS = frozenset("<>{}\\`")
REPLACEMENT_CHARACTER = "\ufffd"
_NAME_FIELD = re.compile(r"(^|_)(first_name|last_name|name|full_name|names|address)$")
_POSTCODE_FIELD = re.compile(r"(^|_)postcode$")


def _is_control(character: str, *, allow_new_lines: bool) -> bool:
    if allow_new_lines and character in "\r\n\t":
        return False
    return unicodedata.category(character) in ("Cc", "Cf") and character not in "\u200d\u200c"


@deconstructible
class ReadableText:
    """Refuses control characters and the replacement character U+FFFD (bytes that were not
    valid UTF-8); `allow_new_lines` for long text."""

    def __init__(self, *, allow_new_lines: bool = False, what: str = "The text") -> None:
        self.allow_new_lines = allow_new_lines
        self.what = what

    def __call__(self, value: str) -> None:
        if REPLACEMENT_CHARACTER in value:
            raise ValidationError(
                f"{self.what} has characters that could not be read. Type it again",
                code="unreadable",
            )
        if any(_is_control(c, allow_new_lines=self.allow_new_lines) for c in value):
            raise ValidationError(
                f"{self.what} must not contain control characters", code="control_characters"
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReadableText) and (
            (self.allow_new_lines, self.what) == (other.allow_new_lines, other.what)
        )


@deconstructible
class NameCharacters:
    """Names and addresses: refuses only < > { } \\ ` and control characters."""

    def __init__(self, *, what: str = "The name") -> None:
        self.what = what

    def __call__(self, value: str) -> None:
        ReadableText(what=self.what)(value)
        found = sorted({c for c in value if c in MARKUP_CHARACTERS})
        if found:
            raise ValidationError(
                f"{self.what} must not include {' or '.join(found)}", code="markup_characters"
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NameCharacters) and self.what == other.what


def name_characters(value: str) -> None:
    NameCharacters()(value)


# UK postcodes ---------------------------------------------------------------------------------

# The outward code (area: no Q, V or X first, no I, J or Z second; district; optional
# sub-district) and the inward code (sector, unit: no C, I, K, M, O or V), as the Royal Mail
# writes them; GIR 0AA is the one historic exception still in use.
_POSTCODE = re.compile(
    r"^(?:(?P<out>[A-PR-UWYZ][A-HK-Y]?[0-9][A-Z0-9]?) ?(?P<in>[0-9][ABD-HJLNP-UW-Z]{2})|GIR ?0AA)$"
)


def normalise_postcode(value: str) -> str:
    """Upper case, one space before the last three characters: "sw1a1aa" -> "SW1A 1AA"."""
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def is_uk_postcode(value: str) -> bool:
    return bool(_POSTCODE.match(normalise_postcode(value)))


class PostcodeField(forms.CharField):
    """A UK postcode, checked and normalised ("sw1a1aa" becomes "SW1A 1AA"), with GOV.UK's
    error messages."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Postcode")
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("help_text", "For example, SW1A 1AA")
        super().__init__(**kwargs)
        self.error_messages.setdefault("required", "Enter a postcode")
        self.error_messages.setdefault("invalid", "Enter a real postcode")
        self.error_messages["max_length"] = self.error_messages["invalid"]
        self.widget.attrs.pop("maxlength", None)
        self.widget.attrs.update({"autocomplete": "postal-code", "spellcheck": "false"})

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return ""
        ReadableText(what="The postcode")(text)
        if not is_uk_postcode(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return normalise_postcode(text)


# The rules on every form ----------------------------------------------------------------------


def _what(field: forms.Field, name: str) -> str:
    """How messages name the field (GOV.UK: "[whatever it is] must be ..."): its label."""
    label = str(field.label or name.replace("_", " ").capitalize()).strip().rstrip("?:")
    return label[:1].upper() + label[1:]


def _apply(form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        if not isinstance(field, forms.CharField) or isinstance(field, PostcodeField):
            continue
        if isinstance(field.widget, forms.HiddenInput | forms.PasswordInput):
            continue
        long_text = isinstance(field.widget, forms.Textarea)
        what = _what(field, name)
        if field.max_length is None:
            field.max_length = LONG_TEXT_MAX if long_text else LINE_MAX
            field.validators.append(MaxLengthValidator(field.max_length))
        field.widget.attrs.pop("maxlength", None)  # never cut typed text off silently
        field.error_messages.setdefault(
            "max_length", f"{what} must be {field.max_length:,} characters or fewer"
        )
        limit = f"You can enter up to {field.max_length:,} characters"
        hint = str(field.help_text or "").strip()
        if limit not in hint:
            field.help_text = f"{hint.rstrip('.')}. {limit}" if hint else limit
        if _NAME_FIELD.search(name):
            field.validators.append(NameCharacters(what=what))
        else:
            field.validators.append(ReadableText(allow_new_lines=long_text, what=what))


class RuledFormMetaclass(DeclarativeFieldsMetaclass):
    """Applies the field rules once the form's own __init__ has made all its fields."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        form = super().__call__(*args, **kwargs)
        _apply(form)
        return form


class RuledForm(forms.Form, metaclass=RuledFormMetaclass):
    """A form whose free-text fields follow the field rules (this module's docstring)."""
