"""Children and adults: census rules, opaque references, search keys and matching."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry
from referrals.codes import Sex
from referrals.models import Child, Person, Relationship
from referrals.selectors import likely_matches

pytestmark = pytest.mark.django_db


def child(**fields) -> Child:
    values = {
        "first_name": "Zoë",
        "last_name": "O'Brien",
        "date_of_birth": date(2016, 3, 14),
        **fields,
    }
    return Child.objects.create(**values)


def test_str_is_an_opaque_reference_and_the_census_id_is_stable():
    record = child()
    assert str(record) == f"Child FD{record.pk:06d}"
    assert "Zo" not in str(record) and "Brien" not in str(record)
    assert record.census_id == f"FD{record.pk:06d}" and len(record.census_id) <= 20


def test_changes_are_audited_under_the_childs_census_id():
    record = child()
    record.first_name = "Zoe"
    record.save()
    assert AuditEntry.objects.filter(child_ref=record.census_id).count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"expected_date_of_birth": date(2027, 1, 1)}, "expected_date_of_birth", "not both"),
        ({"disabilities": ["NONE", "MOB"]}, "disabilities", "cannot be chosen with"),
        ({"disabilities": ["MOB", "MOB"]}, "disabilities", "given twice"),
        ({"disabilities": ["XYZ"]}, "disabilities", "Unknown disability codes"),
        ({"nhs_number": "943 476 5918"}, "nhs_number", "last digit does not match"),
        ({"upn": "B921200118031"}, "upn", "first letter does not match"),
        ({"date_of_birth": None, "expected_date_of_birth": date(2027, 1, 1), "sex": Sex.FEMALE},
         "sex", "unborn child"),
    ],
)  # fmt: skip
def test_census_rules_are_validated(fields, field, message):
    record = Child(first_name="A", last_name="B", date_of_birth=date(2016, 1, 1))
    for name, value in fields.items():
        setattr(record, name, value)
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    assert message in str(caught.value.message_dict[field])


def test_the_database_refuses_both_birth_dates():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        child(expected_date_of_birth=date(2027, 1, 1))


def test_nhs_numbers_are_stored_as_digits():
    assert child(nhs_number="943 476 5919").nhs_number == "9434765919"


@pytest.mark.parametrize(
    ("first", "last"),
    [("zoe", "obrien"), ("ZOË", "O'BRIEN"), ("Zoe", "O'Bryan"), ("Zoey", "OBrien")],
)
def test_matching_is_tolerant_of_case_accents_and_misspellings(first, last):
    known = child()
    matches = likely_matches(
        model=Child, first_name=first, last_name=last, date_of_birth=date(2016, 3, 14)
    )
    assert [match.record for match in matches] == [known]
    assert "Same date of birth" in matches[0].reasons


def test_the_same_nhs_number_matches_whatever_the_name():
    known = child(nhs_number="9434765919")
    matches = likely_matches(
        model=Child, first_name="Amy", last_name="Smith", nhs_number="943 476 5919"
    )
    assert matches[0].record == known and matches[0].score == 1.0


def test_a_changed_surname_still_matches_on_first_name_and_birth():
    known = child(last_name="Walker")
    matches = likely_matches(
        model=Child, first_name="Zoe", last_name="Obrien", date_of_birth=date(2016, 3, 14)
    )
    assert [m.record for m in matches] == [known]


def test_no_match_for_another_birth_date_or_another_child():
    child()
    assert (
        likely_matches(
            model=Child, first_name="Zoe", last_name="OBrien", date_of_birth=date(2017, 3, 14)
        )
        == []
    )
    assert (
        likely_matches(
            model=Child, first_name="Tom", last_name="Jones", date_of_birth=date(2016, 3, 14)
        )
        == []
    )


def test_adults_match_the_same_way_and_relationships_carry_the_child():
    mum = Person.objects.create(
        first_name="Mohammed", last_name="Smith", date_of_birth=date(1990, 5, 1)
    )
    record = child()
    Relationship.objects.create(child=record, person=mum, kind=Relationship.Kind.FATHER)
    matches = likely_matches(
        model=Person, first_name="Muhammad", last_name="Smyth", date_of_birth=date(1990, 5, 1)
    )
    assert [m.record for m in matches] == [mum]
    assert AuditEntry.objects.filter(
        child_ref=record.census_id, content_type__model="relationship"
    ).exists()


@pytest.mark.parametrize("others", [1, 40])
def test_matching_is_one_query_however_many_records(others, django_assert_num_queries):
    for n in range(others):
        child(first_name=f"Child{n}", date_of_birth=date(2010, 1, 1 + n % 28))
    child()
    with django_assert_num_queries(1):
        likely_matches(
            model=Child, first_name="Zoe", last_name="OBrien", date_of_birth=date(2016, 3, 14)
        )


@pytest.mark.parametrize(
    ("known", "typed"),
    [("Smith", "Smyth"), ("Catherine", "Kathryn"), ("Phillips", "Philips"), ("Walker", "Walkker")],
)
def test_surnames_that_sound_the_same_match(known, typed):
    record = child(first_name="Sam", last_name=known)
    matches = likely_matches(
        model=Child, first_name="Samuel", last_name=typed, date_of_birth=date(2016, 3, 14)
    )
    assert [m.record for m in matches] == [record]
