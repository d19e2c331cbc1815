"""Recording a contact (issue 17): one page for what was reported, the children and the
adults (each found among those known, in place or by a reload), and "Check your answers"
where each child's decision is proposed or left to screen later."""

from __future__ import annotations

import json
import re
from datetime import date, time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.models import FormDraft
from accounts.roles import Role
from casework.errors import RuleBroken
from referrals import services
from referrals.models import Child, Household, Person, Relationship
from referrals.models.contacts import Contact, ContactChildState, LevelOfNeed, Outcome
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db
CONCERN = "Neighbour heard screaming and a child crying late at night"
NEW_URL = reverse("referrals:contact-new")
CHECK_URL = reverse("referrals:contact-new-check")
MATCHES_URL = reverse("referrals:contact-matches")


@pytest.fixture
def worker_client(client, make_user):
    client.worker = make_user(Role.PRACTITIONER, first_name="Pat", last_name="Worker")
    return sign_in(client, client.worker)


@pytest.fixture
def family():
    """A known child with a known mother and a known brother in the same household."""
    zoe = Child.objects.create(
        first_name="Zoë",
        last_name="O'Brien",
        date_of_birth=date(2016, 3, 14),
        address="1 Quay Street",
        postcode="HM1 1AA",
    )
    brother = Child.objects.create(
        first_name="Finn", last_name="O'Brien", date_of_birth=date(2013, 6, 2)
    )
    mum = Person.objects.create(first_name="Mo", last_name="O'Brien")
    Relationship.objects.create(child=zoe, person=mum, kind="mother")
    household = Household.objects.create(address="1 Quay Street")
    household.children.add(zoe, brother)
    return {"zoe": zoe, "brother": brother, "mum": mum}


def details(worker, **change) -> dict:
    return {
        "received_date": "20/11/2026",
        "received_time": "21:40",
        "taken_by": worker.pk,
        "source": "1B",
        "referrer_name": "A neighbour",
        "concern": CONCERN,
        "consent": "given",
        "children": "2",
        "adults": "1",
        **change,
    }


def child_row(n: int, first: str, last: str, born: str = "", **more) -> dict:
    return {
        f"child_{n}_first_name": first,
        f"child_{n}_last_name": last,
        f"child_{n}_date_of_birth": born,
        **{f"child_{n}_{k}": v for k, v in more.items()},
    }


def level() -> LevelOfNeed:
    return LevelOfNeed.objects.get_or_create(name="Level 3: child in need", defaults={"order": 3})[
        0
    ]


def test_one_page_links_a_known_child_with_their_mother_adds_a_new_one_and_proposes_both(
    worker_client, family
):
    zoe, mum = family["zoe"], family["mum"]
    typed = {
        **details(worker_client.worker),
        **child_row(0, "zoe", "obrien", "14/3/2016"),
        **child_row(1, "Baby", "O'Brien"),
    }
    # Without JavaScript, "Look for" reloads the page with what was typed and the candidates.
    found = worker_client.post(NEW_URL, {**typed, "action": "find"})
    assert found.status_code == 200
    zoe_row = found.context["rows"]["child"][0]
    assert zoe_row.matches[0].record == zoe
    page = found.content.decode()
    assert "Born 14 March 2016" in page and "Same date of birth, Same name" in page
    assert "Address: 1 Quay Street, HM1 1AA" in page
    assert "Parents or carers: Mo O&#x27;Brien (mother)" in page
    assert "Also add to this contact" in page and f"person:{mum.pk}" in page
    assert f"child:{family['brother'].pk}" in page  # the brother, one choice
    assert CONCERN in page  # nothing typed is lost
    chosen = {
        **typed,
        "child_0_match": str(zoe.pk),
        "child_0_also": f"person:{mum.pk}",
        "child_1_match": "new",
        "action": "continue",
    }
    response = worker_client.post(NEW_URL, chosen)
    assert response.status_code == 302 and response.url == CHECK_URL
    check = worker_client.get(CHECK_URL)
    html = check.content.decode()
    assert "Check your answers" in html and CONCERN in html
    assert "Mo O&#x27;Brien (P-" in html and "known): mother" in html
    assert "Record a contact: step 2 of 2" in html
    assert "Pat Worker" in html  # "Taken by" names the person
    posted = {
        "action": "record",
        "decision_0_when": "propose",
        "decision_0_outcome": Outcome.EARLY_HELP,
        "decision_0_level_of_need": level().pk,
        "decision_0_rationale": "Family willing",
        "decision_1_when": "later",
    }
    recorded = worker_client.post(CHECK_URL, posted)
    contact = Contact.objects.get()
    assert recorded.url == reverse("referrals:contact", args=[contact.pk])
    assert Child.objects.count() == 3  # the known two and the new baby: no duplicate
    zoe_cc, baby_cc = contact.children.order_by("pk")
    assert zoe_cc.child == zoe and zoe_cc.state == ContactChildState.PROPOSED
    assert zoe_cc.current_decision.rationale == "Family willing"
    assert baby_cc.state == ContactChildState.SCREENING  # left to screen later
    assert list(contact.adults.all()) == [mum]
    assert {r.child for r in mum.relationships.filter(kind="mother")} == {zoe, baby_cc.child}
    assert contact.taken_by == worker_client.worker
    assert not FormDraft.objects.exists()  # the work in progress is gone once recorded


def test_work_in_progress_is_sealed_not_in_the_session(worker_client):
    worker_client.post(
        NEW_URL,
        {
            **details(worker_client.worker),
            **child_row(0, "A", "B", match="new"),
            "action": "continue",
        },
    )
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
        ({"child_0_nhs_number": "123"}, "10 digits"),
        ({"child_0_first_name": ""}, "Enter child 1&#x27;s first name"),
    ],
)
def test_bad_details_show_the_error_summary_and_keep_what_was_typed(worker_client, change, message):
    typed = {
        **details(worker_client.worker),
        **child_row(0, "Ann", "Bee", match="new"),
        "action": "continue",
        **change,
    }
    response = worker_client.post(NEW_URL, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in page
    assert (CONCERN in page) == (change != {"concern": ""})
    assert not FormDraft.objects.filter(path="wizard:new-contact").exists()


def test_a_typed_child_not_looked_for_is_asked_about_never_dropped(worker_client, family):
    typed = {
        **details(worker_client.worker),
        **child_row(0, "Zoe", "OBrien", "14/3/2016"),
        **child_row(1, "Baby", "OBrien"),
        "child_1_match": "new",
        "action": "continue",
    }
    response = worker_client.post(NEW_URL, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Say whether Zoe OBrien is one of the known children shown, or a new child" in page
    # The candidate to choose from, with what confirms identity (the question is no use
    # without them; a test that matched any value="<pk>" once hid their absence).
    assert f'id="child_0-match-{family["zoe"].pk}"' in page
    assert "Is Zoe OBrien one of these known children?" in page
    assert not Contact.objects.exists()


def test_at_least_one_child(worker_client):
    response = worker_client.post(NEW_URL, {**details(worker_client.worker), "action": "continue"})
    assert "Add at least one child the contact is about" in response.content.decode()


def test_the_same_known_child_twice_is_refused_with_a_message_not_a_500(worker_client, family):
    zoe = family["zoe"]
    typed = {
        **details(worker_client.worker),
        **child_row(0, "Zoe", "OBrien", "14/3/2016", match=str(zoe.pk)),
        **child_row(1, "Zoë", "O'Brien", "14/3/2016", match=str(zoe.pk)),
        "action": "continue",
    }
    response = worker_client.post(NEW_URL, typed)
    assert response.status_code == 200
    assert "Zoë O&#x27;Brien is added twice" in response.content.decode()
    # Chosen once, and again as a sibling's offered brother: still once.
    brother = family["brother"]
    typed = {
        **details(worker_client.worker),
        **child_row(0, "Zoe", "OBrien", "14/3/2016", match=str(zoe.pk), also=f"child:{brother.pk}"),
        **child_row(1, "Finn", "OBrien", "2/6/2013", match=str(brother.pk)),
        "action": "continue",
    }
    assert "Finn O&#x27;Brien is added twice" in worker_client.post(NEW_URL, typed).content.decode()


def test_the_service_refuses_the_same_child_twice_instead_of_failing(worker_client, family):
    twice = [{"existing": family["zoe"].pk}, {"existing": family["zoe"].pk}]
    kept = {
        "received_date": date(2026, 11, 20),
        "received_time": time(9),
        "taken_by": worker_client.worker,
        "source": "1B",
        "concern": CONCERN,
        "consent": "given",
        "urgent": False,
        "referrer_name": "",
        "referrer_role": "",
        "referrer_agency": "",
        "referrer_contact": "",
    }
    with pytest.raises(RuleBroken, match="The same child is added twice"):
        services.contact_record_from_wizard(
            by=worker_client.worker, details=kept, children=twice, adults=[]
        )
    assert not Contact.objects.exists()


def test_the_check_page_shows_the_rule_when_a_kept_child_is_there_twice(worker_client, family):
    worker_client.post(
        NEW_URL,
        {
            **details(worker_client.worker),
            **child_row(0, "A", "B", match="new"),
            "action": "continue",
        },
    )
    draft = FormDraft.objects.get()
    kept = draft.fields
    kept["children"] = [{"existing": family["zoe"].pk, "census_id": "x", "name": "Zoë"}] * 2
    draft.data = json.dumps(kept)
    draft.save()
    response = worker_client.post(
        CHECK_URL, {"decision_0_when": "later", "decision_1_when": "later", "action": "record"}
    )
    assert response.status_code == 200
    assert "The same child is added twice" in response.content.decode()
    assert not Contact.objects.exists()


def test_dates_and_times_are_govuk_inputs(worker_client):
    page = worker_client.get(NEW_URL).content.decode()
    for name in ("received_date", "received_time", "child_0_date_of_birth"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert "govuk-input" in tag.split('class="')[1].split('"')[0].split()


def test_taken_by_lists_full_names_not_usernames(worker_client, make_user):
    make_user(Role.PRACTITIONER, username="jdoe", first_name="Jane", last_name="Doe")
    page = worker_client.get(NEW_URL).content.decode()
    select = re.search(r'<select name="taken_by".*?</select>', page, re.S).group(0)
    assert ">Jane Doe</option>" in select and ">jdoe<" not in select
    assert ">Pat Worker</option>" in select


def test_a_match_says_same_name_for_an_exact_name_and_similar_for_a_close_one(worker_client):
    exact = Child.objects.create(
        first_name="Ava", last_name="Smith", date_of_birth=date(2016, 6, 25)
    )
    close = Child.objects.create(
        first_name="Ava", last_name="Smyth", date_of_birth=date(2016, 6, 25)
    )
    response = worker_client.post(
        MATCHES_URL,
        {
            "kind": "child",
            "row": "0",
            "first_name": "Ava",
            "last_name": "Smith",
            "date_of_birth": "25/6/2016",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    hints = {
        pk: re.search(rf'id="child_0-match-{pk}-hint".*?</div>', page, re.S).group(0)
        for pk in (exact.pk, close.pk)
    }
    assert "Same name" in hints[exact.pk] and "Similar name" not in hints[exact.pk]
    assert "Similar name" in hints[close.pk] and "Same name" not in hints[close.pk]
    # The birth date and the reasons are apart, not run together in the label.
    assert "2016Similar" not in page and "2016Same" not in page
    assert "Born 25 June 2016" in hints[exact.pk]


def test_matching_takes_identity_in_the_body_only(worker_client):
    assert worker_client.get(MATCHES_URL, {"first_name": "Ava"}).status_code == 405
    page = worker_client.post(MATCHES_URL, {"kind": "child", "row": "0"}).content.decode()
    assert "Enter the first and last name to look for" in page


def test_matching_query_count_does_not_grow_with_candidates(
    worker_client, django_assert_max_num_queries
):
    def look() -> int:
        with django_assert_max_num_queries(16) as captured:
            response = worker_client.post(
                MATCHES_URL,
                {
                    "kind": "child",
                    "row": "0",
                    "first_name": "Ava",
                    "last_name": "Smith",
                    "date_of_birth": "25/6/2016",
                },
            )
        assert response.status_code == 200
        return len(captured)

    def known(n: int) -> None:
        child = Child.objects.create(
            first_name="Ava", last_name="Smith", date_of_birth=date(2016, 6, 25)
        )
        mum = Person.objects.create(first_name=f"Mum{n}", last_name="Smith")
        Relationship.objects.create(child=child, person=mum, kind="mother")
        household = Household.objects.create()
        household.children.add(child, Child.objects.create(first_name="Sib", last_name="Smith"))

    known(0)
    # session, user, roles, then: the candidates; their adults; households (2); the adults'
    # children; the siblings; open contacts, referrals, enquiries and allocations
    one = look()
    for n in range(1, 8):
        known(n)
    assert look() == one


def test_a_new_mother_beside_a_known_childs_mother_is_warned(worker_client, family):
    zoe = family["zoe"]
    typed = {
        **details(worker_client.worker, children="1"),
        **child_row(0, "Zoe", "OBrien", "14/3/2016", match=str(zoe.pk)),
        "adult_0_first_name": "Maureen",
        "adult_0_last_name": "OBrien",
        "adult_0_relationship": "mother",
        "adult_0_match": "new",
        "action": "continue",
    }
    assert worker_client.post(NEW_URL, typed).status_code == 302
    page = worker_client.get(CHECK_URL).content.decode()
    assert "govuk-warning-text" in page
    assert "already has a mother on record: Mo O&#x27;Brien" in page
    assert "adds Maureen OBrien as another mother" in page


def test_an_adult_needs_their_relationship(worker_client):
    typed = {
        **details(worker_client.worker, children="1"),
        **child_row(0, "A", "B", match="new"),
        "adult_0_first_name": "Mo",
        "adult_0_last_name": "B",
        "adult_0_match": "new",
        "action": "continue",
    }
    page = worker_client.post(NEW_URL, typed).content.decode()
    assert "Choose Mo B&#x27;s relationship to the children" in page


def test_add_another_child_keeps_what_was_typed_without_javascript(worker_client):
    typed = {
        **details(worker_client.worker, children="1"),
        **child_row(0, "Ann", "Bee"),
        "action": "add_child",
    }
    response = worker_client.post(NEW_URL, typed)
    assert response.status_code == 200 and response.context["form"].counts["child"] == 2
    page = response.content.decode()
    assert 'name="child_1_first_name"' in page and 'value="Ann"' in page and CONCERN in page


def test_the_step_count_on_the_pages_matches_the_readme(worker_client):
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert "**Record a contact** in two steps" in readme
    assert "Record a contact: step 1 of 2" in worker_client.get(NEW_URL).content.decode()


def test_apply_to_siblings_prefills_without_choosing_for_them(worker_client):
    typed = {
        **details(worker_client.worker),
        **child_row(0, "Ann", "Bee", match="new"),
        **child_row(1, "Bob", "Bee", match="new"),
        "action": "continue",
    }
    worker_client.post(NEW_URL, typed)
    response = worker_client.post(
        CHECK_URL,
        {
            "action": "apply_0",
            "decision_0_when": "propose",
            "decision_0_outcome": "advice",
            "decision_0_level_of_need": level().pk,
            "decision_0_rationale": "Same home",
        },
    )
    assert response.status_code == 200 and not Contact.objects.exists()
    form = response.context["form"]
    assert form["decision_1_rationale"].value() == "Same home"
    assert form["decision_1_outcome"].value() == "advice"
    assert not form["decision_1_when"].value()  # each child is still confirmed on its own


def test_each_child_needs_a_choice_and_a_proposal_needs_its_parts(worker_client):
    typed = {
        **details(worker_client.worker),
        **child_row(0, "Ann", "Bee", match="new"),
        **child_row(1, "Bob", "Bee", match="new"),
        "action": "continue",
    }
    worker_client.post(NEW_URL, typed)
    response = worker_client.post(CHECK_URL, {"action": "record", "decision_0_when": "propose"})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Choose the decision for Ann Bee" in page
    assert "Give the rationale for the decision for Ann Bee" in page
    assert "Choose whether to propose a decision for Bob Bee now or screen later" in page
    assert not Contact.objects.exists()


def test_a_refused_proposal_records_nothing(worker_client):
    typed = {
        **details(worker_client.worker, children="1"),
        **child_row(0, "Ann", "Bee", match="new"),
        "action": "continue",
    }
    worker_client.post(NEW_URL, typed)
    response = worker_client.post(
        CHECK_URL,
        {
            "action": "record",
            "decision_0_when": "propose",
            "decision_0_outcome": Outcome.ALLOCATED_WORKER,
            "decision_0_level_of_need": level().pk,
            "decision_0_rationale": "Known to a worker",
        },
    )
    assert response.status_code == 200
    assert "no allocated worker" in response.content.decode()
    assert not Contact.objects.exists() and not Child.objects.exists()
    assert FormDraft.objects.filter(path="wizard:new-contact").exists()  # nothing lost


def test_a_contact_received_in_the_future_is_refused_on_the_check_page(worker_client):
    typed = {
        **details(worker_client.worker, received_date="1/1/2099", children="1"),
        **child_row(0, "A", "B", match="new"),
        "action": "continue",
    }
    worker_client.post(NEW_URL, typed)
    page = worker_client.post(CHECK_URL, {"action": "record", "decision_0_when": "later"})
    assert "cannot be in the future" in page.content.decode()
    assert not Contact.objects.exists() and not Child.objects.exists()


@pytest.mark.parametrize(
    "role",
    [Role.PARTNER_PRACTITIONER, Role.AUDITOR, Role.SYSTEM_ADMINISTRATOR, Role.CONFERENCE_CHAIR],
)
def test_only_recording_roles_reach_the_pages(client, make_user, role):
    sign_in(client, make_user(role))
    for name in ("contact-new", "contact-new-check"):
        assert client.get(reverse(f"referrals:{name}")).status_code == 403
    assert (
        client.post(
            MATCHES_URL, {"kind": "child", "row": "0", "first_name": "A", "last_name": "B"}
        ).status_code
        == 403
    )


def test_an_offered_mother_also_typed_as_an_adult_is_refused_not_a_500(worker_client, family):
    zoe, mum = family["zoe"], family["mum"]
    typed = {
        **details(worker_client.worker, children="3"),
        **child_row(0, "Ann", "Bee", match="new"),
        **child_row(1, "Bob", "Bee", match="new"),
        **child_row(2, "Zoe", "OBrien", "14/3/2016", match=str(zoe.pk), also=f"person:{mum.pk}"),
        "adult_0_first_name": "Mo", "adult_0_last_name": "O'Brien",
        "adult_0_relationship": "mother", "adult_0_match": str(mum.pk), "action": "continue",
    }  # fmt: skip
    response = worker_client.post(NEW_URL, typed)
    assert response.status_code == 200
    assert "Mo O&#x27;Brien is added twice" in response.content.decode()
