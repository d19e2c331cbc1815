"""System checks that stop start-up on a configuration that would lose or expose data."""

from __future__ import annotations

from django.core import checks

from accounts.encryption import EncryptionError, keyring


@checks.register(checks.Tags.security, deploy=False)
def check_field_encryption_keys(app_configs, **kwargs):
    """A usable field encryption key must be configured (DESIGN.md, "Confidential text")."""
    keyring.cache_clear()
    try:
        keyring()
    except EncryptionError as error:
        return [checks.Error(str(error), id="accounts.E001")]
    return []
