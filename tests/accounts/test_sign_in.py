"""Sign-in, sign-out and the error pages (the home page: tests/workspace/views/test_home.py)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error
from django_otp.oath import totp

from accounts.models import User
from accounts.roles import Role
from demo.people import DEMO_PASSWORD, DEMO_TOTP_SECRET, USERS


def sign_in_with_both_factors(client, username: str):
    client.post(reverse("accounts:sign-in"), {"username": username, "password": DEMO_PASSWORD})
    return client.post(
        reverse("accounts:second-factor"),
        {"code": f"{totp(DEMO_TOTP_SECRET):06d}", "next": "/"},
        follow=True,
    )


@pytest.mark.parametrize("demo_user", USERS, ids=lambda u: u.username)
def test_each_demo_user_signs_in_and_sees_their_home_page(client, demo, demo_user):
    response = sign_in_with_both_factors(client, demo_user.username)
    assert response.redirect_chain == [(reverse("workspace:home"), 302)]
    page = response.content.decode()
    assert f"{demo_user.first_name} {demo_user.last_name}" in page
    assert demo_user.role.label in page
    assert demo_user.agency.replace("'", "&#x27;") in page
    assert "<h1" in page


def test_sign_out_ends_the_session_on_the_server(client, demo):
    sign_in_with_both_factors(client, "manager")
    session_key = client.session.session_key
    response = client.post(reverse("accounts:sign-out"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:signed-out")
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("workspace:home")).status_code == 302


def test_sign_out_by_get_is_refused(client, demo):
    client.post(reverse("accounts:sign-in"), {"username": "manager", "password": DEMO_PASSWORD})
    assert client.get(reverse("accounts:sign-out")).status_code == 405


def test_a_wrong_password_shows_the_error_summary_and_signs_nobody_in(client, demo):
    response = client.post(
        reverse("accounts:sign-in"), {"username": "manager", "password": "not-the-password"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Enter a correct username and password" in page
    assert page.count("<title>Error: Sign in") == 1
    assert "_auth_user_id" not in client.session


def test_empty_fields_are_named_in_the_error_summary(client, db):
    response = client.post(reverse("accounts:sign-in"), {"username": "", "password": ""})
    page = response.content.decode()
    assert '<a href="#id_username">Enter your username</a>' in page
    assert '<a href="#id_password">Enter your password</a>' in page


def test_a_deactivated_user_cannot_sign_in(client, demo):
    User.objects.filter(username="police").update(is_active=False)
    response = client.post(
        reverse("accounts:sign-in"), {"username": "police", "password": DEMO_PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert "govuk-error-summary" in response.content.decode()


def test_sign_in_does_not_redirect_off_site(client, demo):
    response = client.post(
        reverse("accounts:sign-in") + "?next=https://evil.example/",
        {"username": "manager", "password": DEMO_PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response.url == reverse("workspace:home")


def test_pages_need_sign_in(client, db):
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:sign-in')}?next=/"


def test_404_page_is_the_service_page(signed_in_client):
    response = signed_in_client(Role.PRACTITIONER).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_500_page_renders_without_a_request_context(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert "Traceback" not in page
