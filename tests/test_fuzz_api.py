"""Property-based fuzzing of every HTTP endpoint: bad input is a 4xx problem, never a 500.

Schemathesis reads the app's own OpenAPI document and drives every operation in process
(its ASGI transport, one shared event loop thread), as the admin and as a partner, over a
store seeded with real interchanges so that generated path IDs also hit rows. Every
answer must be documented: its status, its content type and, for JSON, its schema (the
errors too: RFC 9457 problems, declared by ``gateway/api/openapi_errors.py``). A second
set of hypothesis tests posts broken X12 (truncated, flipped separators, random bytes,
huge elements, empty) to the two X12 endpoints and checks that whatever was accepted for
reading was stored byte for byte.

The runs are derandomized (a fixed seed per test) with few examples per operation, so CI
sees the same cases every time and the module stays well under a minute and a half.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.transport import Response as StResponse
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select

from gateway.api import auth
from gateway.api.auth import create_partner_key
from gateway.app import create_app
from gateway.settings import Settings
from gateway.store import models as m
from gateway.store.db import Database
from tests.api_support import ADMIN
from tests.conftest import FIXTURES
from tests.db import fresh_database

T = TypeVar("T")

X12 = FIXTURES  # fixtures/x12
SEED_FILES = [
    *sorted((X12 / "837P").glob("*.837")),
    *sorted((X12 / "835").glob("*.835")),
    *sorted((X12 / "271").glob("*.271")),
]
assert SEED_FILES, "fixtures/x12 has no 837P, 835 or 271 files"
REQUEST_270 = sorted((X12 / "270").glob("*.270"))
MAX_UPLOAD = 200_000

# the partner reads what it sent (837P) and what is addressed to it (835, 271)
PARTNER_SENDERS = [("ZZ", "X12GWBENCHSUB"), ("ZZ", "LAKESIDECLINIC")]


# CI runs the same few cases every time; X12GW_FUZZ_EXAMPLES=500 explores (a random seed each
# run, the failing case is printed for a regression test).
_EXPLORE = int(os.environ.get("X12GW_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=_EXPLORE or 25,
    derandomize=not _EXPLORE,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)

# bodies schemathesis does not know how to send: X12 goes as the bytes of the string
schemathesis.serializer.alias(["application/edi-x12", "application/soap+xml"], "text/plain")


@dataclass(frozen=True)
class Env:
    app: Any
    db: Database
    partner_key: str

    def run(self, factory: Callable[[], Awaitable[T]]) -> T:
        """Run a coroutine on the event loop the ASGI transport serves the app on."""
        return asgi._get_portal().call(factory)


@pytest.fixture(scope="module")
def env(worker_id: str) -> Iterator[Env]:
    url = fresh_database(f"{worker_id}_fuzz_api")
    db = Database(url)
    app = create_app(
        Settings(
            admin_key=ADMIN, database_url=url, max_upload_bytes=MAX_UPLOAD, embedded_worker=False
        ),
        db,
    )

    async def seed_key() -> str:
        async with db.session() as s:
            _, key = await create_partner_key(s, "fuzzer", PARTNER_SENDERS)
            await s.commit()
        return key

    # The key's hash carries its own argon2 cost, so a cheap one keeps every partner request
    # from spending a quarter second in verification; the check itself is the same.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
        environment = Env(app, db, asgi._get_portal().call(seed_key))
    with asgi.get_client(app) as client:
        for path in SEED_FILES:
            answer = client.post(
                "/v1/interchanges",
                data=path.read_bytes(),
                headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/edi-x12"},
            )
            assert answer.status_code == 200, (path.name, answer.text)
        for path in REQUEST_270:
            answer = client.post(
                "/v1/realtime",
                data=path.read_bytes(),
                headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/edi-x12"},
            )
            assert answer.status_code == 200, (path.name, answer.text)
    yield environment
    environment.run(db.dispose)


@pytest.fixture(scope="module")
def api_schema(env: Env) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", env.app)


def problem_document(ctx: CheckContext, response: StResponse, case: schemathesis.Case) -> None:
    """Every 4xx is ``application/problem+json`` with ``type``, ``title`` and ``status``."""
    if not 400 <= response.status_code < 500:
        return
    if case.operation.path.startswith("/core/") and _core_envelope_error(response):
        return
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.split(";")[0].strip() == "application/problem+json", (
        f"{response.status_code} answered as {content_type!r}: {response.text[:200]!r}"
    )
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("type"), str) and body["type"], body
    assert isinstance(body.get("title"), str) and body["title"], body
    assert body.get("status") == response.status_code, body


def _core_envelope_error(response: StResponse) -> bool:
    """CAQH CORE answers envelope errors in its own envelope (PayloadType CoreEnvelopeError
    with an ErrorCode), multipart or SOAP like the request: the standard answer there."""
    content_type = (response.headers.get("content-type") or [""])[0]
    if not content_type.startswith(("multipart/form-data", "application/soap+xml")):
        return False
    return "CoreEnvelopeError" in response.text and "ErrorCode" in response.text


# Every answer is documented: its status, its content type and (JSON) its schema, the
# problems included (the document declares them: gateway/api/openapi_errors.py).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    problem_document,
]


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation; the document needs no database."""
    document = create_app(
        Settings(admin_key=ADMIN, database_url="postgresql://unused/db")
    ).openapi()
    return [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if path not in SKIPPED
    ]


SKIPPED = {"/metrics"}  # Prometheus text, not an API answer; the console is not in the document


def _cases(operation: Any) -> st.SearchStrategy[schemathesis.Case]:
    """Valid and invalid requests for the operation (invalid only where it takes any input)."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    if len(operation.path_parameters) + len(operation.query) + len(operation.body):
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(strategies)


@pytest.mark.parametrize(("method", "path"), _operations(), ids=str)
def test_every_operation_answers_bad_input_with_a_problem(
    api_schema: Any, env: Env, method: str, path: str
) -> None:
    operation = api_schema[path][method]

    @FUZZ
    @given(case=_cases(operation))
    def run(case: schemathesis.Case) -> None:
        for key in (ADMIN, env.partner_key):
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

    run()


# --- broken X12 on the two X12 endpoints ------------------------------------------------

SAMPLES = [p.read_bytes() for p in (*SEED_FILES, *REQUEST_270)]


@st.composite
def broken_x12(draw: st.DrawFn) -> bytes:
    """A fixture file truncated, with a separator flipped, a huge element, or random bytes."""
    base = draw(st.sampled_from(SAMPLES))
    how = draw(st.sampled_from(["truncate", "flip", "huge", "random", "empty", "splice"]))
    if how == "truncate":
        return base[: draw(st.integers(0, len(base)))]
    if how == "flip":
        separator = draw(st.sampled_from([b"*", b"~", b":", b"^", b"\n"]))
        other = draw(st.sampled_from([b"|", b"*", b"~", b"", b"\x00", b"\xff", b"ISA"]))
        count = draw(st.integers(1, 5))
        return base.replace(separator, other, count)
    if how == "huge":
        at = draw(st.integers(0, len(base)))
        size = draw(st.sampled_from([1_000, 20_000, MAX_UPLOAD - len(base)]))
        return base[:at] + b"9" * max(size, 0) + base[at:]
    if how == "random":
        return draw(st.binary(max_size=2_000))
    if how == "empty":
        return b""
    at = draw(st.integers(0, len(base)))
    return base[:at] + draw(st.binary(min_size=1, max_size=200)) + base[at:]


async def _last_upload_id(db: Database) -> int:
    async with db.session() as s:
        return int((await s.execute(select(func.coalesce(func.max(m.Upload.id), 0)))).scalar_one())


async def _uploads_since(db: Database, last: int) -> list[bytes]:
    """The raw bytes of every upload stored after ``last`` (the post, and any answer to it)."""
    async with db.session() as s:
        rows = await s.execute(select(m.Upload.raw).where(m.Upload.id > last))
    return [bytes(raw) for (raw,) in rows]


@pytest.mark.parametrize("path", ["/v1/interchanges", "/v1/realtime"])
@pytest.mark.parametrize("who", ["admin", "partner"])
@FUZZ
@given(data=broken_x12(), content_type=st.sampled_from(["application/edi-x12", "text/plain"]))
def test_broken_x12_is_answered_and_kept(
    env: Env, path: str, who: str, data: bytes, content_type: str
) -> None:
    key = ADMIN if who == "admin" else env.partner_key
    last = env.run(lambda: _last_upload_id(env.db))
    with asgi.get_client(env.app) as client:
        answer = client.post(
            path,
            data=data,
            headers={"Authorization": f"Bearer {key}", "Content-Type": content_type},
        )
    assert answer.status_code < 500, (answer.status_code, answer.text[:300])
    if 400 <= answer.status_code < 500:
        assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
        problem = answer.json()
        assert problem["status"] == answer.status_code and problem["type"] and problem["title"]
    if answer.status_code in (401, 403, 413, 415):
        return  # refused before reading: nothing to keep
    if answer.status_code == 400 and not data.strip():
        return  # nothing but whitespace was received
    stored = env.run(lambda: _uploads_since(env.db, last))
    assert data in stored, (answer.status_code, "the upload was not stored as received")


def test_a_huge_body_is_refused_with_413(env: Env) -> None:
    with asgi.get_client(env.app) as client:
        for path in ("/v1/interchanges", "/v1/realtime"):
            answer = client.post(
                path,
                data=b"ISA" + b"9" * MAX_UPLOAD,
                headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "text/plain"},
            )
            assert answer.status_code == 413, answer.text
            assert answer.headers["content-type"].startswith("application/problem+json")


def test_lengths_that_are_not_ascii_numbers_are_not_server_errors(env: Env) -> None:
    """Found by fuzzing: "²".isdigit() is true and int() refuses it (as it does 4300+ digits)."""
    x12 = SEED_FILES[0].read_bytes()

    async def post_with_content_length(path: str, declared: str) -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=env.app), base_url="http://test"
        ) as client:
            return await client.post(
                path,
                content=x12,
                headers=[
                    (b"authorization", f"Bearer {ADMIN}".encode()),
                    (b"content-type", b"application/edi-x12"),
                    (b"content-length", declared.encode("latin-1")),
                ],
            )

    for path in ("/v1/interchanges", "/v1/realtime", "/core/batch"):
        for declared in ("²", "9" * 5000):
            answer = env.run(lambda p=path, d=declared: post_with_content_length(p, d))
            assert answer.status_code < 500, (path, declared[:5], answer.text[:200])
    with asgi.get_client(env.app) as client:
        for length in ("²", "9" * 5000):
            fields = {
                "PayloadType": "X12_837_Request_005010X222A1",
                "ProcessingMode": "Batch",
                "PayloadID": "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
                "TimeStamp": "2026-01-02T10:20:34Z",
                "SenderID": "X12GWBENCHSUB",
                "ReceiverID": "X12GWBENCHRCV",
                "CORERuleVersion": "2.2.0",
                "PayloadLength": length,
            }
            answer = client.post(
                "/core/batch",
                data=fields,
                files={"Payload": ("claims.837", x12, "application/edi-x12")},
                headers={"Authorization": f"Bearer {ADMIN}"},
            )
            assert answer.status_code == 400, answer.text[:300]
            assert b"PayloadLengthIncorrect" in answer.content


def test_x12_text_json_cannot_carry_is_a_422(env: Env) -> None:
    """Found by fuzzing: a separator or a letter outside Latin-1 in a JSON eligibility
    request failed in the X12 writer (500); it is a validation problem."""
    request = {
        "controlNumber": "0",
        "tradingPartnerServiceId": "SHP01",
        "provider": {"organizationName": "LAKESIDE", "npi": "1113336741"},
        "subscriber": {"lastName": "DOE", "memberId": "0"},
    }
    with asgi.get_client(env.app) as client:
        for change in (
            {"tradingPartnerServiceId": ":"},
            {"provider": {"organizationName": "\u0100", "npi": "1113336741"}},
        ):
            answer = client.post(
                "/v1/eligibility",
                json={**request, **change},
                headers={"Authorization": f"Bearer {ADMIN}"},
            )
            assert answer.status_code == 422, answer.text[:300]
            assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "broken",
    [
        # a NUL in ISA13, GS06 and ST02: PostgreSQL text cannot hold U+0000
        lambda x: x.replace(b"*698935573*", b"*6989\x005573*", 1),
        lambda x: x.replace(b"*X*005010X222A1~", b"\x00*X*005010X222A1~", 1),
        lambda x: x.replace(b"ST*837*0001", b"ST*837*00\x001", 1),
        # NUL as the repetition separator (the ack writer used it as a placeholder)
        lambda x: x.replace(b"*^*00501*", b"*\x00*00501*", 1),
        # an HL01 of 20,000 digits (int() refuses more than 4,300)
        lambda x: x.replace(b"HL*1*", b"HL*" + b"9" * 20_000 + b"*", 1),
        # "²" (Latin-1 0xB2) is a digit to str.isdigit() but not to int()
        lambda x: x.replace(b"HL*1*", b"HL*\xb2*", 1),
        lambda x: x.replace(b"*698935573*", b"*69893557\xb2*", 1),
    ],
)
def test_broken_envelopes_found_by_fuzzing_are_stored_and_acknowledged(
    env: Env, broken: Callable[[bytes], bytes]
) -> None:
    x12 = (X12 / "837P" / "generated-12-claims.837").read_bytes()
    data = broken(x12)
    assert data != x12
    last = env.run(lambda: _last_upload_id(env.db))
    with asgi.get_client(env.app) as client:
        answer = client.post(
            "/v1/interchanges",
            data=data,
            headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/edi-x12"},
        )
    assert answer.status_code in (200, 422), answer.text[:300]
    assert answer.json()["acknowledgments"]["x12"] if answer.status_code == 200 else True
    assert data in env.run(lambda: _uploads_since(env.db, last))


def test_no_key_is_a_declared_401_problem(env: Env) -> None:
    """Every operation the document says needs a key refuses a request without one with a
    401 problem, and the ones it does not (health, metrics) answer it."""
    document = env.app.openapi()
    with asgi.get_client(env.app) as client:
        for path, operations in document["paths"].items():
            if path.startswith("/core/"):
                continue  # CORE answers a missing key in its own envelope (tests/test_core*)
            for method, operation in operations.items():
                answer = client.request(method.upper(), path.replace("{", "").replace("}", ""))
                if "401" in operation["responses"]:
                    assert answer.status_code == 401, (method, path, answer.status_code)
                    assert answer.headers["content-type"] == "application/problem+json"
                else:
                    assert answer.status_code == 200, (method, path, answer.status_code)


def test_prior_auth_text_x12_cannot_carry_is_a_422(env: Env) -> None:
    """Found by fuzzing with the strict checks: a letter outside Latin-1 in a prior
    authorization request failed in the X12 writer (500); it is a validation problem."""
    request = {
        "controlNumber": "0",
        "requester": {"npi": "0011111115", "lastName": "\u0100"},
        "review": {"diagnosisCodes": ["A00"]},
        "services": [{"procedureCode": "00000"}],
        "subscriber": {"lastName": "0", "memberId": "0"},
        "tradingPartnerServiceId": "0",
    }
    with asgi.get_client(env.app) as client:
        answer = client.post(
            "/v1/prior-auth", json=request, headers={"Authorization": f"Bearer {ADMIN}"}
        )
    assert answer.status_code == 422, answer.text[:300]
    assert answer.headers["content-type"] == "application/problem+json"
