"""Nothing personal in a message (issue 24): every personalisation dictionary and every
fallback e-mail, built from the demo's records, holds a link and counts only: never a name, a
date of birth, an identifier, an address, a child's reference or any confidential text."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from accounts.encryption import EncryptedTextField
from accounts.models import User
from accounts.notices import Notice, NoticeKind
from casework.models import EventKind, OutboxEvent
from casework.references import child_reference
from notifications import services
from notifications.models import Notification, Template
from notifications.sending import render_fallback
from referrals.models import (
    Child,
    ContactChild,
    DutyManager,
    InformationRequest,
    PartnerReferral,
    Person,
    Referral,
)
from strategy.models import Section47, StrategyDiscussion

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]

SITE = "https://front-door.example.gov.uk"
ALLOWED_KEYS = {"link", "count", "due_today", "overdue", "waiting", "other_updates"}
LINK = re.compile(r"^https://front-door\.example\.gov\.uk/[a-z0-9/-]*$")


def identities() -> set[str]:
    """Every identity and confidential value the demo holds, in the forms a message might
    carry it."""
    found: set[str] = set()
    for model in (Child, Person):
        for row in model.objects.all():
            found |= {row.first_name, row.last_name, row.nhs_number, row.address, row.postcode}
            if row.date_of_birth:
                day = row.date_of_birth
                found |= {day.isoformat(), day.strftime("%d/%m/%Y"),
                          day.strftime("%-d %B %Y"), day.strftime("%-d %b %Y")}  # fmt: skip
            if model is Child:
                found |= {row.census_id, child_reference(row.pk), row.upn}
    for model in apps.get_models():
        fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        for field in fields:
            found |= set(model.objects.exclude(**{f"{field}__isnull": True})
                         .values_list(field, flat=True))  # fmt: skip
    return {value.strip().lower() for value in found if value and len(value.strip()) >= 3}


def every_event() -> list[OutboxEvent]:
    """An event of every kind about every demo record it could be about (not saved)."""

    def event(kind, record, **whom):
        return OutboxEvent(
            kind=kind, content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk, pk=record.pk, **whom,
        )  # fmt: skip

    practitioner = User.objects.get(username="practitioner")
    made = [event(EventKind.INFORMATION_REQUESTED, r, agency=r.agency)
            for r in InformationRequest.objects.select_related("agency")]  # fmt: skip
    for discussion in StrategyDiscussion.objects.prefetch_related("participants__agency"):
        for participant in discussion.participants.all():
            made.append(event(EventKind.DISCUSSION_INVITED, discussion, agency=participant.agency))
            made.append(
                event(EventKind.DISCUSSION_RESCHEDULED, discussion, agency=participant.agency)
            )
        made.append(event(EventKind.PROPOSAL_RETURNED, discussion, user=practitioner))
    made += [event(EventKind.REFERRAL_FEEDBACK, r, user=r.submitted_by)
             for r in PartnerReferral.objects.select_related("submitted_by")]  # fmt: skip
    for model in (ContactChild, Referral, Section47):
        made += [event(EventKind.PROPOSAL_RETURNED, r, user=practitioner)
                 for r in model.objects.all()]  # fmt: skip
    return made


def test_every_message_the_demo_can_make_is_a_link_and_counts(settings):
    settings.SERVICE_URL = SITE
    call_command("load_demo", allow_without_debug=True, stdout=StringIO())
    # The demo's requests and invitations are queued by load_demo itself.
    assert Notification.objects.filter(template=Template.INFORMATION_REQUEST).exists()
    assert Notification.objects.filter(template=Template.DISCUSSION_INVITATION).exists()

    messages = [m for e in every_event() for m in services.event_messages(e)]
    for user in User.objects.exclude(email=""):
        Notice.objects.create(recipient=user, kind=NoticeKind.BREAK_GLASS, link="/children/1/",
                              reference="FD000001")  # fmt: skip
    services.queue_from_notices()
    later = timezone.localdate() + timedelta(days=40)
    messages += [m for u in services.digest_recipients()
                 if (m := services.digest_message(u, today=later))]  # fmt: skip
    DutyManager.objects.create(manager=User.objects.get(username="manager"),
                               set_by=User.objects.get(username="sysadmin"))  # fmt: skip
    services.queue_escalations(today=later)
    built = [(m.template, m.personalisation) for m in messages] + [
        (n.template, n.personalisation) for n in Notification.objects.all()
    ]
    assert {template for template, _ in built} == set(Template.values)

    secrets = identities()
    assert len(secrets) > 50  # the demo's children, adults and case text
    # One pattern for every secret (longest first, so a longer one is named when it holds a
    # shorter one): thousands of values against thousands of messages stay quick.
    alternatives = "|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True))
    any_secret = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    for template, personalisation in built:
        assert set(personalisation) <= ALLOWED_KEYS, template
        for value in personalisation.values():
            assert isinstance(value, int) or LINK.match(value), (template, value)
        subject, body = render_fallback(template, personalisation)
        text = f"{subject}\n{body}".lower()
        assert not any_secret.findall(text), (template, any_secret.findall(text))
