"""The decision pages: propose with "Check your answers", sign off or return, feedback, close."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from accounts.roles import Role
from referrals.models.contacts import ContactChild, ContactChildState, Outcome
from tests.conftest import sign_in
from tests.referrals.factories import contact, level, proposed, signed_off

pytestmark = pytest.mark.django_db


def url(name: str, cc: ContactChild) -> str:
    return reverse(f"referrals:{name}", args=[cc.contact_id, cc.pk])


@pytest.fixture
def worker(make_user):
    return make_user(Role.PRACTITIONER)


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER)


def test_propose_then_check_your_answers_then_proposed(client, worker):
    cc = contact(by=worker).children.get()
    sign_in(client, worker)
    response = client.post(
        url("decision-propose", cc),
        {
            "outcome": Outcome.REFERRAL,
            "level_of_need": level().pk,
            "rationale": "Third injury this term",
            "childs_voice": "Says she is scared of the new partner",
        },
    )
    assert response.url == url("decision-check", cc)
    check = client.get(response.url).content.decode()
    assert "Check your answers" in check and "Third injury this term" in check
    assert ContactChild.objects.get(pk=cc.pk).state == ContactChildState.SCREENING  # not yet
    client.post(url("decision-check", cc))
    assert ContactChild.objects.get(pk=cc.pk).state == ContactChildState.PROPOSED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"level_of_need": "", "rationale": "x", "outcome": "referral"},
            "Choose the level of need",
        ),
        ({"outcome": "", "rationale": "x"}, "Choose the decision"),
        ({"outcome": "referral", "rationale": ""}, "Give the rationale for the decision"),
        ({"outcome": "nonsense", "rationale": "x"}, "Select a valid choice"),
    ],
)
def test_bad_proposals_show_the_error_summary_and_change_nothing(client, worker, data, message):
    cc = contact(by=worker).children.get()
    sign_in(client, worker)
    data = {"level_of_need": level().pk, **data}
    response = client.post(url("decision-propose", cc), data)
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page and message in page
    assert ContactChild.objects.get(pk=cc.pk).state == ContactChildState.SCREENING


def test_a_manager_signs_off_and_a_proposer_cannot(client, worker, manager):
    cc = proposed(by=manager)
    sign_in(client, manager)
    response = client.post(url("decision-review", cc), {"action": "sign_off"})
    assert response.status_code == 409
    assert "another manager must sign it off" in response.content.decode()
    cc = proposed(by=worker)
    client.post(url("decision-review", cc), {"action": "sign_off", "comment": "Agreed"})
    assert ContactChild.objects.get(pk=cc.pk).state == ContactChildState.SIGNED_OFF


def test_returning_needs_a_comment(client, worker, manager):
    cc = proposed(by=worker)
    sign_in(client, manager)
    response = client.post(url("decision-review", cc), {"action": "return", "comment": ""})
    assert "Say what needs to change" in response.content.decode()
    client.post(url("decision-review", cc), {"action": "return", "comment": "Check the history"})
    assert ContactChild.objects.get(pk=cc.pk).state == ContactChildState.SCREENING


def test_a_practitioner_sees_no_sign_off_form_and_cannot_post_one(client, worker):
    cc = proposed(by=worker)
    sign_in(client, worker)
    assert "Waiting for a manager" in client.get(url("decision", cc)).content.decode()
    assert client.post(url("decision-review", cc), {"action": "sign_off"}).status_code == 403


def test_feedback_then_close(client, worker, manager):
    cc = signed_off(by=worker, signer=manager, outcome=Outcome.ADVICE)
    sign_in(client, worker)
    response = client.post(url("decision-close", cc))
    assert "Record the feedback to the referrer" in response.content.decode()
    response = client.post(
        url("decision-feedback", cc), {"feedback_given": "yes", "feedback_note": "Phoned"}
    )
    assert "Say whether the family has been told" in response.content.decode()
    client.post(
        url("decision-feedback", cc),
        {"feedback_given": "yes", "feedback_note": "Phoned", "family_told": "no",
         "family_note": "Telling them would raise the risk"},
    )  # fmt: skip
    client.post(url("decision-close", cc))
    assert ContactChild.objects.get(pk=cc.pk).state == ContactChildState.CLOSED


@pytest.mark.parametrize(
    ("role", "status"), [(Role.PARTNER_PRACTITIONER, 404), (Role.SYSTEM_ADMINISTRATOR, 403)]
)
def test_partners_and_the_administrator_are_refused(client, make_user, worker, role, status):
    cc = proposed(by=worker)
    sign_in(client, make_user(role))
    for name in ("decision", "decision-check"):
        assert client.get(url(name, cc)).status_code == status
    assert client.post(url("decision-review", cc), {"action": "sign_off"}).status_code == status


def test_two_managers_at_once_the_second_is_told_and_keeps_the_comment(
    client, worker, manager, make_user
):
    from referrals import services

    cc = proposed(by=worker)
    sign_in(client, manager)
    other = make_user(Role.MANAGER)
    # The other manager signs off first, between the page load and this post: simulate by
    # making the state stale for the view's object.
    services.decision_sign_off(by=other, contact_child=ContactChild.objects.get(pk=cc.pk))
    response = client.post(
        url("decision-review", cc), {"action": "return", "comment": "My careful comment"}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Only a proposed decision can be returned" in page or "changed by someone else" in page
    assert "My careful comment" in page


@pytest.mark.parametrize("earlier", [0, 5])
def test_decision_page_query_count_does_not_grow(
    client, worker, manager, earlier, django_assert_max_num_queries
):
    from referrals import services

    cc = contact(by=worker).children.get()
    for n in range(earlier):
        services.decision_propose(
            childs_voice="Says she feels safe with her aunt",
            by=worker,
            contact_child=cc,
            outcome=Outcome.ADVICE,
            level_of_need=level(),
            rationale=f"try {n}",
        )
        services.decision_return(
            by=manager, contact_child=ContactChild.objects.get(pk=cc.pk), comment="again"
        )
        cc = ContactChild.objects.get(pk=cc.pk)
    sign_in(client, worker)
    # 16, the information requests with agencies, whether a restricted child is open, the
    # screening notes' versions, the author's kept draft for the page (draft_offer), and the
    # history panel's ten (referrals.selectors.child_history; no plan, so no reviews).
    # PostgreSQL adds the request's savepoint.
    with django_assert_max_num_queries(30 if connection.vendor == "sqlite" else 31):
        client.get(url("decision", cc))


def test_screening_notes_save_and_a_second_editor_is_told_and_keeps_their_text(
    client, worker, make_user
):
    cc = contact(by=worker).children.get()
    other = make_user(Role.PRACTITIONER)
    sign_in(client, worker)
    page = client.get(url("decision", cc))
    version = page.context["notes_form"].initial["version"]
    # The other practitioner saves first.
    from referrals import services

    services.screening_notes_save(
        by=other, contact_child=cc, notes="Police: two call-outs", version=version
    )
    response = client.post(
        url("screening-notes", cc), {"screening_notes": "GP: missed checks", "version": version}
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "changed by someone else" in body
    assert "Police: two call-outs" in body  # what the other person saved
    assert "GP: missed checks" in body  # what this person typed, kept in the form
    # Saving again now (with the new version) works.
    new_version = response.context["notes_form"].initial["version"]
    client.post(
        url("screening-notes", cc),
        {"screening_notes": "Police: two call-outs. GP: missed checks", "version": new_version},
    )
    assert (
        ContactChild.objects.get(pk=cc.pk).screening_notes
        == "Police: two call-outs. GP: missed checks"
    )


def test_screening_notes_only_while_screening(client, worker):
    cc = proposed(by=worker)
    sign_in(client, worker)
    response = client.post(
        url("screening-notes", cc), {"screening_notes": "late", "version": cc.version}
    )
    assert response.status_code == 409
    assert "only while the child is being screened" in response.content.decode()


def test_a_siblings_proposal_prefills_but_each_child_is_confirmed_on_its_own(client, worker):
    from referrals import services

    record = contact(by=worker, children=2)
    first, second = record.children.order_by("pk")
    services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
        by=worker, contact_child=first, outcome=Outcome.EARLY_HELP, level_of_need=level(),
        rationale="Same home, same neglect",
    )  # fmt: skip
    sign_in(client, worker)
    page = client.get(url("decision", second), {"from": first.pk})
    form = page.context["form"]
    assert form.initial == {
        "outcome": Outcome.EARLY_HELP, "level_of_need": level().pk,
        "rationale": "Same home, same neglect",
    }  # fmt: skip
    assert ContactChild.objects.get(pk=second.pk).state == ContactChildState.SCREENING
    other = contact(by=worker).children.get()
    assert client.get(url("decision", second), {"from": other.pk}).context["form"].initial == {}


@pytest.mark.parametrize("stage", ["screening", "proposed"])
def test_feedback_waits_for_the_signed_off_decision(client, worker, stage):
    cc = contact(by=worker).children.get() if stage == "screening" else proposed(by=worker)
    sign_in(client, worker)
    response = client.post(
        url("decision-feedback", cc), {"feedback_given": "yes", "feedback_note": "Phoned"}
    )
    assert response.status_code == 409
    assert "Feedback is recorded once the decision is signed off" in response.content.decode()
    assert ContactChild.objects.get(pk=cc.pk).feedback_given is None
