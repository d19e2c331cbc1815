"""The chronology as an A4 PDF (issue 20), made with ReportLab's platypus: paragraphs laid out
in Python, several times faster than rendering HTML for a long chronology.

Every piece of typed text is escaped before it goes into ReportLab's paragraph markup, so that
nothing a person typed is read as markup. The text is set in DejaVu Sans (Debian's
fonts-dejavu-core), embedded, so that any name prints, not only Latin-1 ones.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ImproperlyConfigured
from django.utils import dateformat, timezone
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from notes.chronology import Chronology, Event

FONT_DIRECTORY = Path("/usr/share/fonts/truetype/dejavu")
_REGULAR, _BOLD = "DejaVuSans", "DejaVuSans-Bold"

_TOP, _SIDES, _BOTTOM = 15 * mm, 12 * mm, 18 * mm
_GAP = 1.2 * mm  # above and below the rule between two events
_TEXT, _RULE, _SIGNIFICANT = HexColor("#0b0c0c"), HexColor("#b1b4b6"), "#6f3c8f"


@cache
def _fonts() -> None:
    """Register DejaVu Sans and its bold once per process (reading a TrueType file is slow)."""
    for name in (_REGULAR, _BOLD):
        path = FONT_DIRECTORY / f"{name}.ttf"
        if not path.is_file():
            raise ImproperlyConfigured(
                f"The chronology's PDF needs the DejaVu Sans fonts, and {path} is missing: install "
                "Debian's fonts-dejavu-core package (sudo apt-get install fonts-dejavu-core)."
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(
        _REGULAR, normal=_REGULAR, bold=_BOLD, italic=_REGULAR, boldItalic=_BOLD
    )


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=_REGULAR, fontSize=9, leading=11.5, textColor=_TEXT, spaceAfter=3 * mm
    )
    title = ParagraphStyle(
        "title", parent=body, fontName=_BOLD, fontSize=16, leading=19, spaceAfter=2 * mm
    )
    event = ParagraphStyle("event", parent=body, spaceBefore=0, spaceAfter=2 * _GAP)
    return title, body, event


class _EventParagraph(Paragraph):
    """An event, ruled off beneath; a paragraph split across two pages is ruled off only at
    its end."""

    def draw(self) -> None:
        super().draw()
        if getattr(self, "_splitpara", 0):
            return
        self.canv.setStrokeColor(_RULE)
        self.canv.setLineWidth(0.5)
        self.canv.line(0, -_GAP, self.width, -_GAP)


class _NumberedCanvas(Canvas):
    """Draws each page's footer once the pages are counted ("Page 3 of 12"): pages are held
    back until the document is saved, as ReportLab's user guide shows."""

    def __init__(self, *args: Any, marking: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._marking = marking
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # ReportLab's own; not in the stubs

    def save(self) -> None:
        count = len(self._held)
        for number, page in enumerate(self._held, start=1):
            self.__dict__.update(page)
            self.setFont(_REGULAR, 8)
            self.setFillColor(_TEXT)
            self.drawString(_SIDES, _BOTTOM / 2, self._marking)
            self.drawRightString(A4[0] - _SIDES, _BOTTOM / 2, f"Page {number} of {count}")
            super().showPage()
        super().save()


def _text(value: str) -> str:
    """Typed text as paragraph markup: escaped, its line breaks kept."""
    lines = escape(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(lines)


def _event_markup(event: Event) -> str:
    markup = f"<b>{_text(event.when_text)}: {_text(event.what)}</b>"
    if event.child_name:
        markup += f" ({_text(event.child_name)})"
    if event.significant:
        markup += f' <font color="{_SIGNIFICANT}"><b>Significant</b></font>'
    if event.source:
        markup += f" (source: {_text(event.source)})"
    if event.detail:
        markup += f"<br/>{_text(event.detail)}"
    return markup


def chronology_pdf(chronology: Chronology, *, made_at: datetime, made_by: AbstractUser) -> bytes:
    """The chronology as an A4 PDF: a heading, who made it and when, one paragraph per event
    (oldest first) and the restricted records left out; each page marked OFFICIAL-SENSITIVE
    with the child's reference and numbered "Page N of M". Names stay out of the metadata."""
    _fonts()
    child = chronology.child
    title, body, event_style = _styles()
    shown = len(chronology.events)
    made = dateformat.format(timezone.localtime(made_at), "j F Y H:i")
    who = made_by.get_full_name() or made_by.username
    count = f"{shown} event{'' if shown == 1 else 's'}"
    if chronology.total != shown:
        count += f" of {chronology.total} (filtered)"
    story: list[Flowable] = [
        Paragraph(
            _text(f"Chronology: {child.first_name} {child.last_name} ({child.census_id})"), title
        ),
        Paragraph(
            _text(f"Made {made} by {who}. {count}, oldest first. Significant events are marked."),
            ParagraphStyle("intro", parent=body, spaceAfter=3 * mm + _GAP),
        ),
    ]
    story += [_EventParagraph(_event_markup(event), event_style) for event in chronology.events]
    if not chronology.events:
        story.append(Paragraph("No events.", body))
    if restricted := chronology.restricted_related:
        references = ", ".join(f"Restricted record {row.child.census_id}" for row in restricted)
        story.append(Paragraph(_text(f"Also related: {references} (not shown)."), body))

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, title=f"Chronology {child.census_id}", author="", subject="",
        creator="Front Door", leftMargin=_SIDES, rightMargin=_SIDES, topMargin=_TOP,
        bottomMargin=_BOTTOM,
    )  # fmt: skip
    marking = f"OFFICIAL-SENSITIVE: {child.census_id}"
    document.build(story, canvasmaker=partial(_NumberedCanvas, marking=marking))
    return out.getvalue()
