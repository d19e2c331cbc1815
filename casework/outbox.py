"""Writing to the outbox (casework.models): one call in the service's own transaction."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from accounts.models import Agency, User
from casework.models import EventKind, OutboxEvent


def emit(
    *, kind: EventKind, about: models.Model, agency: Agency | None = None,
    user: User | None = None,
) -> OutboxEvent:  # fmt: skip
    """Record that `kind` happened to `about` (for `agency` or `user` where it is theirs), in
    the caller's transaction: it commits, or vanishes, with the change (issue 24)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() belongs inside the service's transaction")
    return OutboxEvent.objects.create(
        kind=kind, content_type=ContentType.objects.get_for_model(about), object_id=about.pk,
        agency=agency, user=user,
    )  # fmt: skip
