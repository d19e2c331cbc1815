"""Ofsted's Annex A (DOMAIN.md "Ofsted Annex A"): lists 1, 3, 4 and 5, one sheet each, the
columns in DOMAIN.md's order, its answer labels, dd/mm/yyyy dates, "in the last 12 months"
counting earlier events only, and the allocation as at the end of the period; read back from
the file the command writes."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from referrals import services as referral_services
from referrals.codes import Disability, Ethnicity, Sex
from referrals.models import Allocation, Assessment, Child, ContactChild, Referral, Team
from referrals.models.episodes import NextSteps
from returns import annex_a
from returns.annex_a import write_annex_a
from strategy.models import InitialConference
from tests.referrals.factories import signed_off
from tests.returns.xlsx import read_workbook
from tests.strategy.factories import next_steps_signed_off, section47

pytestmark = pytest.mark.django_db

SHEETS = [
    "List 1 Contacts",
    "List 3 Referrals",
    "List 4 Assessments",
    "List 5 Section 47 and ICPCs",
]


def day(value) -> str:
    return value.strftime("%d/%m/%Y")


@pytest.fixture
def people(make_user):
    return make_user(Role.PRACTITIONER, first_name="Pat", last_name="Worker"), make_user(
        Role.MANAGER, first_name="Mo", last_name="Manager"
    )


@pytest.fixture
def world(people):
    """A child with a section 47 enquiry (and two earlier referrals, one of them more than
    12 months before, and an earlier enquiry and conference), a child with an authorised
    assessment, and a child whose referral was NFA."""
    worker, manager = people
    enquiry = section47(by=worker, signer=manager)
    child = enquiry.child
    Child.objects.filter(pk=child.pk).update(
        sex=Sex.FEMALE, ethnicity=Ethnicity.BAFR, disabilities=[Disability.AUT]
    )
    referral_date = enquiry.referral.referral_date
    for days_before in (200, 400):
        earlier = signed_off(by=worker, signer=manager).referral
        ContactChild.objects.filter(pk=earlier.contact_child_id).update(child=child)
        Referral.objects.filter(pk=earlier.pk).update(
            child=child, referral_date=referral_date - timedelta(days=days_before)
        )
    older = section47(by=worker, signer=manager)
    Referral.objects.filter(pk=older.referral_id).update(
        child=child, referral_date=referral_date - timedelta(days=100)
    )
    type(enquiry).objects.filter(pk=older.pk).update(
        child=child, start_date=enquiry.start_date - timedelta(days=90)
    )
    InitialConference.objects.create(
        section47=older, child=child, held_on=enquiry.start_date - timedelta(days=80),
        chair=manager, plan=False, recorded_by=manager,
    )  # fmt: skip
    team = Team.objects.create(name="Assessment team", manager=manager)
    Allocation.objects.create(child=child, team=team, worker=worker)

    assessed = next_steps_signed_off(by=worker, signer=manager, next_steps=NextSteps.ASSESSMENT)
    assessment = Assessment.objects.get(referral=assessed)
    referral_services.assessment_complete(
        by=worker, assessment=assessment, factors=["21"], analysis="Nothing found",
        version=assessment.version, child_seen=True, needs_support=False,
    )  # fmt: skip
    Child.objects.filter(pk=assessed.child_id).update(disabilities=[Disability.NONE])
    nfa = next_steps_signed_off(by=worker, signer=manager, next_steps=NextSteps.NO_FURTHER_ACTION)
    return {"enquiry": enquiry, "child": child, "assessment": assessment, "nfa": nfa}


def export(tmp_path, start, end, **kwargs):
    path = tmp_path / "annex-a.xlsx"
    rows = write_annex_a(str(path), start=start, end=end, **kwargs)
    return rows, read_workbook(path)


def test_each_list_has_its_sheet_and_domain_columns_in_order(db, tmp_path):
    today = timezone.localdate()
    rows, sheets = export(tmp_path, today - timedelta(days=30), today)
    assert rows == 0
    assert list(sheets) == SHEETS
    assert sheets["List 1 Contacts"][0] == [
        "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
        "Date of Contact", "Contact Source",
    ]  # fmt: skip
    assert sheets["List 3 Referrals"][0][5:] == [
        "Date of referral", "Referral Source", "Referral NFA?",
        "Number of Referrals in Last 12 Months", "Allocated Team", "Allocated Worker",
    ]  # fmt: skip
    assert sheets["List 4 Assessments"][0][5:] == [
        "Does the Child have a Disability", "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment", "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
        "Allocated Team", "Allocated Worker",
    ]  # fmt: skip
    assert sheets["List 5 Section 47 and ICPCs"][0][5:] == [
        "Does the Child have a Disability",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months", "Allocated Team", "Allocated Worker",
    ]  # fmt: skip


def test_answer_labels_follow_domain():
    assert annex_a.GENDER == {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
    assert annex_a.ETHNICITY["WBRI"] == "a) WBRI" and annex_a.ETHNICITY["NOBT"] == "t) NOBT"
    assert annex_a.SOURCE["1A"] == "a) 1A: Individual"
    assert annex_a.SOURCE["2A"] == "e) 2A: Schools"
    assert annex_a.SOURCE["2B"] == "f) 2B: Education services"
    assert annex_a.SOURCE["3F"] == "l) 3F: Health services"
    assert annex_a.SOURCE["4"] == "m) 4: Housing"
    assert annex_a.SOURCE["5C"] == "p) 5C: LA services"
    assert annex_a.SOURCE["6"] == "q) 6: Police"
    assert annex_a.SOURCE["10"] == "u) 10: Unknown"
    assert annex_a.SOURCE["5D"] == "5D: LA services"  # no letter in the specification [U]


def test_the_lists_hold_the_events_of_the_period_with_labels_dates_and_counts(world, tmp_path):
    today = timezone.localdate()
    child, enquiry = world["child"], world["enquiry"]
    rows, sheets = export(tmp_path, today - timedelta(days=60), today + timedelta(days=30))
    ref = child.census_id
    birth = Child.objects.get(pk=child.pk).date_of_birth

    contacts = [row for row in sheets["List 1 Contacts"][1:] if row[0] == ref]
    # Only the contacts received in the period: the earlier referrals' contacts are today's
    # too (moved to the child by direct update), so the child has four.
    assert contacts and all(row[1:4] == ["b) Female", "o) BAFR", day(birth)] for row in contacts)
    assert {row[6] for row in contacts} == {"e) 2A: Schools"}

    referrals = {row[5]: row for row in sheets["List 3 Referrals"][1:] if row[0] == ref}
    this = referrals[day(enquiry.referral.referral_date)]
    # Earlier referrals within 12 months: the one 200 days before and the one 100 days before
    # (not the one 400 days before, and never this one itself).
    assert this[6:] == ["e) 2A: Schools", "b) No", "2", "Assessment team", "Pat Worker"]
    nfa = next(
        row for row in sheets["List 3 Referrals"][1:] if row[0] == world["nfa"].child.census_id
    )
    assert nfa[7] == "a) Yes" and nfa[8] == "0"

    assessment = world["assessment"]
    assessments = [row for row in sheets["List 4 Assessments"][1:]
                   if row[0] == assessment.child.census_id]  # fmt: skip
    assert assessments == [[
        assessment.child.census_id, "c) Not stated/recorded", "t) NOBT",
        day(assessment.child.date_of_birth),
        str(assessments[0][4]), "b) No", day(assessment.start_date), "a) Yes", "", "b) No", "", "",
    ]]  # fmt: skip

    enquiries = [row for row in sheets["List 5 Section 47 and ICPCs"][1:] if row[0] == ref]
    current = next(row for row in enquiries if row[6] == day(enquiry.start_date))
    # The earlier enquiry (90 days before) and its conference (80 days before) count; the
    # conference is its own enquiry's, not this one's.
    assert current[5:] == [
        "a) Yes", day(enquiry.start_date), "b) No", "", "", "1", "1", "Assessment team",
        "Pat Worker",
    ]  # fmt: skip
    assert rows == sum(len(sheet) - 1 for sheet in sheets.values())


def test_the_allocation_is_the_one_held_at_the_end_of_the_period(world, tmp_path):
    today = timezone.localdate()
    _, sheets = export(tmp_path, today - timedelta(days=60), today - timedelta(days=1))
    ref = world["child"].census_id
    rows = [row for row in sheets["List 3 Referrals"][1:] if row[0] == ref]
    assert rows and all(row[9:] == ["", ""] for row in rows)  # allocated only today


def test_the_command_writes_the_file_takes_a_late_end_as_today_and_is_audited(world, tmp_path):
    today = timezone.localdate()
    path = tmp_path / "out.xlsx"
    out = StringIO()
    call_command(
        "export_annex_a", "--from", (today - timedelta(days=60)).isoformat(),
        "--to", (today + timedelta(days=400)).isoformat(), "--output", str(path), stdout=out,
    )  # fmt: skip
    assert f"to {day(today)}" in out.getvalue()
    assert list(read_workbook(path)) == SHEETS
    entry = AuditEntry.objects.filter(event=Event.EXPORT).latest("pk")
    assert entry.additional_data["to"] == today.isoformat()
    assert world["child"].last_name not in str(entry.additional_data)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [("2026-13-01", "2026-12-01", "YYYY-MM-DD"), ("2026-06-02", "2026-06-01", "start on or")],
)
def test_the_command_refuses_bad_dates(db, tmp_path, start, end, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "export_annex_a", "--from", start, "--to", end, "--output", str(tmp_path / "x.xlsx")
        )


def test_one_query_per_list_however_many_rows(
    world, people, tmp_path, django_assert_max_num_queries
):
    today = timezone.localdate()
    start, end = today - timedelta(days=60), today
    # The four lists, one query each (the counts and allocations are subqueries).
    with django_assert_max_num_queries(4):
        write_annex_a(str(tmp_path / "one.xlsx"), start=start, end=end)
    worker, manager = people
    for _ in range(3):
        section47(by=worker, signer=manager)
        next_steps_signed_off(by=worker, signer=manager, next_steps=NextSteps.ASSESSMENT)
    with django_assert_max_num_queries(4):
        rows = write_annex_a(str(tmp_path / "many.xlsx"), start=start, end=end)
    assert rows > 12
