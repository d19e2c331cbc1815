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


@checks.register(checks.Tags.security, deploy=False)
def check_audit_hmac_key(app_configs, **kwargs):
    """The audit chain needs a strong HMAC key (DESIGN.md, "Audit trail")."""
    from django.conf import settings

    key = settings.AUDIT_HMAC_KEY
    if not key:
        return [
            checks.Error("AUDIT_HMAC_KEY (or AUDIT_HMAC_KEY_FILE) is not set.", id="accounts.E002")
        ]
    if len(key) < 32:
        return [
            checks.Error(
                "AUDIT_HMAC_KEY is too short: use 32 or more random characters.", id="accounts.E003"
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=False)
def check_audit_anchor_key(app_configs, **kwargs):
    """The audit tail's anchors need a strong key of their own (accounts/audit_anchors.py)."""
    from django.conf import settings

    key = settings.AUDIT_ANCHOR_KEY
    if not key:
        return [
            checks.Error(
                "AUDIT_ANCHOR_KEY (or AUDIT_ANCHOR_KEY_FILE) is not set.", id="accounts.E004"
            )
        ]
    if len(key) < 32:
        return [
            checks.Error(
                "AUDIT_ANCHOR_KEY is too short: use 32 or more random characters.",
                id="accounts.E005",
            )
        ]
    if key == settings.AUDIT_HMAC_KEY:
        return [
            checks.Error(
                "AUDIT_ANCHOR_KEY must differ from AUDIT_HMAC_KEY: anchors have their own key.",
                id="accounts.E006",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_audit_anchor_path(app_configs, **kwargs):
    """Production publishes the audit tail to a file outside the database (AUDIT_ANCHOR_PATH)."""
    from django.conf import settings

    if not settings.AUDIT_ANCHOR_PATH:
        return [
            checks.Warning(
                "AUDIT_ANCHOR_PATH is not set: the audit trail's tail is anchored to the log only.",
                hint="Name an append-only file on another mount (README, 'Running it for real').",
                id="accounts.W001",
            )
        ]
    return []
