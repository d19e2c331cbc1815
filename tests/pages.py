"""What a page shows, for tests that look for data in it.

Templates escape what they write (`O'Brien` is `O&#x27;Brien` in the HTML), so a test that
looks for generated data (factory names, free text) in a page compares either the page's text,
`page_text(response)`, or the escaped data, `escaped(text)` (for attributes and raw markup).
"""

from __future__ import annotations

from html.parser import HTMLParser

from django.http import HttpResponse
from django.utils.html import escape

_NOT_SHOWN = {"script", "style", "template", "head"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive unescaped
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _NOT_SHOWN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in _NOT_SHOWN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def html_of(page: HttpResponse | str) -> str:
    return page if isinstance(page, str) else page.content.decode()


def page_text(page: HttpResponse | str) -> str:
    """The page's visible text: no tags, entities unescaped, each run of whitespace one space."""
    parser = _Text()
    parser.feed(html_of(page))
    parser.close()
    return " ".join("".join(parser.parts).split())


def escaped(text: str) -> str:
    """`text` as a template writes it, to look for it in a page's HTML."""
    return escape(text)
