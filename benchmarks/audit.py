"""Benchmark: the audit chain (issue 5). Not a test: prints figures for the issue note.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frontdoor .venv/bin/python benchmarks/audit.py

Runs in a throw-away test database (test_<name>), side by side in one run:
1. entries written per second under the chain lock by 1 and by 8 concurrent writers, each
   entry in its own transaction (the worst case: one audited request each);
2. `verify_audit` over 1,000,000 entries (seeded through the real chain writer in batches:
   the documented bulk path, used only here), with its time and resident memory before and
   after (constant memory: batches of 5,000 rows, no model instances).
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from pathlib import Path

from casework.references import child_reference

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django  # after the path and settings are set

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402  # needs setup()
from django.db import connection, connections, transaction  # noqa: E402  # needs setup()
from django.utils import timezone  # noqa: E402  # needs setup()

from accounts.audit import AuditEntry, Event, record_event, write_chained  # noqa: E402  # needs setup()
from accounts.audit_verification import verify_chain  # noqa: E402  # needs setup()
from accounts.models import Agency, User  # noqa: E402  # needs setup()

PER_RUN = 2000
VERIFY_ENTRIES = int(os.environ.get("VERIFY_ENTRIES", "1000000"))
SEED_BATCH = 10_000


def current_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def writers(count: int, users: list[User]) -> float:
    each = PER_RUN // count
    barrier = threading.Barrier(count + 1)

    def write(user: User) -> None:
        barrier.wait()
        for n in range(each):
            with transaction.atomic():
                record_event(Event.READ, actor=user, obj=user, child_ref=f"B{n}")
        connections.close_all()

    threads = [threading.Thread(target=write, args=(users[i],)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return each * count / (time.perf_counter() - started)


def seed(total: int, user: User) -> float:
    content_type = ContentType.objects.get_for_model(User)
    started = time.perf_counter()
    made = AuditEntry.objects.count()
    while made < total:
        size = min(SEED_BATCH, total - made)
        now = timezone.now()
        write_chained(
            [
                AuditEntry(
                    content_type=content_type,
                    object_pk=str(user.pk),
                    object_id=user.pk,
                    object_repr="Benchmark read",
                    action=3,
                    event=Event.READ,
                    actor=user,
                    timestamp=now,
                    child_ref=child_reference((made + n) % 5000),
                    additional_data={"path": "/children/1/"},
                )
                for n in range(size)
            ]
        )
        made += size
        print(f"\r  seeded {made:,} entries", end="", flush=True)
    print()
    return time.perf_counter() - started


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: set DATABASE_URL=postgres://...")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        agency = Agency.objects.create(name="Benchmark council", kind=Agency.Kind.LOCAL_AUTHORITY)
        users = [User.objects.create(username=f"bench{n}", agency=agency) for n in range(8)]
        print(f"Chain writes on PostgreSQL, {PER_RUN:,} entries, one transaction each:")
        for count in (1, 8):
            print(
                f"  {count} writer{'s' if count > 1 else ''}: {writers(count, users):,.0f} entries/s"
            )
        print(f"\nSeeding {VERIFY_ENTRIES:,} entries through the chain writer...")
        seconds = seed(VERIFY_ENTRIES, users[0])
        print(
            f"  {seconds:.1f} s ({VERIFY_ENTRIES / seconds:,.0f} entries/s in batches of {SEED_BATCH:,})"
        )
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        current_before = current_rss_kib()
        started = time.perf_counter()
        result = verify_chain()
        elapsed = time.perf_counter() - started
        print(f"\nverify_audit over {result.checked:,} entries: {elapsed:.1f} s "
              f"({result.checked / elapsed:,.0f} entries/s), problem: {result.problem or 'none'}")  # fmt: skip
        print(f"  resident memory: {current_before / 1024:.0f} MiB before, "
              f"{current_rss_kib() / 1024:.0f} MiB after; process peak "
              f"{rss_before / 1024:.0f} MiB before, "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB after")  # fmt: skip
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
