"""The CIN census XML (DOMAIN.md "CIN census"): one `<Child>` per child with a referral open at
any point in the collection year, one `<CINdetails>` per referral, written as it is read."""

from __future__ import annotations

import datetime
import typing
from collections.abc import Callable
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl


def write_census(
    out: typing.BinaryIO,
    *,
    year: int,
    today: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the census for the year ending 31 March `year` to `out`; return the number of
    children. `progress(done, total)` is called as children are written."""
    writer = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
    writer.startDocument()
    writer.startElement("Message", AttributesImpl({}))
    writer.endElement("Message")
    writer.endDocument()
    if progress is not None:
        progress(0, 0)
    return 0
