"""The ops console over HTTP: sign-in, every page, the highlighted segment, replay forms."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from gateway.console import session as console_session
from gateway.store import models as m
from gateway.store.audit import AuditEvent
from gateway.store.db import Database
from gateway.store.outbox import OutboxItem, WebhookDelivery
from tests.api_support import ADMIN
from tests.x12 import claim, file_837

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def good_837(control: str) -> bytes:
    return file_837([claim("PCNGOOD", ["100*99213"])]).replace(b"000000101", control.encode())


def bad_837(control: str) -> bytes:
    """An 837 whose SE01 miscounts the segments: the 999 rejects its transaction set."""
    data = good_837(control)
    return re.sub(rb"SE\*(\d+)\*", lambda mt: b"SE*" + str(int(mt[1]) + 5).encode() + b"*", data)


async def post(client: httpx.AsyncClient, data: bytes) -> int:
    r = await client.post(
        "/v1/interchanges",
        content=data,
        headers={
            "Authorization": f"Bearer {client.headers['x-test-partner-key']}",
            "Content-Type": "application/edi-x12",
        },
    )
    assert r.status_code == 200, r.text
    return int(r.json()["interchanges"][0]["id"])


async def sign_in(client: httpx.AsyncClient, key: str = ADMIN) -> httpx.Response:
    page = await client.get("/console/login")
    token = CSRF.search(page.text)
    assert token is not None
    return await client.post(
        "/console/login", data={"key": key, "csrf": token[1], "next": "/console/failed"}
    )


@pytest.fixture
async def console(api_client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    r = await sign_in(api_client)
    assert r.status_code == 303
    yield api_client


@pytest.fixture
async def db(api_database_url: str) -> AsyncIterator[Database]:
    database = Database(api_database_url)
    yield database
    await database.dispose()


async def test_pages_redirect_to_the_login_without_a_session(api_client: httpx.AsyncClient) -> None:
    for path in ("/console", "/console/failed?q=1", "/console/interchanges/1", "/console/outbox"):
        r = await api_client.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/console/login?next=%2Fconsole")
    r = await api_client.post("/console/interchanges/1/replay", data={"csrf": "x"})
    assert r.status_code == 303
    assert r.headers["location"].startswith("/console/login")
    api_client.cookies.set(console_session.COOKIE, "forged.1.x", domain="test", path="/console")
    assert (await api_client.get("/console")).status_code == 303


async def test_login_checks_the_key_and_sets_a_strict_http_only_cookie(
    api_client: httpx.AsyncClient,
) -> None:
    page = await api_client.get("/console/login")
    assert page.status_code == 200
    assert 'type="password"' in page.text
    wrong = await sign_in(api_client, "not-the-key")
    assert wrong.status_code == 401
    assert console_session.COOKIE not in wrong.headers.get("set-cookie", "")
    no_token = await api_client.post("/console/login", data={"key": ADMIN, "csrf": "forged"})
    assert no_token.status_code == 401
    ok = await sign_in(api_client)
    assert ok.status_code == 303
    assert ok.headers["location"] == "/console/failed"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert ADMIN not in ok.headers["set-cookie"]  # the key itself never goes to the browser
    assert (await api_client.get("/console")).status_code == 200


async def test_login_never_redirects_off_the_console(api_client: httpx.AsyncClient) -> None:
    page = await api_client.get("/console/login?next=//evil.example/x")
    assert "evil.example" not in page.text
    token = CSRF.search(page.text)
    assert token is not None
    r = await api_client.post(
        "/console/login", data={"key": ADMIN, "csrf": token[1], "next": "https://evil.example"}
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/console"


def test_session_cookies_are_signed_and_expire() -> None:
    cookie = console_session.issue("k", now=1000)
    assert console_session.verify("k", cookie, now=1001) is not None
    assert console_session.verify("other-key", cookie, now=1001) is None
    nonce, issued, mac = cookie.split(".")
    assert console_session.verify("k", f"{nonce}.{int(issued) + 1}.{mac}", now=1001) is None
    later = 1000 + console_session.SESSION_SECONDS + 1
    assert console_session.verify("k", cookie, now=later) is None
    found = console_session.verify("k", cookie, now=1001)
    assert found is not None
    assert found.csrf_ok("k", found.csrf("k"))
    assert not found.csrf_ok("k", "")


async def test_dashboard_counts_by_status_type_and_partner(console: httpx.AsyncClient) -> None:
    await post(console, good_837("000000201"))
    await post(console, bad_837("000000202"))
    r = await console.get("/console?days=7")
    assert r.status_code == 200
    assert "<svg" in r.text
    interchanges_chart = r.text.split('id="interchanges-chart"')[1].split("</svg>")[0]
    assert 'data-status="parsed"' in interchanges_chart
    sets_chart = r.text.split('id="sets-chart"')[1].split("</svg>")[0]
    assert 'data-status="rejected"' in sets_chart
    assert 'data-status="stored"' in sets_chart
    sets = r.text.split('id="sets-by-status"')[1].split("</ul>")[0]
    assert "rejected</span> 1" in sets
    by_type = r.text.split('id="sets-by-type"')[1].split("</table>")[0]
    assert "837P" in by_type
    by_partner = r.text.split('id="by-partner"')[1].split("</table>")[0]
    assert re.search(r"submitter</td><td class=\"num\">2</td>", by_partner)
    assert '<a href="/console/failed?partner=submitter">1</a>' in by_partner
    assert ">1</a>" in r.text.split('id="attention"')[1].split("</p>")[0]
    assert (await console.get("/console?days=0")).status_code == 422


async def test_failed_list_shows_rejected_interchanges_and_filters(
    console: httpx.AsyncClient,
) -> None:
    good = await post(console, good_837("000000301"))
    bad = await post(console, bad_837("000000302"))
    r = await console.get("/console/failed")
    assert r.status_code == 200
    assert f'data-interchange="{bad}"' in r.text
    assert f'data-interchange="{good}"' not in r.text
    assert "se.count" in r.text
    for query in (
        "q=000000302",
        "q=se.count",
        f"q={bad}",
        "type=837",
        "type=837P",
        "partner=submitter",
        "status=sets",
    ):
        found = await console.get(f"/console/failed?{query}")
        assert f'data-interchange="{bad}"' in found.text, query
    for query in ("q=999999999", "type=835", "partner=nobody", "status=failed", "from=2999-01-01"):
        found = await console.get(f"/console/failed?{query}")
        assert f'data-interchange="{bad}"' not in found.text, query
    assert (await console.get("/console/failed?from=not-a-date")).status_code == 200


async def test_interchange_page_highlights_the_failing_segment(
    console: httpx.AsyncClient, db: Database
) -> None:
    bad = await post(console, bad_837("000000401"))
    r = await console.get(f"/console/interchanges/{bad}")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    rows = re.findall(r'<tr id="seg-(\d+)" class="([^"]*)"[^>]*data-tag="(\w+)"', r.text)
    highlighted = [(tag, cls) for _, cls, tag in rows if "seg-error" in cls]
    assert highlighted == [("SE", "seg seg-error")]
    assert [tag for _, _, tag in rows][:3] == ["ISA", "GS", "ST"]
    se_row = r.text.split('data-tag="SE"')[1].split("</tr>")[0]
    assert "se.count" in se_row
    assert "IK5 4" in se_row
    assert "2300" in r.text.split('id="tree"')[1]  # the loop tree
    assert "999" in r.text.split('id="acks"')[1]
    assert 'id="correct-form"' in r.text
    async with db.session() as s:
        events = (
            await s.execute(
                select(AuditEvent).where(
                    AuditEvent.actor == "console:admin", AuditEvent.action == "read"
                )
            )
        ).scalars()
        assert any(e.record_ids == [bad] for e in events)
    assert "script-src" not in r.headers["content-security-policy"]  # no script is allowed
    assert "default-src 'none'" in r.headers["content-security-policy"]
    missing = await console.get("/console/interchanges/999999")
    assert missing.status_code == 404
    assert (await console.get(f"/console/interchanges/{2**64}")).status_code == 422
    assert (await console.get(f"/console/failed?before={2**64}")).status_code == 422


async def test_forms_need_the_csrf_token(console: httpx.AsyncClient, db: Database) -> None:
    bad = await post(console, bad_837("000000501"))
    r = await console.post(f"/console/interchanges/{bad}/replay", data={"csrf": "forged"})
    assert r.status_code == 303
    assert r.headers["location"].endswith("msg=csrf")
    r = await console.post(
        f"/console/interchanges/{bad}/correct",
        data={"csrf": "forged", "corrected": good_837("000000501").decode()},
    )
    assert r.headers["location"].endswith("msg=csrf")
    async with db.session() as s:
        versions = await s.execute(select(m.Interchange).where(m.Interchange.version_of_id == bad))
        assert versions.first() is None
    r = await console.post("/console/logout", data={"csrf": "forged"})
    assert r.headers["location"].endswith("msg=csrf")
    assert (await console.get("/console")).status_code == 200


async def test_replay_and_correct_from_the_page(console: httpx.AsyncClient, db: Database) -> None:
    bad = await post(console, bad_837("000000601"))
    page = await console.get(f"/console/interchanges/{bad}")
    token = CSRF.search(page.text)
    assert token is not None
    replayed = await console.post(f"/console/interchanges/{bad}/replay", data={"csrf": token[1]})
    assert replayed.status_code == 303
    assert re.fullmatch(
        rf"/console/interchanges/{bad}\?msg=(replayed|unchanged)", replayed.headers["location"]
    )
    corrected = await console.post(
        f"/console/interchanges/{bad}/correct",
        data={"csrf": token[1], "corrected": good_837("000000601").decode()},
    )
    assert corrected.status_code == 303
    location = corrected.headers["location"]
    version = int(re.findall(r"/interchanges/(\d+)\?msg=corrected", location)[0])
    assert version != bad
    async with db.session() as s:
        row = await s.get(m.Interchange, version)
        assert row is not None
        assert row.version_of_id == bad
        assert row.status not in ("rejected", "failed")
    shown = await console.get(location)
    assert "The corrected version was stored" in shown.text
    assert f"/console/interchanges/{bad}" in shown.text
    original = await console.get(f"/console/interchanges/{bad}")
    assert f'href="/console/interchanges/{version}"' in original.text.split('id="versions"')[1]
    assert 'id="correct-form"' not in original.text  # superseded: correct the newest version
    listed = await console.get("/console/failed")
    assert f'data-interchange="{bad}"' not in listed.text  # settled by its corrected version
    settled = await console.get("/console/failed?status=superseded")
    assert f'data-interchange="{bad}"' in settled.text
    empty = await console.post(
        f"/console/interchanges/{bad}/correct", data={"csrf": token[1], "corrected": "  "}
    )
    assert empty.headers["location"].endswith("msg=bad-correction")


async def test_outbox_page_lists_items_and_deliveries(
    console: httpx.AsyncClient, db: Database
) -> None:
    assert (await console.get("/console/outbox")).status_code == 200
    ic = await post(console, good_837("000000701"))
    async with db.session() as s:
        partner = (
            await s.execute(select(m.Partner).where(m.Partner.name == "submitter"))
        ).scalar_one()
        ack = (
            await s.execute(select(m.Acknowledgment).where(m.Acknowledgment.interchange_id == ic))
        ).scalar_one()
        item = (
            await s.execute(select(OutboxItem).where(OutboxItem.acknowledgment_id == ack.id))
        ).scalar_one_or_none()
        if item is None:  # the ingest may already have placed the ack in the outbox
            item = OutboxItem(
                partner_id=partner.id, kinds=ack.kinds, acknowledgment_id=ack.id, control_number="7"
            )
            s.add(item)
            await s.flush()
        now = ack.created_at
        s.add(
            WebhookDelivery(
                outbox_item_id=item.id,
                attempt=1,
                url="https://hooks.example/x12",
                status_code=500,
                error="HTTP 500",
                started_at=now,
                finished_at=now,
                next_retry_at=now,
            )
        )
        await s.commit()
    r = await console.get("/console/outbox")
    items = r.text.split('id="outbox-items"')[1].split("</table>")[0]
    assert "999,277CA" in items
    assert "submitter" in items
    deliveries = r.text.split('id="deliveries"')[1]
    assert "HTTP 500" in deliveries
    assert "submitter" in r.text.split('id="waiting"')[1].split("</table>")[0]
    other = await console.get("/console/outbox?partner=other")
    assert "submitter" not in other.text.split('id="outbox-items"')[1]


async def test_logout_ends_the_session(console: httpx.AsyncClient) -> None:
    page = await console.get("/console")
    token = CSRF.search(page.text)
    assert token is not None
    r = await console.post("/console/logout", data={"csrf": token[1]})
    assert r.status_code == 303
    assert (await console.get("/console")).status_code == 303


async def test_stylesheet_is_served(api_client: httpx.AsyncClient) -> None:
    r = await api_client.get("/console/static/console.css")
    assert r.status_code == 200
    assert "seg-error" in r.text


async def test_repeated_wrong_keys_are_throttled(api_client: httpx.AsyncClient) -> None:
    for _ in range(console_session.THROTTLE_LIMIT):
        assert (await sign_in(api_client, "guess")).status_code == 401
    refused = await sign_in(api_client, ADMIN)  # even the right key, until the window passes
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= console_session.THROTTLE_WINDOW + 1
    assert console_session.COOKIE not in refused.headers.get("set-cookie", "")
    assert "Too many failed sign-ins" in refused.text


def test_throttle_window_and_reset() -> None:
    throttle = console_session.LoginThrottle(limit=2, window=60)
    throttle.failed("a", now=0)
    assert throttle.wait("a", now=1) == 0  # one failure: still allowed
    throttle.failed("a", now=1)
    assert throttle.wait("a", now=2) == 58  # two: wait until the first leaves the window
    assert throttle.wait("b", now=2) == 0  # another address is its own
    assert throttle.wait("a", now=61) == 0  # the first failure has left the window
    throttle.failed("a", now=61)
    throttle.succeeded("a")
    assert throttle.wait("a", now=62) == 0  # a success forgets the failures
