"""Finding the children and adults already known, before a contact is saved.

Names are compared through keys kept in indexed columns: the name folded (no case, no
accents, letters only) and its Metaphone code, so that "Zoë O'Brien" and "zoe obrien" meet,
and so do "Smith" and "Smyth", "Mohammed" and "Muhammad", "Catherine" and "Kathryn".
Candidates come from SQL (NHS number, or date of birth with a matching surname key); a
similarity score orders them.
"""

from __future__ import annotations

import re
import unicodedata

import jellyfish


def fold(name: str) -> str:
    """Lower case, accents removed, letters only."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z]", "", plain.lower())


def phonetic(name: str) -> str:
    folded = fold(name)
    return jellyfish.metaphone(folded) if folded else ""


def similarity(a: str, b: str) -> float:
    return jellyfish.jaro_winkler_similarity(fold(a), fold(b))
