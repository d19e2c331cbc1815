"""A shared cache: CACHE_URL=rediscache://... works, and two processes count one rate limit."""

from __future__ import annotations

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
client = Client(REMOTE_ADDR="192.0.2.10")
for _ in range({times}):
    client.post("/password-reset/", {{"email": "{email}"}})
print(len(mail.outbox))
"""


@pytest.fixture
def redis_db_5():
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


def test_a_rediscache_url_configures_django_redis_cache_with_the_client_installed(redis_db_5):
    config = environ.Env.cache_url_config(REDIS_CACHE_URL)
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    cache = RedisCache(config["LOCATION"], {})
    cache.set("front-door-probe", 41)
    assert cache.incr("front-door-probe") == 42
    assert redis_db_5.exists(cache.make_key("front-door-probe"))


def test_two_processes_share_one_password_reset_limit(start_django_process, make_user, redis_db_5):
    user = make_user(email="shared-limit@example.invalid")
    ask = ASK_FOR_RESET_LINKS.format(times=5, email=user.email)
    first = start_django_process(ask, CACHE_URL=REDIS_CACHE_URL)
    assert output_of(first).strip() == "5"  # the limit: 5 an hour
    once_more = ASK_FOR_RESET_LINKS.format(times=1, email=user.email)
    second = start_django_process(once_more, CACHE_URL=REDIS_CACHE_URL)
    assert output_of(second).strip() == "0"  # the other process counted them too


def test_without_a_shared_cache_each_process_counts_alone(start_django_process, make_user):
    """Why CACHE_URL matters: with the default cache another process starts again from 0."""
    user = make_user(email="own-limit@example.invalid")
    first = start_django_process(ASK_FOR_RESET_LINKS.format(times=5, email=user.email))
    assert output_of(first).strip() == "5"
    second = start_django_process(ASK_FOR_RESET_LINKS.format(times=1, email=user.email))
    assert output_of(second).strip() == "1"
