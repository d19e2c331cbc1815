"""Notes on a referral, a strategy discussion and a section 47 enquiry (DESIGN.md
"Confidential text"): one model with a required child and an optional subject about that
child, listed on the subject's page newest first with corrections kept, and on the child's."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from casework.errors import RuleBroken
from notes import services as note_services
from notes.models import Note
from referrals import services
from strategy.models import Section47
from tests.conftest import sign_in
from tests.referrals.factories import contact, level
from tests.strategy.factories import convened, referral, section47

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role)
# Who may add a note: whoever records contacts (practitioners and managers). Readers without
# that right are refused (403), partners must not learn the record exists (404), the system
# administrator sees no case record (403).
ADDERS = {Role.PRACTITIONER: 302, Role.MANAGER: 302}
REFUSED = {
    Role.CONFERENCE_CHAIR: 403,
    Role.AUDITOR: 403,
    Role.PARTNER_PRACTITIONER: 404,
    Role.PARTNER_SAFEGUARDING_LEAD: 404,
    Role.SYSTEM_ADMINISTRATOR: 403,
}
STATUS = {**ADDERS, **REFUSED}
KINDS = ("referral", "discussion", "section47")
PAGE = {
    "referral": "referrals:referral",
    "discussion": "strategy:discussion",
    "section47": "strategy:section47",
}
ADD = {
    "referral": "referrals:referral-note-add",
    "discussion": "strategy:discussion-note-add",
    "section47": "strategy:section47-note-add",
}


@pytest.fixture
def worker(make_user):
    return make_user(Role.PRACTITIONER, first_name="Nell", last_name="Noter")


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, first_name="Mina", last_name="Manager")


@pytest.fixture
def enquiry(worker, manager) -> Section47:
    """One child's referral, the signed-off discussion about it, and the enquiry it started."""
    return section47(by=worker, signer=manager)


def siblings(*, by, signer) -> list:
    """Open referrals for a brother and sister named in one contact received 10 days ago."""
    from referrals.models.contacts import Outcome
    from referrals.models.episodes import Referral

    record = contact(by=by, children=2, days_ago=10)
    for contact_child in record.children.order_by("pk"):
        services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
            by=by, contact_child=contact_child, outcome=Outcome.REFERRAL,
            level_of_need=level(), rationale="Injuries to both",
        )  # fmt: skip
        services.decision_sign_off(by=signer, contact_child=contact_child)
    return list(Referral.objects.filter(contact_child__contact=record).order_by("pk"))


def subject(enquiry: Section47, kind: str):
    return {
        "referral": enquiry.referral,
        "discussion": enquiry.discussion_child.discussion,
        "section47": enquiry,
    }[kind]


def page_url(enquiry: Section47, kind: str) -> str:
    return reverse(PAGE[kind], args=[subject(enquiry, kind).pk])


def add_url(enquiry: Section47, kind: str) -> str:
    return reverse(ADD[kind], args=[subject(enquiry, kind).pk])


def body(response) -> str:
    return response.content.decode()


# The service --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_note_keeps_its_subject_and_a_correction_carries_it_over(worker, enquiry, kind):
    record = subject(enquiry, kind)
    note = note_services.note_add(by=worker, child=enquiry.child, text="Dad rang", **{kind: record})
    assert getattr(note, kind) == record and note.child == enquiry.child
    correction = note_services.note_correct(
        by=worker, note=note, text="Dad rang twice", significant=True
    )
    assert getattr(correction, kind) == record and correction.supersedes == note
    assert list(record.notes.all()) == [correction, note]


@pytest.mark.parametrize("kind", [*KINDS, "contact"])
def test_a_record_about_another_child_is_refused_and_nothing_is_saved(
    worker, manager, enquiry, kind
):
    other = contact(by=worker).children.get().child
    record = enquiry.referral.contact_child.contact if kind == "contact" else subject(enquiry, kind)
    with pytest.raises(RuleBroken, match="not about this child"):
        note_services.note_add(by=worker, child=other, text="Wrong child", **{kind: record})
    assert not Note.objects.exists()


def test_a_discussion_takes_a_note_about_any_of_its_children_only(worker, manager):
    first, second = siblings(by=worker, signer=manager)
    discussion = convened(by=worker, referrals=[first, second])
    note = note_services.note_add(
        by=worker, child=second.child, text="About her", discussion=discussion
    )
    assert note.discussion == discussion and note.child == second.child
    stranger = referral(by=worker, signer=manager).child
    with pytest.raises(RuleBroken, match="strategy discussion is not about this child"):
        note_services.note_add(by=worker, child=stranger, text="x", discussion=discussion)
    assert Note.objects.count() == 1


def test_a_note_has_one_subject_at_most(worker, enquiry):
    with pytest.raises(RuleBroken, match="one record"):
        note_services.note_add(
            by=worker, child=enquiry.child, text="Both", referral=enquiry.referral,
            section47=enquiry,
        )  # fmt: skip
    assert not Note.objects.exists()


@pytest.mark.parametrize("role", [Role.CONFERENCE_CHAIR, Role.AUDITOR])
def test_only_those_who_record_contacts_add_notes(make_user, enquiry, role):
    with pytest.raises(PermissionDenied):
        note_services.note_add(by=make_user(role), child=enquiry.child, text="x", section47=enquiry)
    assert not Note.objects.exists()


@pytest.mark.parametrize("text", ["", "   \n"])
def test_an_empty_note_is_refused(worker, enquiry, text):
    with pytest.raises(RuleBroken, match="Write the note"):
        note_services.note_add(by=worker, child=enquiry.child, text=text, referral=enquiry.referral)
    assert not Note.objects.exists()


# The pages, for every role ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("role", "status"), list(STATUS.items()))
def test_adding_a_note_for_every_role(client, make_user, enquiry, kind, role, status):
    sign_in(client, make_user(role))
    response = client.post(add_url(enquiry, kind), {"text": "Mum rang the school"})
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == page_url(enquiry, kind)
        note = Note.objects.get()
        assert getattr(note, kind) == subject(enquiry, kind) and note.child == enquiry.child
        assert "Mum rang the school" in body(client.get(page_url(enquiry, kind)))
    else:
        assert not Note.objects.exists()
        assert "Mum rang" not in body(response) and "Sib0" not in body(response)
        assert AuditEntry.objects.filter(event=Event.REFUSED).exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("role", "offered"),
    [(Role.PRACTITIONER, True), (Role.MANAGER, True), (Role.CONFERENCE_CHAIR, False),
     (Role.AUDITOR, False)],
)  # fmt: skip
def test_every_reader_sees_the_notes_and_only_those_who_may_add_see_the_form(
    client, make_user, worker, enquiry, kind, role, offered
):
    note_services.note_add(
        by=worker, child=enquiry.child, text="Seen at home", **{kind: subject(enquiry, kind)}
    )
    sign_in(client, make_user(role))
    page = body(client.get(page_url(enquiry, kind)))
    assert "Seen at home" in page and "Nell Noter" in page
    assert ("Add a note" in page) is offered
    assert (add_url(enquiry, kind) in page) is offered


@pytest.mark.parametrize("kind", KINDS)
def test_partners_get_not_found_for_a_record_that_does_not_exist_too(client, make_user, kind):
    sign_in(client, make_user(Role.PARTNER_PRACTITIONER))
    assert client.post(reverse(ADD[kind], args=[999999]), {"text": "x"}).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_note_shows_the_error_summary_and_saves_nothing(
    client, worker, enquiry, kind, text
):
    sign_in(client, worker)
    response = client.post(add_url(enquiry, kind), {"text": text, "significant": "on"})
    assert response.status_code == 200
    page = body(response)
    assert "govuk-error-summary" in page and "Write the note" in page
    assert "<title>Error: " in page
    assert not Note.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_a_note_over_the_limit_is_refused_with_what_was_typed_kept(client, worker, enquiry, kind):
    sign_in(client, worker)
    page = body(client.get(page_url(enquiry, kind)))
    assert "You can enter up to 20,000 characters" in page  # the limit is stated on the page
    typed = "Mum rang the school. " * 1_000  # 21,000 characters
    response = client.post(add_url(enquiry, kind), {"text": typed})
    assert response.status_code == 200
    page = body(response)
    assert "govuk-error-summary" in page and "Note must be 20,000 characters or fewer" in page
    assert typed.strip() in page  # nothing typed is lost
    assert not Note.objects.exists()
    # New lines and tabs are fine in a note; a control character or unreadable bytes are not.
    response = client.post(add_url(enquiry, kind), {"text": "Line one\r\n\tLine two \x07"})
    assert "Note must not contain control characters" in body(response)
    response = client.post(add_url(enquiry, kind), {"text": "Line one\r\n\tLine two"})
    assert response.status_code == 302
    assert Note.objects.get().text == "Line one\r\n\tLine two"


@pytest.mark.parametrize("kind", KINDS)
def test_notes_are_newest_first_with_corrections_shown_as_such(client, worker, enquiry, kind):
    record = {kind: subject(enquiry, kind)}
    first = note_services.note_add(by=worker, child=enquiry.child, text="First note", **record)
    note_services.note_add(by=worker, child=enquiry.child, text="Second note", **record)
    note_services.note_correct(
        by=worker, note=first, text="First note, corrected", significant=True
    )
    sign_in(client, worker)
    page = body(client.get(page_url(enquiry, kind)))
    assert page.index("First note, corrected") < page.index("Second note")
    assert page.index("Second note") < page.index("First note<")
    assert page.count('govuk-tag--grey">Corrected') == 1 and "Correction</strong>" in page
    assert "Significant" in page
    # Only the latest version offers a correction.
    assert page.count(">Correct<span") == 2
    assert reverse("referrals:note-correct", args=[enquiry.child_id, first.pk]) not in page


@pytest.mark.parametrize("kind", KINDS)
def test_a_correction_returns_to_the_record_the_note_is_about(client, worker, enquiry, kind):
    note = note_services.note_add(
        by=worker, child=enquiry.child, text="Typo", **{kind: subject(enquiry, kind)}
    )
    sign_in(client, worker)
    response = client.post(
        reverse("referrals:note-correct", args=[enquiry.child_id, note.pk]),
        {"text": "Fixed"},
    )
    assert response.status_code == 302 and response["Location"] == page_url(enquiry, kind)
    assert Note.objects.get(supersedes=note).text == "Fixed"


def test_notes_on_records_also_show_on_the_childs_page(client, worker, enquiry):
    for kind in KINDS:
        note_services.note_add(
            by=worker, child=enquiry.child, text=f"On the {kind}", **{kind: subject(enquiry, kind)}
        )
    sign_in(client, worker)
    page = body(client.get(reverse("referrals:child", args=[enquiry.child_id])))
    for kind in KINDS:
        assert f"On the {kind}" in page


def test_a_discussion_with_several_children_asks_which_child(client, worker, manager):
    first, second = siblings(by=worker, signer=manager)
    discussion = convened(by=worker, referrals=[first, second])
    sign_in(client, worker)
    add = reverse("strategy:discussion-note-add", args=[discussion.pk])
    page = body(client.get(reverse("strategy:discussion", args=[discussion.pk])))
    assert "About which child" in page
    client.post(add, {"child": second.child_id, "text": "About the younger one"})
    note = Note.objects.get()
    assert note.child == second.child and note.discussion == discussion
    page = body(client.get(reverse("strategy:discussion", args=[discussion.pk])))
    assert f"about {second.child.first_name} {second.child.last_name}" in page
    # A child the discussion is not about cannot be slipped in.
    stranger = referral(by=worker, signer=manager).child
    response = client.post(add, {"child": stranger.pk, "text": "Elsewhere"})
    assert response.status_code == 200 and "govuk-error-summary" in body(response)
    assert Note.objects.count() == 1


def test_a_note_is_audited_as_a_change_of_the_childs_record(client, worker, enquiry):
    sign_in(client, worker)
    client.post(add_url(enquiry, "discussion"), {"text": "Secret words"})
    note = Note.objects.get()
    entry = AuditEntry.objects.get(
        event=Event.CREATE, object_pk=str(note.pk), object_repr=str(note)
    )
    assert entry.child_ref == enquiry.child.census_id
    assert "Secret words" not in str(entry.changes)


def test_the_contact_page_title_carries_no_note(client, worker):
    record = contact(by=worker)
    note_services.note_add(
        by=worker, child=record.children.get().child, text="Private words", contact=record
    )
    sign_in(client, worker)
    page = body(client.get(reverse("referrals:contact", args=[record.pk])))
    title = page[page.index("<title>") : page.index("</title>")]
    assert "Private words" not in title and "Notes on this contact" not in title
    assert page.count("Private words") == 1
