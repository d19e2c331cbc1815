"""Ofsted's Annex A lists 1, 3, 4 and 5 (DOMAIN.md "Ofsted Annex A") as one XLSX workbook:
one sheet per list, the columns in DOMAIN.md's order, its answer labels, dates `dd/mm/yyyy`.

The rows come from `returns.selectors` (one query per list, whatever the number of rows) and
are written with XlsxWriter's constant_memory mode, which writes each row out as it goes, so
memory does not grow with the number of children.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from string import ascii_lowercase
from typing import IO, Any

import xlsxwriter

from casework.references import child_reference
from referrals.codes import Disability, Ethnicity, ReferralSource, Sex
from returns import selectors

Progress = Callable[[int, int], None]

CHILD_COLUMNS = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
ALLOCATED = ["Allocated Team", "Allocated Worker"]
LIST_1 = [*CHILD_COLUMNS, "Date of Contact", "Contact Source"]
LIST_3 = [
    *CHILD_COLUMNS,
    "Date of referral",
    "Referral Source",
    "Referral NFA?",
    "Number of Referrals in Last 12 Months",
    *ALLOCATED,
]
LIST_4 = [
    *CHILD_COLUMNS,
    "Does the Child have a Disability",
    "Continuous Assessment Start Date",
    "Child Seen During Continuous Assessment",
    "Continuous Assessment Date of Authorisation",
    "Was the child assessed as requiring LA children's social care support?",
    *ALLOCATED,
]
LIST_5 = [
    *CHILD_COLUMNS,
    "Does the Child have a Disability",
    "Strategy discussion initiating Section 47 Enquiry Start Date",
    "Was an Initial Child Protection Conference deemed unnecessary?",
    "Date of Initial Child Protection Conference",
    "Did the Initial Child Protection Conference Result in a Child Protection Plan",
    "Number of Section 47 Enquiries in the last 12 months",
    "Number of ICPCs in the last 12 months",
    *ALLOCATED,
]

# Answer labels (DOMAIN.md). "d) Neither" has no census sex to come from.
GENDER = {Sex.MALE: "a) Male", Sex.FEMALE: "b) Female", Sex.UNKNOWN: "c) Not stated/recorded"}
ETHNICITY = {
    code: f"{letter}) {code}"
    for letter, code in zip(ascii_lowercase[: len(Ethnicity.values)], Ethnicity.values, strict=True)
}
_SOURCE_GROUPS = {
    "1": "Individual",
    "2A": "Schools",
    "2B": "Education services",
    "3": "Health services",
    "4": "Housing",
    "5": "LA services",
    "6": "Police",
    "7": "Other legal agency",
    "8": "Other",
    "9": "Anonymous",
    "10": "Unknown",
}


def _source_group(code: str) -> str:
    return _SOURCE_GROUPS.get(code) or _SOURCE_GROUPS[code[0]]


# 5D (early help) has no letter in the specification [U]: its label has the code alone.
_LETTERED = [code for code in ReferralSource.values if code != ReferralSource.LA_EARLY_HELP]
SOURCE = {
    code: f"{letter}) {code}: {_source_group(code)}"
    for letter, code in zip(ascii_lowercase[: len(_LETTERED)], _LETTERED, strict=True)
}
SOURCE[ReferralSource.LA_EARLY_HELP] = f"{ReferralSource.LA_EARLY_HELP}: LA services"
YES, NO, UNKNOWN = "a) Yes", "b) No", "c) Unknown"


def yes_no(answer: bool | None) -> str:
    return UNKNOWN if answer is None else (YES if answer else NO)


def disability(codes: list[str] | None) -> str:
    """Whether the child has a disability: unknown until the census disabilities are recorded."""
    if not codes:
        return UNKNOWN
    return NO if list(codes) == [Disability.NONE] else YES


def day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def age_on(birth: date | None, on: date | None) -> int | str:
    """Whole years of age on the event's date (blank for an unborn child)."""
    if birth is None or on is None:
        return ""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _child(row: dict[str, Any], on: date | None) -> list[Any]:
    return [
        child_reference(row["child_id"]),
        GENDER.get(row["sex"], "c) Not stated/recorded"),
        ETHNICITY.get(row["ethnicity"], ""),
        day(row["date_of_birth"]),
        age_on(row["date_of_birth"], on),
    ]


def _allocated(row: dict[str, Any]) -> list[str]:
    return [row["team"] or "", (row["worker"] or "").strip()]


def list_1_rows(rows: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    for row in rows:
        received = row["received_on"]
        yield [*_child(row, received), day(received), SOURCE.get(row["source"], row["source"])]


def list_3_rows(rows: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    for row in rows:
        yield [
            *_child(row, row["referral_date"]),
            day(row["referral_date"]),
            SOURCE.get(row["source"], row["source"]),
            yes_no(row["nfa"]),
            row["earlier_referrals"],
            *_allocated(row),
        ]


def list_4_rows(rows: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    for row in rows:
        yield [
            *_child(row, row["start_date"]),
            disability(row["disabilities"]),
            day(row["start_date"]),
            yes_no(row["child_seen"]),
            day(row["authorisation_date"]),
            yes_no(row["needs_support"]),
            *_allocated(row),
        ]


def list_5_rows(rows: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    for row in rows:
        held = row["conference_held_on"]
        yield [
            *_child(row, row["start_date"]),
            disability(row["disabilities"]),
            day(row["start_date"]),
            YES if row["conference_not_required"] else NO,
            day(held),
            "" if held is None else yes_no(row["conference_plan"]),
            row["earlier_enquiries"],
            row["earlier_conferences"],
            *_allocated(row),
        ]


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: list[str]
    rows: Callable[[Iterable[dict[str, Any]]], Iterator[list[Any]]]
    query: Callable[[selectors.Period], Any]


SHEETS = [
    Sheet("List 1 Contacts", LIST_1, list_1_rows, selectors.annex_a_contacts),
    Sheet("List 3 Referrals", LIST_3, list_3_rows, selectors.annex_a_referrals),
    Sheet("List 4 Assessments", LIST_4, list_4_rows, selectors.annex_a_assessments),
    Sheet("List 5 Section 47 and ICPCs", LIST_5, list_5_rows, selectors.annex_a_enquiries),
]


def write_annex_a(
    out: IO[bytes] | str,
    *,
    start: date,
    end: date,
    today: date | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the workbook for the period `start`..`end` (an end after today is taken as
    today) to `out` (a path or a binary file); returns the number of rows written."""
    period = selectors.Period.of(start, end, today=today)
    queries = [sheet.query(period) for sheet in SHEETS]
    total = sum(query.count() for query in queries) if progress else 0
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    heading = workbook.add_format({"bold": True})
    written = 0
    try:
        for sheet, query in zip(SHEETS, queries, strict=True):
            worksheet = workbook.add_worksheet(sheet.name)
            worksheet.write_row(0, 0, sheet.columns, heading)
            # Each cell by its type (what write_row would work out per cell, and slower);
            # blank cells are left out.
            write_string, write_number = worksheet.write_string, worksheet.write_number
            for index, values in enumerate(sheet.rows(query.iterator(chunk_size=2000)), 1):
                for column, value in enumerate(values):
                    if value.__class__ is str:
                        if value:
                            write_string(index, column, value)
                    else:
                        write_number(index, column, value)
                written += 1
                if progress and written % 1000 == 0:
                    progress(written, total)
    finally:
        workbook.close()
    if progress:
        progress(written, total)
    return written
