"""Reading a workbook back in tests: each sheet's name and its rows of cell texts (numbers as
their text), from the XLSX's XML. XlsxWriter writes; it does not read."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

# The files parsed here are the ones our own code just wrote in the test (not untrusted).
_parse = ElementTree.fromstring

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _column(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference).group(0)
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def read_workbook(path: Path | str) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(path) as book:
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = _parse(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root]
        workbook = _parse(book.read("xl/workbook.xml"))
        rels = _parse(book.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        sheets = {}
        for sheet in workbook.iter(f"{{{NS['m']}}}sheet"):
            xml = _parse(book.read("xl/" + targets[sheet.get(REL)]))
            rows = []
            for row in xml.iter(f"{{{NS['m']}}}row"):
                cells: list[str] = []
                for cell in row.findall("m:c", NS):
                    index = _column(cell.get("r"))
                    cells += [""] * (index - len(cells))
                    kind = cell.get("t")
                    if kind == "inlineStr":
                        text = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
                    elif kind == "s":
                        text = shared[int(cell.find("m:v", NS).text)]
                    else:
                        value = cell.find("m:v", NS)
                        text = value.text if value is not None else ""
                    cells.append(text)
                rows.append(cells)
            width = len(rows[0]) if rows else 0  # blank cells at a row's end are not written
            sheets[sheet.get("name")] = [row + [""] * (width - len(row)) for row in rows]
        return sheets
