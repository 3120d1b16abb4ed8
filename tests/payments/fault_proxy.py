"""A fault-injecting HTTP proxy in front of stripe-mock, for the payments fault tests.

    with FaultProxy(upstream) as proxy:
        proxy.inject("/v1/transfers", "500", "drop", "timeout")   # the next three fail
        settings.STRIPE_API_BASE = proxy.url
        ...
        proxy.requests_to("/v1/transfers")   # what arrived, with its headers

Each request whose path starts with an injected prefix takes the next fault of that prefix:
"500" answers an internal error, "unexpected_state" answers Stripe's 400 refusal of a
PaymentIntent request its present state does not allow (payment_intent_unexpected_state),
"drop" closes the connection without an answer, "timeout"
holds the request longer than the client waits and then closes it. Requests without a fault
go on to stripe-mock unchanged; `proxy.paginate("/v1/transfers")` turns stripe-mock's one
canned page of a list into two pages, so the client's paging is exercised. Every request is
recorded (method, path, headers, body) before its fault, so a test can read the
Idempotency-Key and the parameters of each attempt.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    fault: str = ""
    body: bytes = b""

    def form(self) -> dict[str, str]:
        """The request's form fields (stripe-python's encoding: metadata[contract]=7)."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class _State:
    upstream: tuple[str, int]
    hold_seconds: float
    faults: dict[str, deque[str]] = field(default_factory=dict)
    recorded: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    paged: list[str] = field(default_factory=list)

    def pages_for(self, path: str) -> bool:
        with self.lock:
            return any(path.split("?")[0].startswith(prefix) for prefix in self.paged)

    def next_fault(self, path: str) -> str:
        with self.lock:
            for prefix, queue in self.faults.items():
                if path.startswith(prefix) and queue:
                    return queue.popleft()
        return ""


class _Handler(BaseHTTPRequestHandler):
    server: Any
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _handle(self) -> None:
        state: _State = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = state.next_fault(self.path)
        with state.lock:
            state.recorded.append(
                Recorded(self.command, self.path, dict(self.headers.items()), fault, body)
            )
        if fault == "unexpected_state":
            # Stripe's answer to a cancel of an intent that has moved on (succeeded, processing).
            payload = (
                b'{"error": {"type": "invalid_request_error", "code":'
                b' "payment_intent_unexpected_state", "message": "This PaymentIntent\'s status'
                b' is succeeded, but must be one of requires_payment_method to cancel."}}'
            )
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if fault == "500":
            payload = b'{"error": {"type": "api_error", "message": "injected fault"}}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if fault in ("drop", "timeout"):
            if fault == "timeout":
                time.sleep(state.hold_seconds)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        upstream = http.client.HTTPConnection(*state.upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        if self.command == "GET" and state.pages_for(self.path) and response.status == 200:
            data = _as_page(data, self.path)
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = _handle
    do_POST = _handle
    do_DELETE = _handle


def _as_page(data: bytes, path: str) -> bytes:
    """stripe-mock answers every list with one canned page; make it the first of two pages
    (ids suffixed _p1, has_more, a next_page token for searches) or, asked for the next one
    (starting_after or page), the last (ids suffixed _p2)."""
    body = json.loads(data)
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return data
    query = parse_qs(urlsplit(path).query)
    first = "starting_after" not in query and "page" not in query
    for item in body["data"]:
        if isinstance(item, dict) and "id" in item:
            item["id"] = f"{item['id']}_{'p1' if first else 'p2'}"
    body["has_more"] = first
    if body.get("object") == "search_result":
        body["next_page"] = "page_two" if first else None
    return json.dumps(body).encode()


class FaultProxy:
    """A threaded local proxy; use as a context manager (it stops its thread on exit)."""

    def __init__(self, upstream: str, *, hold_seconds: float = 2.0) -> None:
        parts = urlsplit(upstream)
        self.state = _State((parts.hostname or "127.0.0.1", parts.port or 80), hold_seconds)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.state = self.state  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def inject(self, prefix: str, *faults: str) -> None:
        with self.state.lock:
            self.state.faults.setdefault(prefix, deque()).extend(faults)

    def paginate(self, prefix: str) -> None:
        """GET lists under this path prefix come in two pages (see _as_page)."""
        with self.state.lock:
            self.state.paged.append(prefix)

    def requests_to(self, prefix: str, method: str = "POST") -> list[Recorded]:
        with self.state.lock:
            return [
                r for r in self.state.recorded if r.path.startswith(prefix) and r.method == method
            ]

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
