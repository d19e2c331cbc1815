"""Recording a contact: details, children found before they are added, check your answers."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import FormDraft
from accounts.roles import Role
from referrals.models import Child
from referrals.models.contacts import Contact
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db
CONCERN = "Neighbour heard screaming and a child crying late at night"


@pytest.fixture
def worker_client(client, make_user):
    client.worker = make_user(Role.PRACTITIONER)
    return sign_in(client, client.worker)


def details(client, **change):
    data = {
        "received_date": "20/11/2026", "received_time": "21:40", "taken_by": client.worker.pk,
        "source": "1B", "referrer_name": "A neighbour", "concern": CONCERN, "consent": "given",
        **change,
    }  # fmt: skip
    return client.post(reverse("referrals:contact-new"), data)


def test_the_whole_flow_links_a_known_child_and_adds_a_new_one(worker_client):
    known = Child.objects.create(
        first_name="Zoë", last_name="O'Brien", date_of_birth=date(2016, 3, 14)
    )
    assert details(worker_client).url == reverse("referrals:contact-new-children")
    step2 = reverse("referrals:contact-new-children")
    found = worker_client.post(
        step2,
        {
            "action": "find",
            "first_name": "zoe",
            "last_name": "obrien",
            "date_of_birth": "14/3/2016",
        },
    )
    assert found.context["matches"][0].record == known
    worker_client.post(
        step2,
        {
            "action": "add",
            "first_name": "zoe",
            "last_name": "obrien",
            "date_of_birth": "14/3/2016",
            "match": known.pk,
        },
    )
    worker_client.post(
        step2, {"action": "add", "first_name": "Baby", "last_name": "O'Brien", "match": "new"}
    )
    step3 = reverse("referrals:contact-new-adults")
    assert worker_client.post(step2, {"action": "continue"}).url == step3
    adult = {"action": "add", "first_name": "Mo", "last_name": "OBrien", "match": "new"}
    page = worker_client.post(step3, adult).content.decode()
    assert "Choose the adult&#x27;s relationship to the children" in page
    worker_client.post(step3, {**adult, "relationship": "mother"})
    check_url = reverse("referrals:contact-new-check")
    assert worker_client.post(step3, {"action": "continue"}).url == check_url
    check = worker_client.get(reverse("referrals:contact-new-check")).content.decode()
    assert "Check your answers" in check and CONCERN in check
    response = worker_client.post(reverse("referrals:contact-new-check"))
    contact = Contact.objects.get()
    assert response.url == reverse("referrals:contact", args=[contact.pk])
    assert contact.children.count() == 2
    assert known in [cc.child for cc in contact.children.all()]
    assert Child.objects.count() == 2  # one known, one new: no duplicate of the known child
    assert contact.taken_by == worker_client.worker
    assert "Mo OBrien" in worker_client.get(response.url).content.decode()
    mum = contact.adults.get()
    mothered = {r.child for r in mum.relationships.filter(kind="mother")}
    assert mothered == {cc.child for cc in contact.children.all()}
    assert "Mo OBrien" in worker_client.get(response.url).content.decode()
    mum = contact.adults.get()
    assert {r.child for r in mum.relationships.filter(kind="mother")} == {
        cc.child for cc in contact.children.all()
    }
    assert not FormDraft.objects.exists()  # the work in progress is gone once recorded


def test_work_in_progress_is_sealed_not_in_the_session(worker_client):
    details(worker_client)
    from django.contrib.sessions.models import Session

    assert all(CONCERN not in str(s.get_decoded()) for s in Session.objects.all())
    assert FormDraft.objects.get().fields["details"]["concern"] == CONCERN


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"received_date": "31/2/2026"}, "Enter the date as day/month/year"),
        ({"received_time": "9pm"}, "Enter the time as hours and minutes"),
        ({"concern": ""}, "Record the concern"),
        ({"consent": ""}, "Choose the consent position"),
        ({"source": ""}, "Choose the source"),
    ],
)
def test_bad_details_show_the_error_summary(worker_client, change, message):
    response = details(worker_client, **change)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in page


def test_continue_needs_a_child_and_a_choice_is_needed_to_add(worker_client):
    details(worker_client)
    step2 = reverse("referrals:contact-new-children")
    assert (
        "Add at least one child"
        in worker_client.post(step2, {"action": "continue"}).content.decode()
    )
    page = worker_client.post(
        step2, {"action": "add", "first_name": "A", "last_name": "B"}
    ).content.decode()
    assert "Choose a known child, or say that this is a new child" in page
    page = worker_client.post(
        step2, {"action": "find", "first_name": "", "last_name": "B", "nhs_number": "123"}
    ).content.decode()
    assert "Enter the child&#x27;s first name" in page and "10 digits" in page


def test_a_contact_received_in_the_future_is_refused_on_the_check_page(worker_client):
    details(worker_client, received_date="1/1/2099")
    step2 = reverse("referrals:contact-new-children")
    worker_client.post(
        step2, {"action": "add", "first_name": "A", "last_name": "B", "match": "new"}
    )
    worker_client.post(step2, {"action": "continue"})
    page = worker_client.post(reverse("referrals:contact-new-check")).content.decode()
    assert "cannot be in the future" in page
    assert not Contact.objects.exists() and not Child.objects.exists()


@pytest.mark.parametrize(
    "role",
    [Role.PARTNER_PRACTITIONER, Role.AUDITOR, Role.SYSTEM_ADMINISTRATOR, Role.CONFERENCE_CHAIR],
)
def test_only_recording_roles_reach_the_pages(client, make_user, role):
    sign_in(client, make_user(role))
    for name in ("contact-new", "contact-new-children", "contact-new-adults", "contact-new-check"):
        assert client.get(reverse(f"referrals:{name}")).status_code == 403
