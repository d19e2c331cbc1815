"""A local HTTP server that speaks GOV.UK Notify's e-mail API, for the tests (issue 24).

It answers POST /v2/notifications/email as Notify does: it checks the bearer token (a JWT
signed with HS256 by the API key's secret, its `iss` the service id, `iat` within 30 seconds),
records each message, and answers 201 with an id. It can be told to answer 500 or to hang
(longer than the client waits), so that the failure paths run against real HTTP, not a mock.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt


@dataclass
class FakeNotify:
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    mode: str = "ok"  # "ok", "error" (500) or "hang"
    hang_seconds: float = 2.0
    messages: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    requests: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def api_key(self) -> str:
        return f"front_door_test-{self.service_id}-{self.secret}"

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeNotify:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def to(self, address: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["email_address"] == address]

    def _check_token(self, header: str) -> str | None:
        """Why the token is refused, or None (Notify's own checks)."""
        if not header.startswith("Bearer "):
            return "no bearer token"
        token = header.removeprefix("Bearer ")
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"verify_iat": False}
            )
        except jwt.PyJWTError as error:
            return f"bad signature: {type(error).__name__}"
        if claims.get("iss") != self.service_id:
            return "wrong iss"
        if abs(time.time() - float(claims.get("iat", 0))) > 30:
            return "iat too far from now"
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests += 1
                if self.path != "/v2/notifications/email":
                    return self._answer(404, {"status_code": 404, "errors": []})
                refusal = fake._check_token(self.headers.get("Authorization", ""))
                if refusal:
                    with fake._lock:
                        fake.refused.append(refusal)
                    return self._answer(
                        403,
                        {"status_code": 403,
                         "errors": [{"error": "AuthError", "message": refusal}]},
                    )  # fmt: skip
                if fake.mode == "error":
                    return self._answer(
                        500,
                        {"status_code": 500,
                         "errors": [{"error": "Exception", "message": "Internal server error"}]},
                    )  # fmt: skip
                if fake.mode == "hang":
                    time.sleep(fake.hang_seconds)
                if not body.get("email_address") or not body.get("template_id"):
                    return self._answer(400, {"status_code": 400, "errors": []})
                notification_id = str(uuid.uuid4())
                with fake._lock:
                    fake.messages.append({**body, "id": notification_id})
                self._answer(
                    201,
                    {
                        "id": notification_id, "reference": body.get("reference"),
                        "content": {"subject": "", "body": "", "from_email": "x@example.gov.uk"},
                        "uri": f"{fake.url}/v2/notifications/{notification_id}",
                        "template": {"id": body["template_id"], "version": 1, "uri": ""},
                    },
                )  # fmt: skip

        return Handler


TEMPLATE_IDS = {
    name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"front-door/{name}"))
    for name in (
        "information_request", "discussion_invitation", "discussion_rescheduled",
        "referral_feedback", "proposal_returned", "notice", "digest", "escalation",
    )
}  # fmt: skip
