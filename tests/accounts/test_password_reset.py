"""Password reset by e-mail: the same answer whether or not the account exists; rate-limited."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def ask(client, email: str):
    return client.post(reverse("accounts:password-reset"), {"email": email}, follow=True)


def test_the_answer_does_not_reveal_whether_the_account_exists(client, make_user):
    user = make_user(Role.PRACTITIONER, email="known@example.invalid")
    known = ask(client, user.email)
    unknown = ask(client, "nobody@example.invalid")
    assert known.redirect_chain == unknown.redirect_chain
    assert "If an account uses that email address" in known.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]


def test_the_link_sets_a_new_password(client, make_user):
    user = make_user(Role.PRACTITIONER, email="known@example.invalid")
    ask(client, user.email)
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "A-brand-new-passphrase", "new_password2": "A-brand-new-passphrase"},
        follow=True,
    )
    assert "Your password is set" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("A-brand-new-passphrase")


def test_requests_are_rate_limited_without_saying_so(client, make_user):
    user = make_user(Role.PRACTITIONER, email="known@example.invalid")
    for _ in range(8):
        response = ask(client, user.email)
    assert "If an account uses that email address" in response.content.decode()
    assert len(mail.outbox) == 5


def test_bad_email_shows_the_error_summary(client, db):
    response = client.post(reverse("accounts:password-reset"), {"email": "nope"})
    assert "Enter an email address in the correct format" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()


def test_changing_the_case_of_the_address_does_not_reset_the_limit(client, make_user):
    user = make_user(Role.PRACTITIONER, email="known@example.invalid")
    for n in range(8):
        ask(client, user.email.upper() if n % 2 else user.email)
    assert len(mail.outbox) == 5


def test_behind_a_proxy_each_client_has_its_own_limit(client, make_user, settings):
    settings.AUDIT_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    users = [make_user(Role.PRACTITIONER, email=f"u{n}@example.invalid") for n in range(7)]
    for n, user in enumerate(users):
        client.post(
            reverse("accounts:password-reset"), {"email": user.email}, HTTP_X_REAL_IP=f"10.0.0.{n}"
        )
    assert len(mail.outbox) == 7  # one shared proxy address would have stopped at 5
