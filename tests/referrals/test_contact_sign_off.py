"""The siblings' sign-off (issue 17): a manager reviews every proposed decision of one contact
on one page and signs off or returns each with one submit; each child needs its own choice;
nothing is signed if any child's record changed meanwhile; four eyes per child."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from referrals import services
from referrals.models.contacts import ContactChild, ContactChildState, Outcome
from tests.conftest import sign_in
from tests.referrals.factories import contact, level

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(make_user):
    return make_user(Role.PRACTITIONER)


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER)


def siblings(worker, count: int = 2, outcome=Outcome.EARLY_HELP) -> list[ContactChild]:
    record = contact(by=worker, children=count)
    children = list(record.children.order_by("pk"))
    for cc in children:
        services.decision_propose(
            by=worker,
            contact_child=cc,
            outcome=outcome,
            level_of_need=level(),
            rationale=f"Rationale for {cc.child.first_name}",
            childs_voice=f"{cc.child.first_name} says school is fine",
        )
    return list(ContactChild.objects.filter(contact=record).order_by("pk"))


def url(cc: ContactChild) -> str:
    return reverse("referrals:contact-sign-off", args=[cc.contact_id])


def choices(children: list[ContactChild], *actions: str, comment: str = "") -> dict:
    data = {}
    for cc, action in zip(children, actions, strict=False):
        data[f"review_{cc.pk}_action"] = action
        data[f"review_{cc.pk}_comment"] = comment
    for cc in children:
        data[f"review_{cc.pk}_proposal"] = cc.current_decision_id
    return data


def states(children: list[ContactChild]) -> list[str]:
    return [ContactChild.objects.get(pk=cc.pk).state for cc in children]


def test_a_manager_signs_off_one_and_returns_the_other_with_one_submit(client, worker, manager):
    children = siblings(worker)
    sign_in(client, manager)
    page = client.get(url(children[0]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rationale for Sib0" in html and "Rationale for Sib1" in html
    assert "checked" not in html  # nothing pre-selected
    response = client.post(
        url(children[0]), choices(children, "sign_off", "return", comment="Look again")
    )
    assert response.status_code == 302
    assert response.url == reverse("referrals:contact", args=[children[0].contact_id])
    assert states(children) == [ContactChildState.SIGNED_OFF, ContactChildState.SCREENING]
    returned = children[1].decisions.get()
    assert returned.review_comment == "Look again" and returned.reviewed_by == manager


def test_each_child_needs_its_own_choice_and_nothing_is_done_without_it(client, worker, manager):
    children = siblings(worker)
    sign_in(client, manager)
    response = client.post(url(children[0]), choices(children, "sign_off"))
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Choose whether to sign off or return the decision for Sib1 Jones" in page
    assert states(children) == [ContactChildState.PROPOSED] * 2
    returned = client.post(url(children[0]), choices(children, "sign_off", "return"))
    assert "Say what needs to change in the decision for Sib1 Jones" in returned.content.decode()
    assert states(children) == [ContactChildState.PROPOSED] * 2


def test_a_record_changed_meanwhile_signs_nothing_and_says_which(
    client, worker, manager, make_user
):
    children = siblings(worker)
    sign_in(client, manager)
    posted = choices(children, "sign_off", "sign_off")
    # Another manager returned Sib1's proposal and it was proposed again, since the page.
    services.decision_return(by=make_user(Role.MANAGER), contact_child=children[1], comment="No")
    services.decision_propose(
        by=worker,
        contact_child=ContactChild.objects.get(pk=children[1].pk),
        outcome=Outcome.NO_FURTHER_ACTION,
        level_of_need=level(),
        rationale="Changed mind",
    )
    response = client.post(url(children[0]), posted)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Nothing was signed off or returned" in page and "(Sib1 Jones)" in page
    assert "Changed mind" in page  # the record as it is now
    assert states(children) == [ContactChildState.PROPOSED] * 2
    # The choices made are kept, with the proposal as it is now: a second submit signs both.
    form = response.context["form"]
    assert form[f"review_{children[0].pk}_action"].value() == "sign_off"
    again = {name: form[name].value() for name in form.fields}
    assert client.post(url(children[0]), again).status_code == 302
    assert states(children) == [ContactChildState.SIGNED_OFF] * 2


def test_a_manager_never_signs_off_their_own_proposal(client, manager, make_user):
    children = siblings(manager)
    sign_in(client, manager)
    page = client.get(url(children[0])).content.decode()
    assert "so another manager signs it off" in page and 'name="review_' not in page
    forged = client.post(url(children[0]), choices(children, "sign_off", "sign_off"))
    assert forged.status_code == 409
    assert "There is no proposed decision to sign off or return" in forged.content.decode()
    assert states(children) == [ContactChildState.PROPOSED] * 2


def test_a_rule_refusing_one_child_undoes_them_all_and_names_the_child(
    client, worker, manager, monkeypatch
):
    children = siblings(worker, outcome=Outcome.STRATEGY_NOW)  # discussion before sign-off
    sign_in(client, manager)
    response = client.post(
        url(children[0]), choices(children, "return", "sign_off", comment="Convene first")
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Sib1 Jones: Convene the strategy discussion before signing off" in page
    assert states(children) == [ContactChildState.PROPOSED] * 2  # the return was undone too


def test_the_queue_links_a_managers_proposed_rows_to_the_siblings_page(client, worker, manager):
    children = siblings(worker)
    screening = contact(by=worker).children.get()
    sign_in(client, manager)
    page = client.get(reverse("referrals:queue")).content.decode()
    # The child's name and its next step ("Sign-off") both lead there, for each sibling.
    assert page.count(url(children[0])) == 4
    assert reverse("referrals:contact", args=[screening.contact_id]) in page
    sign_in(client, worker)  # a practitioner's rows go to the contact, as before
    assert url(children[0]) not in client.get(reverse("referrals:queue")).content.decode()


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.AUDITOR, Role.CONFERENCE_CHAIR])
def test_roles_that_do_not_sign_off_are_refused(client, worker, make_user, role):
    children = siblings(worker)
    sign_in(client, make_user(role))
    assert client.get(url(children[0])).status_code == 403
    assert (
        client.post(url(children[0]), choices(children, "sign_off", "sign_off")).status_code == 403
    )
    assert states(children) == [ContactChildState.PROPOSED] * 2


@pytest.mark.parametrize("count", [1, 6])
def test_the_page_query_count_does_not_grow_with_the_children(
    client, worker, manager, count, django_assert_max_num_queries
):
    children = siblings(worker, count=count)
    sign_in(client, manager)
    # session, user, roles, the right; the contact; its children (restriction check); the
    # waiting children with their decisions, levels and proposers; the other managers;
    # the audit of the reads (one entry per child: savepoint, content type, last entry,
    # insert, release, written together); the children's history panels (issue 18): twelve
    # queries for all of them, and one per child for its brothers and sisters (the link
    # tables walked from the child), however long each history is
    with django_assert_max_num_queries(28 + 5 * count) as captured:
        response = client.get(url(children[0]))
    assert response.status_code == 200
    not_audit = [q for q in captured.captured_queries if "auditlog" not in q["sql"].lower()]
    assert len(not_audit) <= 28 + count
