"""The audit trail's entry model (`AUDITLOG_LOGENTRY_MODEL`), in place from the first migration.

django-auditlog writes entries; this model adds what the library lacks: the child an entry
concerns, so that "who has seen or changed this child's record" is one query. The chain (a
sequence and an HMAC over each entry and the previous hash) is built on it by the audit issue.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import AbstractLogEntry
from django.db import models


class AuditEntry(AbstractLogEntry):
    # A plain indexed reference, not a foreign key: entries outlive what they describe and
    # never cascade.
    child_ref = models.CharField(max_length=32, blank=True, default="", db_index=True)

    class Meta(AbstractLogEntry.Meta):
        app_label = "accounts"
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"


ENCRYPTED_VALUE_MASK = "(encrypted)"


def mask_encrypted_value(value: str) -> str:
    """What the trail shows for an encrypted field: that it changed, never any of its content."""
    return ENCRYPTED_VALUE_MASK


def register_audited(model: type[models.Model], **options: Any) -> type[models.Model]:
    """Register a case model with django-auditlog, its encrypted fields always masked.

    Every case model registers through here (CONVENTIONS.md, "Audit"); usable as a decorator.
    """
    from auditlog.registry import auditlog

    from accounts.encryption import encrypted_fields

    masked = sorted({*options.pop("mask_fields", []), *encrypted_fields(model)})
    auditlog.register(
        model,
        mask_fields=masked,
        mask_callable="accounts.audit.mask_encrypted_value",
        serialize_data=False,
        **options,
    )
    return model
