"""The CIN census XML (issue 22; DOMAIN.md "CIN census", "Identifiers", "Key rules"): its scope,
its mapping from the records, each key rule, the year's cut-off, streaming and the audit.

Journeys are made through the real services (tests.strategy.factories), then every date of the
child's records is moved back a whole number of weeks into the 2024-25 collection year (weekdays
stay weekdays), so that the census for 2025 is the same whatever day the tests run."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from referrals import services as referral_services
from referrals.codes import (
    AssessmentFactor,
    CategoryOfAbuse,
    PrimaryNeed,
    ReasonForClosure,
    Sex,
)
from referrals.models import Assessment, Child, Referral
from referrals.models.contacts import Outcome
from referrals.models.episodes import NextSteps
from returns import census
from returns.census import write_census
from strategy import services
from strategy.models import (
    ChildProtectionPlan,
    EnquiryOutcome,
    InitialConference,
    PlanReview,
    Section47,
)
from tests.referrals.factories import signed_off
from tests.strategy.factories import next_steps_signed_off, section47_outcome_signed_off

pytestmark = pytest.mark.django_db

YEAR = 2025  # the collection year 1 April 2024 to 31 March 2025
LANDING = date(2024, 9, 2)  # where a journey's referral is moved to (on or just before)
REFERENCE_DATE = date(2025, 3, 31)

DATE_FIELDS = {
    Referral: ("referral_date", "closure_date", "next_steps_due"),
    Assessment: ("start_date", "authorisation_date", "due"),
    Section47: ("start_date", "conference_due", "closed_at"),
    InitialConference: ("held_on",),
    ChildProtectionPlan: ("start_date", "end_date"),
}


def move_back(child: Child, *, to: date = LANDING) -> timedelta:
    """Move every date of the child's records back whole weeks, the first referral to `to` or
    the six days before it (a direct update: the services date what they do today)."""
    first = Referral.objects.filter(child=child).order_by("referral_date")[0].referral_date
    shift = timedelta(weeks=math.ceil((first - to).days / 7))
    for model, fields in DATE_FIELDS.items():
        for record in model.objects.filter(child=child):
            for name in fields:
                if getattr(record, name) is not None:
                    setattr(record, name, getattr(record, name) - shift)
            record.save(update_fields=list(fields))
    for review in PlanReview.objects.filter(plan__child=child):
        review.reviewed_on -= shift
        review.save(update_fields=["reviewed_on"])
    return shift


def export(year: int = YEAR, **options) -> ET.Element:
    out = io.BytesIO()
    write_census(out, year=year, **options)
    return ET.fromstring(out.getvalue())  # noqa: S314  # our own output


def child_element(root: ET.Element, child: Child) -> ET.Element:
    (found,) = [
        c for c in root.iter("Child") if c.findtext("ChildIdentifiers/LAchildID") == child.census_id
    ]
    return found


def tags(element: ET.Element) -> list[str]:
    return [sub.tag for sub in element]


@pytest.fixture
def people(make_user):
    return {
        "practitioner": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
        "manager2": make_user(Role.MANAGER),
        "chair": make_user(Role.CONFERENCE_CHAIR),
    }


def with_plan(people, *, review: bool = True, end: bool = False) -> Section47:
    """A section 47 enquiry whose initial conference, on the enquiry's first day, made a plan
    under physical abuse, reviewed (emotional abuse) and perhaps ended, today."""
    enquiry = section47_outcome_signed_off(by=people["practitioner"], signer=people["manager"])
    conference = services.conference_record(
        by=people["chair"], section47=enquiry, held_on=enquiry.start_date, agencies=[],
        plan=True, category=CategoryOfAbuse.PHY,
    )  # fmt: skip
    plan = conference.child_protection_plan
    if review:
        services.plan_review_record(
            by=people["chair"], plan=plan, reviewed_on=timezone.localdate(),
            category=CategoryOfAbuse.EMO,
        )  # fmt: skip
    if end:
        services.plan_end(by=people["chair"], plan=ChildProtectionPlan.objects.get(pk=plan.pk),
                          on=timezone.localdate(), reason="Safe now")  # fmt: skip
    return Section47.objects.get(pk=enquiry.pk)


def assessed(people, factors=(AssessmentFactor.F21,)) -> Referral:
    referral = next_steps_signed_off(
        by=people["practitioner"], signer=people["manager"], next_steps=NextSteps.ASSESSMENT
    )
    assessment = referral.assessments.get()
    assessment = referral_services.assessment_complete(
        by=people["practitioner"], assessment=assessment, factors=list(factors),
        analysis="Nothing of concern", version=assessment.version,
    )  # fmt: skip
    referral_services.assessment_authorise(by=people["manager"], assessment=assessment)
    return Referral.objects.get(pk=referral.pk)


# The header and the file ----------------------------------------------------------------------


def test_the_header_names_the_collection_year_and_the_authority(settings):
    settings.CIN_CENSUS_LA_CODE = "420"
    root = export()
    assert root.tag == "Message"
    assert tags(root) == ["Header", "Children"]
    details = root.find("Header/CollectionDetails")
    assert [(e.tag, e.text) for e in details] == [
        ("Collection", "CIN"), ("Year", "2025"), ("ReferenceDate", "2025-03-31"),
    ]  # fmt: skip
    source = root.find("Header/Source")
    assert tags(source) == ["SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime"]
    assert source.findtext("SourceLevel") == "L"
    assert source.findtext("LEA") == "420"
    assert source.findtext("SoftwareCode") == settings.CIN_CENSUS_SOFTWARE_CODE


def test_each_export_is_audited_with_the_children_it_held_and_numbered(people):
    referral = assessed(people)
    move_back(referral.child)
    before = AuditEntry.objects.filter(event=Event.EXPORT).count()
    export(actor=people["manager"])
    root = export()
    entries = AuditEntry.objects.filter(event=Event.EXPORT).order_by("sequence")
    assert entries.count() == before + 2
    entry = entries.last()
    assert entry.object_repr == "Export of the CIN census 2024-25"
    assert entry.additional_data["ids"] == [referral.child_id]
    assert entry.additional_data["children"] == 1
    assert entries.first().actor == people["manager"]
    assert root.findtext("Header/Source/SerialNo") == "2"
    # Nothing confidential: the export entry holds ids and dates, never a name.
    assert referral.child.first_name not in str(entry.additional_data)


# Scope -----------------------------------------------------------------------------------------


def test_one_child_per_child_with_a_referral_open_in_the_year_and_contacts_left_out(people):
    referral = assessed(people)
    move_back(referral.child)
    early_help = signed_off(by=people["practitioner"], signer=people["manager"],
                            outcome=Outcome.EARLY_HELP)  # fmt: skip
    root = export()
    ids = [c.findtext("ChildIdentifiers/LAchildID") for c in root.iter("Child")]
    assert ids == [referral.child.census_id]
    assert early_help.child.census_id not in ids


def test_referrals_closed_before_the_year_or_made_after_it_are_left_out(people):
    before = assessed(people)
    move_back(before.child, to=date(2024, 3, 4))
    Referral.objects.filter(pk=before.pk).update(
        closure_date=date(2024, 3, 20), closure_reason="RC7"
    )
    after = assessed(people)
    move_back(after.child, to=date(2025, 4, 7))
    spanning = assessed(people)
    move_back(spanning.child, to=date(2024, 3, 11))  # open across 1 April 2024
    Referral.objects.filter(pk=spanning.pk).update(
        closure_date=date(2024, 4, 2), closure_reason="RC7"
    )
    root = export()
    ids = [c.findtext("ChildIdentifiers/LAchildID") for c in root.iter("Child")]
    assert ids == [spanning.child.census_id]


def test_one_cin_details_per_referral_in_the_order_they_were_made(people):
    first = assessed(people)
    child = first.child
    move_back(child, to=date(2024, 6, 3))
    second = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    Referral.objects.filter(pk=second.pk).update(child=child)
    Assessment.objects.filter(referral=second).update(child=child)
    Referral.objects.filter(pk=second.pk).update(referral_date=date(2024, 11, 4))
    Assessment.objects.filter(referral=second).update(start_date=date(2024, 11, 5))
    element = child_element(export(), child)
    referral_dates = [d.findtext("CINreferralDate") for d in element.findall("CINdetails")]
    first.refresh_from_db()
    assert referral_dates == [first.referral_date.isoformat(), "2024-11-04"]
    assert "2024-06-" in referral_dates[0] or "2024-05-" in referral_dates[0]


# Key rules --------------------------------------------------------------------------------------


def test_la_child_id_is_the_stable_reference_short_alphanumeric_and_unique(people):
    # 1570/1580: at most 20 alphanumeric characters; 8510: unique in the return.
    for _ in range(2):
        move_back(assessed(people).child)
    ids = [c.findtext("ChildIdentifiers/LAchildID") for c in export().iter("Child")]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert all(len(i) <= 20 and i.isalnum() and i.startswith("FD") for i in ids)


def test_an_nfa_referral_has_referral_nfa_1_and_nothing_else(people):
    # 8831: no activity on an NFA referral; UN7 when every referral of the child is NFA.
    referral = next_steps_signed_off(by=people["practitioner"], signer=people["manager"],
                                     next_steps=NextSteps.NO_FURTHER_ACTION)  # fmt: skip
    move_back(referral.child)
    element = child_element(export(), referral.child)
    (details,) = element.findall("CINdetails")
    assert tags(details) == ["CINreferralDate", "ReferralSource", "ReferralNFA"]
    assert details.findtext("ReferralNFA") == "1"
    assert element.findtext("ChildIdentifiers/UPNunknown") == "UN7"


def test_other_referrals_have_a_primary_need_and_referral_nfa_0(people):
    # 8610: the primary need signed off with the next steps; "not stated" (N0) before that.
    decided = assessed(people)
    move_back(decided.child)
    undecided = signed_off(by=people["practitioner"], signer=people["manager"]).referral
    move_back(undecided.child)
    root = export()
    details = child_element(root, decided.child).find("CINdetails")
    assert details.findtext("PrimaryNeedCode") == PrimaryNeed.N1
    assert details.findtext("ReferralNFA") == "0"
    undecided_details = child_element(root, undecided.child).find("CINdetails")
    assert undecided_details.findtext("PrimaryNeedCode") == "N0"
    assert undecided_details.findtext("ReferralNFA") == "0"


def test_cin_details_elements_come_in_the_order_of_domain_md(people):
    enquiry = with_plan(people)
    assessment = Assessment.objects.get(referral_id=enquiry.referral_id)
    assessment = referral_services.assessment_complete(
        by=people["practitioner"], assessment=assessment, factors=["16A"],
        analysis="Neglect", version=assessment.version,
    )  # fmt: skip
    referral_services.assessment_authorise(by=people["manager"], assessment=assessment)
    referral_services.referral_close(
        by=people["manager"], referral=Referral.objects.get(pk=enquiry.referral_id),
        reason=ReasonForClosure.RC7, on=timezone.localdate(), plan_end_reason="Safe now",
    )  # fmt: skip
    move_back(enquiry.child)
    details = child_element(export(), enquiry.child).find("CINdetails")
    order = ["CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate",
             "ReasonForClosure", "DateOfInitialCPC", "Assessments", "CINPlanDates",
             "Section47", "ReferralNFA", "ChildProtectionPlans"]  # fmt: skip
    present = tags(details)
    assert present == [name for name in order if name in present]
    assert {"Assessments", "Section47", "ChildProtectionPlans", "CINclosureDate"} <= set(present)


def test_assessment_and_enquiry_start_on_or_after_the_referral(people):
    # 2889/1103: no s47 or assessment starts before the referral; the s47 starts on the
    # strategy discussion's date.
    enquiry = with_plan(people, review=False)
    move_back(enquiry.child)
    enquiry = Section47.objects.select_related("discussion_child__discussion").get(pk=enquiry.pk)
    details = child_element(export(), enquiry.child).find("CINdetails")
    referred = details.findtext("CINreferralDate")
    s47_start = details.findtext("Section47/S47ActualStartDate")
    assert s47_start == enquiry.start_date.isoformat() >= referred
    assert details.findtext("Assessments/AssessmentActualStartDate") >= referred


def test_the_conference_is_on_a_weekday_not_before_the_enquiry_and_at_one_level(people):
    # 8615, 8875 (8870Q: nor the target), 2884: DateOfInitialCPC in Section47 only.
    enquiry = with_plan(people, review=False)
    move_back(enquiry.child)
    enquiry = Section47.objects.get(pk=enquiry.pk)
    details = child_element(export(), enquiry.child).find("CINdetails")
    section47 = details.find("Section47")
    assert tags(section47) == ["S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC",
                               "ICPCnotRequired"]  # fmt: skip
    held = date.fromisoformat(section47.findtext("DateOfInitialCPC"))
    assert held.weekday() < 5
    assert held >= date.fromisoformat(section47.findtext("S47ActualStartDate"))
    assert section47.findtext("InitialCPCtarget") == enquiry.conference_due.isoformat()
    assert section47.findtext("ICPCnotRequired") == "0"
    assert details.find("DateOfInitialCPC") is None


def test_the_plan_starts_on_the_conference_date_with_its_categories_and_reviews(people):
    # 2885: CPPstartDate = the ICPC's date; categories initial and latest; reviews; previous.
    enquiry = with_plan(people, review=True, end=True)
    move_back(enquiry.child)
    plan = ChildProtectionPlan.objects.get(child=enquiry.child)
    details = child_element(export(), enquiry.child).find("CINdetails")
    element = details.find("ChildProtectionPlans")
    assert element.findtext("CPPstartDate") == details.findtext("Section47/DateOfInitialCPC")
    assert element.findtext("CPPendDate") == plan.end_date.isoformat()
    assert element.findtext("InitialCategoryOfAbuse") == CategoryOfAbuse.PHY
    assert element.findtext("LatestCategoryOfAbuse") == CategoryOfAbuse.EMO
    assert element.findtext("NumberOfPreviousCPP") == "0"
    assert [r.findtext("CPPreviewDate") for r in element.findall("Reviews")] == [
        plan.reviews.get().reviewed_on.isoformat()
    ]


def test_one_open_enquiry_and_one_open_assessment_per_episode(people):
    # 8839/8890/8896: an open enquiry (no ICPC, not "not required") and its open assessment.
    enquiry = section47_outcome_signed_off(by=people["practitioner"], signer=people["manager"])
    move_back(enquiry.child)
    details = child_element(export(), enquiry.child).find("CINdetails")
    open_enquiries = [s for s in details.findall("Section47") if s.find("DateOfInitialCPC") is None
                      and s.findtext("ICPCnotRequired") == "0"]  # fmt: skip
    open_assessments = [a for a in details.findall("Assessments")
                        if a.find("AssessmentAuthorisationDate") is None]  # fmt: skip
    assert len(open_enquiries) == 1
    assert len(open_assessments) == 1
    assert open_assessments[0].find("FactorsIdentifiedAtAssessment") is None  # 8614


def test_an_enquiry_closed_without_a_conference_is_icpc_not_required(people):
    # 8868: on closure, every s47 has an ICPC date or ICPCnotRequired.
    enquiry = section47_outcome_signed_off(by=people["practitioner"], signer=people["manager"],
                                           outcome=EnquiryOutcome.NOT_SUBSTANTIATED)  # fmt: skip
    move_back(enquiry.child)
    section47 = child_element(export(), enquiry.child).find("CINdetails/Section47")
    assert section47.findtext("ICPCnotRequired") == "1"
    assert section47.find("DateOfInitialCPC") is None


def test_factors_of_an_authorised_assessment_and_nothing_found_closes_rc8(people):
    referral = assessed(people, factors=[AssessmentFactor.F21])
    referral_services.referral_close(
        by=people["manager"], referral=referral, reason=ReasonForClosure.RC8,
        on=timezone.localdate(),
    )  # fmt: skip
    move_back(referral.child)
    details = child_element(export(), referral.child).find("CINdetails")
    assert details.findtext("ReasonForClosure") == "RC8"
    assert details.findtext("CINclosureDate") >= details.findtext("CINreferralDate")
    assessment = details.find("Assessments")
    assert assessment.findtext("AssessmentAuthorisationDate") is not None
    assert [
        f.text for f in assessment.findall("FactorsIdentifiedAtAssessment/AssessmentFactors")
    ] == ["21"]


# The child -----------------------------------------------------------------------------------


def test_child_identifiers_and_characteristics(people):
    referral = assessed(people)
    move_back(referral.child)
    Child.objects.filter(pk=referral.child_id).update(
        upn="A921200118031", former_upn="", sex=Sex.FEMALE, ethnicity="WBRI",
        disabilities=["AUT", "LD"],
    )  # fmt: skip
    element = child_element(export(), referral.child)
    identifiers = element.find("ChildIdentifiers")
    assert tags(identifiers) == ["LAchildID", "UPN", "PersonBirthDate", "Sex"]
    assert identifiers.findtext("UPN") == "A921200118031"
    assert identifiers.findtext("Sex") == "F"
    assert element.findtext("ChildCharacteristics/Ethnicity") == "WBRI"
    assert [d.text for d in element.findall("ChildCharacteristics/Disabilities/Disability")] == [
        "AUT", "LD",
    ]  # fmt: skip


def test_no_upn_gives_the_recorded_reason_or_un1_for_a_child_not_yet_of_school_age(people):
    older, younger, recorded = (assessed(people) for _ in range(3))
    for referral in (older, younger, recorded):
        move_back(referral.child)
    Child.objects.filter(pk=older.child_id).update(date_of_birth=date(2012, 5, 5))
    Child.objects.filter(pk=younger.child_id).update(date_of_birth=date(2022, 5, 5))
    Child.objects.filter(pk=recorded.child_id).update(upn_unknown="UN3")
    root = export()
    assert child_element(root, older.child).find("ChildIdentifiers/UPNunknown") is None
    assert child_element(root, younger.child).findtext("ChildIdentifiers/UPNunknown") == "UN1"
    assert child_element(root, recorded.child).findtext("ChildIdentifiers/UPNunknown") == "UN3"


def test_an_unborn_child_has_the_expected_date_and_sex_u(people):
    referral = assessed(people)
    move_back(referral.child)
    Child.objects.filter(pk=referral.child_id).update(
        date_of_birth=None, expected_date_of_birth=date(2025, 6, 1), sex=Sex.UNKNOWN
    )
    identifiers = child_element(export(), referral.child).find("ChildIdentifiers")
    assert identifiers.find("PersonBirthDate") is None
    assert identifiers.findtext("ExpectedPersonBirthDate") == "2025-06-01"
    assert identifiers.findtext("Sex") == "U"


def test_a_child_born_after_the_reference_date_was_unborn_on_it(people):
    referral = assessed(people)
    move_back(referral.child)
    Child.objects.filter(pk=referral.child_id).update(date_of_birth=date(2025, 5, 1), sex="F")
    identifiers = child_element(export(), referral.child).find("ChildIdentifiers")
    assert identifiers.find("PersonBirthDate") is None
    assert identifiers.findtext("ExpectedPersonBirthDate") == "2025-05-01"
    assert identifiers.findtext("Sex") == "U"


def test_the_date_of_death_where_a_child_has_died_by_the_reference_date(people):
    died, later = assessed(people), assessed(people)
    for referral in (died, later):
        move_back(referral.child)
    Child.objects.filter(pk=died.child_id).update(date_of_death=date(2025, 1, 10))
    Child.objects.filter(pk=later.child_id).update(date_of_death=date(2025, 4, 10))
    root = export()
    assert (
        child_element(root, died.child).findtext("ChildIdentifiers/PersonDeathDate") == "2025-01-10"
    )
    assert child_element(root, later.child).find("ChildIdentifiers/PersonDeathDate") is None


# The year's cut-off ---------------------------------------------------------------------------


def test_a_past_year_reads_as_on_its_reference_date(people):
    enquiry = with_plan(people, review=True, end=True)
    referral = Referral.objects.get(pk=enquiry.referral_id)
    move_back(enquiry.child, to=date(2025, 3, 24))  # the journey straddles 31 March 2025
    plan = ChildProtectionPlan.objects.get(child=enquiry.child)
    review = plan.reviews.get()
    # What happened after the reference date: the plan's review and end, the authorisation.
    PlanReview.objects.filter(pk=review.pk).update(reviewed_on=date(2025, 4, 8))
    ChildProtectionPlan.objects.filter(pk=plan.pk).update(end_date=date(2025, 4, 9))
    Assessment.objects.filter(referral=referral).update(
        state="authorised", authorisation_date=date(2025, 4, 3), factors=["16A"]
    )
    details = child_element(export(), enquiry.child).find("CINdetails")
    element = details.find("ChildProtectionPlans")
    assert element.find("CPPendDate") is None
    assert element.findall("Reviews") == []
    assert element.findtext("LatestCategoryOfAbuse") == CategoryOfAbuse.PHY
    assessment = details.find("Assessments")
    assert assessment.find("AssessmentAuthorisationDate") is None
    assert assessment.find("FactorsIdentifiedAtAssessment") is None


def test_work_finished_before_the_year_is_left_out_of_a_referral_open_in_it(people):
    # 8696, 8715, 8930: an assessment authorised, an enquiry's conference or a plan's end
    # before 1 April belong to the year before.
    enquiry = with_plan(people, review=False, end=True)
    move_back(enquiry.child, to=date(2024, 3, 11))
    details = child_element(export(), enquiry.child).find("CINdetails")
    assert details.findall("Section47") == []
    assert details.findall("ChildProtectionPlans") == []
    # The enquiry's assessment is still open: it stays (rule 8736 then asks about it).
    (assessment,) = details.findall("Assessments")
    assert assessment.find("AssessmentAuthorisationDate") is None


def test_a_year_in_progress_is_exported_as_at_today(people):
    referral = assessed(people)
    today = timezone.localdate()
    year = today.year + 1 if today.month >= 4 else today.year
    root = export(year)
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == f"{year}-03-31"
    assert referral.child.census_id in [
        c.findtext("ChildIdentifiers/LAchildID") for c in root.iter("Child")
    ]


# Streaming and queries --------------------------------------------------------------------------


def without_stamps(out: io.BytesIO) -> list[str]:
    """The file's lines but the serial number and the time it was made."""
    lines = out.getvalue().decode().splitlines()
    return [line for line in lines if "SerialNo" not in line and "DateTime" not in line]


def test_the_same_file_in_chunks_of_any_size(people, monkeypatch):
    for _ in range(3):
        move_back(with_plan(people).child)
    whole = io.BytesIO()
    write_census(whole, year=YEAR)
    monkeypatch.setattr(census, "CHUNK_SIZE", 1)
    chunked = io.BytesIO()
    calls = []
    assert (
        write_census(chunked, year=YEAR, progress=lambda done, total: calls.append((done, total)))
        == 3
    )
    assert without_stamps(chunked) == without_stamps(whole)
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("children", [1, 4])
def test_queries_do_not_grow_with_the_children(people, children, django_assert_max_num_queries):
    for _ in range(children):
        move_back(with_plan(people).child)
    # Count, serial number; per chunk: ids, children, referrals, assessments, enquiries with
    # their conferences, plans, reviews; the end of the ids; the audit entry (content type,
    # chain lock and last entry, insert) and PostgreSQL's savepoints around it.
    with django_assert_max_num_queries(18):
        assert write_census(io.BytesIO(), year=YEAR) == children


# The command ------------------------------------------------------------------------------------


def test_the_command_writes_the_file(people, tmp_path):
    move_back(assessed(people).child)
    path = tmp_path / "census.xml"
    out = io.StringIO()
    call_command("export_cin_census", "--year", "2025", "--output", str(path), stdout=out)
    assert "1 children" in out.getvalue()
    root = ET.parse(path).getroot()  # noqa: S314  # our own output
    assert len(root.findall("Children/Child")) == 1


@pytest.mark.parametrize("year", ["1999", "2100"])
def test_the_command_refuses_a_year_out_of_range(year, tmp_path):
    with pytest.raises(CommandError):
        call_command("export_cin_census", "--year", year, "--output", str(tmp_path / "x.xml"))
