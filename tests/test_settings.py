"""Settings come from the environment; production refuses to start without real secrets."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.encryption import generate_key_text

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = secrets.token_urlsafe(50)
FIELD_KEY = generate_key_text("prod1")


def run_django(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a fresh process with a production-like environment plus `env`."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_")) and key != "DATABASE_URL"
    }
    environment.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": STRONG_KEY,
            "FIELD_ENCRYPTION_KEYS": FIELD_KEY,
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(48),
            "AUDIT_ANCHOR_KEY": secrets.token_urlsafe(48),
            "AUDIT_ANCHOR_PATH": str(tmp_path / "anchors.jsonl"),
            "ALLOWED_HOSTS": "front-door.example.gov.uk",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'settings-test.sqlite3'}",
            **env,
        }
    )
    return subprocess.run(  # noqa: S603  # fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run_django(["check"], tmp_path, SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off" in result.stderr


def test_production_refuses_a_weak_secret_key(tmp_path):
    result = run_django(["check"], tmp_path, SECRET_KEY="django-insecure-short")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(STRONG_KEY)
    result = run_django(["check"], tmp_path, SECRET_KEY="", SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr


def test_an_unreadable_secret_file_is_named(tmp_path):
    result = run_django(["check"], tmp_path, SECRET_KEY_FILE=str(tmp_path / "missing"))
    assert result.returncode != 0
    assert "SECRET_KEY_FILE names a file that cannot be read" in result.stderr


def test_production_refuses_to_start_without_a_field_encryption_key(tmp_path):
    result = run_django(["check", "--deploy"], tmp_path, FIELD_ENCRYPTION_KEYS="")
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr
    assert "No field encryption key is configured" in result.stderr


def test_a_malformed_field_key_is_named_without_echoing_it(tmp_path):
    result = run_django(["check"], tmp_path, FIELD_ENCRYPTION_KEYS="prod1:not-a-key")
    assert result.returncode != 0
    assert "The key labelled 'prod1' in FIELD_ENCRYPTION_KEYS is not 32 bytes" in result.stderr
    assert "not-a-key" not in result.stderr


def test_field_keys_can_come_from_a_file_with_several_keys(tmp_path):
    key_file = tmp_path / "field_keys"
    key_file.write_text(f"{FIELD_KEY},{generate_key_text('old')}")
    result = run_django(
        ["check"], tmp_path, FIELD_ENCRYPTION_KEYS="", FIELD_ENCRYPTION_KEYS_FILE=str(key_file)
    )
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_an_audit_key(tmp_path):
    result = run_django(["check", "--deploy"], tmp_path, AUDIT_HMAC_KEY="")
    assert result.returncode != 0
    assert "accounts.E002" in result.stderr


def test_production_refuses_to_start_without_an_audit_anchor_key(tmp_path):
    result = run_django(["check", "--deploy"], tmp_path, AUDIT_ANCHOR_KEY="")
    assert result.returncode != 0
    assert "accounts.E004" in result.stderr


def test_the_anchor_key_must_not_be_the_chains_key(tmp_path):
    key = secrets.token_urlsafe(48)
    result = run_django(["check"], tmp_path, AUDIT_HMAC_KEY=key, AUDIT_ANCHOR_KEY=key)
    assert result.returncode != 0
    assert "accounts.E006" in result.stderr


def test_the_anchor_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "anchor-key"
    key_file.write_text(secrets.token_urlsafe(48) + "\n")
    result = run_django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        AUDIT_ANCHOR_KEY="",
        AUDIT_ANCHOR_KEY_FILE=str(key_file),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_warns_when_anchors_go_to_the_log_only(tmp_path):
    result = run_django(
        ["check", "--deploy", "--fail-level", "WARNING"], tmp_path, AUDIT_ANCHOR_PATH=""
    )
    assert result.returncode != 0
    assert "accounts.W001" in result.stderr


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = run_django(["check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SESSION_COOKIE_SECURE", True),
        ("CSRF_COOKIE_SECURE", True),
        ("SECURE_SSL_REDIRECT", True),
        ("X_FRAME_OPTIONS", "DENY"),
    ],
)
def test_production_security_settings(tmp_path, name, expected):
    result = run_django(
        ["shell", "-c", f"from django.conf import settings; print(repr(settings.{name}))"],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == repr(expected)


def test_database_url_selects_the_database(tmp_path):
    result = run_django(
        [
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        ],
        tmp_path,
        DATABASE_URL="postgres://someone@db.example:5432/frontdoor",
    )
    assert result.stdout.strip().splitlines()[-1] == "django.db.backends.postgresql"
