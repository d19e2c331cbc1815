"""The audit trail's entry model (`AUDITLOG_LOGENTRY_MODEL`), in place from the first migration.

django-auditlog writes entries; this model adds what the library lacks: the child an entry
concerns, so that "who has seen or changed this child's record" is one query. The chain (a
sequence and an HMAC over each entry and the previous hash) is built on it by the audit issue.
"""

from __future__ import annotations

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
