"""The keyring and the envelope: round trips and the three distinct errors."""

from __future__ import annotations

import pytest

from accounts.encryption import (
    EncryptionNotConfigured,
    Keyring,
    TamperedValueError,
    UnknownKeyError,
    WrongKeyError,
    generate_key_text,
    parse_key,
)
from tests.accounts.encryption.conftest import KEY_A, KEY_B


@pytest.mark.parametrize("text", ["", "a", "Concern: bruise on left arm. ✓ Zoë", "x" * 10_000])
def test_round_trip(text):
    ring = Keyring([KEY_A])
    assert ring.open(ring.seal(text)) == text


def test_the_envelope_names_the_sealing_key_and_hides_the_text():
    ring = Keyring([KEY_A, KEY_B])
    envelope = ring.seal("the concern")
    version, label, fingerprint, _payload = envelope.split(":")
    assert (version, label, fingerprint) == ("fd1", "alpha", ring.keys["alpha"].fingerprint)
    assert "the concern" not in envelope
    assert ring.seal("the concern") != envelope  # a fresh nonce every time


def test_the_first_key_seals_and_every_key_opens():
    old = Keyring([KEY_A]).seal("sealed under alpha")
    ring = Keyring([KEY_B, KEY_A])
    assert ring.open(old) == "sealed under alpha"
    assert ring.seal("new").split(":")[1] == "bravo"
    assert ring.needs_resealing(old)
    assert not ring.needs_resealing(ring.seal("new"))


def test_an_unknown_key_is_named():
    envelope = Keyring([KEY_A]).seal("text")
    with pytest.raises(UnknownKeyError, match="'alpha', which is not configured"):
        Keyring([KEY_B]).open(envelope)


def test_a_wrong_key_under_a_known_label_is_told_apart():
    envelope = Keyring([KEY_A]).seal("text")
    impostor = generate_key_text("alpha")
    with pytest.raises(WrongKeyError, match="label 'alpha' is not the key that sealed"):
        Keyring([impostor]).open(envelope)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: e[:-3] + ("A" if e[-3] != "A" else "B") + e[-2:],  # ciphertext or tag
        lambda e: e[: len(e) // 2],  # truncated
        lambda e: e.replace("fd1:", "fd9:"),  # unknown version
        lambda e: "plain text that was never sealed",
        lambda e: e + ":extra",
    ],
    ids=["flipped", "truncated", "version", "not-sealed", "extra-part"],
)
def test_a_tampered_value_is_reported_as_tampered(tamper):
    ring = Keyring([KEY_A])
    with pytest.raises(TamperedValueError, match="altered or damaged"):
        ring.open(tamper(ring.seal("a value long enough to cut in half")))


def test_a_header_moved_onto_another_keys_ciphertext_fails():
    ring = Keyring([KEY_A, KEY_B])
    sealed_a = ring.seal("text")
    sealed_b = Keyring([KEY_B]).seal("text")
    header_b = sealed_b.rsplit(":", 1)[0]
    with pytest.raises(TamperedValueError):
        ring.open(f"{header_b}:{sealed_a.rsplit(':', 1)[1]}")


def test_no_key_configured():
    with pytest.raises(EncryptionNotConfigured, match="No field encryption key is configured"):
        Keyring([])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("no-separator", "Each FIELD_ENCRYPTION_KEYS entry is 'label:key'"),
        ("bad label!:AAAA", "Each FIELD_ENCRYPTION_KEYS entry is 'label:key'"),
        ("short:AAAA", "'short' in FIELD_ENCRYPTION_KEYS is not 32 bytes"),
        ("junk:%%%%", "'junk' in FIELD_ENCRYPTION_KEYS is not 32 bytes"),
    ],
)
def test_malformed_keys_are_refused_without_echoing_them(entry, message):
    with pytest.raises(EncryptionNotConfigured, match=message) as caught:
        parse_key(entry)
    assert entry.partition(":")[2] not in str(caught.value) or entry.partition(":")[2] == ""


def test_a_label_twice_is_refused():
    with pytest.raises(EncryptionNotConfigured, match="a label twice"):
        Keyring([KEY_A, generate_key_text("alpha")])


def test_a_keys_repr_never_shows_the_secret():
    key = parse_key(KEY_A)
    assert KEY_A.partition(":")[2] not in repr(key)
    assert "alpha" in repr(key)
