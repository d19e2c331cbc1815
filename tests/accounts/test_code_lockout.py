"""Wrong security codes are throttled visibly and count toward the sign-in lockout (issue 16)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from tests.factories import TEST_PASSWORD
from tests.pages import page_text

pytestmark = pytest.mark.django_db

WRONG = "The security code is wrong or has been used"
WAIT = "You can try a code again from"
PAUSED = "Sign-in is paused until"


@pytest.fixture
def after_password(client, make_user):
    """A user past the password, with an authenticator app; returns (user, device)."""
    user = make_user(Role.PRACTITIONER)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    response = client.post(
        reverse("accounts:sign-in"), {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return user, device


def right_code(device) -> str:
    return f"{totp(device.bin_key):06d}"


def wrong_code(device) -> str:
    return f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"


def end_back_off(user) -> None:
    """As if the back-off after the last wrong code had passed."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user, throttling_failure_timestamp__isnull=False).update(
            throttling_failure_timestamp=F("throttling_failure_timestamp") - timedelta(hours=1)
        )


def post_code(client, code: str):
    return client.post(reverse("accounts:second-factor"), {"code": code, "next": "/"})


def test_300_wrong_codes_are_throttled_visibly_and_count_toward_the_lockout(
    client, after_password, settings
):
    settings.AXES_FAILURE_LIMIT = 5
    user, device = after_password
    answers = []
    for attempt in range(300):
        if attempt % 30 == 29:
            end_back_off(user)  # time passes now and then
        response = post_code(client, wrong_code(device))
        text = page_text(response)
        if response.status_code == 429:
            answers.append("paused")
            assert PAUSED in text
        elif response.status_code == 302:  # signed out by the pause: the password is needed
            answers.append("signed out")
            assert response.url.startswith(reverse("accounts:sign-in"))
        else:
            assert response.status_code == 200
            # Every answer says something: wrong (with when to try again), or when to try again.
            assert "govuk-error-summary" in response.content.decode()
            answers.append("wrong" if WRONG in text else "wait")
            assert WAIT in text
    # The first wrong code is called wrong; the quick ones after it are told to wait, and are
    # not counted; each code that was checked counts, and the fifth pauses sign-in.
    assert answers[0] == "wrong" and answers[1] == "wait"
    assert answers.count("wrong") == 4
    first_pause = answers.index("paused")
    assert answers.count("paused") == 1
    assert set(answers[first_pause + 1 :]) == {"signed out"}
    assert AccessAttempt.objects.get().failures_since_start == 5
    # The half-signed-in session ended with the lock: the password is needed again, and even
    # the right one is refused until the stated time.
    assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("accounts:sign-in"), {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429 and PAUSED in page_text(response)


def test_a_right_code_during_the_back_off_is_told_when_not_wrong(client, after_password):
    user, device = after_password
    response = post_code(client, wrong_code(device))
    assert WRONG in page_text(response)
    device.refresh_from_db()
    device.throttling_failure_count = 4  # the next code may be checked only 8 seconds later
    device.save()
    response = post_code(client, right_code(device))
    text = page_text(response)
    assert WRONG not in text
    assert WAIT in text and "seconds)" in text
    assert client.get(reverse("workspace:home")).status_code == 302  # not signed in
    end_back_off(user)
    response = post_code(client, right_code(device))
    assert response.status_code == 302 and response.url == "/"
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_wrong_passwords_and_wrong_codes_add_up(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 4
    user = make_user(Role.PRACTITIONER)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    for _ in range(2):
        client.post(reverse("accounts:sign-in"), {"username": user.username, "password": "nope"})
    client.post(reverse("accounts:sign-in"), {"username": user.username, "password": TEST_PASSWORD})
    assert WRONG in page_text(post_code(client, wrong_code(device)))
    end_back_off(user)
    response = post_code(client, wrong_code(device))
    assert response.status_code == 429
    # Once paused, the right code is refused too (a new sign-in is needed, and is paused).
    assert post_code(client, right_code(device)).status_code == 302  # signed out: to sign-in
    assert "_auth_user_id" not in client.session


def test_a_locked_pair_refuses_a_half_signed_in_session_at_once(client, after_password, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user, _device = after_password
    other = client.__class__()
    for _ in range(2):  # someone at the same address keeps guessing the password
        other.post(reverse("accounts:sign-in"), {"username": user.username, "password": "nope"})
    response = client.get(reverse("accounts:second-factor"))
    assert response.status_code == 429 and PAUSED in page_text(response)
    assert "_auth_user_id" not in client.session
    assert timezone.now() < AccessAttempt.objects.get().attempt_time + settings.AXES_COOLOFF_TIME
