from __future__ import annotations

import pytest

from accounts.encryption import generate_key_text

KEY_A = generate_key_text("alpha")
KEY_B = generate_key_text("bravo")


@pytest.fixture
def keys_a(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]


@pytest.fixture
def set_keys(settings):
    def set_(*entries: str) -> None:
        settings.FIELD_ENCRYPTION_KEYS = list(entries)

    return set_
