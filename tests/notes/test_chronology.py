"""A child's chronology (issue 20): every event from the records and the manual entries, in
the order the events happened, filtered, printed and downloaded as a PDF; manual entries
sealed, corrected as new versions, audited; a fixed number of queries however long."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from casework.errors import RuleBroken
from notes import services
from notes.chronology import Filters, Kind, child_chronology, chronology_events
from notes.models import ChronologyEntry, ChronologySource
from referrals.models import Child, Household
from referrals.models.contacts import ContactDecision
from referrals.services.restrictions import child_restrict
from tests.conftest import sign_in
from tests.strategy.factories import section47

pytestmark = pytest.mark.django_db

ENTRY_TEXT = "Grandmother reported a fall at her house (fictional)"
LAST_YEAR = date(timezone.localdate().year - 1, 3, 14)


@pytest.fixture
def worker(make_user):
    return make_user(Role.PRACTITIONER, first_name="Nell", last_name="Noter")


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, first_name="Mina", last_name="Manager")


@pytest.fixture
def enquiry(worker, manager):
    """A contact, its decision and sign-off, the referral, next steps, a strategy discussion
    (convened, held, signed off, shared with the police and health) and the enquiry."""
    return section47(by=worker, signer=manager)


def entry(child, by, *, text=ENTRY_TEXT, happened_on=LAST_YEAR, significant=True):
    return services.chronology_entry_add(
        by=by, child=child, happened_on=happened_on, source=ChronologySource.FAMILY,
        text=text, significant=significant,
    )  # fmt: skip


# The chronology itself ---------------------------------------------------------------------


def test_every_kind_of_record_is_in_the_chronology_in_the_order_it_happened(enquiry, worker):
    child = enquiry.child
    entry(child, worker)
    events = chronology_events([child.pk])
    kinds = {event.kind for event in events}
    assert {Kind.CONTACT, Kind.DECISION, Kind.VOICE, Kind.REFERRAL, Kind.DISCUSSION,
            Kind.SECTION47, Kind.SHARING, Kind.ENTRY} <= kinds  # fmt: skip
    moments = [event.moment for event in events]
    assert moments == sorted(moments)
    # The entry dated last year comes first: before the contact received ten days ago.
    assert events[0].kind == Kind.ENTRY and events[0].detail == ENTRY_TEXT
    contact_event = next(event for event in events if event.kind == Kind.CONTACT)
    assert contact_event.detail == "Bruising seen at school"  # the concern as reported
    assert contact_event.source  # where it came from
    voice = next(event for event in events if event.kind == Kind.VOICE)
    assert voice.detail == "Says she feels safe with her aunt"
    held = next(event for event in events if event.what == "Strategy discussion held")
    assert "Attendance: " in held.detail and "attended" in held.detail and held.significant


def test_an_event_without_its_optional_timestamp_is_left_out_not_a_failure(enquiry):
    ContactDecision.objects.filter(contact_child__child=enquiry.child).update(reviewed_at=None)
    events = chronology_events([enquiry.child.pk])
    assert not [event for event in events if event.what.startswith("Contact decision signed")]
    assert events  # the rest is still there


def test_filters_keep_what_they_ask_for(enquiry, worker):
    child = enquiry.child
    entry(child, worker)
    entry(child, worker, text="Moved school (fictional)", significant=False,
          happened_on=LAST_YEAR + timedelta(days=30))  # fmt: skip
    everything = child_chronology(child, user=worker)
    significant = child_chronology(child, user=worker, filters=Filters(significant_only=True))
    assert 0 < len(significant.events) < len(everything.events) == significant.total
    assert all(event.significant for event in significant.events)
    assert "Moved school (fictional)" not in [event.detail for event in significant.events]
    kinds = child_chronology(child, user=worker, filters=Filters(kinds=frozenset({"entry"})))
    assert {event.kind for event in kinds.events} == {Kind.ENTRY}
    dated = child_chronology(
        child, user=worker, filters=Filters(since=LAST_YEAR, until=LAST_YEAR + timedelta(days=1))
    )
    assert [event.detail for event in dated.events] == [ENTRY_TEXT]


# Manual entries ------------------------------------------------------------------------------


def test_a_manual_entry_is_sealed_and_audited_without_its_text(enquiry, worker):
    added = entry(enquiry.child, worker)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM notes_chronologyentry WHERE id = %s", [added.pk])
        stored = cursor.fetchone()[0]
    assert "Grandmother" not in stored
    logged = AuditEntry.objects.filter(object_repr=str(added))
    assert logged.exists()
    assert all("Grandmother" not in (row.changes_text or "") + str(row.changes)
               for row in logged)  # fmt: skip
    assert logged.first().child_ref == enquiry.child.census_id


def test_a_correction_is_a_new_version_and_only_the_latest_is_in_the_chronology(enquiry, worker):
    first = entry(enquiry.child, worker)
    corrected = services.chronology_entry_correct(
        by=worker, entry=first, happened_on=LAST_YEAR - timedelta(days=1),
        source=ChronologySource.POLICE, text="Fall reported by the police (fictional)",
    )  # fmt: skip
    assert corrected.supersedes == first and ChronologyEntry.objects.count() == 2
    details = [event.detail for event in chronology_events([enquiry.child.pk])]
    assert "Fall reported by the police (fictional)" in details and ENTRY_TEXT not in details
    with pytest.raises(RuleBroken, match="corrected already"):
        services.chronology_entry_correct(
            by=worker, entry=first, happened_on=LAST_YEAR, source=ChronologySource.POLICE,
            text="Again",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"happened_on": date.today() + timedelta(days=3)}, "cannot be in the future"),
        ({"source": "gossip"}, "Choose where"),
        ({"text": "   "}, "Say what happened"),
    ],
)
def test_an_entry_needs_a_past_date_a_source_and_text(enquiry, worker, change, message):
    arguments = {"happened_on": LAST_YEAR, "source": ChronologySource.FAMILY, "text": "x"}
    with pytest.raises(RuleBroken, match=message):
        services.chronology_entry_add(by=worker, child=enquiry.child, **{**arguments, **change})
    assert not ChronologyEntry.objects.exists()


def test_only_those_who_record_contacts_add_entries(enquiry, make_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        entry(enquiry.child, make_user(Role.AUDITOR))


# The pages -----------------------------------------------------------------------------------

READERS = {Role.PRACTITIONER, Role.MANAGER, Role.CONFERENCE_CHAIR, Role.AUDITOR}
STATUS = {
    **dict.fromkeys(READERS, 200),
    Role.PARTNER_PRACTITIONER: 404,
    Role.PARTNER_SAFEGUARDING_LEAD: 404,
    Role.SYSTEM_ADMINISTRATOR: 403,
    Role.DATA_OFFICER: 404,  # no case records (issue 22)
}


@pytest.mark.parametrize("role", list(Role))
def test_the_chronology_page_and_pdf_per_role(client, make_user, enquiry, worker, role):
    entry(enquiry.child, worker)
    sign_in(client, make_user(role))
    page = client.get(reverse("notes:chronology", args=[enquiry.child.pk]))
    pdf = client.get(reverse("notes:chronology-pdf", args=[enquiry.child.pk]))
    assert (page.status_code, pdf.status_code) == (STATUS[role], STATUS[role])
    if STATUS[role] == 200:
        assert ENTRY_TEXT in page.content.decode()
        assert pdf["Content-Type"] == "application/pdf"


ADDS = {Role.PRACTITIONER: 302, Role.MANAGER: 302, Role.CONFERENCE_CHAIR: 403,
        Role.AUDITOR: 403, Role.PARTNER_PRACTITIONER: 404,
        Role.PARTNER_SAFEGUARDING_LEAD: 404, Role.SYSTEM_ADMINISTRATOR: 403,
        Role.DATA_OFFICER: 404}  # fmt: skip


def entry_form(text=ENTRY_TEXT, day: date = LAST_YEAR) -> dict:
    return {
        "happened_on_0": str(day.day), "happened_on_1": str(day.month),
        "happened_on_2": str(day.year), "source": ChronologySource.FAMILY, "text": text,
        "significant": "on",
    }  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
def test_adding_an_entry_per_role(client, make_user, enquiry, role):
    sign_in(client, make_user(role))
    response = client.post(reverse("notes:entry-add", args=[enquiry.child.pk]), entry_form())
    assert response.status_code == ADDS[role]
    assert ChronologyEntry.objects.exists() is (ADDS[role] == 302)


def test_the_entry_form_shows_errors_and_keeps_nothing(client, worker, enquiry):
    sign_in(client, worker)
    response = client.post(
        reverse("notes:entry-add", args=[enquiry.child.pk]),
        {**entry_form(), "happened_on_0": "31", "happened_on_1": "2", "source": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "must be a real date" in html and "Choose where the information came from" in html
    assert "data-keep-draft" in html
    assert not ChronologyEntry.objects.exists()


def test_correcting_an_entry_through_its_page(client, worker, enquiry):
    first = entry(enquiry.child, worker)
    sign_in(client, worker)
    url = reverse("notes:entry-correct", args=[enquiry.child.pk, first.pk])
    assert ENTRY_TEXT in client.get(url).content.decode()
    response = client.post(url, entry_form(text="Corrected: a fall at school (fictional)"))
    assert response.status_code == 302
    latest = ChronologyEntry.objects.get(supersedes=first)
    assert latest.text == "Corrected: a fall at school (fictional)"
    page = client.get(
        reverse("notes:entry-correct", args=[enquiry.child.pk, latest.pk])
    ).content.decode()
    assert ENTRY_TEXT in page and "Corrected" in page  # both versions shown


def test_a_row_shows_typed_text_as_text_with_its_line_breaks_and_its_links(client, worker, enquiry):
    typed = entry(enquiry.child, worker, text='Said <script>alert("x")</script> & left\r\nlater')
    sign_in(client, worker)
    html = client.get(reverse("notes:chronology", args=[enquiry.child.pk])).content.decode()
    assert "Said &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; left<br>later" in html
    assert "<script>alert" not in html
    correct = reverse("notes:entry-correct", args=[enquiry.child.pk, typed.pk])
    assert f'href="{correct}">Correct<span class="govuk-visually-hidden"> the entry of ' in html
    enquiry_page = reverse("strategy:section47", args=[enquiry.pk])
    assert f'<a class="govuk-link" href="{enquiry_page}">Section 47 enquiry started</a>' in html


def test_a_bad_filter_is_named_and_the_whole_chronology_shown(client, worker, enquiry):
    entry(enquiry.child, worker)
    sign_in(client, worker)
    response = client.get(
        reverse("notes:chronology", args=[enquiry.child.pk]),
        {"since": "2025-05-01", "until": "2025-01-01", "kind": "nonsense"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert ENTRY_TEXT in html


def test_the_child_page_links_to_the_chronology(client, worker, enquiry):
    sign_in(client, worker)
    html = client.get(reverse("referrals:child", args=[enquiry.child.pk])).content.decode()
    assert f'href="{reverse("notes:chronology", args=[enquiry.child.pk])}">Chronology</a>' in html


def test_the_page_is_read_once_in_the_audit_trail(client, worker, enquiry):
    sign_in(client, worker)
    client.get(reverse("notes:chronology", args=[enquiry.child.pk]))
    assert AuditEntry.objects.filter(event=Event.READ, child_ref=enquiry.child.census_id).exists()


# Brothers and sisters ------------------------------------------------------------------------


@pytest.fixture
def family(enquiry, worker, manager):
    """The enquiry's child with a sister (her own entry) and a restricted brother (his own
    entry), all three in one household."""
    child = enquiry.child
    sister = Child.objects.create(first_name="Tamsin", last_name="Jones")
    brother = Child.objects.create(first_name="Zebedee", last_name="Restricted")
    household = Household.objects.create(address="1 Fictional Row")
    household.children.add(child, sister, brother)
    entry(child, worker)
    entry(sister, worker, text="Sister event at the dentist (fictional)")
    entry(brother, worker, text="Brother event at the GP (fictional)")
    child_restrict(by=manager, child=brother, reason="Staff member's child", allowed=[manager])
    return child, sister, brother


def test_siblings_shown_beside_and_a_restricted_one_only_as_restricted(client, worker, family):
    child, _sister, brother = family
    sign_in(client, worker)
    url = reverse("notes:chronology", args=[child.pk])
    alone = client.get(url).content.decode()
    assert "Sister event at the dentist" not in alone
    beside = client.get(url, {"related": "on"}).content.decode()
    assert "Sister event at the dentist (fictional)" in beside and "Tamsin" in beside
    assert "Restricted record" in beside and brother.census_id in beside
    assert "Zebedee" not in beside and "Brother event at the GP" not in beside


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_holds_the_entries_leaves_the_restricted_out_and_is_an_export(
    client, worker, family
):
    child, sister, brother = family
    sign_in(client, worker)
    response = client.get(reverse("notes:chronology-pdf", args=[child.pk]), {"related": "on"})
    content = response.content
    assert response.status_code == 200 and content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    text = " ".join(pdf_text(content).split())
    assert "Grandmother reported a fall" in text and "Sister event at the dentist" in text
    assert "Zebedee" not in text and "Brother event at the GP" not in text
    exported = AuditEntry.objects.get(event=Event.EXPORT)
    assert exported.child_ref == child.census_id
    assert str(brother.pk) not in exported.additional_data["ids"]
    assert str(sister.pk) in exported.additional_data["ids"]


def test_the_pdf_keeps_the_filters(client, worker, enquiry):
    entry(enquiry.child, worker)
    entry(enquiry.child, worker, text="Not significant (fictional)", significant=False)
    sign_in(client, worker)
    response = client.get(
        reverse("notes:chronology-pdf", args=[enquiry.child.pk]), {"significant": "on"}
    )
    text = " ".join(pdf_text(response.content).split())
    assert "Grandmother reported a fall" in text and "Not significant" not in text


def test_the_pdf_prints_any_name_and_keeps_names_out_of_its_metadata(client, worker):
    child = Child.objects.create(first_name="Łukasz Zoë", last_name="Ayşe")
    entry(child, worker, text="Ελένη and Дмитрий came to the hearing (fictional)")
    sign_in(client, worker)
    content = client.get(reverse("notes:chronology-pdf", args=[child.pk])).content
    text = " ".join(pdf_text(content).split())
    assert f"Chronology: Łukasz Zoë Ayşe ({child.census_id})" in text
    assert "Ελένη and Дмитрий came to the hearing" in text
    assert f"OFFICIAL-SENSITIVE: {child.census_id}" in text and "Page 1 of 1" in text
    metadata = PdfReader(io.BytesIO(content)).metadata
    assert metadata.title == f"Chronology {child.census_id}"
    assert "Łukasz" not in str(dict(metadata)) and "Noter" not in str(dict(metadata))


def test_typed_markup_in_an_entry_prints_as_it_was_typed(client, worker, enquiry):
    typed = "Said <b>x</b> & <script>alert(1)</script> &amp; <br/> (fictional)\nNext line"
    entry(enquiry.child, worker, text=typed)
    sign_in(client, worker)
    response = client.get(reverse("notes:chronology-pdf", args=[enquiry.child.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Said <b>x</b> & <script>alert(1)</script> &amp; <br/> (fictional)\nNext line" in text


def test_500_events_make_one_pdf_numbered_page_n_of_m(client, worker):
    child = Child.objects.create(first_name="Many", last_name="Events")
    many_entries(child, worker, 500)
    sign_in(client, worker)
    content = client.get(reverse("notes:chronology-pdf", args=[child.pk])).content
    pages = PdfReader(io.BytesIO(content)).pages
    assert len(pages) > 1
    first, last = pages[0].extract_text(), pages[-1].extract_text()
    assert "500 events, oldest first" in first and f"Page 1 of {len(pages)}" in first
    assert f"Page {len(pages)} of {len(pages)}" in last
    text = " ".join(pdf_text(content).split())
    assert "Appointment 0 (fictional)" in text and "Appointment 499 (fictional)" in text


# Queries -------------------------------------------------------------------------------------


def many_entries(child, by, count: int) -> None:
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            child=child, happened_on=LAST_YEAR - timedelta(days=n), source=ChronologySource.HEALTH,
            text=f"Appointment {n} (fictional)", significant=n % 3 == 0, author=by,
        )
        for n in range(count)
    )  # fmt: skip


def many_contacts(child, by, count: int) -> None:
    """Earlier contacts about the child, each closed with a signed-off decision and the
    child's voice (bulk rows, as the benchmark seeds them)."""
    from referrals.models.contacts import Contact, ContactChild
    from tests.referrals.factories import level

    now = timezone.now()
    contacts = Contact.objects.bulk_create(
        Contact(received_at=now - timedelta(days=400 + n), taken_by=by, recorded_by=by,
                source="2A", concern=f"Earlier concern {n}", consent="given",
                decision_due=(now - timedelta(days=399 + n)).date())
        for n in range(count)
    )  # fmt: skip
    links = ContactChild.objects.bulk_create(
        ContactChild(
            contact=contact,
            child=child,
            state="closed",
            closed_at=now,
            received_at=contact.received_at,
            decision_due=contact.decision_due,
        )
        for contact in contacts
    )
    ContactDecision.objects.bulk_create(
        ContactDecision(contact_child=link, outcome="nfa", level_of_need=level(),
                        rationale="Weighed", proposed_by=by, state="signed_off",
                        reviewed_by=by, reviewed_at=now, childs_voice="Fine at home")
        for link in links
    )  # fmt: skip


# The page's queries: the session, the user and its groups, the restriction check, the
# contacts, decisions, referrals, next steps, assessments, discussions and their agencies,
# enquiries, outcomes, conferences, plans and reviews, LADO referrals, information requests,
# partner referrals, sharing records, allocations, restrictions, entries, notes, the audit
# entry and its chain; never one per event.
PAGE_QUERIES = 40


@pytest.mark.parametrize("count", [1, 500])
def test_the_page_takes_the_same_queries_for_1_and_500_events(
    client, worker, manager, django_assert_max_num_queries, count
):
    child = Child.objects.create(first_name="Query", last_name="Count")
    if count == 1:
        many_entries(child, worker, 1)
    else:
        child = section47(by=worker, signer=manager).child
        many_contacts(child, worker, 40)
        many_entries(child, worker, count - len(chronology_events([child.pk])))
    assert len(chronology_events([child.pk])) == count
    sign_in(client, worker)
    url = reverse("notes:chronology", args=[child.pk])
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(url, {"related": "on"})
    assert response.status_code == 200
    assert response.content.decode().count('<tr class="govuk-table__row">') == count + 1
