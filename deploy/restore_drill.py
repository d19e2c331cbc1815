"""The Django side of deploy/restore-drill: write drill data, count rows, open encrypted text,
and look for keys or plaintext in the backup. Run as `python deploy/restore_drill.py STEP ...`
with DATABASE_URL naming the drill's throwaway cluster."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402  # after the settings module is named

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.audit import Event, record_event  # noqa: E402
from accounts.encryption import EncryptedTextField  # noqa: E402
from accounts.models import User  # noqa: E402
from accounts.sessions import save_draft  # noqa: E402

MARKER = "restore-drill confidential note"


def write(tag: str, count: str) -> None:
    """`count` drafts (encrypted text) and as many audit entries, as the demo users."""
    users = list(User.objects.order_by("pk")[:3])
    for n in range(int(count)):
        user = users[n % len(users)]
        with transaction.atomic():
            draft = save_draft(
                user=user, path=f"/restore-drill/{tag}/{n}/", fields={"note": f"{MARKER} {tag} {n}"}
            )
            record_event(Event.READ, actor=user, obj=draft, details={"path": "/restore-drill/"})


def _tables() -> list:
    return [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]


def counts() -> None:
    """Rows per table, as JSON."""
    print(
        json.dumps(
            {model._meta.label: model.objects.count() for model in _tables()},
            sort_keys=True,
            indent=1,
        )
    )


def opens() -> None:
    """Every encrypted value opens with the configured keys (fails loudly if one does not)."""
    opened = 0
    for model in _tables():
        fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        for row in model.objects.all().iterator():
            opened += sum(1 for name in fields if getattr(row, name) is not None)
    drafts = [draft.data for draft in apps.get_model("accounts", "FormDraft").objects.all()]
    if not opened or not all(MARKER in draft for draft in drafts):
        sys.exit("Encrypted text did not open with the configured keys.")
    print(f"{opened} encrypted values open with the configured keys.")


def no_secrets_in(*folders: str) -> None:
    """No key, and no drill plaintext, in any file of the backup."""
    secrets = {
        "SECRET_KEY": settings.SECRET_KEY,
        "AUDIT_HMAC_KEY": settings.AUDIT_HMAC_KEY,
        "AUDIT_ANCHOR_KEY": settings.AUDIT_ANCHOR_KEY,
        **{
            f"field key {entry.split(':', 1)[0]}": entry.split(":", 1)[-1]
            for entry in settings.FIELD_ENCRYPTION_KEYS
        },
        "the drill's plaintext": MARKER,
    }
    needles = {name: value.encode() for name, value in secrets.items() if value}
    files = [path for folder in folders for path in Path(folder).rglob("*") if path.is_file()]
    for path in files:
        content = path.read_bytes()
        for name, needle in needles.items():
            if needle in content:
                sys.exit(f"{name} is in the backup: {path}")
    print(f"No key and no plaintext in {len(files)} backup files.")


STEPS = {"write": write, "counts": counts, "opens": opens, "no-secrets-in": no_secrets_in}

if __name__ == "__main__":
    STEPS[sys.argv[1]](*sys.argv[2:])
