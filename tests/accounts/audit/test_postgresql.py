"""PostgreSQL only: concurrent writers keep one valid chain; the database refuses changes."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections, transaction

from accounts.audit import AuditEntry, Event, record_event
from accounts.audit_verification import verify_chain

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DEPLOY_SQL = Path(__file__).resolve().parents[3] / "deploy" / "audit_trail_privileges.sql"
WRITERS = 8
ENTRIES_EACH = 25


def test_eight_concurrent_writers_leave_a_valid_chain(make_user):
    users = [make_user(None) for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(user):
        try:
            start.wait()
            for n in range(ENTRIES_EACH):
                with transaction.atomic():
                    record_event(Event.READ, actor=user, obj=user, child_ref=f"W{n}")
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sequences = list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1))
    assert AuditEntry.objects.filter(event=Event.READ).count() == WRITERS * ENTRIES_EACH
    result = verify_chain()
    assert result.problem == ""


@pytest.fixture
def role_connection(make_user):
    """A connection as a fresh non-superuser role, given privileges by the test."""
    record_event(Event.READ, actor=make_user(None), model=AuditEntry)
    settings = connection.settings_dict
    role = "front_door_audit_test_role"
    made = []

    def connect(grants: str) -> psycopg.Connection:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP ROLE IF EXISTS {role}")
            cursor.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER")
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            cursor.execute(grants.replace("front_door_app", role))
        conn = psycopg.connect(
            host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
            dbname=settings["NAME"], user=role, autocommit=True,
        )  # fmt: skip
        made.append(conn)
        return conn

    yield connect
    for conn in made:
        conn.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE IF EXISTS {role}")


@pytest.mark.parametrize("statement", ["UPDATE {t} SET object_repr = 'x'", "DELETE FROM {t}"])
def test_the_trigger_refuses_even_a_role_with_every_privilege(role_connection, statement):
    conn = role_connection("GRANT ALL ON accounts_auditentry TO front_door_app")
    before = AuditEntry.objects.count()
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        conn.execute(statement.format(t="accounts_auditentry"))
    assert AuditEntry.objects.count() == before > 0


@pytest.mark.parametrize(
    "statement",
    ["UPDATE {t} SET object_repr = 'x'", "DELETE FROM {t}", "TRUNCATE {t}"],
)
def test_the_production_role_may_read_and_append_but_not_change(role_connection, statement):
    conn = role_connection(DEPLOY_SQL.read_text())
    before = AuditEntry.objects.count()
    assert conn.execute("SELECT count(*) FROM accounts_auditentry").fetchone() == (before,)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement.format(t="accounts_auditentry"))
    assert AuditEntry.objects.count() == before > 0
