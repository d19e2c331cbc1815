"""Two-factor sign-in: enrolment, codes, backup codes, reset, and the gate on every URL."""

from __future__ import annotations

import base64
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.audit import AuditEntry, Event
from accounts.middleware import BEFORE_SECOND_FACTOR
from accounts.roles import Role
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
SAMPLE = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def every_url() -> list[tuple[str, str]]:
    """(view name, path) for every pattern of the URL conf, with sample arguments."""
    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                path = "/" + re.sub(
                    r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route
                )
                path = re.sub(r"[\^$]|\(\?P<\w+>[^)]*\)", "x", path).replace("\\", "")
                found.append((f"{namespace}{pattern.name}", path))

    walk(get_resolver().url_patterns, "", "")
    return found


def password_only(client, make_user, role=Role.PRACTITIONER):
    user = make_user(role)
    client.post(reverse("accounts:sign-in"), {"username": user.username, "password": TEST_PASSWORD})
    assert "_auth_user_id" in client.session
    return user


def test_every_url_refuses_a_session_without_the_second_factor(client, make_user):
    password_only(client, make_user)
    checked = 0
    for name, path in every_url():
        if name in BEFORE_SECOND_FACTOR:
            continue
        response = client.get(path)
        assert response.status_code == 302, (name, path, response.status_code)
        assert response.url.startswith(reverse("accounts:second-factor")), (name, path)
        checked += 1
    assert checked > 20  # the admin's and ours


def test_the_pages_before_the_second_factor_are_reachable(client, make_user):
    password_only(client, make_user)
    assert client.get("/healthz").status_code == 200
    assert client.get(reverse("accounts:signed-out")).status_code == 200
    assert client.get(reverse("accounts:enrol")).status_code == 200


def enrol_with_app(client, user) -> list[str]:
    response = client.get(reverse("accounts:enrol"))
    key_text = response.context["enrolment"].key_text
    secret = base64.b32decode(
        key_text.replace(" ", "") + "=" * (-len(key_text.replace(" ", "")) % 8)
    )
    assert b"<svg" in response.content  # the QR code
    response = client.post(reverse("accounts:enrol"), {"code": f"{totp(secret):06d}", "next": "/"})
    assert response.status_code == 302
    page = client.get(response.url)
    codes = page.context["codes"]
    return codes


def test_first_sign_in_enrols_an_app_and_shows_backup_codes_once(client, make_user):
    user = password_only(client, make_user)
    response = client.get(reverse("workspace:home"))
    assert response.url.startswith(reverse("accounts:second-factor"))
    assert client.get(response.url).url.startswith(reverse("accounts:enrol"))
    codes = enrol_with_app(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get(reverse("workspace:home")).status_code == 200
    again = client.get(reverse("accounts:backup-codes"))
    assert again.status_code == 302  # shown once only


def test_a_wrong_enrolment_code_shows_the_error_and_confirms_nothing(client, make_user):
    user = password_only(client, make_user)
    response = client.post(reverse("accounts:enrol"), {"code": "000000"})
    assert "govuk-error-summary" in response.content.decode()
    assert "The code does not match" in response.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed


def test_sign_in_with_app_code_then_with_a_backup_code_that_works_once(client, make_user):
    user = password_only(client, make_user)
    codes = enrol_with_app(client, user)
    client.post(reverse("accounts:sign-out"))
    client.post(reverse("accounts:sign-in"), {"username": user.username, "password": TEST_PASSWORD})
    response = client.post(reverse("accounts:second-factor"), {"code": codes[0], "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200
    client.post(reverse("accounts:sign-out"))
    client.post(reverse("accounts:sign-in"), {"username": user.username, "password": TEST_PASSWORD})
    response = client.post(reverse("accounts:second-factor"), {"code": codes[0]})
    assert "The security code is wrong or has been used" in response.content.decode()
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_a_wrong_code_is_refused_and_audited(client, make_user):
    user = password_only(client, make_user)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    response = client.post(reverse("accounts:second-factor"), {"code": "123456"})
    assert "govuk-error-summary" in response.content.decode()
    assert client.get(reverse("workspace:home")).url != "/"
    assert AuditEntry.objects.filter(event=Event.SIGN_IN_FAILED, object_pk=str(user.pk)).exists()


def test_an_empty_code_asks_for_one(client, make_user):
    user = password_only(client, make_user)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    response = client.post(reverse("accounts:second-factor"), {"code": ""})
    assert '<a href="#id_code">Enter the security code</a>' in response.content.decode()


def test_a_reset_makes_the_user_enrol_again(client, make_user):
    user = password_only(client, make_user)
    enrol_with_app(client, user)
    two_factor.reset_two_factor(user=user, by=make_user(Role.SYSTEM_ADMINISTRATOR))
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()
    client.post(reverse("accounts:sign-out"))
    password_only_again = client.post(
        reverse("accounts:sign-in"), {"username": user.username, "password": TEST_PASSWORD}
    )
    assert password_only_again.status_code == 302
    follow = client.get(reverse("accounts:second-factor"))
    assert follow.url.startswith(reverse("accounts:enrol"))


def test_demo_users_share_the_documented_app_secret(demo):
    from demo.people import DEMO_TOTP_KEY_HEX

    assert set(TOTPDevice.objects.values_list("key", flat=True)) == {DEMO_TOTP_KEY_HEX}
    assert (
        TOTPDevice.objects.filter(confirmed=True).count() == 14
    )  # two administrators, a data officer


def test_the_security_code_page_shows_no_menu_before_sign_in_is_done(client, make_user):
    user = password_only(client, make_user)
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    page = client.get(reverse("accounts:second-factor")).content.decode()
    assert "Enter your security code" in page
    assert "govuk-service-navigation__list" in page and "Sign out" in page  # leaving is offered
    assert 'href="/front-door/"' not in page and ">Home<" not in page  # the menu is not
