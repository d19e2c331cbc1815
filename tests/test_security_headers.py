"""Security headers on every kind of response: page, 403, 404, 500, static file."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def responses(client, make_user, settings):
    settings.ROOT_URLCONF = "tests.standins.views"
    settings.SECURE_HSTS_SECONDS = 31_536_000
    sign_in(client, make_user(Role.SYSTEM_ADMINISTRATOR))
    client.raise_request_exception = False
    return {
        "page": client.get("/", secure=True),
        "403": client.get("/standin/notes/1/", secure=True),
        "404": client.get("/no-such-page/", secure=True),
        "500": client.get("/standin/broken/", secure=True),
        "static": client.get("/static/js/enabled.js", secure=True),
        "sign-in": client.get("/sign-in/", secure=True),
    }


@pytest.mark.parametrize("kind", ["page", "403", "404", "500", "static", "sign-in"])
def test_every_response_has_the_security_headers(responses, kind):
    response = responses[kind]
    expected_status = {"page": 200, "403": 403, "404": 404, "500": 500, "static": 200}
    if kind in expected_status:
        assert response.status_code == expected_status[kind]
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("kind", ["page", "403", "404", "500", "static", "sign-in"])
def test_the_permissions_policy_refuses_every_powerful_feature(responses, kind):
    # The pages need no browser feature that asks permission: each is refused (an empty list),
    # none is allowed to the page itself or to anything it embeds.
    directives = dict(
        part.strip().split("=", 1) for part in responses[kind]["Permissions-Policy"].split(",")
    )
    powerful = ["camera", "microphone", "geolocation", "payment", "usb", "fullscreen"]
    for feature in [*powerful, "clipboard-read", "display-capture", "sync-xhr", "interest-cohort"]:
        assert directives.get(feature) == "()", feature
    assert set(directives.values()) == {"()"}


def test_the_500_page_shows_nothing_of_the_error(responses):
    page = responses["500"].content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert "a bug" not in page and "Traceback" not in page


def test_session_and_csrf_cookies_are_http_only(client, demo):
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
