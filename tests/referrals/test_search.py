"""Search of the register (issue 20): children and adults by name (the matching keys, so a
misspelt surname is found), date of birth, address or postcode, NHS number, UPN or reference;
posted, never in the address or the audit trail; children first; a restricted record as
"Restricted record" and its reference only; one query for the results."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.audit import AuditEntry
from accounts.roles import Role
from referrals import selectors
from referrals.models import Allocation, Child, Person, Relationship, Team
from referrals.selectors import SearchTerms, search_register
from referrals.services import restrictions
from tests.conftest import sign_in
from tests.pages import page_text
from tests.referrals.factories import proposed

pytestmark = pytest.mark.django_db

BORN = date(2016, 3, 27)
NHS = "9434765919"


@pytest.fixture
def register(make_user):
    """Lily Penhallow (an open contact, allocated), her mother, a namesake born elsewhen, and a
    restricted child of the same surname."""
    worker = make_user(Role.PRACTITIONER, first_name="Wendy", last_name="Worker")
    manager = make_user(Role.MANAGER)
    contact_child = proposed(by=worker)
    lily = contact_child.child
    lily.first_name, lily.last_name, lily.date_of_birth = "Lily", "Penhallow", BORN
    lily.nhs_number, lily.upn, lily.address, lily.postcode = (
        NHS, "A123456789012", "3 Harbour Row, Porthmoor", "TR1 2AB",
    )  # fmt: skip
    lily.save()
    team = Team.objects.create(name="Front door team", manager=manager)
    Allocation.objects.create(child=lily, worker=worker, team=team)
    mother = Person.objects.create(
        first_name="Morwenna", last_name="Penhallow", date_of_birth=date(1990, 1, 2),
        postcode="TR1 2AB",
    )  # fmt: skip
    Relationship.objects.create(child=lily, person=mother, kind=Relationship.Kind.MOTHER)
    namesake = Child.objects.create(first_name="Tom", last_name="Penhallow")
    hidden = Child.objects.create(
        first_name="Secretname", last_name="Penhallow", date_of_birth=BORN, postcode="TR1 2AB"
    )
    restrictions.child_restrict(by=manager, child=hidden, reason="Staff child", allowed=[manager])
    return {"worker": worker, "manager": manager, "lily": lily, "mother": mother,
            "namesake": namesake, "hidden": hidden}  # fmt: skip


def names(rows):
    return [f"{row.first_name} {row.last_name}" if not row.restricted else row.reference
            for row in rows]  # fmt: skip


def test_a_misspelt_surname_finds_children_first_then_adults(register):
    found = search_register(user=register["worker"], terms=SearchTerms(name="Penhalow"))
    assert {row.pk for row in found.children} == {
        register["lily"].pk, register["namesake"].pk, register["hidden"].pk,
    }  # fmt: skip
    assert [row.pk for row in found.adults] == [register["mother"].pk]
    lily = next(row for row in found.children if row.pk == register["lily"].pk)
    assert lily.date_of_birth == BORN and lily.postcode == "TR1 2AB"
    assert lily.open_work == ["a contact being decided"] and lily.worker == "Wendy Worker"
    assert found.adults[0].linked_children == 1


def test_first_name_and_surname_put_the_spelling_typed_first(register):
    found = search_register(user=register["worker"], terms=SearchTerms(name="Lilly Penhalow"))
    assert [row.pk for row in found.children] == [register["lily"].pk]
    exact = search_register(user=register["worker"], terms=SearchTerms(name="tom PENHALLOW"))
    assert [row.pk for row in exact.children] == [register["namesake"].pk]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Ozan Penhalow", ["Ozzy Penhallow"]),  # "oz": up to "p", never "pa"
        ("Zz Penhalow", ["Zzaria Penhallow"]),  # "zz": to the end of the alphabet
        ("Ni Penhalow", ["Nia Penhallow"]),  # never "No", just after "Ni"
        ("No Penhalow", ["Noah Penhallow"]),
    ],
)
def test_a_first_name_that_begins_alike_is_found_within_its_letters_only(register, typed, found):
    for first in ("Ozzy", "Pa", "Zzaria", "Nia", "Noah", "Nz"):
        Child.objects.create(first_name=first, last_name="Penhallow")
    result = search_register(user=register["worker"], terms=SearchTerms(name=typed))
    assert names(result.children) == found


@pytest.mark.parametrize(
    "terms",
    [
        SearchTerms(nhs_number="943 476 5919"),
        SearchTerms(upn="a123456789012"),
        SearchTerms(address="harbour row"),
        SearchTerms(name="Penhallow", address="tr12ab", date_of_birth=BORN),
        SearchTerms(reference="fd{lily:06d}"),
    ],
)
def test_each_identifier_finds_the_child(register, terms):
    if terms.reference:
        terms = SearchTerms(reference=terms.reference.format(lily=register["lily"].pk))
    found = search_register(user=register["manager"], terms=terms)
    assert register["lily"].pk in [row.pk for row in found.children]
    assert register["namesake"].pk not in [row.pk for row in found.children]


def test_an_adult_is_found_by_postcode_and_reference(register):
    mother = register["mother"]
    by_postcode = search_register(user=register["worker"], terms=SearchTerms(address="TR1 2AB"))
    assert [row.pk for row in by_postcode.adults] == [mother.pk]
    by_reference = search_register(
        user=register["worker"], terms=SearchTerms(reference=f"P-{mother.pk:06d}")
    )
    assert [row.pk for row in by_reference.adults] == [mother.pk] and not by_reference.children


def test_a_restricted_child_is_its_reference_only_unless_open_to_the_user(register):
    hidden = register["hidden"]
    terms = SearchTerms(name="Penhallow", date_of_birth=BORN)
    row = next(r for r in search_register(user=register["worker"], terms=terms).children
               if r.pk == hidden.pk)  # fmt: skip
    assert row.restricted and row.reference == hidden.census_id
    assert (row.first_name, row.date_of_birth, row.postcode) == ("", None, "")
    named = next(r for r in search_register(user=register["manager"], terms=terms).children
                 if r.pk == hidden.pk)  # fmt: skip
    assert not named.restricted and named.first_name == "Secretname"


def test_an_adult_related_to_a_restricted_child_is_their_reference_only(client, register):
    """The parent of a restricted child is part of the child's identity: their name, birth
    and address stay behind the break glass, in the results and on the page they lead to."""
    parent = Person.objects.create(
        first_name="Tressa", last_name="Penhallow", date_of_birth=date(1985, 5, 5),
        postcode="TR9 9ZZ",
    )  # fmt: skip
    Relationship.objects.create(
        child=register["hidden"], person=parent, kind=Relationship.Kind.MOTHER
    )
    terms = SearchTerms(name="Penhallow")
    rows = {r.pk: r for r in search_register(user=register["worker"], terms=terms).adults}
    assert rows[parent.pk].restricted and rows[parent.pk].first_name == ""
    assert rows[parent.pk].reference == parent.reference and rows[parent.pk].postcode == ""
    assert not rows[register["mother"].pk].restricted
    named = {r.pk: r for r in search_register(user=register["manager"], terms=terms).adults}
    assert not named[parent.pk].restricted and named[parent.pk].first_name == "Tressa"
    sign_in(client, register["worker"])
    page = client.post(reverse("referrals:search"), {"name": "Penhallow"}).content.decode()
    assert "Tressa" not in page and "TR9 9ZZ" not in page and parent.reference in page
    assert "Morwenna Penhallow" in page


def test_more_than_the_limit_says_so(register):
    found = search_register(user=register["worker"], terms=SearchTerms(name="Penhallow"), limit=2)
    assert found.more and found.count == 2 and not found.adults


def test_the_page_searches_by_post_and_audits_the_ids_never_the_terms(client, register):
    sign_in(client, register["worker"])
    url = reverse("referrals:search")
    assert "Search" in page_text(client.get(reverse("workspace:home")))
    before = AuditEntry.objects.count()
    response = client.post(url, {"name": "Penhalow", "date_of_birth_0": "27",
                                 "date_of_birth_1": "3", "date_of_birth_2": "2016"})  # fmt: skip
    assert response.status_code == 200
    text = page_text(response)
    assert "Lily Penhallow" in text and "Restricted record" in text
    assert "Secretname" not in text
    entry = AuditEntry.objects.filter(object_repr="Search of the register").get()
    assert set(entry.additional_data["ids"]) == {
        str(register["lily"].pk),
        str(register["hidden"].pk),
    }
    assert entry.additional_data["fields"] == ["name", "date_of_birth"]
    everything = " ".join(
        str(values)
        for values in AuditEntry.objects.order_by("pk")[before:].values_list(
            "object_repr", "additional_data", "changes"
        )
    )
    assert "Penhalow" not in everything and "2016" not in everything
    both = page_text(client.post(url, {"name": "penhalow"}))
    assert both.index("Children") < both.index("Lily Penhallow") < both.index("Adults")
    assert both.index("Adults") < both.index("Morwenna Penhallow")


def test_nothing_asked_shows_an_error_and_searches_nothing(client, register):
    sign_in(client, register["worker"])
    response = client.post(reverse("referrals:search"), {"name": "  "})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "Enter a name, date of birth" in page_text(response)
    assert not AuditEntry.objects.filter(object_repr="Search of the register").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"date_of_birth_0": "31", "date_of_birth_1": "2", "date_of_birth_2": "2016"},
        {"nhs_number": "12345"},
        {"name": "<script>"},
        {"name": "x" * 500},
    ],
)
def test_bad_input_is_an_error_summary_never_a_server_error(client, register, data):
    sign_in(client, register["worker"])
    response = client.post(reverse("referrals:search"), data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PRACTITIONER, 200), (Role.MANAGER, 200), (Role.CONFERENCE_CHAIR, 200),
        (Role.AUDITOR, 200), (Role.PARTNER_PRACTITIONER, 404),
        (Role.SYSTEM_ADMINISTRATOR, 403),
    ],
)  # fmt: skip
def test_who_may_search(client, make_user, role, status):
    sign_in(client, make_user(role))
    assert client.get(reverse("referrals:search")).status_code == status
    assert client.post(reverse("referrals:search"), {"name": "Smith"}).status_code == status
    home = page_text(client.get(reverse("workspace:home")))
    assert ("Search" in home.split()) == (status == 200)


@pytest.mark.parametrize("records", [1, 30])
def test_search_query_count_does_not_grow(
    client, make_user, records, django_assert_max_num_queries
):
    worker = make_user(Role.PRACTITIONER)
    team = Team.objects.create(name="Team", manager=worker)
    for n in range(records):
        child = Child.objects.create(first_name=f"Kid{n}", last_name="Trevail", postcode="TR1 2AB")
        Allocation.objects.create(child=child, worker=worker, team=team)
        mother = Person.objects.create(first_name=f"Mum{n}", last_name="Trevail")
        Relationship.objects.create(child=child, person=mother, kind=Relationship.Kind.MOTHER)
    sign_in(client, worker)
    # The session, the user, the device (sign-in); the results (one query: children and adults
    # with what confirms identity); the audit entry (its sequence, the previous hash and the
    # insert); the navigation's rights; the kept draft or unrecorded contact.
    with django_assert_max_num_queries(14):
        response = client.post(reverse("referrals:search"), {"name": "Trevaile"})
    assert response.status_code == 200
    assert page_text(response).count("Trevail") == 2 * min(records, selectors.SEARCH_LIMIT // 2)


def test_the_results_are_one_query(register, django_assert_num_queries):
    with django_assert_num_queries(1):
        search_register(user=register["worker"], terms=SearchTerms(name="Penhallow"))


def test_a_household_address_finds_its_members_and_confirms_their_identity(register):
    from referrals.services import household_add

    lily = register["lily"]
    namesake = register["namesake"]
    household_add(
        by=register["worker"], child=namesake, address="9 Chapel Street, Porthmoor",
        postcode="TR2 5XY", people=[register["mother"]],
    )  # fmt: skip
    found = search_register(user=register["worker"], terms=SearchTerms(address="tr25xy"))
    assert [row.pk for row in found.children] == [namesake.pk]
    assert found.children[0].address == "9 Chapel Street, Porthmoor"
    assert [row.pk for row in found.adults] == [register["mother"].pk]
    by_street = search_register(user=register["worker"], terms=SearchTerms(address="chapel st"))
    assert [row.pk for row in by_street.children] == [namesake.pk]
    assert lily.pk not in [row.pk for row in by_street.children]


def test_the_spelling_typed_comes_first_however_many_sound_alike(register):
    for n in range(5):
        Child.objects.create(first_name=f"Ann{n}", last_name="Penhallow")
    smyth = Child.objects.create(first_name="Zed", last_name="Penhalow")
    found = search_register(user=register["worker"], terms=SearchTerms(name="Penhalow"), limit=3)
    assert found.children[0].pk == smyth.pk and found.more
