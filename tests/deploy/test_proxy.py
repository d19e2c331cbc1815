"""The deploy as documented, on this machine: gunicorn (deploy/start.sh's options) behind nginx
with deploy/nginx/front-door.conf, HTTPS with a throwaway certificate, and a sign-in through it.

Needs nginx and openssl (.ci/run installs them; elsewhere: apt-get install nginx openssl). The
`proxy` mark lets a machine without them leave it out knowingly: -m "not proxy"."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import AuditEntry, Event
from tests.factories import TEST_PASSWORD
from tests.processes import ROOT, process_environment

pytestmark = pytest.mark.proxy

SITE = ROOT / "deploy" / "nginx" / "front-door.conf"
LOG_FORMAT = ROOT / "deploy" / "nginx" / "log-format.conf"
TOTP_KEY = b"proxy-test-totp-key!"


def tool(name: str) -> str:
    found = shutil.which(name) or (
        f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None
    )
    if found is None:
        pytest.fail(f"The proxy test needs {name}: apt-get install {name}", pytrace=False)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rendered_site(tmp_path: Path, *, http: int, https: int, app: int) -> str:
    """The site file with this machine's ports, certificate and log folder in its place."""
    text = SITE.read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server_name front-door.example.gov.uk;": "server_name localhost;",
        "/etc/ssl/front-door/fullchain.pem": str(tmp_path / "cert.pem"),
        "/etc/ssl/front-door/privkey.pem": str(tmp_path / "key.pem"),
        "/var/log/nginx/": f"{tmp_path}/",
        "server 127.0.0.1:8000": f"server 127.0.0.1:{app}",
    }
    for old, new in replacements.items():
        assert old in text, f"{SITE.name} no longer has {old!r}: update this test"
        text = text.replace(old, new)
    return text


def nginx_config(tmp_path: Path, site: str) -> Path:
    (tmp_path / "site.conf").write_text(site)
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    main = tmp_path / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        + "events { worker_connections 64; }\nhttp {\n"
        + "".join(f"  {name}_temp_path {path};\n" for name, path in temp.items()).replace(
            "body_temp", "client_body_temp"
        )
        + f"  include {LOG_FORMAT};\n  include {tmp_path}/site.conf;\n}}\n"
    )
    return main


def throwaway_certificate(tmp_path: Path) -> Path:
    subprocess.run(  # noqa: S603  # fixed arguments
        [
            tool("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return tmp_path / "cert.pem"


def test_the_site_passes_nginx_syntax_check(tmp_path):
    throwaway_certificate(tmp_path)
    site = rendered_site(tmp_path, http=free_port(), https=free_port(), app=8000)
    result = subprocess.run(  # noqa: S603  # nginx's own check of our file
        [tool("nginx"), "-t", "-c", str(nginx_config(tmp_path, site))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


@pytest.fixture
def behind_nginx(
    tmp_path, django_db_serialized_rollback, transactional_db
) -> Iterator[tuple[str, str, Path]]:
    """gunicorn in production mode on the test database, nginx in front; the HTTPS and HTTP
    base addresses and the certificate to trust."""
    certificate = throwaway_certificate(tmp_path)
    http, https, app = free_port(), free_port(), free_port()
    environment = process_environment(
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        AUDIT_HMAC_KEY=settings.AUDIT_HMAC_KEY,
        AUDIT_ANCHOR_KEY=settings.AUDIT_ANCHOR_KEY,
        AUDIT_ANCHOR_PATH=str(tmp_path / "anchors.jsonl"),
        ALLOWED_HOSTS="localhost",
        AUDIT_CLIENT_ADDRESS_HEADER="X-Real-IP",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    subprocess.run(  # our own manage.py, as deploy/start.sh runs it
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT, env=environment, check=True, timeout=300,
    )  # fmt: skip
    start = (ROOT / "deploy" / "start.sh").read_text()
    assert '--forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}"' in start
    gunicorn = subprocess.Popen(  # noqa: S603  # gunicorn with start.sh's options
        [
            str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application",
            "--bind", f"127.0.0.1:{app}", "--workers", "2", "--forwarded-allow-ips", "127.0.0.1",
        ],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    nginx_conf = nginx_config(tmp_path, rendered_site(tmp_path, http=http, https=https, app=app))
    nginx = subprocess.Popen(  # noqa: S603  # nginx on our file
        [tool("nginx"), "-c", str(nginx_conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"https://localhost:{https}"
    try:
        _wait_until_up(f"{base}/healthz", certificate, gunicorn, nginx)
        yield base, f"http://localhost:{http}", certificate
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(url: str, certificate: Path, *processes: subprocess.Popen[str]) -> None:
    context = ssl.create_default_context(cafile=str(certificate))
    deadline = time.monotonic() + 60
    while True:
        for process in processes:
            if process.poll() is not None:
                error = process.stderr.read() if process.stderr else ""
                pytest.fail(f"{process.args[0]} stopped: {error}")
        try:
            with urllib.request.urlopen(url, context=context, timeout=5) as response:  # noqa: S310  # our own https URL
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{url} did not answer within 60 s")
        time.sleep(0.3)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_user_signs_in_through_nginx_over_https(behind_nginx, make_user):
    base, plain, certificate = behind_nginx
    user = make_user(None)
    # Hashed as production hashes it (the suite's own hasher is a fast one gunicorn lacks).
    user.password = PBKDF2PasswordHasher().encode(TEST_PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    TOTPDevice.objects.create(user=user, name="Phone", key=TOTP_KEY.hex(), confirmed=True)
    cookies = http.cookiejar.CookieJar()
    context = ssl.create_default_context(cafile=str(certificate))
    browser = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(cookies)
    )

    def post(path: str, page: str, fields: dict[str, str]):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        request = urllib.request.Request(  # noqa: S310  # our own https URL
            f"{base}{path}",
            data=urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode(),
            # A client's own X-Real-IP: nginx must overwrite it.
            headers={"Referer": f"{base}{path}", "X-Real-IP": "203.0.113.9"},
        )
        return browser.open(request, timeout=30)

    sign_in_page = browser.open(f"{base}/sign-in/", timeout=30).read().decode()
    answer = post("/sign-in/", sign_in_page, {"username": user.username, "password": TEST_PASSWORD})
    assert answer.url.startswith(f"{base}/sign-in/security-code/")
    code_page = answer.read().decode()
    code_path = answer.url.removeprefix(base)
    home = post(code_path, code_page, {"code": f"{totp(TOTP_KEY):06d}"})
    assert home.status == 200
    assert home.url.startswith(base) and "/sign-in/" not in home.url
    assert "Sign out" in home.read().decode()

    session = next(cookie for cookie in cookies if cookie.name == "sessionid")
    assert session.secure  # Django knew the request came over HTTPS (X-Forwarded-Proto)
    signed_in = AuditEntry.objects.filter(event=Event.SIGN_IN, actor=user).get()
    assert signed_in.remote_addr == "127.0.0.1"  # nginx's X-Real-IP, not the client's

    plain_opener = urllib.request.build_opener(_NoRedirect())
    with pytest.raises(urllib.error.HTTPError) as redirected:
        plain_opener.open(f"{plain}/sign-in/", timeout=30)
    assert redirected.value.code == 301
    assert redirected.value.headers["Location"].startswith("https://")
