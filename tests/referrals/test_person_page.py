"""An adult's page (reached from the search and the child's page): who they are, the children
they are related to, the households they live in and the contacts that named them; a restricted
child as its reference only; read by every case-record role, audited, in a fixed number of
queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from referrals import selectors, services
from referrals.models import Child, Person, Relationship
from referrals.services import restrictions
from tests.conftest import sign_in
from tests.pages import page_text
from tests.referrals.factories import proposed

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(make_user):
    """Morwenna Penhallow: mother and carer of Lily (a contact names her); she lives with
    Lily, Jory Penhallow and a restricted child whose mother is Jory's sister Demelza."""
    worker = make_user(Role.PRACTITIONER)
    manager = make_user(Role.MANAGER)
    contact_child = proposed(by=worker)
    lily = contact_child.child
    lily.first_name, lily.last_name, lily.date_of_birth = "Lily", "Penhallow", date(2016, 3, 27)
    lily.save()
    mother = Person.objects.create(
        first_name="Morwenna", last_name="Penhallow", date_of_birth=date(1990, 1, 2),
        address="3 Harbour Row", postcode="TR1 2AB",
    )  # fmt: skip
    father = Person.objects.create(first_name="Jory", last_name="Penhallow")
    hidden = Child.objects.create(first_name="Secretname", last_name="Penhallow")
    Relationship.objects.create(
        child=lily, person=mother, kind=Relationship.Kind.MOTHER, has_parental_responsibility=True
    )
    Relationship.objects.create(child=lily, person=mother, kind=Relationship.Kind.CARER)
    aunt = Person.objects.create(first_name="Demelza", last_name="Penhallow")
    Relationship.objects.create(child=hidden, person=aunt, kind=Relationship.Kind.MOTHER)
    services.household_add(
        by=worker, child=lily, address="3 Harbour Row", postcode="TR1 2AB",
        people=[mother, father], children=[hidden],
    )  # fmt: skip
    contact_child.contact.adults.add(mother)
    restrictions.child_restrict(by=manager, child=hidden, reason="Staff child", allowed=[manager])
    return {"worker": worker, "manager": manager, "lily": lily, "mother": mother,
            "father": father, "aunt": aunt, "hidden": hidden,
            "contact": contact_child.contact}  # fmt: skip


def url(person: Person) -> str:
    return reverse("referrals:person", args=[person.pk])


def test_the_page_shows_the_adults_children_households_and_contacts(client, family):
    sign_in(client, family["worker"])
    response = client.get(url(family["mother"]))
    assert response.status_code == 200
    text = page_text(response)
    assert "Morwenna Penhallow" in text and "2 January 1990" in text
    assert "3 Harbour Row, TR1 2AB" in text
    # Lily once, with both relationships and the parental responsibility either gave.
    assert "Lily Penhallow" in text and "Mother, carer" in text and "Yes" in text
    # The restricted child in the household: its reference only.
    assert "Secretname" not in response.content.decode()
    assert text.count("Restricted record") == 1 and family["hidden"].census_id in text
    # The other adult of the household leads to their own page.
    assert url(family["father"]) in response.content.decode()
    contact_page = reverse("referrals:contact", args=[family["contact"].pk])
    assert contact_page in response.content.decode()
    assert AuditEntry.objects.filter(
        event=Event.READ,
        content_type=ContentType.objects.get_for_model(Person),
        object_pk=str(family["mother"].pk),
    ).exists()


def test_a_restricted_child_open_to_the_user_is_named(client, family):
    sign_in(client, family["manager"])
    text = page_text(client.get(url(family["mother"])))
    assert "Secretname Penhallow" in text and "Restricted record" not in text
    text = page_text(client.get(url(family["aunt"])))
    assert "Secretname Penhallow" in text and "Mother" in text


def test_the_parent_of_a_restricted_child_asks_a_reason_first(client, family):
    """Her adults are part of a restricted child's identity: their page opens as hers does."""
    sign_in(client, family["worker"])
    hidden = family["hidden"]
    response = client.get(url(family["aunt"]))
    assert response.status_code == 302
    assert response["Location"].startswith(f"/children/{hidden.pk}/restricted/?next=")
    restrictions.break_glass(by=family["worker"], child=hidden, reason="Named in a referral")
    text = page_text(client.get(url(family["aunt"])))
    assert "Demelza Penhallow" in text and "Secretname Penhallow" in text


def test_an_adult_with_nothing_recorded_says_so(client, family):
    sign_in(client, family["worker"])
    stranger = Person.objects.create(first_name="Ann", last_name="Other")
    text = page_text(client.get(url(stranger)))
    assert "No relationship to a child is recorded" in text
    assert "No household recorded" in text and "No contact has named this adult" in text
    assert "Date of birthNot known" in text


def test_the_search_the_childs_page_and_the_contact_lead_to_the_adult(client, family):
    sign_in(client, family["worker"])
    found = client.post(reverse("referrals:search"), {"name": "Morwena Penhalow"})
    assert url(family["mother"]) in found.content.decode()
    child_page = client.get(reverse("referrals:child", args=[family["lily"].pk]))
    assert url(family["mother"]) in child_page.content.decode()
    assert url(family["father"]) in child_page.content.decode()
    contact_page = client.get(reverse("referrals:contact", args=[family["contact"].pk]))
    assert url(family["mother"]) in contact_page.content.decode()


def test_the_queries_do_not_grow_with_the_children_households_and_contacts(
    client, family, django_assert_max_num_queries
):
    sign_in(client, family["worker"])
    mother = family["mother"]
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(mother)).status_code == 200
    for n in range(4):
        child = Child.objects.create(first_name=f"Extra{n}", last_name="Penhallow")
        Relationship.objects.create(child=child, person=mother, kind=Relationship.Kind.MOTHER)
        services.household_add(
            by=family["worker"], child=child, address=f"{n} Quay Street", people=[mother]
        )
        proposed(by=family["worker"]).contact.adults.add(mother)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(mother))
    assert response.status_code == 200 and page_text(response).count("Extra3 Penhallow") == 2
    assert len(selectors.person_page(mother, user=family["worker"]).contacts) == 5


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PRACTITIONER, 200),
        (Role.MANAGER, 200),
        (Role.CONFERENCE_CHAIR, 200),
        (Role.AUDITOR, 200),
        (Role.PARTNER_PRACTITIONER, 404),
        (Role.PARTNER_SAFEGUARDING_LEAD, 404),
        (Role.SYSTEM_ADMINISTRATOR, 403),
    ],
)
def test_who_may_open_an_adults_page(client, make_user, family, role, status):
    sign_in(client, make_user(role))
    assert client.get(url(family["mother"])).status_code == status
    missing = client.get(reverse("referrals:person", args=[family["mother"].pk + 999]))
    assert missing.status_code == (403 if status == 403 else 404)


def test_signed_out_is_sent_to_sign_in(client, family):
    response = client.get(url(family["mother"]))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
