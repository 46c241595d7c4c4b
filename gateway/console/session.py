"""Console sign-in: a signed, HttpOnly, SameSite=Strict cookie, and CSRF tokens for forms.

The console is for ops engineers holding the admin key. The key is typed once into the
login form (compared in constant time); after that a cookie signed with a secret derived
from the key stands in for it, so the key never sits in the browser. Rotating the admin
key signs every console session out. Forms carry a token tied to the session (or, for the
login form itself, signed on its own), so another site cannot post them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

COOKIE = "x12gw_console"
#: how long a console session lasts without signing in again
SESSION_SECONDS = 8 * 3600
#: how long a login form may sit in a browser before it is submitted
LOGIN_FORM_SECONDS = 3600


def _secret(admin_key: str) -> bytes:
    return hmac.new(admin_key.encode(), b"x12gw console session v1", hashlib.sha256).digest()


def _sign(secret: bytes, payload: str) -> str:
    mac = hmac.new(secret, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def key_matches(admin_key: str | None, typed: str) -> bool:
    """The typed key is the admin key (constant time; no admin key configured: never)."""
    if not admin_key or not typed:
        return False
    return hmac.compare_digest(typed.encode(), admin_key.encode())


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    nonce: str
    issued: int

    def csrf(self, admin_key: str) -> str:
        """The token forms of this session carry."""
        return _sign(_secret(admin_key), f"csrf|{self.nonce}")

    def csrf_ok(self, admin_key: str, token: str) -> bool:
        return bool(token) and hmac.compare_digest(token, self.csrf(admin_key))


def issue(admin_key: str, now: float | None = None) -> str:
    """A new session cookie value: ``nonce.issued.signature``."""
    issued = int(now if now is not None else time.time())
    payload = f"{secrets.token_urlsafe(16)}.{issued}"
    return f"{payload}.{_sign(_secret(admin_key), 'session|' + payload)}"


def verify(
    admin_key: str | None, cookie: str | None, now: float | None = None
) -> ConsoleSession | None:
    """The session a cookie stands for, or None when it is missing, forged or expired."""
    if not admin_key or not cookie:
        return None
    parts = cookie.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    nonce, issued, mac = parts
    expected = _sign(_secret(admin_key), f"session|{nonce}.{issued}")
    if not hmac.compare_digest(mac, expected):
        return None
    age = (now if now is not None else time.time()) - int(issued)
    if not 0 <= age <= SESSION_SECONDS:
        return None
    return ConsoleSession(nonce, int(issued))


def login_token(admin_key: str, now: float | None = None) -> str:
    """A CSRF token for the login form, which is shown before there is a session."""
    payload = f"{secrets.token_urlsafe(12)}.{int(now if now is not None else time.time())}"
    return f"{payload}.{_sign(_secret(admin_key), 'login|' + payload)}"


def login_token_ok(admin_key: str, token: str, now: float | None = None) -> bool:
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    expected = _sign(_secret(admin_key), f"login|{parts[0]}.{parts[1]}")
    if not hmac.compare_digest(parts[2], expected):
        return False
    age = (now if now is not None else time.time()) - int(parts[1])
    return 0 <= age <= LOGIN_FORM_SECONDS


#: failed sign-ins a client address may make within ``THROTTLE_WINDOW`` seconds
THROTTLE_LIMIT = 5
THROTTLE_WINDOW = 300.0


class LoginThrottle:
    """Slows guessing of the admin key: after ``limit`` failed sign-ins from one client
    address within ``window`` seconds, that address is refused until the oldest failure
    leaves the window. Kept in memory per process (each server process counts its own);
    the address is the connection's peer, not a forwarded-for header a client could set."""

    def __init__(self, limit: int = THROTTLE_LIMIT, window: float = THROTTLE_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, list[float]] = {}

    def _recent(self, client: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(client, []) if now - t < self.window]
        if kept:
            self._failures[client] = kept
        else:
            self._failures.pop(client, None)
        return kept

    def wait(self, client: str, now: float | None = None) -> float:
        """Seconds ``client`` must wait before trying again (0: it may try now)."""
        now = time.monotonic() if now is None else now
        recent = self._recent(client, now)
        if len(recent) < self.limit:
            return 0.0
        return max(0.0, self.window - (now - recent[0]))

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._recent(client, now)
        self._failures.setdefault(client, []).append(now)
        if len(self._failures) > 10_000:  # bound memory against address spraying
            oldest = min(self._failures, key=lambda c: self._failures[c][-1])
            del self._failures[oldest]

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)
