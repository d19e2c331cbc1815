"""Benchmark: field encryption cost (issue 4). Not a test: prints figures for the issue note.

    .venv/bin/python benchmarks/encryption.py

1. Seal and open 10,000 values of 500 characters with the keyring.
2. A list page of 1,000 rows whose 500-character encrypted text is shown: the page's time
   (query, decryption, template rendering), the time decryption alone takes, and the same
   page with the encrypted field deferred, side by side in one run.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django  # after the path and settings are set

django.setup()

from django.db import connection  # noqa: E402  # needs django.setup()
from django.template import engines  # noqa: E402  # needs django.setup()
from django.test.utils import setup_test_environment  # noqa: E402  # needs django.setup()

from accounts.encryption import keyring  # noqa: E402  # needs django.setup()
from tests.standins.models import SealedNote  # noqa: E402  # needs django.setup()

VALUES = 10_000
ROWS = 1_000
LENGTH = 500
REPEATS = 7

PAGE = engines["django"].from_string(
    "<table>{% for note in notes %}<tr><td>{{ note.reference }}</td>"
    "<td>{{ note.body }}</td></tr>{% endfor %}</table>"
)
PAGE_WITHOUT_BODY = engines["django"].from_string(
    "<table>{% for note in notes %}<tr><td>{{ note.reference }}</td></tr>{% endfor %}</table>"
)


def best_of(function, repeats: int = REPEATS) -> tuple[float, float]:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings), statistics.median(timings)


def ms(timing: tuple[float, float]) -> str:
    return f"{timing[0] * 1000:6.1f} ms / {timing[1] * 1000:6.1f} ms"


def main() -> None:
    ring = keyring()
    text = ("Concern recorded at the front door. " * 20)[:LENGTH]
    values = [f"{n:05d} {text}"[:LENGTH] for n in range(VALUES)]
    sealed = [ring.seal(value) for value in values]

    seal = best_of(lambda: [ring.seal(value) for value in values])
    opened = best_of(lambda: [ring.open(envelope) for envelope in sealed])
    print(f"Keyring, {VALUES:,} values of {LENGTH} characters (best / median of {REPEATS}):")
    print(f"  seal: {ms(seal)}  ({seal[0] / VALUES * 1e6:.1f} µs a value)")
    print(f"  open: {ms(opened)}  ({opened[0] / VALUES * 1e6:.1f} µs a value)")

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with connection.schema_editor() as editor:
            editor.create_model(SealedNote)
        SealedNote.objects.bulk_create(
            SealedNote(reference=f"N-{n:06d}", body=values[n]) for n in range(ROWS)
        )
        page_sealed = sealed[:ROWS]

        def full_page():
            return PAGE.render({"notes": SealedNote.objects.order_by("pk")})

        def deferred_page():
            return PAGE_WITHOUT_BODY.render(
                {"notes": SealedNote.objects.order_by("pk").defer("body", "answer")}
            )

        def decryption_only():
            return [ring.open(envelope) for envelope in page_sealed]

        full = best_of(full_page)
        deferred = best_of(deferred_page)
        decrypt = best_of(decryption_only)
        print(
            f"\nA list page of {ROWS:,} rows on {connection.vendor} (best / median of {REPEATS}):"
        )
        print(f"  page showing the encrypted text:     {ms(full)}")
        print(f"  decryption of those {ROWS:,} values:   {ms(decrypt)}"
              f"  = {decrypt[0] / full[0]:.0%} of the page")  # fmt: skip
        print(f"  same page, encrypted field deferred: {ms(deferred)}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
