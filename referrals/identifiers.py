"""Identifiers of DOMAIN.md ("Identifiers"): the NHS number and the UPN, with their checks."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # no I, O, S


def normalise_nhs_number(value: str) -> str:
    """Digits only (spaces and hyphens as people type them are dropped)."""
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_check_digit(first_nine: str) -> int | None:
    """Digits 1-9 times 10 down to 2; 11 - (sum mod 11); 11 is 0 and 10 is invalid (None)."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def validate_nhs_number(value: str) -> None:
    number = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", number):
        raise ValidationError("Enter an NHS number of 10 digits, like 943 476 5919", code="format")
    if nhs_number_check_digit(number[:9]) != int(number[9]):
        raise ValidationError(
            "Enter a valid NHS number: check it, as its last digit does not match", code="check"
        )


def format_nhs_number(value: str) -> str:
    """Shown 3-3-4: 943 476 5919."""
    number = normalise_nhs_number(value)
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else value


def upn_check_letter(upn: str) -> str:
    """The check letter of a 13-character UPN, from characters 2-13 (DOMAIN.md)."""
    total = 0
    for position, character in enumerate(upn[1:13], start=2):
        value = UPN_LETTERS.index(character) if character.isalpha() else int(character)
        total += value * position
    return UPN_LETTERS[total % 23]


def validate_upn(value: str) -> None:
    """CIN census rules 1510 (check letter, permanent UPNs), 1530, 1540 and 1550."""
    upn = (value or "").strip().upper()
    if len(upn) != 13:
        raise ValidationError("Enter a UPN of 13 characters, like A921200118031", code="length")
    if not upn[1:4].isdigit():
        raise ValidationError("Characters 2 to 4 of a UPN are the 3-digit LA code", code="la")
    if not upn[4:12].isdigit():
        raise ValidationError("Characters 5 to 12 of a UPN are digits", code="digits")
    last = upn[12]
    if not (last.isdigit() or last in UPN_LETTERS):
        raise ValidationError(
            "The last character of a UPN is a digit or a letter other than I, O or S", code="last"
        )
    temporary = last.isalpha()
    if not temporary and upn[0] != upn_check_letter(upn):
        raise ValidationError(
            "Enter a valid UPN: check it, as its first letter does not match", code="check"
        )
