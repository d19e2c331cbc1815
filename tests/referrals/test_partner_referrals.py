"""Partner referrals (issue 9): a partner practitioner makes a referral on the multi-agency
referral form; the front door records it as a contact, matching the children as for any
contact; the partner (or their agency's safeguarding lead) follows its status and feedback,
and never sees the LA's matches, screening, notes or decisions."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts import sessions
from accounts.audit import AuditEntry, Event
from accounts.models import User
from accounts.roles import Role
from accounts.sharing import ConsentPosition
from casework import access
from casework.errors import RuleBroken
from notes import services as note_services
from notes.models import Note
from referrals import services
from referrals.codes import ReferralSource
from referrals.models import Child
from referrals.models.contacts import Contact, ContactChild, Outcome
from referrals.models.partner_referrals import (
    PartnerReferral,
    PartnerReferralChild,
    PartnerReferralState,
)
from referrals.services.partner_referrals import (
    ALREADY_RECORDED,
    ReferredChild,
    contact_wizard_start,
    feedback_for,
    partner_referral_record,
    partner_referral_submit,
)
from referrals.views.partner_referrals import NEW_REFERRAL
from tests.conftest import sign_in
from tests.referrals.factories import level

pytestmark = pytest.mark.django_db

CONCERN = "PARTNER-CONCERN Jon said his stepdad hit him with a belt"
FEEDBACK = "PARTNER-FEEDBACK Thank you: the family has been offered early help"
# What the LA records, which the partner must never see.
LA_SECRETS = {
    "la_name": "Pascoe-Smith",
    "screening": "LA-ONLY-SCREENING known to the police since 2019",
    "rationale": "LA-ONLY-RATIONALE first incident, mother engaging",
    "comment": "LA-ONLY-SIGNOFF agreed, review in a month",
    "note": "LA-ONLY-NOTE stepfather's previous partner had a child removed",
    "family_note": "LA-ONLY-FAMILY mother told by phone",
}
ROLES = ["practitioner", "manager", "chair", "police", "police_lead", "health", "school", "lado",
         "auditor", "sysadmin"]  # fmt: skip
PARTNERS = ["police", "police_lead", "health", "school", "lado"]
LA_STAFF = ["practitioner", "manager", "chair", "auditor"]


def user(name: str) -> User:
    return User.objects.get(username=name)


def submit(by: User, *, children=None, **overrides) -> PartnerReferral:
    data = {
        "children": children
        or [ReferredChild("Jon", "Smith", date(2015, 5, 1), "3 Quay Street", "hm1 2ab")],
        "concern": CONCERN, "immediate_risk": False, "adults": "Mum Jo Smith; stepdad Rick",
        "consent": ConsentPosition.GIVEN, "consent_note": "", "family_told": True,
        "referrer_role": "Police constable", "referrer_contact": "01632 960555",
    }  # fmt: skip
    data.update(overrides)
    return partner_referral_submit(by=by, **data)


def record_with_la_work(referral: PartnerReferral, *, feedback: bool = True) -> Contact:
    """The front door records the referral, matching Jon to a known child with another name,
    screens, decides, signs off and gives feedback: all of it the LA's own."""
    worker, manager = user("practitioner"), user("manager")
    known = Child.objects.create(
        first_name="Jonathan", last_name=LA_SECRETS["la_name"], date_of_birth=date(2015, 5, 1)
    )
    contact = services.contact_record(
        by=worker, received_at=timezone.now(), taken_by=worker, source=ReferralSource.POLICE,
        concern=referral.concern, consent=referral.consent, children=[known],
    )  # fmt: skip
    partner_referral_record(by=worker, partner_referral=referral, contact=contact)
    contact_child = contact.children.get()
    services.screening_notes_save(
        by=worker, contact_child=contact_child, notes=LA_SECRETS["screening"], version=1
    )
    note_services.note_add(by=worker, child=known, contact=contact, text=LA_SECRETS["note"])
    services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
        by=worker, contact_child=ContactChild.objects.get(pk=contact_child.pk),
        outcome=Outcome.EARLY_HELP, level_of_need=level(), rationale=LA_SECRETS["rationale"],
    )  # fmt: skip
    services.decision_sign_off(
        by=manager, contact_child=ContactChild.objects.get(pk=contact_child.pk),
        comment=LA_SECRETS["comment"],
    )  # fmt: skip
    if feedback:
        services.feedback_record(
            by=worker, contact_child=ContactChild.objects.get(pk=contact_child.pk),
            feedback_given=True, feedback_note=FEEDBACK, family_told=True,
            family_note=LA_SECRETS["family_note"],
        )  # fmt: skip
    return contact


# The services --------------------------------------------------------------------------------


def test_a_partner_submits_a_referral_with_its_children_and_it_is_audited(demo):
    referral = submit(
        user("police"),
        children=[
            ReferredChild("  Jon ", "Smith", date(2015, 5, 1), "3  Quay Street", "hm1 2ab"),
            ReferredChild("Amy", "Smith"),
            ReferredChild("", ""),  # an empty child is left out
        ],
    )
    referral.refresh_from_db()
    assert referral.state == PartnerReferralState.SUBMITTED and referral.contact is None
    assert referral.agency.name == "Holmsey Constabulary"
    assert referral.submitted_by == user("police") and referral.reference.startswith("PR-")
    assert referral.concern == CONCERN
    children = list(referral.children.values_list("first_name", "address", "postcode"))
    assert children == [("Jon", "3 Quay Street", "HM1 2AB"), ("Amy", "", "")]
    created = AuditEntry.objects.get(event=Event.CREATE, object_id=referral.pk,
                                     content_type__model="partnerreferral")  # fmt: skip
    assert CONCERN not in str(created.changes)
    assert "(encrypted)" in str(created.changes)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"children": [ReferredChild("", "")]}, "Add at least one child"),
     ({"children": [ReferredChild("Jon", "")]}, "Enter child 1's first and last name"),
     ({"children": [ReferredChild("Jon", "Smith", date.today() + timedelta(days=2))]},
      "must be today or in the past"),
     ({"concern": "  "}, "Say what happened"),
     ({"consent": "nonsense"}, "Choose the consent position"),
     ({"consent": ConsentPosition.REFUSED}, "Say why consent was refused or not sought"),
     ({"referrer_role": ""}, "Enter your role"),
     ({"referrer_contact": " "}, "Enter a phone number or email address")],
)  # fmt: skip
def test_the_service_refuses_an_incomplete_referral_and_creates_nothing(demo, overrides, message):
    with pytest.raises(RuleBroken, match=message):
        submit(user("police"), **overrides)
    assert not PartnerReferral.objects.exists() and not PartnerReferralChild.objects.exists()


@pytest.mark.parametrize("name", ["practitioner", "manager", "auditor", "sysadmin", "chair"])
def test_only_partners_submit_referrals(demo, name):
    with pytest.raises((PermissionDenied, RuleBroken)):
        submit(user(name))
    assert not PartnerReferral.objects.exists()


def test_consent_note_is_kept_only_when_consent_was_not_given(demo):
    refused = submit(user("police"), consent=ConsentPosition.REFUSED, consent_note="Dad said no")
    given = submit(user("police"), consent_note="ignored")
    assert refused.consent_note == "Dad said no" and given.consent_note == ""


def test_recording_links_the_contact_once_and_audits_the_transition(demo):
    referral = submit(user("police"))
    contact = record_with_la_work(referral, feedback=False)
    referral.refresh_from_db()
    assert referral.state == PartnerReferralState.RECORDED and referral.contact == contact
    assert referral.recorded_by == user("practitioner") and referral.recorded_at is not None
    assert referral.version == 2
    entry = AuditEntry.objects.get(event=Event.TRANSITION, content_type__model="partnerreferral")
    assert entry.additional_data["from"] == "submitted"
    assert entry.additional_data["to"] == "recorded"
    assert entry.actor == user("practitioner")
    another = services.contact_record(
        by=user("manager"), received_at=timezone.now(), taken_by=user("manager"),
        source=ReferralSource.POLICE, concern="again", consent=ConsentPosition.GIVEN,
        children=[Child.objects.create(first_name="A", last_name="B")],
    )  # fmt: skip
    with pytest.raises(RuleBroken, match="already been recorded"):
        partner_referral_record(by=user("manager"), partner_referral=referral, contact=another)
    stale = PartnerReferral.objects.get(pk=referral.pk)
    PartnerReferral.objects.filter(pk=referral.pk).update(version=5)  # fields unchanged
    with pytest.raises(RuleBroken, match=ALREADY_RECORDED):
        partner_referral_record(by=user("manager"), partner_referral=stale, contact=another)
    referral.refresh_from_db()
    assert referral.contact == contact


def test_a_stale_copy_loaded_before_the_recording_is_refused(demo):
    referral = submit(user("police"))
    stale = PartnerReferral.objects.get(pk=referral.pk)
    first = record_with_la_work(referral, feedback=False)
    second = services.contact_record(
        by=user("manager"), received_at=timezone.now(), taken_by=user("manager"),
        source=ReferralSource.POLICE, concern="again", consent=ConsentPosition.GIVEN,
        children=[Child.objects.create(first_name="A", last_name="B")],
    )  # fmt: skip
    with pytest.raises(RuleBroken, match=ALREADY_RECORDED):
        partner_referral_record(by=user("manager"), partner_referral=stale, contact=second)
    assert PartnerReferral.objects.get(pk=referral.pk).contact == first


@pytest.mark.parametrize("name", ["police", "chair", "auditor", "sysadmin"])
def test_only_the_front_door_records_a_referral(demo, name):
    referral = submit(user("police"))
    contact = services.contact_record(
        by=user("practitioner"), received_at=timezone.now(), taken_by=user("practitioner"),
        source=ReferralSource.POLICE, concern="x", consent=ConsentPosition.GIVEN,
        children=[Child.objects.create(first_name="A", last_name="B")],
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        partner_referral_record(by=user(name), partner_referral=referral, contact=contact)
    assert PartnerReferral.objects.get(pk=referral.pk).state == PartnerReferralState.SUBMITTED


def test_partners_follow_their_own_and_the_lead_their_agencys_in_sql(demo, make_user):
    police = user("police")
    colleague = make_user(Role.PARTNER_PRACTITIONER, agency=police.agency)
    mine, theirs = submit(police), submit(colleague)
    health = submit(user("health"))
    assert list(access.partner_referrals_for(police)) == [mine]
    assert list(access.partner_referrals_for(colleague)) == [theirs]
    assert set(access.partner_referrals_for(user("police_lead"))) == {mine, theirs}
    assert list(access.partner_referrals_for(user("health"))) == [health]
    for name in [*LA_STAFF, "sysadmin", "school", "lado"]:
        assert not access.partner_referrals_for(user(name)).exists()
    assert "WHERE" in str(access.partner_referrals_for(police).query).upper()


def test_waiting_referrals_are_for_those_who_see_case_records(demo):
    referral = submit(user("police"))
    for name in LA_STAFF:
        assert list(access.waiting_partner_referrals(user(name))) == [referral]
    for name in [*PARTNERS, "sysadmin"]:
        assert not access.waiting_partner_referrals(user(name)).exists()


@pytest.mark.parametrize(
    ("username", "source"),
    [("police", ReferralSource.POLICE), ("health", ReferralSource.OTHER_HEALTH),
     ("school", ReferralSource.SCHOOLS), ("lado", ReferralSource.ANOTHER_LA)],
)  # fmt: skip
def test_the_contact_wizard_starts_from_what_the_partner_gave(demo, username, source):
    referral = submit(
        user(username), immediate_risk=True, consent=ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE,
        consent_note="Asking would warn the stepfather",
    )  # fmt: skip
    state = contact_wizard_start(referral, by=user("practitioner"))
    details = state["details"]
    assert details["source"] == source and details["urgent"] is True
    assert details["consent"] == ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE
    assert details["referrer_agency"] == user(username).agency.name
    assert details["referrer_role"] == "Police constable"
    assert details["referrer_contact"] == "01632 960555"
    assert details["taken_by"] == str(user("practitioner").pk)
    assert CONCERN in details["concern"] and "Asking would warn" in details["concern"]
    assert state["referred_children"][0]["first_name"] == "Jon"
    assert state["referred_children"][0]["date_of_birth"] == "2015-05-01"
    assert state["partner_referral"] == {"pk": referral.pk, "reference": referral.reference}
    assert state["children"] == []


def test_feedback_is_the_text_given_with_its_date(demo):
    referral = submit(user("police"))
    assert feedback_for(referral) == []
    record_with_la_work(referral)
    referral.refresh_from_db()
    [item] = feedback_for(referral)
    assert item.text == FEEDBACK and item.given_at.date() == timezone.now().date()


def test_feedback_that_could_not_be_given_is_not_shown(demo):
    referral = submit(user("police"))
    contact = record_with_la_work(referral, feedback=False)
    services.feedback_record(
        by=user("practitioner"), contact_child=contact.children.get(), feedback_given=False,
        feedback_note="LA-ONLY could not reach the officer", family_told=True, family_note="x",
    )  # fmt: skip
    referral.refresh_from_db()
    assert feedback_for(referral) == []


# The partner's pages -------------------------------------------------------------------------

LIST, NEW, CHECK = (
    "referrals:my-referrals",
    "referrals:my-referral-new",
    "referrals:my-referral-check",
)

PARTNER_PAGE_STATUS = {
    **dict.fromkeys(PARTNERS, 200), **dict.fromkeys(LA_STAFF, 403), "sysadmin": 403,
}  # fmt: skip


@pytest.mark.parametrize("name", ROLES)
def test_who_may_use_my_referrals_and_the_form(client, demo, name):
    sign_in(client, user(name))
    status = PARTNER_PAGE_STATUS[name]
    assert client.get(reverse(LIST)).status_code == status
    assert client.get(reverse(NEW)).status_code == status
    posted = client.post(reverse(NEW), form_data())
    assert posted.status_code == (302 if status == 200 else status)
    check = client.post(reverse(CHECK))
    assert check.status_code == (302 if status == 200 else status)
    assert PartnerReferral.objects.count() == (1 if status == 200 else 0)
    home = client.get(reverse("workspace:home")).content.decode()
    shown = status == 200
    assert ('href="/my-referrals/"' in home) == shown  # the navigation item
    assert ("Make a referral" in home) == shown


DETAIL_STATUS = {
    "police": 200, "police_lead": 200, "health": 404, "school": 404, "lado": 404,
    **dict.fromkeys(LA_STAFF, 403), "sysadmin": 403,
}  # fmt: skip


@pytest.mark.parametrize("name", ROLES)
def test_who_may_see_a_partners_referral(client, demo, name):
    referral = submit(user("police"))
    sign_in(client, user(name))
    for view in ("referrals:my-referral", "referrals:my-referral-sent"):
        response = client.get(reverse(view, args=[referral.pk]))
        assert response.status_code == DETAIL_STATUS[name]
        if response.status_code != 200:
            assert CONCERN not in response.content.decode()
    listed = client.get(reverse(LIST))
    if listed.status_code == 200:
        assert (referral.reference in listed.content.decode()) == (DETAIL_STATUS[name] == 200)
    if DETAIL_STATUS[name] != 200:
        assert AuditEntry.objects.filter(event=Event.REFUSED).exists()


def test_another_practitioner_of_the_same_agency_gets_404(client, demo, make_user):
    referral = submit(user("police"))
    colleague = make_user(Role.PARTNER_PRACTITIONER, agency=user("police").agency)
    sign_in(client, colleague)
    assert client.get(reverse("referrals:my-referral", args=[referral.pk])).status_code == 404
    page = client.get(reverse(LIST)).content.decode()
    assert referral.reference not in page and "You have not made a referral yet" in page


def test_an_unknown_referral_is_404(client, demo):
    sign_in(client, user("police"))
    assert client.get(reverse("referrals:my-referral", args=[999999])).status_code == 404


def form_data(**overrides) -> dict:
    data = {
        "children": "1",
        "child_0_first_name": "Jon", "child_0_last_name": "Smith",
        "child_0_date_of_birth_0": "1", "child_0_date_of_birth_1": "5",
        "child_0_date_of_birth_2": "2015",
        "child_0_address": "3 Quay Street", "child_0_postcode": "HM1 2AB",
        "concern": CONCERN, "immediate_risk": "no", "adults": "Mum Jo; stepdad Rick",
        "consent": ConsentPosition.GIVEN, "consent_note": "", "family_told": "yes",
        "referrer_role": "Police constable", "referrer_contact": "01632 960555",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_a_partner_makes_a_referral_checks_it_and_gets_the_reference(client, demo):
    sign_in(client, user("police"))
    form = client.get(reverse(NEW)).content.decode()
    assert "If a child is in immediate danger, call 999" in form and "01632 960000" in form
    assert "govuk-warning-text" in form
    response = client.post(reverse(NEW), form_data())
    assert response.status_code == 302 and response.url == reverse(CHECK)
    assert not PartnerReferral.objects.exists()  # nothing until it is sent
    kept = sessions.kept(user=user("police"), key=NEW_REFERRAL)
    assert kept["children"][0]["date_of_birth"] == "2015-05-01"
    check = client.get(reverse(CHECK)).content.decode()
    assert "Check your answers" in check and "Jon Smith" in check and "1 May 2015" in check
    assert CONCERN in check and "Police constable" in check
    # "Change" goes back to the form with what was kept.
    again = client.get(reverse(NEW)).content.decode()
    assert 'value="Jon"' in again and CONCERN in again and 'value="2015"' in again
    sent = client.post(reverse(CHECK))
    referral = PartnerReferral.objects.get()
    assert sent.status_code == 302
    assert sent.url == reverse("referrals:my-referral-sent", args=[referral.pk])
    page = client.get(sent.url).content.decode()
    assert "govuk-panel--confirmation" in page and referral.reference in page
    assert referral.children.get().date_of_birth == date(2015, 5, 1)
    assert sessions.kept(user=user("police"), key=NEW_REFERRAL) is None
    # The title and address never carry the concern.
    assert CONCERN not in sent.url and CONCERN.split()[0] not in page.split("</title>")[0]


def test_add_another_child_shows_one_more_and_keeps_what_was_typed(client, demo):
    sign_in(client, user("police"))
    response = client.post(reverse(NEW), form_data(add_child=""))
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" not in page
    assert "Child 2" in page and 'name="child_1_first_name"' in page
    assert 'value="Jon"' in page and CONCERN in page and 'value="2015"' in page
    assert 'name="children" value="2"' in page
    data = form_data(children="2", child_1_first_name="Amy", child_1_last_name="Smith")
    assert client.post(reverse(NEW), data).status_code == 302
    client.post(reverse(CHECK))
    referral = PartnerReferral.objects.get()
    assert [c.first_name for c in referral.children.all()] == ["Jon", "Amy"]


def test_the_form_without_a_kept_referral_leads_back_to_the_start(client, demo):
    sign_in(client, user("police"))
    assert client.get(reverse(CHECK)).url == reverse(NEW)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"child_0_first_name": "", "child_0_last_name": "", "child_0_address": "",
       "child_0_postcode": "", "child_0_date_of_birth_0": "", "child_0_date_of_birth_1": "",
       "child_0_date_of_birth_2": ""}, "Enter the first name of a child"),
     ({"child_0_last_name": ""}, "Enter child 1&#x27;s last name"),
     ({"child_0_date_of_birth_0": "31", "child_0_date_of_birth_1": "2"},
      "Child 1&#x27;s date of birth must be a real date"),
     ({"child_0_date_of_birth_2": str(date.today().year + 1)},
      "Child 1&#x27;s date of birth must be today or in the past"),
     ({"concern": ""}, "Say what happened and what worries you"),
     ({"immediate_risk": "maybe"}, "Select a valid choice"),
     ({"immediate_risk": ""}, "Say whether a child is at risk of immediate harm"),
     ({"consent": ConsentPosition.REFUSED}, "Say why consent was refused or not sought"),
     ({"consent": "nonsense"}, "Select a valid choice"),
     ({"family_told": ""}, "Say whether the family knows about this referral"),
     ({"referrer_role": ""}, "Enter your role"),
     ({"referrer_contact": "x" * 301}, "must be 300 characters or fewer"),
     ({"children": "abc"}, None)],
)  # fmt: skip
def test_bad_input_shows_the_error_summary_and_keeps_nothing(client, demo, overrides, message):
    sign_in(client, user("police"))
    response = client.post(reverse(NEW), form_data(**overrides))
    if message is None:  # a nonsense count of children is one child
        assert response.status_code == 302
        return
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    assert page.split("<title>")[1].startswith("Error: ")
    assert sessions.kept(user=user("police"), key=NEW_REFERRAL) is None
    assert not PartnerReferral.objects.exists()


def test_the_check_page_shows_a_broken_rule_and_creates_nothing(client, demo):
    sign_in(client, user("police"))
    client.post(reverse(NEW), form_data())
    kept = sessions.kept(user=user("police"), key=NEW_REFERRAL)
    kept["details"]["concern"] = " "  # a kept draft that no longer passes the rules
    sessions.keep(user=user("police"), key=NEW_REFERRAL, data=kept)
    response = client.post(reverse(CHECK))
    assert response.status_code == 409
    assert "govuk-error-summary" in response.content.decode()
    assert not PartnerReferral.objects.exists()


def test_the_partner_follows_status_and_feedback_and_never_sees_the_las_work(client, demo):
    referral = submit(user("police"))
    url = reverse("referrals:my-referral", args=[referral.pk])
    sign_in(client, user("police"))
    page = client.get(url).content.decode()
    assert "Received by the front door" in page and CONCERN in page
    assert AuditEntry.objects.filter(event=Event.READ, object_id=referral.pk).exists()
    contact = record_with_la_work(referral, feedback=False)
    page = client.get(url).content.decode()
    assert "Recorded by the front door" in page and FEEDBACK not in page
    contact_child = contact.children.get()
    services.feedback_record(
        by=user("practitioner"), contact_child=contact_child, feedback_given=True,
        feedback_note=FEEDBACK, family_told=True, family_note=LA_SECRETS["family_note"],
    )  # fmt: skip
    for who in ("police", "police_lead"):
        sign_in(client, user(who))
        for page_url in (url, reverse(LIST)):
            page = client.get(page_url).content.decode()
            assert "Feedback given" in page
            for secret in LA_SECRETS.values():
                assert secret not in page
            assert contact_child.child.census_id not in page and "Jonathan" not in page
            assert str(contact) not in page and "Early help (the family consents)" not in page
            assert "Level 3" not in page
        page = client.get(url).content.decode()
        assert FEEDBACK in page and timezone.localdate().strftime("%-d %B %Y") in page
    assert [n.text for n in Note.objects.all()] == [LA_SECRETS["note"]]  # the LA's note exists


def test_my_referrals_lists_newest_first_with_children_and_status(client, demo):
    police = user("police")
    older = submit(police, children=[ReferredChild("Old", "Case")])
    newer = submit(police, children=[ReferredChild("New", "Case"), ReferredChild("Sib", "Case")])
    PartnerReferral.objects.filter(pk=older.pk).update(
        submitted_at=timezone.now() - timedelta(days=3)
    )
    record_with_la_work(older)
    sign_in(client, police)
    response = client.get(reverse(LIST))
    assert [r.pk for r in response.context["rows"]] == [newer.pk, older.pk]
    page = response.content.decode()
    assert "New Case" in page and "Sib Case" in page and "Old Case" in page
    assert "Received by the front door" in page and "Feedback given" in page
    entry = AuditEntry.objects.filter(event=Event.LIST).latest("pk")
    assert entry.additional_data["ids"] == [str(newer.pk), str(older.pk)]


def test_my_referrals_pages_at_fifty(client, demo):
    police = user("police")
    for _ in range(51):
        submit(police)
    sign_in(client, police)
    first = client.get(reverse(LIST))
    assert len(first.context["rows"]) == 50 and "Page 1 of 2" in first.content.decode()
    assert len(client.get(reverse(LIST), {"page": 2}).context["rows"]) == 1


@pytest.mark.parametrize("count", [1, 30])
def test_my_referrals_query_count_does_not_grow(client, demo, count, django_assert_max_num_queries):
    police = user("police")
    for n in range(count):
        referral = submit(police, children=[ReferredChild("A", "B"), ReferredChild("C", "D")])
        if n % 3 == 0:
            record_with_la_work(referral)
    sign_in(client, police)
    # savepoint, session, user, rights, device; the count; the page (with whether feedback is
    # given); the children; the list entry: savepoint, content type, chain lock (PostgreSQL),
    # last entry, insert, release; release
    with django_assert_max_num_queries(15):
        response = client.get(reverse(LIST))
    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("feedback", [False, True])
def test_a_referral_page_query_count(client, demo, feedback, django_assert_max_num_queries):
    referral = submit(police := user("police"))
    record_with_la_work(referral, feedback=feedback)
    sign_in(client, police)
    # savepoint, session, user, rights, device; the referral with its agency and sender; the
    # feedback given; its time (content type, the audit entries); the children; the read
    # entry: savepoint, chain lock (PostgreSQL), last entry, insert, release; release
    with django_assert_max_num_queries(17):
        client.get(reverse("referrals:my-referral", args=[referral.pk]))


# The front door's side -----------------------------------------------------------------------

FRONT_DOOR_STATUS = {
    **dict.fromkeys(LA_STAFF, 200), **dict.fromkeys(PARTNERS, 404), "sysadmin": 403,
}  # fmt: skip
RECORD_STATUS = {
    "practitioner": 302, "manager": 302, "chair": 403, "auditor": 403,
    **dict.fromkeys(PARTNERS, 404), "sysadmin": 403,
}  # fmt: skip


@pytest.mark.parametrize("name", ROLES)
def test_who_may_see_and_record_a_referral_at_the_front_door(client, demo, name):
    referral = submit(user("police"), immediate_risk=True)
    sign_in(client, user(name))
    response = client.get(reverse("referrals:partner-referral", args=[referral.pk]))
    assert response.status_code == FRONT_DOOR_STATUS[name]
    if response.status_code == 200:
        page = response.content.decode()
        assert CONCERN in page and "Jon Smith" in page and "01632 960555" in page
        assert "at risk of immediate harm" in page
        assert ("Record as a contact" in page) == (RECORD_STATUS[name] == 302)
    record = client.post(reverse("referrals:partner-referral-record", args=[referral.pk]))
    assert record.status_code == RECORD_STATUS[name]
    if record.status_code == 302:
        assert record.url == reverse("referrals:contact-new")
    assert PartnerReferral.objects.get().state == PartnerReferralState.SUBMITTED
    queue = client.get(reverse("referrals:queue"))
    if FRONT_DOOR_STATUS[name] == 200:
        assert referral.reference in queue.content.decode()
    else:  # partners are not told the queue exists; the administrator is refused it
        assert queue.status_code == FRONT_DOOR_STATUS[name]
        assert referral.reference not in queue.content.decode()


def test_the_queue_lists_waiting_partner_referrals_oldest_first_with_immediate_risk(client, demo):
    first = submit(user("police"), children=[ReferredChild("Early", "Bird")])
    urgent = submit(user("health"), immediate_risk=True)
    PartnerReferral.objects.filter(pk=first.pk).update(
        submitted_at=timezone.now() - timedelta(days=1)
    )
    recorded = submit(user("school"))
    record_with_la_work(recorded)
    sign_in(client, user("practitioner"))
    response = client.get(reverse("referrals:queue"))
    assert [r.pk for r in response.context["partner_referrals"]] == [first.pk, urgent.pk]
    page = response.content.decode()
    assert "Referrals from partner agencies" in page and "Early Bird" in page
    assert page.count("Immediate risk") == 1 and "Holmsey NHS Trust" in page
    assert recorded.reference not in page
    entry = AuditEntry.objects.filter(
        event=Event.LIST, content_type__model="partnerreferral"
    ).latest("pk")
    assert entry.additional_data["ids"] == [str(first.pk), str(urgent.pk)]


@pytest.mark.parametrize("count", [1, 30])
def test_the_queue_section_query_count_does_not_grow(
    client, demo, count, django_assert_max_num_queries
):
    for _ in range(count):
        submit(user("police"), children=[ReferredChild("A", "B"), ReferredChild("C", "D")])
    sign_in(client, user("practitioner"))
    # as the queue (tests/referrals/test_queue_and_contact_pages.py), plus the waiting
    # partner referrals with their agency; their children; their list entry: savepoint,
    # content type, last entry, insert, release
    # (+1: the kept draft or unrecorded contact looked up for the page, issue 19)
    with django_assert_max_num_queries(17):
        response = client.get(reverse("referrals:queue"))
    assert len(response.context["partner_referrals"]) == count


def test_recording_a_partner_referral_through_the_contact_wizard(client, demo):
    referral = submit(
        user("police"),
        children=[ReferredChild("Jon", "Smith", date(2015, 5, 1)), ReferredChild("Amy", "Smith")],
        immediate_risk=True,
    )
    known = Child.objects.create(
        first_name="Jon", last_name="Smith", date_of_birth=date(2015, 5, 1)
    )
    sign_in(client, user("practitioner"))
    client.post(reverse("referrals:partner-referral-record", args=[referral.pk]))
    step1 = client.get(reverse("referrals:contact-new")).content.decode()
    assert referral.reference in step1 and "Holmsey Constabulary" in step1 and CONCERN in step1
    # One page: the details as the partner gave them, and the children ready to look for,
    # already looked for (the page asks about each).
    page = client.get(reverse("referrals:contact-new"))
    initial = page.context["form"].initial
    assert initial["source"] == ReferralSource.POLICE and initial["urgent"] == "True"
    assert (
        initial["child_0_first_name"] == "Jon" and initial["child_0_date_of_birth"] == "01/05/2015"
    )
    assert initial["child_1_first_name"] == "Amy"
    html = page.content.decode()
    assert "Amy Smith" in html and "01/05/2015" in html and "Mum Jo Smith; stepdad Rick" in html
    rows = page.context["rows"]["child"]
    assert known.pk in [m.record.pk for m in rows[0].matches]
    posted = {key: initial[key] for key in initial}
    posted.update({"urgent": "on", "children": "2", "adults": "1", "action": "continue",
                   "child_0_match": str(known.pk), "child_1_match": "new"})  # fmt: skip
    assert client.post(reverse("referrals:contact-new"), posted).status_code == 302
    check = client.get(reverse("referrals:contact-new-check")).content.decode()
    assert referral.reference in check
    response = client.post(
        reverse("referrals:contact-new-check"),
        {"action": "record", "decision_0_when": "later", "decision_1_when": "later"},
    )
    contact = Contact.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "referrals:contact", args=[contact.pk]
    )
    referral.refresh_from_db()
    assert referral.state == PartnerReferralState.RECORDED and referral.contact == contact
    assert contact.urgent and contact.source == ReferralSource.POLICE
    assert contact.referrer_agency == "Holmsey Constabulary"
    assert {cc.child_id for cc in contact.children.all()} >= {known.pk}
    assert Child.objects.filter(first_name="Amy").count() == 1
    queue = client.get(reverse("referrals:queue"))
    assert referral.pk not in [r.pk for r in queue.context["partner_referrals"]]
    # The partner sees "Recorded", and nothing of the match.
    sign_in(client, user("police"))
    page = client.get(reverse("referrals:my-referral", args=[referral.pk])).content.decode()
    assert "Recorded by the front door" in page and known.census_id not in page


def test_a_referral_recorded_meanwhile_is_not_recorded_twice(client, demo):
    referral = submit(user("police"))
    sign_in(client, user("practitioner"))
    client.post(reverse("referrals:partner-referral-record", args=[referral.pk]))
    state = sessions.kept(user=user("practitioner"), key="new-contact")
    new = {"first_name": "Jon", "last_name": "Smith", "date_of_birth": "", "nhs_number": ""}
    state["children"] = [{"new": new, "relationship": ""}]
    sessions.keep(user=user("practitioner"), key="new-contact", data=state)
    record_with_la_work(referral, feedback=False)  # someone else recorded it first
    response = client.post(reverse("referrals:contact-new-check"), {"decision_0_when": "later"})
    page = response.content.decode()
    assert response.status_code == 200 and "already been recorded" in page
    assert Contact.objects.count() == 1  # only the other person's
    again = client.post(reverse("referrals:partner-referral-record", args=[referral.pk]))
    assert again.url == reverse("referrals:partner-referral", args=[referral.pk])
    assert "already been recorded" in client.get(again.url).content.decode()


def test_an_ordinary_contact_records_no_partner_referral(client, demo):
    referral = submit(user("police"))
    sign_in(client, user("practitioner"))
    sessions.keep(
        user=user("practitioner"), key="new-contact",
        data={"details": {**contact_wizard_start(referral, by=user("practitioner"))["details"]},
              "children": [{"new": {"first_name": "Jo", "last_name": "Bloggs",
                                    "date_of_birth": "", "nhs_number": ""}, "relationship": ""}]},
    )  # fmt: skip
    later = {"decision_0_when": "later"}
    assert client.post(reverse("referrals:contact-new-check"), later).status_code == 302
    assert PartnerReferral.objects.get().state == PartnerReferralState.SUBMITTED


def test_the_feedback_form_says_a_partner_referrer_sees_the_feedback(client, demo):
    from tests.referrals.factories import signed_off

    contact_child = signed_off(by=user("practitioner"), signer=user("manager"),
                               outcome=Outcome.REFERRAL)  # fmt: skip
    sign_in(client, user("practitioner"))
    page = client.get(
        reverse("referrals:decision", args=[contact_child.contact_id, contact_child.pk])
    ).content.decode()
    assert "My referrals" in page and "shown to them" in page


def test_my_referrals_costs_the_same_with_10000_grants(client, demo):
    """My referrals is by ownership, not by grants: 10,000 grants to the agency (and others)
    change nothing in what the page costs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework import access
    from notes.models import Note
    from strategy.models import StrategyDiscussion
    from tests.factories import bulk_grants

    police = user("police")
    mine = submit(police)
    sign_in(client, police)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(LIST))
        assert [row.pk for row in response.context["rows"]] == [
            mine.pk,
            *[r.pk for r in response.context["rows"][1:]],
        ]
        return len(queries)

    one = count()
    bulk_grants(
        by=user("practitioner"),
        granted=[(police.agency, StrategyDiscussion, access.DISCUSSION_VIEW),
                 (police.agency, Note, access.NOTE_VIEW),
                 (user("health").agency, StrategyDiscussion, access.DISCUSSION_VIEW)],
        each=3400,
    )  # fmt: skip
    assert count() == one


def test_recording_a_partner_referral_is_not_replaced_by_an_older_half_typed_contact(client, demo):
    """Typing saved in the background on the contact page before (another contact) never
    comes back in place of the referral's own details."""
    referral = submit(user("police"))
    sign_in(client, user("practitioner"))
    stale = {"concern": "An older contact typed and left", "child_0_first_name": "Stale"}
    saved = client.post(
        reverse("accounts:save-draft"),
        {"path": reverse("referrals:contact-new"), "fields": json.dumps(stale)},
    )
    assert saved.status_code == 204
    client.post(reverse("referrals:partner-referral-record", args=[referral.pk]))
    page = client.get(reverse("referrals:contact-new")).content.decode()
    assert CONCERN in page and "An older contact typed and left" not in page
