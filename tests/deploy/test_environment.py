"""deploy/environment.example: every secret a _FILE, and a clean `check --deploy` once filled."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

from accounts.encryption import generate_key_text
from tests.processes import ROOT

TEMPLATE = ROOT / "deploy" / "environment.example"
SECRETS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "AUDIT_HMAC_KEY", "AUDIT_ANCHOR_KEY")


def template() -> dict[str, str]:
    lines = TEMPLATE.read_text().splitlines()
    pairs = [tuple(line.split("=", 1)) for line in lines if line and not line.startswith("#")]
    return dict(pairs)


def test_every_secret_is_given_as_a_file():
    settings = template()
    assert {f"{name}_FILE" for name in SECRETS} <= set(settings)
    assert not set(SECRETS) & set(settings)
    assert all(settings[f"{name}_FILE"].startswith("/etc/front-door/keys/") for name in SECRETS)


def test_the_template_filled_in_passes_check_deploy(tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "secret_key").write_text(secrets.token_urlsafe(50))
    (keys / "field_encryption_keys").write_text(generate_key_text("k2026"))
    (keys / "audit_hmac_key").write_text(secrets.token_urlsafe(48))
    (keys / "audit_anchor_key").write_text(secrets.token_urlsafe(48))
    environment = {
        name: value.replace("/etc/front-door/keys", str(keys)) for name, value in template().items()
    }
    environment.update(
        {
            "PATH": str(Path(sys.executable).parent),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
            "AUDIT_ANCHOR_PATH": str(tmp_path / "anchors.jsonl"),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
