from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone

from accounts.models import Agency, User
from demo import front_door
from demo import history as history_module
from demo import strategy as strategy_demo
from demo.authority import names
from demo.people import DEMO_PASSWORD
from referrals.models import Child, Contact, LadoReferral, Referral
from referrals.models.contacts import ContactChild, ContactDecision

DESIGN_USERNAMES = {
    "practitioner", "practitioner2", "manager", "manager2", "chair", "police", "police_lead",
    "health", "school", "lado", "auditor", "sysadmin",
    "sysadmin2",  # issue 16: a second administrator approves the first's account changes
    "dataofficer",  # issue 22: statutory returns
}  # fmt: skip


def test_load_demo_is_refused_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing to load demo users with DEBUG off"):
        call_command("load_demo", history_children=0)
    assert not User.objects.exists()


def test_load_demo_with_the_explicit_flag(db, settings):
    settings.DEBUG = False
    call_command("load_demo", "--allow-without-debug", history_children=0)
    assert set(User.objects.values_list("username", flat=True)) == DESIGN_USERNAMES


def test_load_demo_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("load_demo", history_children=0)
    before = (
        Agency.objects.count(),
        User.objects.count(),
        sorted(User.objects.values_list("username", "agency__name")),
    )
    call_command("load_demo", history_children=0)
    after = (
        Agency.objects.count(),
        User.objects.count(),
        sorted(User.objects.values_list("username", "agency__name")),
    )
    assert before == after


def test_demo_users_share_the_documented_password_and_one_role_each(demo):
    for user in User.objects.prefetch_related("groups"):
        assert user.check_password(DEMO_PASSWORD)
        assert len(user.role_names) == 1


def test_demo_partners_are_in_partner_agencies(demo):
    kinds = dict(User.objects.values_list("username", "agency__kind"))
    assert kinds["police"] == kinds["police_lead"] == Agency.Kind.POLICE
    assert kinds["health"] == Agency.Kind.HEALTH
    assert kinds["school"] == Agency.Kind.EDUCATION
    assert kinds["lado"] == Agency.Kind.LADO
    assert {
        kinds[name] for name in ("practitioner", "manager", "chair", "auditor", "sysadmin")
    } == {Agency.Kind.LOCAL_AUTHORITY}


def test_demo_cases_cover_the_journeys_and_load_once(db, settings):
    settings.DEBUG = True
    call_command("load_demo", history_children=0)
    call_command("load_demo", history_children=0)
    # The front door's five contacts, the strategy demo's families, the partner referral's.
    assert Contact.objects.count() == 5 + strategy_demo.CONTACTS + front_door.PARTNER_CONTACTS
    assert Contact.objects.filter(urgent=True).count() == 1
    assert Referral.objects.filter(urgent=True).count() == 1
    assert LadoReferral.objects.count() == 1
    assert ContactDecision.objects.filter(state=ContactDecision.State.RETURNED).count() == 1
    states = set(ContactChild.objects.values_list("state", flat=True))
    assert states == {"screening", "proposed", "signed_off"}
    taken = Contact.objects.exclude(taken_by=models.F("recorded_by"))
    assert taken.count() == 1  # the out-of-hours contact, entered the next morning


def test_load_demo_adds_background_history_once_leaving_the_named_families_as_they_were(
    db, settings
):
    settings.DEBUG = True
    call_command("load_demo", history_children=0, stdout=StringIO())
    named = sorted(Child.objects.values_list("pk", "first_name", "last_name", "date_of_birth"))
    named_contacts = Contact.objects.count()
    call_command("load_demo", history_children=12, history_months=6, stdout=StringIO())
    assert (
        sorted(
            Child.objects.filter(pk__in=[row[0] for row in named]).values_list(
                "pk", "first_name", "last_name", "date_of_birth"
            )
        )
        == named
    )
    assert Child.objects.count() == len(named) + 12
    assert set(User.objects.values_list("username", flat=True)) == DESIGN_USERNAMES
    history = Contact.objects.filter(children__child__last_name__in=names.SURNAMES).distinct()
    assert history.exists()
    assert Contact.objects.count() == named_contacts + history.count()
    today = timezone.localdate()
    received = [timezone.localdate(c.received_at) for c in history]
    assert min(received) >= today - timedelta(days=6 * 31)
    assert max(received) <= today - timedelta(days=history_module.STOPS_DAYS_AGO)
    # Done by the demo's own staff; loaded once.
    assert set(history.values_list("recorded_by__username", flat=True)) <= {
        "practitioner",
        "practitioner2",
    }
    call_command("load_demo", history_children=12, history_months=6, stdout=StringIO())
    assert Child.objects.count() == len(named) + 12


def test_load_demo_refuses_more_than_two_years_of_history(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="from 1 to 24"):
        call_command("load_demo", history_months=30, stdout=StringIO())
