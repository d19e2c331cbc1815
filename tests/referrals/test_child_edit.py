"""Changing a child's census details: the census rules on the page, and the second editor told."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from referrals import services
from referrals.models import Child
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(db):
    return Child.objects.create(
        first_name="Kit", last_name="Trevail", date_of_birth=date(2019, 2, 11)
    )


def post(client, child, **change):
    data = {
        "first_name": "Kit", "last_name": "Trevail", "date_of_birth": "11/2/2019", "sex": "M",
        "ethnicity": "WBRI", "disabilities": ["NONE"], "nhs_number": "943 476 5919",
        "upn": "", "upn_unknown": "UN1", "address": "1 Quay Street", "postcode": "TR1 1AA",
        "version": child.version, **change,
    }  # fmt: skip
    return client.post(reverse("referrals:child-edit", args=[child.pk]), data)


def test_details_are_saved_and_audited(client, make_user, child):
    sign_in(client, make_user(Role.PRACTITIONER))
    response = post(client, child)
    assert response.url == reverse("referrals:child", args=[child.pk])
    child.refresh_from_db()
    assert (child.sex, child.ethnicity, child.disabilities, child.nhs_number) == (
        "M",
        "WBRI",
        ["NONE"],
        "9434765919",
    )
    assert AuditEntry.objects.filter(event=Event.UPDATE, child_ref=child.census_id).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"disabilities": ["NONE", "MOB"]}, "cannot be chosen with a disability"),
        ({"nhs_number": "943 476 5918"}, "its last digit does not match"),
        ({"upn": "B921200118031"}, "its first letter does not match"),
        ({"expected_date_of_birth": "1/1/2027"}, "not both"),
        ({"first_name": ""}, "Enter the first name"),
        ({"date_of_birth": "31/2/2019"}, "Enter the date of birth as day/month/year"),
        ({"date_of_death": "10/2/2019"}, "cannot be before the date of birth"),
        ({"date_of_death": "1/1/2999"}, "cannot be in the future"),
        ({"date_of_death": "30/2/2020"}, "Enter the date of death as day/month/year"),
        (
            {
                "date_of_birth": "",
                "expected_date_of_birth": "1/1/2027",
                "sex": "U",
                "date_of_death": "1/1/2020",
            },
            "An unborn child has no date of death",
        ),
    ],
)
def test_census_rules_show_on_the_page_and_change_nothing(
    client, make_user, child, change, message
):
    sign_in(client, make_user(Role.PRACTITIONER))
    response = post(client, child, **change)
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page and message in page
    assert Child.objects.get(pk=child.pk).version == child.version


def test_the_date_of_death_is_recorded_audited_and_shown_on_the_childs_page(
    client, make_user, child
):
    sign_in(client, make_user(Role.PRACTITIONER))
    response = post(client, child, date_of_death="3/3/2024")
    assert response.url == reverse("referrals:child", args=[child.pk])
    child.refresh_from_db()
    assert child.date_of_death == date(2024, 3, 3)
    entry = AuditEntry.objects.filter(event=Event.UPDATE, child_ref=child.census_id).latest(
        "sequence"
    )
    assert "date_of_death" in entry.changes_text or "date_of_death" in str(entry.changes)
    page = client.get(reverse("referrals:child", args=[child.pk])).content.decode()
    assert "Date of death" in page and "3 March 2024" in page


def test_a_second_editor_is_told_and_keeps_what_they_typed(client, make_user, child):
    sign_in(client, make_user(Role.PRACTITIONER))
    services.child_update(
        by=make_user(Role.PRACTITIONER), child=child, version=child.version,
        first_name="Kit", last_name="Trevail", date_of_birth=date(2019, 2, 11), sex="M",
        ethnicity="WIRI",
    )  # fmt: skip
    response = post(client, child, address="2 Harbour Row")
    page = response.content.decode()
    assert "changed by someone else" in page and "2 Harbour Row" in page
    assert Child.objects.get(pk=child.pk).ethnicity == "WIRI"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.AUDITOR, 403),
        (Role.CONFERENCE_CHAIR, 403),
        (Role.PARTNER_PRACTITIONER, 404),
        (Role.SYSTEM_ADMINISTRATOR, 403),
    ],
)
def test_other_roles_are_refused(client, make_user, child, role, status):
    sign_in(client, make_user(role))
    assert client.get(reverse("referrals:child-edit", args=[child.pk])).status_code == status


def test_a_change_of_some_details_keeps_the_others(make_user, child):
    """A caller that changes the UPN alone leaves the name, birth and address as they were; a
    detail given empty is cleared; a name that is not a detail is refused."""
    child.address, child.ethnicity = "1 Quay Street", "WBRI"
    child.save()
    changed = services.child_update(
        by=make_user(Role.PRACTITIONER), child=child, version=child.version, upn_unknown="UN1"
    )
    assert (changed.first_name, changed.date_of_birth, changed.address, changed.ethnicity) == (
        "Kit", date(2019, 2, 11), "1 Quay Street", "WBRI",
    )  # fmt: skip
    assert changed.upn_unknown == "UN1"
    changed = services.child_update(
        by=make_user(Role.PRACTITIONER), child=changed, version=changed.version, address=""
    )
    assert changed.address == "" and changed.last_name == "Trevail"
    with pytest.raises(TypeError, match="no detail version_note"):
        services.child_update(
            by=make_user(Role.PRACTITIONER), child=changed, version=changed.version,
            version_note="x",
        )  # fmt: skip
