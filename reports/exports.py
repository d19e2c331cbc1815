"""Report downloads (issue 21): CSV streamed row by row, and XLSX written by XlsxWriter in its
constant_memory mode (each row flushed to a temporary file as it is written) into a temporary
file that is streamed back in chunks. A cell that a spreadsheet would read as a formula is
written as text."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """A text cell that starts like a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(columns)  # a byte-order mark, for spreadsheet programs
    for row in rows:
        yield writer.writerow([safe_text(value) for value in row])


def csv_response(
    filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(columns, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(
    filename: str, sheet: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> FileResponse:
    output = tempfile.TemporaryFile()  # noqa: SIM115  # FileResponse closes it once streamed
    workbook = xlsxwriter.Workbook(
        output, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    worksheet.write_row(0, 0, list(columns), bold)
    for index, row in enumerate(rows, start=1):
        worksheet.write_row(index, 0, [safe_text(value) for value in row])
    workbook.close()
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE
    )
