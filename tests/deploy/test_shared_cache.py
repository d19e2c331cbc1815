"""A shared cache: rediscache://... works, and two processes count one rate limit, whether the
throttles count in Redis (THROTTLE_CACHE_URL) or in the database (the default)."""

from __future__ import annotations

import ipaddress
import uuid

import environ
import pytest
import redis
from django.core.cache.backends.redis import RedisCache

from tests.processes import REDIS_CACHE_URL, REDIS_URL, output_of

# One process asking for password-reset links `times` times, reporting how many were sent.
ASK_FOR_RESET_LINKS = """
from django.core import mail
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()  # e-mails to mail.outbox
client = Client(REMOTE_ADDR="{address}")
for _ in range({times}):
    client.post("/password-reset/", {{"email": "{email}"}})
print(len(mail.outbox))
"""


@pytest.fixture
def redis_db_5():
    # Never flushed: tests on the other xdist worker may be counting in it at the same moment.
    # Each test counts under its own address and e-mail; the counts expire within the hour.
    return redis.Redis.from_url(REDIS_URL)


@pytest.fixture
def asker(make_user):
    """A new account, and one process's requests for its reset link from its own address."""
    user = make_user(email=f"limit-{uuid.uuid4().hex}@example.invalid")
    address = str(ipaddress.IPv4Address(0x0A000000 | uuid.uuid4().int & 0xFFFFFF))  # 10.x.y.z

    def ask(times: int) -> str:
        return ASK_FOR_RESET_LINKS.format(times=times, email=user.email, address=address)

    return ask


def test_a_rediscache_url_configures_django_redis_cache_with_the_client_installed(redis_db_5):
    config = environ.Env.cache_url_config(REDIS_CACHE_URL)
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    cache = RedisCache(config["LOCATION"], {})
    probe = f"front-door-probe-{uuid.uuid4().hex}"
    cache.set(probe, 41, timeout=60)
    assert cache.incr(probe) == 42
    assert redis_db_5.exists(cache.make_key(probe))
    cache.delete(probe)


def test_two_processes_share_one_password_reset_limit_through_redis(start_django_process, asker):
    first = start_django_process(asker(5), THROTTLE_CACHE_URL=REDIS_CACHE_URL)
    assert output_of(first).strip() == "5"  # the limit: 5 an hour
    second = start_django_process(asker(1), THROTTLE_CACHE_URL=REDIS_CACHE_URL)
    assert output_of(second).strip() == "0"  # the other process counted them too


def test_by_default_two_processes_share_the_limit_through_the_database(start_django_process, asker):
    """The throttles' default cache is a database table, never the per-process default cache."""
    first = start_django_process(asker(5))
    assert output_of(first).strip() == "5"
    second = start_django_process(asker(1))
    assert output_of(second).strip() == "0"


def test_a_per_process_cache_would_count_alone(start_django_process, asker):
    """Why it matters: with a per-process cache another process starts again from 0."""
    first = start_django_process(asker(5), THROTTLE_CACHE_URL="locmemcache://")
    assert output_of(first).strip() == "5"
    second = start_django_process(asker(1), THROTTLE_CACHE_URL="locmemcache://")
    assert output_of(second).strip() == "1"
