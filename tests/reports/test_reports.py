"""The management reports (issue 21): who may read them, what they count, the chart and its
table agreeing, the downloads holding the page's rows, a restricted child by reference only,
the audit trail, and query counts the same for one record and many."""

from __future__ import annotations

import csv
import importlib
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from referrals import services as referral_services
from referrals.models.contacts import ContactChild, Outcome
from referrals.services import restrictions
from reports import selectors
from reports.exports import safe_text
from tests.conftest import sign_in
from tests.referrals.factories import level, proposed, signed_off

pytestmark = pytest.mark.django_db(serialized_rollback=True)

REPORT_SLUGS = [kind.slug for kind in selectors.REPORTS]


@pytest.fixture
def staff(make_user):
    return {
        "worker": make_user(Role.PRACTITIONER, first_name="Wendy", last_name="Worker"),
        "manager": make_user(Role.MANAGER, first_name="Mo", last_name="Manager"),
        "auditor": make_user(Role.AUDITOR),
    }


def nfa(staff, count: int = 1):
    return [
        signed_off(by=staff["worker"], signer=staff["manager"], outcome=Outcome.NO_FURTHER_ACTION)
        for _ in range(count)
    ]


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    text = body_of(response).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> list[list[str]]:
    """The first sheet's cells as text, read with zipfile and XML (openpyxl is not installed)."""
    ns = {"s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    archive = zipfile.ZipFile(io.BytesIO(body_of(response)))
    shared = []
    if "xl/sharedStrings.xml" in archive.namelist():
        root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314  # our own download
        shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['s']}}}t")) for si in root]
    sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314  # ours
    rows = []
    for row in sheet.iter(f"{{{ns['s']}}}row"):
        cells = []
        for cell in row.findall("s:c", ns):
            kind = cell.get("t")
            if kind == "s":
                cells.append(shared[int(cell.find("s:v", ns).text)])
            elif kind == "inlineStr":
                cells.append("".join(t.text or "" for t in cell.iter(f"{{{ns['s']}}}t")))
            else:
                value = cell.find("s:v", ns)
                cells.append(value.text if value is not None else "")
        rows.append(cells)
    return rows


def cells_of(row: list[str]) -> list[str]:
    """A row's cells compared across formats (an empty last cell is absent from the XLSX)."""
    cells = [same(value) for value in row]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def same(value: str) -> str:
    """A number as CSV and XLSX both write it ("1" and "1", "50.0" and "50")."""
    try:
        number = float(value)
    except ValueError:
        return value
    return str(int(number)) if number == int(number) else str(number)


# Who may read them ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.MANAGER, 200),
        (Role.AUDITOR, 200),
        (Role.PRACTITIONER, 403),
        (Role.CONFERENCE_CHAIR, 403),
        (Role.PARTNER_PRACTITIONER, 403),
        (Role.PARTNER_SAFEGUARDING_LEAD, 403),
        (Role.SYSTEM_ADMINISTRATOR, 403),
    ],
)
@pytest.mark.parametrize("path", ["/reports/", *(f"/reports/{s}/" for s in REPORT_SLUGS)])
def test_reports_are_for_managers_and_auditors(client, make_user, role, status, path):
    sign_in(client, make_user(role))
    assert client.get(path).status_code == status


def test_the_navigation_links_to_reports_for_managers_only(client, make_user):
    sign_in(client, make_user(Role.MANAGER))
    assert b">Reports</a>" in client.get("/reports/").content
    sign_in(client, make_user(Role.PRACTITIONER))
    assert b">Reports</a>" not in client.get("/").content


def test_an_unknown_report_or_format_is_not_found(client, staff):
    sign_in(client, staff["manager"])
    assert client.get("/reports/nothing/").status_code == 404
    assert client.get("/reports/timeliness/download.pdf").status_code == 404


@pytest.mark.parametrize(
    "query",
    ["start=2026-13", "start=abc", "team=x", "worker=999999", "months=7", "seed=-1",
     "seed=99999999999", "start=%00"],
)  # fmt: skip
def test_bad_filters_show_an_error_summary_never_a_500(client, staff, query):
    sign_in(client, staff["manager"])
    response = client.get(f"/reports/no-further-action/?{query}")
    assert response.status_code == 400
    assert b"govuk-error-summary" in response.content
    assert client.get(f"/reports/no-further-action/download.csv?{query}").status_code == 400


# What they count ---------------------------------------------------------------------------


def test_timeliness_counts_a_decision_on_time(client, staff):
    nfa(staff)
    report = selectors.timeliness(selectors.last_twelve_months())
    contact_rows = [r for r in report.rows if r[0].startswith("Contact decision")]
    assert [r[2:] for r in contact_rows] == [(1, 0, 0, 100.0)]
    assert report.bars[0].value == 100.0


def test_outcomes_by_level_and_worker_count_safety_reasons(staff):
    nfa(staff, 2)
    report = selectors.outcomes(selectors.last_twelve_months())
    assert report.rows == [("Level 3: complex needs", "Wendy Worker", "No further action", 2, 0)]
    assert [(b.label, b.value) for b in report.bars] == [("Level 3: complex needs", 2)]


def test_filters_by_worker_and_team(staff, make_user):
    nfa(staff)
    period = selectors.last_twelve_months()
    other = make_user(Role.PRACTITIONER)
    by_other = selectors.Filters(start=period.start, end=period.end, worker_id=other.pk)
    assert selectors.outcomes(by_other).rows == []
    by_worker = selectors.Filters(start=period.start, end=period.end, worker_id=staff["worker"].pk)
    assert len(selectors.outcomes(by_worker).rows) == 1


def test_re_referrals_by_source(staff):
    first = signed_off(by=staff["worker"], signer=staff["manager"], outcome=Outcome.REFERRAL)
    again = referral_services.contact_record(
        by=staff["worker"], received_at=timezone.now(), taken_by=staff["worker"],
        source=first.contact.source, concern="Again", consent=first.contact.consent,
        children=[first.child], referrer_name="Mrs Head", referrer_agency="St Bride's",
    ).children.get()  # fmt: skip
    referral_services.decision_propose(
        by=staff["worker"], contact_child=again, outcome=Outcome.REFERRAL, level_of_need=level(),
        rationale="Again", childs_voice="Wants help",
    )  # fmt: skip
    referral_services.decision_sign_off(by=staff["manager"], contact_child=again, comment="ok")
    report = selectors.re_referrals(selectors.last_twelve_months())
    assert [row[1:] for row in report.rows] == [(2, 1, 50.0)]


def test_the_sample_is_reproducible_from_its_seed(staff):
    nfa(staff, 12)
    period = selectors.last_twelve_months()
    user = staff["manager"]

    def sample(seed):
        filters = selectors.Filters(start=period.start, end=period.end, seed=seed)
        return [row[-1] for row in selectors.nfa_sample(filters, user).rows]

    assert sample(7) == sample(7)
    assert len(sample(7)) == selectors.SAMPLE_SIZE
    assert sample(7) != sample(8) or sample(7) != sample(9)


def test_the_sample_page_shows_and_takes_the_seed(client, staff):
    nfa(staff, 3)
    sign_in(client, staff["manager"])
    response = client.get("/reports/no-further-action/?seed=42")
    assert b"Seed 42: 3 of 3 decisions sampled." in response.content
    assert b"/quality-audits/new/?kind=contact_decision" in response.content


# The chart and its table agree; the downloads hold the page's rows --------------------------


@pytest.mark.parametrize("slug", REPORT_SLUGS)
def test_chart_table_and_downloads_agree(client, staff, slug):
    nfa(staff, 2)
    sign_in(client, staff["auditor"])
    page = client.get(f"/reports/{slug}/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-title chart-description"' in svg
    assert '<title id="chart-title">' in svg
    bars = re.findall(r'data-label="([^"]*)" data-shown="([^"]*)"', svg)
    table = page[page.index('id="chart-table"') : page.index("</table>", page.index("chart-table"))]
    cells = re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]*)</th><td[^>]*>([^<]*)</td>', table
    )
    assert cells == bars
    in_csv = csv_rows(client.get(f"/reports/{slug}/download.csv"))
    in_xlsx = xlsx_rows(client.get(f"/reports/{slug}/download.xlsx"))
    assert [cells_of(row) for row in in_csv] == [cells_of(row) for row in in_xlsx]
    shown_rows = page.count('<tr class="govuk-table__row"><td class="govuk-table__cell">')
    if 'id="report-rows"' in page:
        assert len(in_csv) - 1 >= 1
        assert shown_rows >= len(in_csv) - 1


def test_downloads_stream(client, staff):
    nfa(staff)
    sign_in(client, staff["manager"])
    response = client.get("/reports/timeliness/download.csv")
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="timeliness-')
    response = client.get("/reports/timeliness/download.xlsx")
    assert response.streaming
    assert body_of(response)[:2] == b"PK"


def test_a_cell_that_looks_like_a_formula_is_text():
    assert safe_text("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_text("Plain") == "Plain"
    assert safe_text(3) == 3


# A restricted child by reference only, in every format ---------------------------------------


def test_a_restricted_child_shows_by_reference_only_in_every_format(client, staff, make_user):
    (decision,) = nfa(staff)
    child = decision.child
    restrictions.child_restrict(
        by=staff["manager"],
        child=child,
        reason="Staff member's child",
        allowed=[staff["manager"]],
    )
    auditor = staff["auditor"]
    sign_in(client, auditor)
    page = client.get("/reports/no-further-action/").content.decode()
    csv_text = body_of(client.get("/reports/no-further-action/download.csv")).decode()
    xlsx = xlsx_rows(client.get("/reports/no-further-action/download.xlsx"))
    for text in (page, csv_text, str(xlsx)):
        assert f"Restricted record {child.census_id}" in text
        assert child.first_name not in text
        assert child.last_name not in text


# The audit trail ----------------------------------------------------------------------------


def test_every_view_and_download_is_audited(client, staff):
    (decision,) = nfa(staff)
    sign_in(client, staff["manager"])
    client.get("/reports/no-further-action/?seed=3")
    client.get("/reports/no-further-action/download.csv?seed=3")
    client.get("/reports/timeliness/download.xlsx")
    entries = list(
        AuditEntry.objects.filter(actor=staff["manager"], event__in=[Event.READ, Event.EXPORT])
        .order_by("sequence")
        .values_list("event", "additional_data")
    )
    assert [(e, d["report"], d["format"]) for e, d in entries] == [
        (Event.READ, "no-further-action", "page"),
        (Event.EXPORT, "no-further-action", "csv"),
        (Event.EXPORT, "timeliness", "xlsx"),
    ]
    assert entries[1][1]["ids"] == [str(decision.pk)]
    assert entries[1][1]["seed"] == 3


# Query counts: the same for one record and many ---------------------------------------------


@pytest.mark.parametrize("slug", REPORT_SLUGS)
def test_query_count_is_the_same_for_one_record_and_many(
    client, staff, django_assert_max_num_queries, slug
):
    sign_in(client, staff["manager"])
    # Session, user, rights, the filter's teams and workers, the report's aggregate queries
    # (timeliness: one per step, nine), restrictions, the audit entry (chain lock, last entry,
    # insert) and the page's draft lookup.
    bound = 30
    nfa(staff, 1)
    with django_assert_max_num_queries(bound):
        assert client.get(f"/reports/{slug}/").status_code == 200
    nfa(staff, 6)
    with django_assert_max_num_queries(bound):
        assert client.get(f"/reports/{slug}/").status_code == 200


# The timeliness report reads the sign-off time its contact child carries ---------------------


def test_a_sign_off_copies_its_time_to_the_contact_child_and_a_return_does_not(staff):
    decided = signed_off(by=staff["worker"], signer=staff["manager"])
    assert decided.decided_at is not None
    assert decided.decided_at == decided.current_decision.reviewed_at
    waiting = proposed(by=staff["worker"])
    referral_services.decision_return(
        by=staff["manager"], contact_child=waiting, comment="Say more about school"
    )
    waiting.refresh_from_db()
    assert waiting.decided_at is None


def test_timeliness_counts_a_decision_signed_off_after_its_due_day_as_late(staff):
    signed_off(by=staff["worker"], signer=staff["manager"], days_ago=10)
    report = selectors.timeliness(selectors.last_twelve_months())
    [row] = [r for r in report.rows if r[0].startswith("Contact decision")]
    assert row[2:5] == (0, 1, 0)


def test_the_migration_copies_the_sign_off_times_already_made(staff):
    decided = signed_off(by=staff["worker"], signer=staff["manager"])
    waiting = proposed(by=staff["worker"])
    ContactChild.objects.update(decided_at=None)
    migration = importlib.import_module("referrals.migrations.0024_timeliness_and_proposal_indexes")
    migration.copy_sign_off_times(django_apps, None)
    decided.refresh_from_db()
    waiting.refresh_from_db()
    assert decided.decided_at == decided.current_decision.reviewed_at
    assert waiting.decided_at is None
