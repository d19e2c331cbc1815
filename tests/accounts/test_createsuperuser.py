"""`manage.py createsuperuser --noinput --agency "<agency name>"` makes a superuser in it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Agency, User

pytestmark = pytest.mark.django_db


def create(**options):
    call_command(
        "createsuperuser", interactive=False, username="root", email="root@example.gov.uk",
        stdout=StringIO(), stderr=StringIO(), **options,
    )  # fmt: skip


def test_the_agency_is_named(db):
    council = Agency.objects.create(name="Holmsey Council", kind=Agency.Kind.LOCAL_AUTHORITY)
    Agency.objects.create(name="Holmsey Police", kind=Agency.Kind.POLICE)
    create(agency="Holmsey Council")
    root = User.objects.get(username="root")
    assert root.is_superuser and root.is_staff
    assert root.agency == council
    assert not root.has_usable_password()  # no password given: set one by reset or changepassword


def test_the_name_is_matched_whatever_its_case_and_the_environment_may_give_it(db, monkeypatch):
    council = Agency.objects.create(name="Holmsey Council", kind=Agency.Kind.LOCAL_AUTHORITY)
    monkeypatch.setenv("DJANGO_SUPERUSER_AGENCY", "holmsey council")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough password 42")
    create()
    root = User.objects.get(username="root")
    assert root.agency == council
    assert root.check_password("a long enough password 42")


def test_a_number_is_still_taken(db):
    council = Agency.objects.create(name="Holmsey Council", kind=Agency.Kind.LOCAL_AUTHORITY)
    create(agency=str(council.pk))
    assert User.objects.get(username="root").agency == council


def test_an_unknown_agency_is_refused_with_the_names_there_are(db):
    Agency.objects.create(name="Holmsey Council", kind=Agency.Kind.LOCAL_AUTHORITY)
    with pytest.raises(CommandError, match=r'No agency is named "Nowhere".*Holmsey Council'):
        create(agency="Nowhere")
    assert not User.objects.filter(username="root").exists()


def test_without_an_agency_the_command_says_so(db):
    with pytest.raises(CommandError, match="--agency"):
        create()
