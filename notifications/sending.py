"""Delivering one queued notification: GOV.UK Notify through its official client, or Django's
e-mail backend with the fallback templates in templates/notifications/email/ (the setting
NOTIFICATIONS_BACKEND chooses). Either way the message is a link and counts."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from notifications.models import Notification


@dataclass(frozen=True)
class Delivered:
    notify_id: str = ""
    notify_status: str = ""


class DeliveryFailed(Exception):
    """Notify or the mail server did not take the message; `reason` names the error's kind
    (a class and a status code), never the message itself."""

    def __init__(self, reason: str) -> None:
        self.reason = reason[:200]
        super().__init__(self.reason)


def render_fallback(template: str, personalisation: dict) -> tuple[str, str]:
    """The subject and body of the fallback e-mail, from the repository's templates."""
    context = {**personalisation, "service_name": settings.SERVICE_NAME}
    subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
    body = render_to_string(f"notifications/email/{template}.txt", context)
    return " ".join(subject.split()), body


def notify_client() -> NotificationsAPIClient:
    return NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL,
        timeout=settings.NOTIFY_TIMEOUT_SECONDS,
    )  # fmt: skip


def deliver(notification: Notification) -> Delivered:
    """Send one message now; raises DeliveryFailed if it was not taken."""
    if settings.NOTIFICATIONS_BACKEND == "notify":
        return _by_notify(notification)
    return _by_email(notification)


def _by_notify(notification: Notification) -> Delivered:
    try:
        response = notify_client().send_email_notification(
            email_address=notification.email_address,
            template_id=settings.NOTIFY_TEMPLATE_IDS[notification.template],
            personalisation={
                key: str(value) for key, value in notification.personalisation.items()
            },
            reference=notification.key,
        )
    except APIError as error:
        # The client reports no answer at all (a time-out, a refused connection) as a 503:
        # name the underlying error so the administrator sees which it was.
        cause = error.__cause__
        answered = getattr(error, "response", None) is not None
        why = "" if answered or cause is None else f" ({type(cause).__name__})"
        raise DeliveryFailed(f"HTTP {error.status_code}{why}") from error
    except requests.RequestException as error:
        raise DeliveryFailed(type(error).__name__) from error
    # Notify's first status of an accepted e-mail is "created" (its API documentation).
    return Delivered(notify_id=str(response.get("id", "")), notify_status="created")


def _by_email(notification: Notification) -> Delivered:
    subject, body = render_fallback(notification.template, notification.personalisation)
    try:
        send_mail(subject, body, None, [notification.email_address])
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryFailed(type(error).__name__) from error
    return Delivered()
