"""Households on the child's page (DESIGN.md "People around the child"): where the child
lives and with whom, the adults named by their relationship to the child; added from the
adults related to the child and the children who shared a contact with it; joining and
leaving audited."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from casework.errors import RuleBroken
from referrals import services
from referrals.models import Household, Person, Relationship
from tests.conftest import sign_in
from tests.referrals.factories import contact

pytestmark = pytest.mark.django_db

STATUS = {
    Role.PRACTITIONER: 302,
    Role.MANAGER: 302,
    Role.CONFERENCE_CHAIR: 403,
    Role.AUDITOR: 403,
    Role.PARTNER_PRACTITIONER: 404,
    Role.PARTNER_SAFEGUARDING_LEAD: 404,
    Role.SYSTEM_ADMINISTRATOR: 403,
}


@pytest.fixture
def worker(make_user):
    return make_user(Role.PRACTITIONER)


@pytest.fixture
def family(worker):
    """Two children named in one contact; their mother, related to both; the older one's
    father; and an adult known to the service but not related to them."""
    record = contact(by=worker, children=2)
    older, younger = [cc.child for cc in record.children.order_by("pk")]
    mum = Person.objects.create(first_name="Mary", last_name="Jones")
    dad = Person.objects.create(first_name="Dan", last_name="Smith")
    stranger = Person.objects.create(first_name="Sid", last_name="Stranger")
    for child, person, kind in (
        (older, mum, Relationship.Kind.MOTHER),
        (older, mum, Relationship.Kind.CARER),
        (older, dad, Relationship.Kind.FATHER),
        (younger, mum, Relationship.Kind.MOTHER),
    ):
        Relationship.objects.create(child=child, person=person, kind=kind)
    return {"older": older, "younger": younger, "mum": mum, "dad": dad, "stranger": stranger}


def child_url(child) -> str:
    return reverse("referrals:child", args=[child.pk])


def body(response) -> str:
    return response.content.decode()


# The services -------------------------------------------------------------------------------


def test_the_child_is_always_in_its_household(worker, family):
    older, younger = family["older"], family["younger"]
    household = services.household_add(
        by=worker, child=older, address=" 1  High Street ", postcode="po30 1ab",
        people=[family["mum"]], children=[],
    )  # fmt: skip
    assert list(household.children.all()) == [older]
    assert household.address == "1 High Street" and household.postcode == "PO30 1AB"
    again = services.household_add(
        by=worker, child=older, address="2 Low Road", people=[], children=[older, younger]
    )
    assert set(again.children.all()) == {older, younger}
    assert set(older.households.all()) == {household, again}


@pytest.mark.parametrize("address", ["", "   "])
def test_a_household_needs_an_address(worker, family, address):
    with pytest.raises(RuleBroken, match="address"):
        services.household_add(by=worker, child=family["older"], address=address)
    assert not Household.objects.exists()


@pytest.mark.parametrize("role", [Role.CONFERENCE_CHAIR, Role.AUDITOR])
def test_only_those_who_record_contacts_add_or_change_households(make_user, worker, family, role):
    household = services.household_add(
        by=worker, child=family["older"], address="1 High Street", people=[family["mum"]]
    )
    reader = make_user(role)
    with pytest.raises(PermissionDenied):
        services.household_add(by=reader, child=family["older"], address="2 Low Road")
    with pytest.raises(PermissionDenied):
        services.household_leave(by=reader, household=household, person=family["mum"])
    assert Household.objects.count() == 1 and household.people.count() == 1


def test_a_child_or_an_adult_leaves(worker, family):
    older, younger, mum = family["older"], family["younger"], family["mum"]
    household = services.household_add(
        by=worker, child=older, address="1 High Street", people=[mum], children=[younger]
    )
    services.household_leave(by=worker, household=household, person=mum)
    services.household_leave(by=worker, household=household, child=younger)
    assert list(household.children.all()) == [older] and not household.people.exists()


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ({}, "Choose one child or one adult"),
        ({"child": "older", "person": "mum"}, "Choose one child or one adult"),
        ({"child": "younger"}, "That child is not in this household"),
        ({"person": "dad"}, "That adult is not in this household"),
    ],
)
def test_leaving_names_one_member(worker, family, who, message):
    household = services.household_add(
        by=worker, child=family["older"], address="1 High Street", people=[family["mum"]]
    )
    with pytest.raises(RuleBroken, match=message):
        services.household_leave(
            by=worker, household=household, **{k: family[v] for k, v in who.items()}
        )
    assert household.children.count() == 1 and household.people.count() == 1


def test_joining_and_leaving_are_audited_against_the_child(worker, family):
    older, younger, mum = family["older"], family["younger"], family["mum"]
    household = services.household_add(
        by=worker, child=younger, address="1 High Street", people=[mum], children=[older]
    )
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Household), object_pk=str(household.pk)
    )
    created = entries.get(event=Event.CREATE)
    assert created.child_ref == younger.census_id and "High Street" in str(created.changes)
    joined = [e.changes for e in entries.filter(event=Event.UPDATE)]
    assert {"children", "people"} == {name for changes in joined for name in changes}
    assert all(e.child_ref for e in entries.filter(event=Event.UPDATE))
    services.household_leave(by=worker, household=household, child=older)
    left = entries.filter(event=Event.UPDATE).order_by("-sequence").first()
    assert left.changes["children"]["operation"] == "delete"
    assert left.changes["children"]["objects"] == [str(older)]
    assert left.child_ref == older.census_id


# The child's page -------------------------------------------------------------------------


def test_the_page_shows_each_household_with_its_members(client, worker, family):
    older, younger = family["older"], family["younger"]
    services.household_add(
        by=worker, child=older, address="1 High Street", postcode="PO30 1AB",
        people=[family["mum"], family["stranger"]], children=[younger],
    )  # fmt: skip
    services.household_add(by=worker, child=older, address="2 Low Road", people=[family["dad"]])
    sign_in(client, worker)
    page = body(client.get(child_url(older)))
    households = page[page.index(">Households<") : page.index("Add a household")]
    assert "1 High Street, PO30 1AB" in households and "2 Low Road" in households
    assert f'href="{child_url(younger)}"' in households  # the other child's page
    assert "Mother, carer" in households and "Father" in households
    assert "Sid Stranger" in households and "no relationship to this child" in households
    # On the younger child's page the same household names her own relationships.
    page = body(client.get(child_url(younger)))
    households = page[page.index(">Households<") : page.index("Add a household")]
    assert "1 High Street" in households and "2 Low Road" not in households
    assert "Mother<" in households and "carer" not in households
    assert f'href="{child_url(older)}"' in households


def test_the_form_offers_the_related_adults_and_the_children_of_shared_contacts(
    client, worker, family
):
    sign_in(client, worker)
    form = client.get(child_url(family["older"])).context["household_form"]
    assert [label for _, label in form.fields["people"].choices] == [
        "Mary Jones, mother, carer",
        "Dan Smith, father",
    ]
    younger = family["younger"]
    assert [value for value, _ in form.fields["children"].choices] == [str(younger.pk)]


def test_with_nobody_to_choose_the_form_asks_for_the_address_only(client, worker):
    alone = contact(by=worker).children.get().child
    sign_in(client, worker)
    form = client.get(child_url(alone)).context["household_form"]
    assert set(form.fields) == {"address", "postcode"}


@pytest.mark.parametrize(("role", "status"), list(STATUS.items()))
def test_adding_a_household_for_every_role(client, make_user, family, role, status):
    older = family["older"]
    sign_in(client, make_user(role))
    response = client.post(
        reverse("referrals:household-add", args=[older.pk]),
        {"address": "1 High Street", "people": [family["mum"].pk],
         "children": [family["younger"].pk]},
    )  # fmt: skip
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == child_url(older)
        household = Household.objects.get()
        assert set(household.children.all()) == {older, family["younger"]}
        assert list(household.people.all()) == [family["mum"]]
    else:
        assert not Household.objects.exists()
        assert "Sib0" not in body(response)
        assert AuditEntry.objects.filter(event=Event.REFUSED).exists()


@pytest.mark.parametrize(
    ("role", "offered"),
    [(Role.PRACTITIONER, True), (Role.MANAGER, True), (Role.CONFERENCE_CHAIR, False),
     (Role.AUDITOR, False)],
)  # fmt: skip
def test_readers_see_households_and_only_those_who_may_change_them_see_the_forms(
    client, make_user, worker, family, role, offered
):
    household = services.household_add(
        by=worker, child=family["older"], address="1 High Street", people=[family["mum"]]
    )
    sign_in(client, make_user(role))
    page = body(client.get(child_url(family["older"])))
    assert "1 High Street" in page and "Mary Jones" in page
    assert ("Add a household" in page) is offered
    leave = reverse("referrals:household-leave", args=[family["older"].pk, household.pk])
    assert (leave in page) is offered


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"address": ""}, "Enter the household&#x27;s address"),
        ({"address": "   "}, "Enter the household&#x27;s address"),
        ({"address": "x" * 301}, "300 characters or fewer"),
        ({"address": "1 High Street", "postcode": "P" * 11}, "Enter a real postcode"),
        ({"address": "1 High Street", "postcode": "<b>x</b>"}, "Enter a real postcode"),
        ({"address": "1 High Street", "postcode": "SW1A 1A"}, "Enter a real postcode"),
        ({"address": "<script>1 High Street"}, "Address must not include &lt; or &gt;"),
        ({"address": "{{ 1 High Street }}"}, "Address must not include { or }"),
        ({"address": "1 High\x00 Street"}, "Address must not contain control characters"),
        ({"address": "1 High Street \ufffd"}, "Address has characters that could not be read"),
        ({"address": "1 High Street", "people": ["stranger"]}, "Choose adults from the list"),
        ({"address": "1 High Street", "people": ["nobody"]}, "Choose adults from the list"),
        ({"address": "1 High Street", "children": ["outsider"]}, "Choose children from the list"),
    ],
)
def test_bad_input_shows_the_error_summary_and_adds_nothing(client, worker, family, data, message):
    outsider = contact(by=worker).children.get().child  # in another contact, not a sibling
    ids = {"stranger": family["stranger"].pk, "nobody": "x", "outsider": outsider.pk}
    for name in ("people", "children"):
        if name in data:
            data[name] = [ids[key] for key in data[name]]
    sign_in(client, worker)
    response = client.post(reverse("referrals:household-add", args=[family["older"].pk]), data)
    assert response.status_code == 200
    page = body(response)
    assert "govuk-error-summary" in page and message in page and "<title>Error: " in page
    assert not Household.objects.exists()
    # What was typed is kept on the page.
    if data.get("address", "").strip():
        assert 'name="address"' in page


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("sw1a1aa", "SW1A 1AA"), (" m1  1ae ", "M1 1AE"), ("B33 8TH", "B33 8TH"), ("", "")],
)
def test_the_postcode_is_written_the_standard_way(client, worker, family, typed, stored):
    sign_in(client, worker)
    response = client.post(
        reverse("referrals:household-add", args=[family["older"].pk]),
        {"address": "Flat 2, 1 Rue d'Éte-Ñoño, O'Brien-Smith House", "postcode": typed},
    )
    assert response.status_code == 302
    household = Household.objects.get()
    assert household.postcode == stored
    assert household.address == "Flat 2, 1 Rue d'Éte-Ñoño, O'Brien-Smith House"


def test_the_household_form_states_its_limits(client, worker, family):
    sign_in(client, worker)
    page = body(client.get(child_url(family["older"])))  # the form is on the child's page
    assert "Add a household" in page
    assert "You can enter up to 300 characters" in page
    assert "For example, SW1A 1AA" in page
    assert 'maxlength="' not in page  # a longer text is refused with a message, never cut off


def test_bytes_that_are_not_utf_8_are_refused_not_stored_as_replacement_characters(
    client, worker, family
):
    sign_in(client, worker)
    response = client.post(
        reverse("referrals:household-add", args=[family["older"].pk]),
        data=b"address=1+High+Street+%FF%FE&postcode=",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Address has characters that could not be read" in body(response)
    assert not Household.objects.exists()


@pytest.mark.parametrize(("role", "status"), list(STATUS.items()))
def test_moving_out_for_every_role(client, make_user, worker, family, role, status):
    older, mum = family["older"], family["mum"]
    household = services.household_add(by=worker, child=older, address="1 High", people=[mum])
    sign_in(client, make_user(role))
    response = client.post(
        reverse("referrals:household-leave", args=[older.pk, household.pk]),
        {"member": f"person:{mum.pk}"},
    )
    assert response.status_code == status
    assert household.people.exists() is (status != 302)


@pytest.mark.parametrize("member", ["", "person:", "person:x", "child:{dad}", "person:{dad}"])
def test_moving_out_someone_not_there_shows_the_error_and_changes_nothing(
    client, worker, family, member
):
    older, mum = family["older"], family["mum"]
    household = services.household_add(by=worker, child=older, address="1 High", people=[mum])
    sign_in(client, worker)
    response = client.post(
        reverse("referrals:household-leave", args=[older.pk, household.pk]),
        {"member": member.format(dad=family["dad"].pk)},
    )
    assert response.status_code == 409
    assert "Choose who no longer lives there" in body(response)
    assert household.people.count() == 1 and household.children.count() == 1


def test_the_child_moving_out_takes_the_household_off_its_page(client, worker, family):
    older, younger = family["older"], family["younger"]
    household = services.household_add(
        by=worker, child=older, address="1 High Street", children=[younger]
    )
    sign_in(client, worker)
    client.post(
        reverse("referrals:household-leave", args=[older.pk, household.pk]),
        {"member": f"child:{older.pk}"},
    )
    assert "1 High Street" not in body(client.get(child_url(older)))
    assert "1 High Street" in body(client.get(child_url(younger)))


def test_a_household_of_another_child_is_not_found_from_this_childs_page(client, worker, family):
    other = contact(by=worker).children.get().child
    household = services.household_add(by=worker, child=other, address="9 Far Lane")
    sign_in(client, worker)
    response = client.post(
        reverse("referrals:household-leave", args=[family["older"].pk, household.pk]),
        {"member": f"child:{other.pk}"},
    )
    assert response.status_code == 404
    assert household.children.count() == 1
