"""Demo notes (`manage.py load_demo`, after `strategy.demo.load_partner_parts`): a note on the
Rosewarne discussion still to be held, shared with everyone invited. Idempotent."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from notes.models import Note
from notes.services import note_add
from strategy.models import DiscussionState, StrategyDiscussion

SHARED_NOTE = "The nursery has agreed to tell the social worker if Jago is absent (fictional)."


def load_shared_note() -> int:
    """Once only; returns how many notes were added."""
    current = StrategyDiscussion.objects.filter(
        children__child__last_name="Rosewarne", state=DiscussionState.CONVENED
    ).first()
    if current is None or current.notes.filter(audience=Note.Audience.INVITED).exists():
        return 0
    practitioner = User.objects.get(username="practitioner")
    with transaction.atomic():
        note_add(
            by=practitioner, child=current.children.get().child, discussion=current,
            text=SHARED_NOTE, audience=Note.Audience.INVITED,
        )  # fmt: skip
    return 1
