"""Stand-in models for testing the cross-cutting machinery before the case models exist.

They belong to the `accounts` app label but have no migration: `tests/conftest.py` creates
their tables in the test database only.
"""

from __future__ import annotations

from django.db import models

from accounts.audit import register_audited
from accounts.encryption import EncryptedTextField


@register_audited
class SealedNote(models.Model):
    reference = models.CharField(max_length=50)
    body = EncryptedTextField()
    answer = EncryptedTextField(blank=True, null=True)

    class Meta:
        app_label = "accounts"

    def __str__(self) -> str:
        return f"Sealed note N-{self.pk:06d}"

    def get_additional_data(self) -> dict[str, str]:
        # The child this record concerns, for the audit entry's child column.
        return {"child_ref": self.reference}


STANDIN_MODELS = [SealedNote]
