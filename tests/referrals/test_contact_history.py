"""Issue 18 on issue 17's pages: the history panel, the child's voice and the safety rule on the
contact's "Check your answers" and on the siblings' sign-off page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from referrals.models.contacts import Contact, ContactChildState, Outcome
from tests.conftest import sign_in
from tests.referrals.factories import level
from tests.referrals.test_contact_sign_off import siblings
from tests.referrals.test_record_contact import CHECK_URL, NEW_URL, child_row, details
from tests.strategy.factories import section47

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {"practitioner": make_user(Role.PRACTITIONER), "manager": make_user(Role.MANAGER)}


def kept_contact(client, worker, child) -> None:
    """The contact typed and continued: the known child (with an open enquiry) and a new one."""
    typed = {
        **details(worker),
        **child_row(0, child.first_name, child.last_name, match=str(child.pk)),
        **child_row(1, "Nova", "Newcombe", match="new"),
        "action": "continue",
    }
    response = client.post(NEW_URL, typed)
    assert response.status_code == 302 and response.url == CHECK_URL


def proposal(n: int, outcome: str, **more) -> dict:
    return {
        f"decision_{n}_when": "propose",
        f"decision_{n}_outcome": outcome,
        f"decision_{n}_level_of_need": level().pk,
        f"decision_{n}_rationale": "Weighed the history",
        **{f"decision_{n}_{name}": value for name, value in more.items()},
    }


def test_check_your_answers_shows_a_known_childs_history_beside_the_proposal(client, people):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    sign_in(client, people["practitioner"])
    kept_contact(client, people["practitioner"], enquiry.child)
    page = client.get(CHECK_URL).content.decode()
    assert f"{enquiry.child.first_name}&#x27;s history" in page or (
        f"{enquiry.child.first_name}'s history" in page
    )
    assert "Section 47 enquiries" in page and "Open child-protection work" in page
    assert "A new child: nothing earlier is recorded." in page
    assert page.count('data-testid="history-panel"') == 1  # the new child has no history


def test_check_your_answers_applies_the_safety_rule_and_keeps_what_was_typed(client, people):
    enquiry = section47(by=people["practitioner"], signer=people["manager"])
    sign_in(client, people["practitioner"])
    kept_contact(client, people["practitioner"], enquiry.child)
    posted = {"action": "record", **proposal(0, Outcome.NO_FURTHER_ACTION),
              "decision_1_when": "later"}  # fmt: skip
    before = Contact.objects.count()  # the enquiry's own contact
    refused = client.post(CHECK_URL, posted)
    page = refused.content.decode()
    assert refused.status_code == 200 and Contact.objects.count() == before
    assert "The safety rule for" in page and "govuk-error-summary" in page
    assert "Weighed the history" in page  # nothing typed is lost
    posted["decision_0_safety_reason"] = "The enquiry continues; this contact adds nothing new"
    recorded = client.post(CHECK_URL, posted)
    assert recorded.status_code == 302
    decision = Contact.objects.latest("pk").children.get(child=enquiry.child).current_decision
    assert decision.safety_reason == "The enquiry continues; this contact adds nothing new"


def test_check_your_answers_asks_for_the_childs_voice_for_a_referral(client, people):
    sign_in(client, people["practitioner"])
    typed = {**details(people["practitioner"]), **child_row(0, "Ivy", "Ames", match="new"),
             "action": "continue"}  # fmt: skip
    client.post(NEW_URL, typed)
    posted = {"action": "record", **proposal(0, Outcome.REFERRAL)}
    refused = client.post(CHECK_URL, posted)
    assert refused.status_code == 200 and not Contact.objects.exists()
    assert "Say what is known of Ivy Ames&#x27;s own views" in refused.content.decode()
    posted["decision_0_childs_voice"] = "Ivy told her teacher she is scared to go home"
    assert client.post(CHECK_URL, posted).status_code == 302
    cc = Contact.objects.get().children.get()
    assert cc.state == ContactChildState.PROPOSED
    assert cc.current_decision.childs_voice == "Ivy told her teacher she is scared to go home"


def test_the_siblings_page_shows_each_childs_voice_and_history(client, people):
    children = siblings(people["practitioner"])
    sign_in(client, people["manager"])
    page = client.get(reverse("referrals:contact-sign-off", args=[children[0].contact_id]))
    html = page.content.decode()
    assert page.status_code == 200
    for cc in children:
        assert f"{cc.child.first_name} says school is fine" in html
    assert html.count('data-testid="history-panel"') == len(children)
    # one heading id per panel (axe: ids are unique)
    ids = [f'id="history-panel-heading-{cc.child_id}"' for cc in children]
    assert all(html.count(i) == 1 for i in ids)
