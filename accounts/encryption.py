"""Confidential text encrypted at rest: the keyring, the sealed envelope and the model field.

DESIGN.md ("Confidential text"). Values are sealed with AES-256-GCM (authenticated encryption)
into a versioned envelope that names the key that sealed them:

    fd1:<label>:<fingerprint>:<base64url(nonce + ciphertext + tag)>

The header is bound to the ciphertext as associated data, so that editing any part of the
envelope is detected. The fingerprint is an HMAC of a constant under the key (it reveals
nothing of the key) and tells a wrong key from an unknown one:

- the label is not configured: `UnknownKeyError`, naming the label;
- the label is configured but the key under it is different: `WrongKeyError`;
- the envelope was altered or is not an envelope at all: `TamperedValueError`.

Keys come from `FIELD_ENCRYPTION_KEYS` (a list of `label:base64url-key`; the first seals, all
open). `manage.py rotate_encryption_keys` re-seals everything with the first key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.views.debug import SafeExceptionReporterFilter

ENVELOPE_VERSION = "fd1"
KEY_BYTES = 32
NONCE_BYTES = 12
LABEL_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_FINGERPRINT_MESSAGE = b"front-door field encryption key fingerprint v1"


class EncryptionError(Exception):
    """A sealed value could not be opened, or nothing can be sealed."""


class EncryptionNotConfigured(EncryptionError, ImproperlyConfigured):
    """No usable key is configured."""


class UnknownKeyError(EncryptionError):
    """The value was sealed by a key whose label is not configured."""

    def __init__(self, label: str) -> None:
        self.label = label
        super().__init__(
            f"This value was sealed with the key labelled {label!r}, which is not configured. "
            "Add that key to FIELD_ENCRYPTION_KEYS (after the current one) to open it."
        )


class WrongKeyError(EncryptionError):
    """The label is configured, but with a different key from the one that sealed the value."""

    def __init__(self, label: str) -> None:
        self.label = label
        super().__init__(
            f"The key configured under the label {label!r} is not the key that sealed this "
            "value (its fingerprint differs). Check FIELD_ENCRYPTION_KEYS."
        )


class TamperedValueError(EncryptionError):
    """The stored value was altered, truncated, or was never sealed."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"This encrypted value has been altered or damaged: {reason}.")


@dataclass(frozen=True)
class Key:
    label: str
    secret: bytes = b""
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        digest = hmac.new(self.secret, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]
        object.__setattr__(self, "fingerprint", digest)

    def __repr__(self) -> str:  # never show the secret
        return f"Key(label={self.label!r}, fingerprint={self.fingerprint!r})"


def generate_key_text(label: str) -> str:
    """A new `label:key` entry for FIELD_ENCRYPTION_KEYS."""
    if not LABEL_PATTERN.match(label):
        raise ValueError("A key label is 1 to 32 letters, digits, '.', '_' or '-'.")
    return f"{label}:{base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()}"


def parse_key(entry: str) -> Key:
    """One `label:base64url-key` entry; the error names the label, never the key."""
    label, separator, encoded = entry.strip().partition(":")
    if not separator or not LABEL_PATTERN.match(label):
        raise EncryptionNotConfigured(
            "Each FIELD_ENCRYPTION_KEYS entry is 'label:key', the label being 1 to 32 letters, "
            "digits, '.', '_' or '-' (generate one with manage.py generate_encryption_key)."
        )
    try:
        secret = base64.urlsafe_b64decode(encoded.strip() + "=" * (-len(encoded.strip()) % 4))
    except (binascii.Error, ValueError):
        secret = b""
    if len(secret) != KEY_BYTES:
        raise EncryptionNotConfigured(
            f"The key labelled {label!r} in FIELD_ENCRYPTION_KEYS is not {KEY_BYTES} bytes of "
            "URL-safe base64."
        )
    return Key(label, secret)


class Keyring:
    """The configured keys: the first seals, every one opens."""

    def __init__(self, entries: list[str]) -> None:
        keys = [parse_key(entry) for entry in entries if entry.strip()]
        if not keys:
            raise EncryptionNotConfigured(
                "No field encryption key is configured: set FIELD_ENCRYPTION_KEYS (or "
                "FIELD_ENCRYPTION_KEYS_FILE). Generate one with manage.py generate_encryption_key."
            )
        labels = [key.label for key in keys]
        if len(set(labels)) != len(labels):
            raise EncryptionNotConfigured("FIELD_ENCRYPTION_KEYS has a label twice.")
        self.primary = keys[0]
        self.keys = {key.label: key for key in keys}
        self._ciphers = {key.label: AESGCM(key.secret) for key in keys}
        self._headers = {
            key.label: f"{ENVELOPE_VERSION}:{key.label}:{key.fingerprint}" for key in keys
        }

    def seal(self, plaintext: str, context: str = "") -> str:
        """Seal `plaintext`; `context` (the model and field) must be given again to open it."""
        header = self._headers[self.primary.label]
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.primary.label].encrypt(
            nonce, plaintext.encode("utf-8"), _associated(header, context)
        )
        return f"{header}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def key_of(self, envelope: str) -> tuple[str, str]:
        """The label and fingerprint an envelope names, checking only its form."""
        parts = envelope.split(":")
        if len(parts) != 4 or parts[0] != ENVELOPE_VERSION:
            raise TamperedValueError("it is not a sealed value of a known version")
        return parts[1], parts[2]

    def open(self, envelope: str, context: str = "") -> str:
        label, fingerprint = self.key_of(envelope)
        key = self.keys.get(label)
        if key is None:
            raise UnknownKeyError(label)
        if not hmac.compare_digest(fingerprint, key.fingerprint):
            raise WrongKeyError(label)
        try:
            payload = base64.urlsafe_b64decode(envelope.rsplit(":", 1)[1])
        except (binascii.Error, ValueError) as error:
            raise TamperedValueError("its ciphertext is not valid base64") from error
        nonce, sealed = payload[:NONCE_BYTES], payload[NONCE_BYTES:]
        try:
            plaintext = self._ciphers[label].decrypt(
                nonce, sealed, _associated(self._headers[label], context)
            )
        except InvalidTag as error:
            raise TamperedValueError(
                "its authentication tag does not match (altered, or moved from another field)"
            ) from error
        return plaintext.decode("utf-8")

    def needs_resealing(self, envelope: str) -> bool:
        """Whether the value was sealed by a key other than the current one."""
        label, fingerprint = self.key_of(envelope)
        return label != self.primary.label or fingerprint != self.primary.fingerprint


def _associated(header: str, context: str) -> bytes:
    # The header and the field a value belongs to are authenticated with it: a value copied
    # into another field, or a header edited, does not open.
    return f"{header}|{context}".encode()


@cache
def keyring() -> Keyring:
    """The keyring of the current settings (rebuilt when the setting changes in tests)."""
    return Keyring(list(settings.FIELD_ENCRYPTION_KEYS))


@receiver(setting_changed)
def _forget_keyring(*, setting: str, **kwargs: Any) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        keyring.cache_clear()


class EncryptedTextField(models.TextField):
    """Free text sealed in the database; Python code sees plain text.

    An empty string is stored as it is (only its emptiness is visible). The database cannot
    search or compare sealed text, so every lookup but `isnull` is refused.
    """

    description = "Text encrypted at rest"

    def __init__(self, *args: Any, sealed_as: str = "", **kwargs: Any) -> None:
        # `sealed_as`: the `app_label.Model.field` the values were sealed under, kept when a
        # model moves to another app so that its stored values still open (notes.Note).
        self.sealed_as = sealed_as
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.sealed_as:
            kwargs["sealed_as"] = self.sealed_as
        return name, path, args, kwargs

    @property
    def sealing_context(self) -> str:
        """What a value of this field is bound to: `app_label.Model.field` (or `sealed_as`)."""
        return self.sealed_as or f"{self.model._meta.label}.{self.name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return keyring().open(value, self.sealing_context)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return keyring().seal(value, self.sealing_context)

    def to_python(self, value: Any) -> str | None:
        # Never opens a sealed value given as input (a form, a fixture): that would let anyone
        # who can type into a field read ciphertext taken from a backup.
        value = super().to_python(value)
        if isinstance(value, str) and _looks_sealed(value):
            raise ValidationError(
                "This is an encrypted value: type or load the text itself instead.",
                code="sealed_value",
            )
        return value

    def value_to_string(self, obj: models.Model) -> str:
        # Serialised data (dumpdata) carries the sealed value, never the plain text; it
        # cannot be loaded back (see to_python): restore databases from their backups.
        value = self.value_from_object(obj)
        return "" if value in (None, "") else keyring().seal(value, self.sealing_context)

    def get_lookup(self, lookup_name: str):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted, so the database cannot "
                f"search or compare it ('{lookup_name}'); only 'isnull' works."
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str):
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted, so the database cannot "
            f"transform it ('{lookup_name}')."
        )


def _looks_sealed(value: str) -> bool:
    try:
        keyring().key_of(value)
    except TamperedValueError:
        return False
    return True


def encrypted_fields(model: type[models.Model]) -> list[str]:
    """The names of a model's encrypted fields."""
    return [
        model_field.name
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, EncryptedTextField)
    ]


class ConfidentialExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error pages and error reports never show local variables or posted values.

    Any frame of a request may hold a decrypted value, so none is shown, in DEBUG too.
    """

    def is_active(self, request) -> bool:
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class KeyRotationCheckpoint(models.Model):
    """How far `rotate_encryption_keys` got with one model, so that a rerun resumes there."""

    model_label = models.CharField(max_length=100, unique=True)
    key_label = models.CharField(max_length=32)
    key_fingerprint = models.CharField(max_length=16)
    last_pk = models.CharField(max_length=64, blank=True, default="")
    completed = models.BooleanField(default=False)
    resealed = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "accounts"

    def __str__(self) -> str:
        return f"Key rotation of {self.model_label}"


@dataclass
class RotationProgress:
    model_label: str
    scanned: int = 0
    resealed: int = 0
    total: int = 0
    remaining: int = 0
    skipped_as_complete: bool = False


def models_with_encrypted_fields() -> list[type[models.Model]]:
    from django.apps import apps

    return [model for model in apps.get_models() if encrypted_fields(model)]


def reseal_model(
    model: type[models.Model],
    *,
    batch_size: int = 500,
    restart: bool = False,
    on_batch: Any = None,
) -> RotationProgress:
    """Re-seal every encrypted value of `model` that another key sealed, batch by batch.

    Each batch commits with its checkpoint, so an interrupted run resumes after the last
    committed batch. A row changed since it was read is left alone (the change sealed it with
    the current key already).
    """
    from django.db import transaction
    from django.db.models.functions import Cast

    ring = keyring()
    fields = encrypted_fields(model)
    contexts = {
        field.name: field.sealing_context
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    }
    raw = {f"_sealed_{name}": Cast(name, models.TextField()) for name in fields}
    label = model._meta.label
    checkpoint, _ = KeyRotationCheckpoint.objects.get_or_create(
        model_label=label,
        defaults={"key_label": ring.primary.label, "key_fingerprint": ring.primary.fingerprint},
    )
    same_key = (checkpoint.key_label, checkpoint.key_fingerprint) == (
        ring.primary.label,
        ring.primary.fingerprint,
    )
    if restart or not same_key:
        checkpoint.key_label = ring.primary.label
        checkpoint.key_fingerprint = ring.primary.fingerprint
        checkpoint.last_pk, checkpoint.completed, checkpoint.resealed = "", False, 0
        checkpoint.save()
    manager = model._default_manager
    progress = RotationProgress(label, total=manager.count(), resealed=checkpoint.resealed)
    if checkpoint.completed:
        progress.skipped_as_complete = True
        return progress
    pk_field = model._meta.pk
    rows = manager.annotate(**raw).order_by("pk").values_list("pk", *raw)
    while True:
        batch = rows
        if checkpoint.last_pk:
            batch = rows.filter(pk__gt=pk_field.to_python(checkpoint.last_pk))
        batch = list(batch[:batch_size])
        if not batch:
            break
        with transaction.atomic():
            for pk, *sealed_values in batch:
                stale = {
                    name: value
                    for name, value in zip(fields, sealed_values, strict=True)
                    if value and ring.needs_resealing(value)
                }
                for name, value in stale.items():
                    # Field by field, only if unchanged since read: an edit made meanwhile wins.
                    sealed_now = f"_sealed_{name}"
                    progress.resealed += (
                        manager.annotate(**{sealed_now: raw[sealed_now]})
                        .filter(pk=pk, **{sealed_now: value})
                        .update(**{name: ring.open(value, contexts[name])})
                    )
            progress.scanned += len(batch)
            checkpoint.last_pk = str(batch[-1][0])
            checkpoint.resealed = progress.resealed
            checkpoint.save()
        if on_batch:
            on_batch(progress)
    # Done only if nothing is left under another key (an edit during the run, or a process
    # still sealing with an old key, can leave some): otherwise the next run starts again.
    progress.remaining = sum(
        1
        for _, *sealed_values in rows.iterator(chunk_size=batch_size)
        for value in sealed_values
        if value and ring.needs_resealing(value)
    )
    checkpoint.completed = progress.remaining == 0
    if not checkpoint.completed:
        checkpoint.last_pk = ""
    checkpoint.save()
    return progress
