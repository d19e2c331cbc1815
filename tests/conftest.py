"""Fixtures every test shares: agencies, users per role, and the one sign-in helper."""

from __future__ import annotations

import random
from collections.abc import Callable

import environ
import factory.random
import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import core as hypothesis_core

from accounts.models import Agency, User
from accounts.roles import Role
from demo.people import load_demo
from tests.factories import AgencyFactory, UserFactory
from tests.notify_server import TEMPLATE_IDS, FakeNotify
from tests.standins.models import STANDIN_MODELS

# Which agency kind each role's demo-like user belongs to in tests.
ROLE_AGENCY_KIND = {
    Role.PRACTITIONER: Agency.Kind.LOCAL_AUTHORITY,
    Role.MANAGER: Agency.Kind.LOCAL_AUTHORITY,
    Role.CONFERENCE_CHAIR: Agency.Kind.LOCAL_AUTHORITY,
    Role.PARTNER_PRACTITIONER: Agency.Kind.POLICE,
    Role.PARTNER_SAFEGUARDING_LEAD: Agency.Kind.POLICE,
    Role.AUDITOR: Agency.Kind.LOCAL_AUTHORITY,
    Role.SYSTEM_ADMINISTRATOR: Agency.Kind.LOCAL_AUTHORITY,
    Role.DATA_OFFICER: Agency.Kind.LOCAL_AUTHORITY,
}


def sign_in(client: Client, user: User) -> Client:
    """Sign `user` in on `client`, satisfying every factor the sign-in asks for."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """Make a user with a role, in an agency of the kind that role usually belongs to."""

    def make(role: Role | None = None, *, agency: Agency | None = None, **fields) -> User:
        if agency is None:
            kind = ROLE_AGENCY_KIND[role] if role else Agency.Kind.LOCAL_AUTHORITY
            agency = Agency.objects.filter(kind=kind).first() or AgencyFactory(kind=kind)
        user = UserFactory(agency=agency, **fields)
        if role is not None:
            user.groups.add(Group.objects.get(name=role.value))
        return user

    return make


@pytest.fixture
def signed_in_client(client, make_user) -> Callable[..., Client]:
    """A client signed in as a new user with the given role."""

    def make(role: Role | None = None, **fields) -> Client:
        return sign_in(client, make_user(role, **fields))

    return make


@receiver(post_migrate)
def _create_standin_tables(sender, using="default", **kwargs):
    """The stand-in models' tables (they have no migration), made in every test database
    right after its migrations, so that serialized rollbacks and flushes know them."""
    if sender.label != "accounts":
        return
    connection = connections[using]
    existing = connection.introspection.table_names()
    with connection.schema_editor() as editor:
        for model in STANDIN_MODELS:
            if model._meta.db_table not in existing:
                editor.create_model(model)
    # Migrations make content types from their own model states, which lack these models.
    ContentType.objects.clear_cache()
    for model in STANDIN_MODELS:
        ContentType.objects.db_manager(using).get_for_model(model)


# One seed per run for everything random in test data (factory_boy, Faker, `random`,
# hypothesis): shown in the header and again after a failure, and set again to rerun the same
# data. Every xdist worker gets the controller's seed.
SEED_VARIABLE = "FRONT_DOOR_TEST_SEED"


def pytest_addoption(parser):
    parser.addoption(
        "--require-postgresql-tests",
        action="store_true",
        help="Fail unless at least one test marked 'postgresql' ran (CI's PostgreSQL pass).",
    )
    parser.addoption(
        "--seed",
        type=int,
        default=None,
        help=f"The run's seed for random test data (default: ${SEED_VARIABLE}, else a new one).",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The slowest tests (marked `heavy`) first, in their order, so that pytest-xdist starts
    them at once and no worker is left running one at the end while the other waits. Called
    before pytest-django's own ordering (also `tryfirst`, registered earlier), whose stable
    sort then keeps every transactional test after the others, heavy ones first in each."""
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


def pytest_configure(config):
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker: the controller's seed
        seed = workerinput["front_door_seed"]
    elif config.getoption("--seed") is not None:
        seed = config.getoption("--seed")
    else:
        seed = environ.Env().int(SEED_VARIABLE, default=None)
    if seed is None:
        seed = random.SystemRandom().randrange(1, 1_000_000)
    config._front_door_seed = seed
    if config.getoption("--hypothesis-seed", None) is None:
        hypothesis_core.global_force_seed = seed


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist, on the controller: hand each worker the run's seed."""
    node.workerinput["front_door_seed"] = node.config._front_door_seed


def _rerun_hint(config) -> str:
    seed = config._front_door_seed
    return f"test data seed: {seed} (rerun with {SEED_VARIABLE}={seed} or --seed={seed})"


def pytest_report_header(config):
    return _rerun_hint(config)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if exitstatus != 0:
        terminalreporter.write_line(_rerun_hint(config), yellow=True, bold=True)


@pytest.fixture(autouse=True)
def _seeded_random(request):
    """Each test's random data from the run's seed and the test's own id, so that a test's
    data never depends on which tests ran before it (or on which worker)."""
    seed = f"{request.config._front_door_seed}:{request.node.nodeid}"
    factory.random.reseed_random(seed)  # factory_boy and Faker share this generator
    random.seed(seed)


# Tests marked 'postgresql' that ran, counted where every test's report arrives: the one
# process, or with xdist the controller (whose workers send it their reports).
_postgresql_tests_run = [0]


def pytest_runtest_logreport(report):
    if report.when == "call" and "postgresql" in report.keywords:
        _postgresql_tests_run[0] += 1


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker; the controller checks
        return
    if config.getoption("--require-postgresql-tests") and not _postgresql_tests_run[0]:
        print("\nERROR: this PostgreSQL pass ran no test marked 'postgresql'.")
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _case_forms_keep_drafts(settings):
    """Every page any test renders is checked: a case-text form keeps a draft (issue 19)."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.case_forms.CaseFormsKeepDrafts"]


@pytest.fixture
def demo(db):
    """The demo authority, partners and users of `manage.py load_demo`."""
    load_demo()


@pytest.fixture
def notify_server(settings):
    """A local GOV.UK Notify (tests/notify_server.py) on a free port, with the settings that
    send through it; stopped after the test."""
    server = FakeNotify().start()
    settings.NOTIFICATIONS_BACKEND = "notify"
    settings.NOTIFY_API_KEY = server.api_key
    settings.NOTIFY_BASE_URL = server.url
    settings.NOTIFY_TEMPLATE_IDS = TEMPLATE_IDS
    settings.NOTIFY_TIMEOUT_SECONDS = 0.5
    settings.SERVICE_URL = "https://front-door.example.gov.uk"
    yield server
    server.stop()
