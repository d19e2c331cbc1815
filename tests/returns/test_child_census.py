"""A child's census details page (issue 22): data officers and managers change what the CIN
census records (sex, ethnicity, disabilities, UPN or why none) and nothing else; bad input
changes nothing; a second editor is told; a restricted child stays behind its restriction."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.audit import AuditEntry
from accounts.roles import Role
from referrals.codes import Disability, Ethnicity, Sex, UPNUnknown
from referrals.models import Child
from referrals.services.restrictions import child_restrict
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(db):
    return Child.objects.create(first_name="Ada", last_name="Penhallow")


def url(child) -> str:
    return reverse("returns:child-census", args=[child.pk])


def posted(child, **changes) -> dict:
    return {
        "sex": Sex.FEMALE, "ethnicity": Ethnicity.WBRI, "disabilities": [Disability.HEAR],
        "upn": "", "former_upn": "", "upn_unknown": UPNUnknown.UN4, "version": child.version,
        **changes,
    }  # fmt: skip


def test_a_data_officer_records_the_disabilities_and_is_audited(client, make_user, child):
    officer = make_user(Role.DATA_OFFICER)
    sign_in(client, officer)
    page = client.get(url(child)).content.decode()
    assert "data-keep-draft" in page and child.census_id in page
    assert "Penhallow" not in page  # census details only: no name
    response = client.post(url(child), posted(child))
    assert response.url == reverse("returns:data-quality")
    saved = Child.objects.get(pk=child.pk)
    assert saved.disabilities == [Disability.HEAR] and saved.sex == Sex.FEMALE
    assert saved.upn_unknown == UPNUnknown.UN4 and saved.version == child.version + 1
    assert AuditEntry.objects.filter(object_pk=str(child.pk), actor=officer).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"disabilities": []},
            "Choose the child&#x27;s disabilities, or &#x27;No disability&#x27;",
        ),
        ({"disabilities": [Disability.NONE, Disability.AUT]}, "cannot be chosen with"),
        ({"upn_unknown": ""}, "Enter the UPN, or choose why there is none"),
        ({"upn": "A921200118032", "upn_unknown": ""}, "UPN"),
        ({"sex": "X"}, "Select a valid choice"),
        ({"version": "x"}, "This page is out of date"),
    ],
)
def test_bad_input_shows_the_error_summary_and_changes_nothing(client, make_user, child,
                                                              changes, message):  # fmt: skip
    sign_in(client, make_user(Role.DATA_OFFICER))
    response = client.post(url(child), posted(child, **changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in page
    assert Child.objects.get(pk=child.pk).version == child.version


def test_a_second_editor_is_told(client, make_user, child):
    sign_in(client, make_user(Role.DATA_OFFICER))
    Child.objects.filter(pk=child.pk).update(version=child.version + 1)
    response = client.post(url(child), posted(child))
    assert "changed by someone else" in response.content.decode()
    assert Child.objects.get(pk=child.pk).disabilities == []


@pytest.mark.parametrize(("role", "status"), [
    (Role.DATA_OFFICER, 200), (Role.MANAGER, 200), (Role.PRACTITIONER, 403),
    (Role.AUDITOR, 403), (Role.SYSTEM_ADMINISTRATOR, 403), (Role.PARTNER_PRACTITIONER, 403),
])  # fmt: skip
def test_who_changes_census_details(client, make_user, child, role, status):
    sign_in(client, make_user(role))
    assert client.get(url(child)).status_code == status
    assert client.get(reverse("returns:child-census", args=[999999])).status_code == (
        404 if status == 200 else status
    )


def test_a_restricted_child_is_closed_to_a_data_officer(client, make_user, child):
    manager = make_user(Role.MANAGER)
    child_restrict(by=manager, child=child, reason="Staff member's child", allowed=[manager])
    sign_in(client, make_user(Role.DATA_OFFICER))
    assert client.get(url(child)).status_code == 404
    assert client.post(url(child), posted(child)).status_code == 404
    assert Child.objects.get(pk=child.pk).disabilities == []
