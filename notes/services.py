"""Writing notes: on a child or on one record about the child, corrections as new versions,
and the sharing of a discussion's notes for everyone invited (DESIGN.md "Confidential text";
issue 9 for partner agencies).

Above the referrals and strategy apps (DESIGN.md "Architecture"): it uses their models and
services; they do not import it.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from django.db import transaction
from django.utils import timezone

from accounts import sharing
from accounts.models import User
from accounts.permissions import Perm
from casework.errors import RuleBroken
from casework.references import child_reference
from casework.transitions import require_right
from notes.chronology import Event
from notes.models import ChronologyEntry, ChronologySource, Note, SharedChronologyEntry
from referrals.models import Child
from strategy.models import DiscussionChild, DiscussionState, StrategyDiscussion
from strategy.services.partners import (
    CHRONOLOGY_PERMISSION,
    CHRONOLOGY_SHARE_REASON,
    CLOSED_STATES,
    NOTE_PERMISSION,
    NOTE_SHARE_REASON,
    is_partner,
    refresh_expiry,
    require_invited,
    share_for,
)


def _subject_is_about(child: Child, *, contact, referral, discussion, section47) -> None:
    """A note's subject is at most one record, and a record about the note's child."""
    subjects = [s for s in (contact, referral, discussion, section47) if s is not None]
    if len(subjects) > 1:
        raise RuleBroken(
            "A note is about one record: a contact, a referral, a strategy discussion or a "
            "section 47 enquiry"
        )
    if contact is not None and not contact.children.filter(child=child).exists():
        raise RuleBroken("That contact is not about this child")
    if referral is not None and referral.child_id != child.pk:
        raise RuleBroken("That referral is not about this child")
    if (
        discussion is not None
        and not DiscussionChild.objects.filter(discussion=discussion, child=child).exists()
    ):
        raise RuleBroken("That strategy discussion is not about this child")
    if section47 is not None and section47.child_id != child.pk:
        raise RuleBroken("That section 47 enquiry is not about this child")


def share_note(by: User, note: Note) -> None:
    """A note on a discussion for everyone invited is shared with each invited partner."""
    if note.discussion_id is None or note.audience != Note.Audience.INVITED:
        return
    discussion = cast(StrategyDiscussion, note.discussion)  # its id is set, checked above
    try:
        for participant in discussion.participants.select_related("agency"):
            if is_partner(participant.agency):
                share_for(
                    by, discussion, note, NOTE_PERMISSION, participant.agency,
                    NOTE_SHARE_REASON, [child_reference(note.child_id)],
                )  # fmt: skip
    except sharing.SharingRefused as error:
        raise RuleBroken(str(error)) from error


@transaction.atomic
def note_add(
    *, by: User, child: Child, text: str, significant: bool = False, contact=None,
    referral=None, discussion=None, section47=None, audience: str = Note.Audience.LOCAL_AUTHORITY,
) -> Note:  # fmt: skip
    """A note on a child, or on one record about the child (a contact, referral, strategy
    discussion or section 47 enquiry), for the local authority (DESIGN.md "Confidential
    text"); a note on a discussion may be for everyone invited, shared with each invited
    partner agency through accounts.sharing."""
    require_right(by, Perm.RECORD_CONTACTS)
    if not text.strip():
        raise RuleBroken("Write the note")
    if audience not in Note.Audience.values or (
        audience == Note.Audience.INVITED and discussion is None
    ):
        raise RuleBroken("Only a note on a strategy discussion is for everyone invited")
    _subject_is_about(
        child, contact=contact, referral=referral, discussion=discussion, section47=section47
    )
    note = Note.objects.create(
        child=child, contact=contact, referral=referral, discussion=discussion,
        section47=section47, text=text, significant=significant, author=by, audience=audience,
    )  # fmt: skip
    share_note(by, note)
    return note


@transaction.atomic
def note_correct(*, by: User, note: Note, text: str, significant: bool) -> Note:
    """A correction is a new version; the old one stays, marked as superseded."""
    require_right(by, Perm.RECORD_CONTACTS)
    current = Note.objects.select_for_update().get(pk=note.pk)
    if Note.objects.filter(supersedes=current).exists():
        raise RuleBroken("This note has been corrected already: correct the latest version")
    if not text.strip():
        raise RuleBroken("Write the corrected note")
    corrected = Note.objects.create(
        child_id=current.child_id, contact_id=current.contact_id, referral_id=current.referral_id,
        discussion_id=current.discussion_id, section47_id=current.section47_id,
        text=text, significant=significant, author=by, supersedes=current,
        audience=current.audience,
    )  # fmt: skip
    share_note(by, corrected)
    return corrected


@transaction.atomic
def partner_note_add(
    *, by: User, discussion: StrategyDiscussion, child_id: int, text: str, audience: str
) -> Note:
    """A note by an invited agency on the discussion, about one of its children, for everyone
    invited or for the local authority only; the author's agency always keeps it."""
    discussion = StrategyDiscussion.objects.get(pk=discussion.pk)
    require_invited(by, discussion)
    if not text.strip():
        raise RuleBroken("Write the note")
    if audience not in Note.Audience.values:
        raise RuleBroken("Choose who sees the note")
    if not discussion.children.filter(child_id=child_id).exists():
        raise RuleBroken("Choose a child the discussion is about")
    note = Note.objects.create(
        child_id=child_id, discussion=discussion, text=text, author=by, audience=audience
    )
    share_note(by, note)
    if discussion.state in CLOSED_STATES:
        refresh_expiry(discussion)
    return note


def _check_entry(*, happened_on, source: str, text: str) -> None:
    if happened_on is None:
        raise RuleBroken("Enter the date the event happened")
    if happened_on > timezone.localdate():
        raise RuleBroken("The date the event happened cannot be in the future")
    if source not in ChronologySource.values:
        raise RuleBroken("Choose where the information came from")
    if not text.strip():
        raise RuleBroken("Say what happened")


@transaction.atomic
def chronology_entry_add(
    *, by: User, child: Child, happened_on: date, source: str, text: str,
    significant: bool = False,
) -> ChronologyEntry:  # fmt: skip
    """A manual entry in the child's chronology, dated when the event happened (issue 20;
    DOMAIN.md "What inspectors found", 4): its text sealed, the change audited."""
    require_right(by, Perm.RECORD_CONTACTS)
    _check_entry(happened_on=happened_on, source=source, text=text)
    return ChronologyEntry.objects.create(
        child=child, happened_on=happened_on, source=source, text=text,
        significant=significant, author=by,
    )  # fmt: skip


@transaction.atomic
def chronology_entry_correct(
    *, by: User, entry: ChronologyEntry, happened_on: date, source: str, text: str,
    significant: bool = False,
) -> ChronologyEntry:  # fmt: skip
    """A correction is a new version that supersedes the entry; the old one is kept."""
    require_right(by, Perm.RECORD_CONTACTS)
    current = ChronologyEntry.objects.select_for_update().get(pk=entry.pk)
    if ChronologyEntry.objects.filter(supersedes=current).exists():
        raise RuleBroken("This entry has been corrected already: correct the latest version")
    _check_entry(happened_on=happened_on, source=source, text=text)
    return ChronologyEntry.objects.create(
        child_id=current.child_id, happened_on=happened_on, source=source, text=text,
        significant=significant, author=by, supersedes=current,
    )  # fmt: skip


@transaction.atomic
def discussion_chronology_share(
    *, by: User, discussion: StrategyDiscussion, events: list[Event]
) -> list[SharedChronologyEntry]:
    """While a discussion is convened, the worker shares chosen entries of its children's
    chronologies with every invited partner agency, through accounts.sharing on the
    discussion's lawful basis and terms (DESIGN.md "Information sharing and access"): a copy
    of each entry as it reads now, which is all of the chronology the partners see."""
    require_right(by, Perm.CONVENE_STRATEGY_DISCUSSIONS)
    current = StrategyDiscussion.objects.select_for_update().get(pk=discussion.pk)
    if current.state != DiscussionState.CONVENED:
        raise RuleBroken("Entries are shared only while the discussion is convened")
    if not events:
        raise RuleBroken("Choose at least one entry to share")
    children = set(current.children.values_list("child_id", flat=True))
    partners = [
        participant.agency
        for participant in current.participants.select_related("agency")
        if is_partner(participant.agency)
    ]
    if not partners:
        raise RuleBroken("No partner agency is invited to this discussion yet")
    shared = []
    try:
        for event in events:
            if event.child_id not in children:
                raise RuleBroken("That entry is not about a child of this discussion")
            item, created = SharedChronologyEntry.objects.get_or_create(
                discussion=current, child_id=event.child_id, key=event.key,
                defaults={
                    "happened_at": event.when if event.has_time else None,
                    "happened_on": event.day, "kind": event.kind, "what": event.what,
                    "detail": event.detail, "shared_by": by,
                },
            )  # fmt: skip
            if not created:
                continue
            for agency in partners:
                share_for(by, current, item, CHRONOLOGY_PERMISSION, agency,
                          CHRONOLOGY_SHARE_REASON, [child_reference(event.child_id)])  # fmt: skip
            shared.append(item)
    except sharing.SharingRefused as error:
        raise RuleBroken(str(error)) from error
    return shared
