from __future__ import annotations

from unittest import mock

from django.db.utils import OperationalError


def test_healthz_answers_json_with_a_database_check(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"]) == ("ok", "ok")
    assert set(body) == {"status", "database", "jobs"}  # jobs: tests/jobs/test_schedule.py


def test_healthz_reports_an_unavailable_database_without_detail(client, db):
    with mock.patch("accounts.views.connection.cursor", side_effect=OperationalError("secret")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert b"secret" not in response.content


def test_healthz_needs_no_sign_in_and_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405
