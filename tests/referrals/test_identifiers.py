"""NHS number and UPN checks with DOMAIN.md's examples."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from referrals.identifiers import (
    format_nhs_number,
    nhs_number_check_digit,
    upn_check_letter,
    validate_nhs_number,
    validate_upn,
)


@pytest.mark.parametrize("number", ["943 476 5919", "9434765919", "943-476-5919", "9990000018"])
def test_valid_nhs_numbers(number):
    validate_nhs_number(number)


def test_the_check_digit_of_the_domain_example():
    assert nhs_number_check_digit("943476591") == 9


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("943 476 5918", "its last digit does not match"),
        ("94347659", "10 digits"),
        ("94347659AB", "10 digits"),
        ("", "10 digits"),
    ],
)
def test_invalid_nhs_numbers(number, message):
    with pytest.raises(ValidationError, match=message):
        validate_nhs_number(number)


def test_a_check_digit_of_ten_means_invalid():
    # The first nine digits whose check would be 10: no valid number starts with them.
    first_nine = next(f"{n:09d}" for n in range(1000) if nhs_number_check_digit(f"{n:09d}") is None)
    with pytest.raises(ValidationError):
        validate_nhs_number(first_nine + "0")


def test_nhs_numbers_are_shown_3_3_4():
    assert format_nhs_number("9434765919") == "943 476 5919"


def test_the_upn_check_letter_of_the_domain_example():
    assert upn_check_letter("A921200118031") == "A"
    validate_upn("A921200118031")
    validate_upn("a921200118031")


@pytest.mark.parametrize(
    ("upn", "message"),
    [
        ("B921200118031", "its first letter does not match"),
        ("A92120011803", "13 characters"),
        ("AX21200118031", "3-digit LA code"),
        ("A9212001X8031", "Characters 5 to 12"),
        ("A92120011803I", "last character of a UPN"),
    ],
)
def test_invalid_upns(upn, message):
    with pytest.raises(ValidationError, match=message):
        validate_upn(upn)


def test_a_temporary_upn_ending_in_a_letter_skips_the_check_letter():
    validate_upn("Z92120011803A")
