"""The audit trail: the entry model, its tamper-evident chain, and the helpers that write events.

DESIGN.md ("Audit trail"). django-auditlog records creates, changes and deletes of registered
models; this module adds what the library lacks:

- the child an entry concerns (`child_ref`), so that "who has seen or changed this child's
  record" is one query;
- an event name for what happened (a read, a list, a refusal, a sign-in, a transition...);
- a chain: each entry has a sequence number and an HMAC over its canonical content and the
  previous entry's hash, taken in commit order under a lock (a PostgreSQL advisory transaction
  lock; SQLite's immediate transactions), so `verify_audit` names the first entry changed,
  removed, inserted or reordered;
- append-only: the application never updates or deletes an entry, and on PostgreSQL triggers
  refuse it (migration 0004).

During a request, entries are held back and written last in the request's transaction
(`AuditMiddleware`), so the chain lock is held only for that moment.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC
from typing import Any

from auditlog.cid import get_cid
from auditlog.models import AbstractLogEntry, LogEntryManager
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.db.models.signals import pre_save

from accounts.encryption import encrypted_fields

ENCRYPTED_VALUE_MASK = "(encrypted)"
GENESIS_HASH = "0" * 64
# Any fixed 64-bit number: the PostgreSQL advisory lock that orders the chain.
CHAIN_LOCK_ID = 0x46_44_41_55_44_49_54  # "FDAUDIT"


class AuditTrailIsAppendOnly(Exception):
    """The application tried to change or delete an audit entry."""


class Event(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    READ = "read", "Read"
    LIST = "list", "Listed"
    EXPORT = "export", "Exported"
    REFUSED = "refused", "Refused"
    TRANSITION = "transition", "Transition"
    PASSWORD_ACCEPTED = "password_ok", "Password accepted"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    LOCKED_OUT = "locked_out", "Locked out"
    GRANT = "grant", "Shared"
    REVOKE = "revoke", "Sharing ended"
    NOT_SHARED = "not_shared", "Decided not to share"
    BREAK_GLASS = "break_glass", "Restricted record opened"


_EVENT_OF_ACTION = {0: Event.CREATE, 1: Event.UPDATE, 2: Event.DELETE, 3: Event.READ}


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AuditTrailIsAppendOnly("Audit entries are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("Audit entries are never deleted.")


class AuditEntryManager(LogEntryManager.from_queryset(AuditEntryQuerySet)):  # type: ignore[misc]  # django-stubs cannot follow from_queryset
    """The library's helpers (log_create and friends) over the append-only queryset."""


class AuditEntry(AbstractLogEntry):
    # A plain indexed reference, not a foreign key: entries outlive what they describe and
    # never cascade.
    # Annotated: auditlog is untyped, so the plugin does not see this as a model.
    child_ref: models.CharField[str, str] = models.CharField(
        max_length=32, blank=True, default="", db_index=True
    )
    event: models.CharField[str, str] = models.CharField(
        max_length=20, choices=Event.choices, db_index=True, default=""
    )
    sequence: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(
        unique=True, null=True, editable=False
    )
    prev_hash: models.CharField[str, str] = models.CharField(
        max_length=64, blank=True, default="", editable=False
    )
    entry_hash: models.CharField[str, str] = models.CharField(
        max_length=64, blank=True, default="", editable=False
    )

    # Fields of auditlog's AbstractLogEntry, which is untyped.
    object_pk: str
    additional_data: Any

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        app_label = "accounts"
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["actor", "timestamp"], name="audit_actor_time")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The one save() with a side effect (CONVENTIONS.md): it places a new entry in the
        # chain, at the end of the request's transaction when there is one.
        if self.pk is not None:
            raise AuditTrailIsAppendOnly("Audit entries are never changed.")
        using = kwargs.get("using") or router.db_for_write(AuditEntry)
        # Actor and address from auditlog's request context (its pre_save receiver).
        pre_save.send(sender=AuditEntry, instance=self, raw=False, using=using, update_fields=None)
        self._fill_derived_fields()
        pending = _pending.get()
        if pending is not None:
            pending.hold(self, using)
        else:
            write_chained([self], using=using)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("Audit entries are never deleted.")

    def _fill_derived_fields(self) -> None:
        if not self.event:
            self.event = _EVENT_OF_ACTION.get(self.action, Event.READ)
        self.object_pk = str(self.object_pk)  # as the database gives it back
        data = self.additional_data
        if isinstance(data, dict) and "child_ref" in data:
            data = dict(data)
            child_ref = data.pop("child_ref")
            self.child_ref = self.child_ref or str(child_ref or "")
            self.additional_data = data or None

    def canonical(self) -> bytes:
        """The content the hash covers, rebuilt the same from memory or from the database."""
        return canonical_content({name: getattr(self, name) for name in CHAIN_FIELDS})

    def expected_hash(self, prev_hash: str) -> str:
        return chain_hash(prev_hash, self.canonical())


# The stored columns the hash covers (attribute names), in the order they are read.
CHAIN_FIELDS = (
    "sequence", "timestamp", "content_type_id", "object_pk", "object_id", "object_repr",
    "action", "event", "changes", "changes_text", "actor_id", "actor_email", "remote_addr",
    "remote_port", "cid", "additional_data", "serialized_data", "child_ref",
)  # fmt: skip


def canonical_content(values: dict[str, Any]) -> bytes:
    """Canonical JSON of an entry's chained columns (from a model or a `.values()` row)."""
    content = dict(values)
    content["timestamp"] = values["timestamp"].astimezone(UTC).isoformat(timespec="microseconds")
    content["remote_addr"] = _normal_address(values["remote_addr"])
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode("utf-8")


def _normal_address(address: str | None) -> str | None:
    return ipaddress.ip_address(address).compressed if address else None


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    key = settings.AUDIT_HMAC_KEY.encode("utf-8")
    return hmac.new(key, prev_hash.encode("ascii") + b"\n" + canonical, hashlib.sha256).hexdigest()


def _lock_chain(using: str) -> None:
    """Serialise chain writers until the transaction ends.

    PostgreSQL: an advisory transaction lock. SQLite: transactions are IMMEDIATE
    (settings), so the write lock is already held from the transaction's start.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])


class _Tail:
    """The chain's last entry as this connection wrote it, with the on-commit marker of that
    write: while the marker is still in the transaction's list, the entry was not rolled back
    (Django drops the callbacks of a savepoint rolled back, and every one at the transaction's
    end), the transaction still holds the chain's lock (taken with or before that entry, in
    a savepoint not rolled back either), and so nobody else has appended."""

    __slots__ = ("entry_hash", "marker", "position", "sequence")

    def __init__(self, marker: Any, position: int, sequence: int, entry_hash: str) -> None:
        self.marker, self.position = marker, position
        self.sequence, self.entry_hash = sequence, entry_hash


_TAIL = "_front_door_audit_tail"


def _known_tail(connection: Any) -> tuple[int, str] | None:
    """The last entry this transaction appended, if it still stands (no query). A marker
    that stands keeps its place: callbacks before it are dropped only by rolling back a
    savepoint that was open when it was added, which drops the marker too."""
    tail = getattr(connection, _TAIL, None)
    if tail is None or not connection.in_atomic_block:
        return None
    commits = connection.run_on_commit
    if tail.position < len(commits) and commits[tail.position][1] is tail.marker:
        return tail.sequence, tail.entry_hash
    return None


def forget_chain_end(using: str = "default") -> None:
    """Read the chain's end again at the next entry: for a transaction that changed the trail
    by other means than appending (a test standing in for a restore or an intruder)."""
    setattr(connections[using], _TAIL, None)


def _remember_tail(connection: Any, sequence: int, entry_hash: str) -> None:
    if not connection.in_atomic_block:
        return

    def marker() -> None:  # runs, doing nothing, after the commit
        return None

    transaction.on_commit(marker, using=connection.alias)
    setattr(
        connection, _TAIL, _Tail(marker, len(connection.run_on_commit) - 1, sequence, entry_hash)
    )


def write_chained(entries: list[AuditEntry], *, using: str = "default") -> None:
    """Append `entries` to the chain in one short locked step: one insert whatever their
    number, after the lock and the read of the last entry (2 queries) unless this transaction
    appended the last entry itself."""
    if not entries:
        return
    connection = connections[using]
    # No savepoint of its own: a failed append fails the caller's transaction.
    with transaction.atomic(using=using, savepoint=False):
        last = _known_tail(connection)
        if last is None:
            _lock_chain(using)
            last = (
                AuditEntry.objects.using(using)
                .filter(sequence__isnull=False)
                .order_by("-sequence")
                .values_list("sequence", "entry_hash")
                .first()
            )
        sequence, prev_hash = last if last else (0, GENESIS_HASH)
        for entry in entries:
            sequence += 1
            entry.sequence = sequence
            entry.prev_hash = prev_hash
            entry.entry_hash = entry.expected_hash(prev_hash)
            prev_hash = entry.entry_hash
        AuditEntry.objects.using(using).bulk_create(entries)
        _remember_tail(connection, sequence, prev_hash)


class PendingEntries:
    """Entries held back until the end of the request's transaction.

    Each entry is tied to the savepoint it was made in through an on-commit marker: Django
    forgets the markers of a savepoint that is rolled back, and so the entry is dropped with
    the changes it describes.
    """

    def __init__(self) -> None:
        self._held: list[tuple[AuditEntry, Any]] = []

    def hold(self, entry: AuditEntry, using: str) -> None:
        if not connections[using].in_atomic_block:
            write_chained([entry], using=using)
            return

        def marker() -> None:  # runs, doing nothing, after the commit
            return None

        transaction.on_commit(marker, using=using)
        self._held.append((entry, marker))

    def clear(self) -> None:
        self._held.clear()

    def surviving(self, using: str) -> list[AuditEntry]:
        # django-stubs types run_on_commit as pairs; Django 5.2 keeps (sids, func, robust).
        commits = connections[using].run_on_commit
        alive = {id(func) for _, func, _ in commits}  # type: ignore[misc]  # triples, as above
        return [entry for entry, marker in self._held if id(marker) in alive]


_pending: ContextVar[PendingEntries | None] = ContextVar("pending_audit_entries", default=None)


@contextmanager
def entries_written_last(using: str = "default") -> Iterator[PendingEntries]:
    """Hold back entries made inside the block and append those whose changes were not rolled
    back when it ends, inside the caller's transaction (which must be open)."""
    pending = PendingEntries()
    token = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(token)
    write_chained(pending.surviving(using), using=using)


# Writing events ---------------------------------------------------------------------------


def record_event(
    event: Event,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    model: type[models.Model] | None = None,
    object_pk: str = "",
    object_repr: str = "",
    child_ref: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry for an event that is not a plain model change."""
    target = obj.__class__ if obj is not None else model or AuditEntry
    if obj is not None:
        object_pk = str(obj.pk)
        object_repr = object_repr or str(obj)
    entry = AuditEntry(
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_pk=object_pk,
        object_id=int(object_pk) if object_pk.isdigit() else None,
        object_repr=object_repr,
        action=AbstractLogEntry.Action.ACCESS,
        event=event,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_email=getattr(actor, "email", None) if actor is not None else None,
        child_ref=child_ref,
        additional_data=details or None,
        cid=get_cid(),
    )
    entry.save()
    return entry


def record_read(request: Any, obj: models.Model, *, child_ref: str = "") -> AuditEntry:
    """A read of a case page, an edit form or a record's detail."""
    return record_event(
        Event.READ, actor=request.user, obj=obj, child_ref=child_ref,
        details={"path": request.path},
    )  # fmt: skip


def record_list(
    request: Any, model: type[models.Model], ids: Iterable[Any], *, child_ref: str = ""
) -> AuditEntry:
    """A list page, with the ids of the records it showed."""
    return _record_records(Event.LIST, "List", request, model, ids, child_ref)


def record_export(
    request: Any, model: type[models.Model], ids: Iterable[Any], *, child_ref: str = ""
) -> AuditEntry:
    """A download of records (CSV or other), with the ids it held."""
    return _record_records(Event.EXPORT, "Export", request, model, ids, child_ref)


def record_search(
    request: Any, model: type[models.Model], ids: Iterable[Any], *, people: Iterable[Any],
    fields: Iterable[str],
) -> AuditEntry:  # fmt: skip
    """A search of the register (issue 20): which fields were asked and the ids shown (the
    children's, and the adults' as "people"), never the terms themselves."""
    return record_event(
        Event.LIST, actor=request.user, model=model, object_repr="Search of the register",
        details={"path": request.path, "ids": [str(pk) for pk in ids],
                 "people": [str(pk) for pk in people], "fields": list(fields)},
    )  # fmt: skip


def _record_records(
    event: Event, noun: str, request: Any, model: type[models.Model], ids: Iterable[Any],
    child_ref: str,
) -> AuditEntry:  # fmt: skip
    return record_event(
        event, actor=request.user, model=model, child_ref=child_ref,
        object_repr=f"{noun} of {model._meta.verbose_name_plural}",
        details={"path": request.path, "ids": [str(pk) for pk in ids]},
    )  # fmt: skip


def record_refusal(
    request: Any, status: int, *, model: type[models.Model] | None = None, object_pk: str = ""
) -> AuditEntry:
    """A refused read of a case URL (403 or 404)."""
    return record_event(
        Event.REFUSED, actor=request.user, model=model, object_pk=object_pk,
        object_repr=f"Refused {request.method} {request.path}",
        details={"path": request.path, "status": status},
    )  # fmt: skip


def record_transition(
    *, actor: Any, obj: models.Model, source: str, target: str, reason: str = "",
    child_ref: str = "", name: str = "",
) -> AuditEntry:  # fmt: skip
    """A state transition, with from, to and the reason given (never confidential text:
    reasons that are free text live in encrypted fields and are referred to, not copied)."""
    return record_event(
        Event.TRANSITION, actor=actor, obj=obj, child_ref=child_ref,
        details={"transition": name, "from": source, "to": target, "reason": reason},
    )  # fmt: skip


def record_sharing(
    event: Event, *, actor: Any, obj: models.Model, child_ref: str = "", **details: Any
) -> AuditEntry:
    """A grant, revocation or decision not to share (the sharing record holds the detail)."""
    assert event in {Event.GRANT, Event.REVOKE, Event.NOT_SHARED}  # noqa: S101  # programming error
    return record_event(event, actor=actor, obj=obj, child_ref=child_ref, details=details)


def record_break_glass(*, actor: Any, obj: models.Model, child_ref: str = "") -> AuditEntry:
    """A restricted record opened with a reason (the reason itself is stored encrypted)."""
    return record_event(Event.BREAK_GLASS, actor=actor, obj=obj, child_ref=child_ref)


# Registering models -------------------------------------------------------------------------


def mask_encrypted_value(value: str) -> str:
    """What the trail shows for an encrypted field: that it changed, never any of its content."""
    return ENCRYPTED_VALUE_MASK


def register_audited(model: type[models.Model], **options: Any) -> type[models.Model]:
    """Register a case model with django-auditlog, its encrypted fields always masked.

    Every case model registers through here (CONVENTIONS.md, "Audit"); usable as a decorator.
    A model whose entries concern a child returns {"child_ref": ...} from
    `get_additional_data()`; the entry stores it in its indexed child column.
    """
    masked = sorted({*options.pop("mask_fields", []), *encrypted_fields(model)})
    auditlog.register(
        model,
        mask_fields=masked,
        mask_callable="accounts.audit.mask_encrypted_value",
        serialize_data=False,
        **options,
    )
    return model


def case_view(model: type[models.Model]):
    """Mark a view as a case page of `model`: its 403 and 404 answers are audited as refused
    reads (by `AuditMiddleware`)."""

    def mark(view):
        view.audited_model = model
        return view

    return mark
