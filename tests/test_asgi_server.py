"""`make run`'s serving path: Daphne serves pages and websockets on the embedded defaults.

Daphne runs in a subprocess on a free port, against a fresh SQLite database and with no server
URL in its environment (in-memory channel layer, eager Celery), exactly as `make run` starts it.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
DAPHNE = Path(sys.executable).with_name("daphne")
BIND_ATTEMPTS = 3
SERVER_URLS = (
    "DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "STRIPE_SECRET_KEY", "STRIPE_API_BASE",
    "CELERY_BROKER_URL", "DJANGO_ENV",
)  # fmt: skip

# Prints the key of a signed-in session for a new user, as the login view would leave it.
MAKE_SESSION = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.create_user(email="ws@example.com", password="x" * 16)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


class Server(NamedTuple):
    port: int
    session_key: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stderr[-4000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def daphne(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("asgi")
    env = {name: value for name, value in os.environ.items() if name not in SERVER_URLS}
    env |= {"SQLITE_PATH": str(workdir / "db.sqlite3"), "MEDIA_ROOT": str(workdir / "media")}
    run(env, "migrate", "--noinput")
    session_key = run(env, "shell", "--no-imports", "-c", MAKE_SESSION).strip().splitlines()[-1]
    # The port is free when chosen, but daphne binds it a second later: another process (an
    # xdist worker's live server, any outgoing connection) may take it in between. Then daphne
    # exits with "Address already in use", and another free port is tried.
    for attempt in range(1, BIND_ATTEMPTS + 1):
        port = free_port()
        log = workdir / f"daphne-{attempt}.log"
        process = start_daphne(env, port, log)
        try:
            if wait_until_listening(process, port, log):
                yield Server(port, session_key)
                return
        finally:
            stop(process)
        assert attempt < BIND_ATTEMPTS, (
            f"no free port in {BIND_ATTEMPTS} attempts:\n{log.read_text()}"
        )


def start_daphne(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as output:
        return subprocess.Popen(
            [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), "marketplace.asgi:application"],
            cwd=ROOT, env=env, stdout=output, stderr=output,
        )  # fmt: skip


def wait_until_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> bool:
    """True once daphne accepts connections; False if it exited because the port was taken.

    Daphne's own log line says the port is its own: a connection alone could reach whichever
    process took the port first.
    """
    deadline = time.monotonic() + 60
    while True:
        output = log.read_text()
        if process.poll() is not None:
            assert "Address already in use" in output, f"daphne exited:\n{output[-4000:]}"
            return False
        if f"Listening on TCP address 127.0.0.1:{port}" in output:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
            return True
        assert time.monotonic() < deadline, f"daphne never listened:\n{output[-4000:]}"
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def websocket_handshake(port: int, path: str, cookie: str = "") -> tuple[str, str]:
    """Opens a websocket by hand (RFC 6455 §4.1); returns the status line and the raw head."""
    request = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {base64.b64encode(secrets.token_bytes(16)).decode()}",
        "Sec-WebSocket-Version: 13",
        f"Origin: http://127.0.0.1:{port}",
    ]
    if cookie:
        request.append(f"Cookie: {cookie}")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(request) + "\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    text = head.decode(errors="replace")
    return text.split("\r\n", 1)[0], text


def test_the_home_page_is_served_over_http(daphne: Server) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{daphne.port}/", timeout=30) as response:
        assert response.status == 200
        assert "<html" in response.read().decode().lower()


def test_a_signed_in_browser_opens_the_notifications_websocket(daphne: Server) -> None:
    status, head = websocket_handshake(
        daphne.port, "/ws/notifications/", cookie=f"sessionid={daphne.session_key}"
    )
    assert status.split(" ")[1] == "101", head
    assert "sec-websocket-accept" in head.lower()


def test_an_anonymous_websocket_is_refused_by_the_consumer(daphne: Server) -> None:
    # The consumer closes before accepting (code 4401); Daphne turns a close during the
    # handshake into a 403, which a browser sees as a failed connection.
    status, head = websocket_handshake(daphne.port, "/ws/notifications/")
    assert status.split(" ")[1] == "403", head


CSRF_TOKEN = "a" * 32  # any well-formed secret: the cookie and the header must agree


def post_malformed_upload(port: int, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """POSTs a multipart body without its boundary to the task API; the error's status and body."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/tasks/",
        data=b"garbage without the boundary",
        headers={"Content-Type": "multipart/form-data; boundary=xyz", **headers},
        method="POST",
    )
    try:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310  (a loopback http URL)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    raise AssertionError("a malformed upload was accepted")


def test_a_multipart_body_twisted_cannot_parse_reaches_django(daphne: Server) -> None:
    # Twisted would parse this itself and answer a bare 400 with no body; Django answers it
    # under /api/ with the API's error body (a 401 here: no credentials come first).
    status, body = post_malformed_upload(daphne.port, {})
    assert status == 401, body
    assert body["error"]["code"] == "not_authenticated", body


def test_a_signed_in_malformed_upload_gets_the_api_error_body(daphne: Server) -> None:
    status, body = post_malformed_upload(
        daphne.port,
        {
            "Cookie": f"sessionid={daphne.session_key}; csrftoken={CSRF_TOKEN}",
            "X-CSRFToken": CSRF_TOKEN,
        },
    )
    # Django reads a body with no part as an empty form: the field errors say what is missing.
    assert status == 400, body
    assert body["error"]["code"] == "invalid", body
    assert "title" in body["error"]["fields"], body
