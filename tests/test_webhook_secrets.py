"""Webhook secrets are encrypted at rest (gateway/secretbox.py): the stored value is not
the secret, deliveries still sign with it, legacy plain-text rows still work, and a key
that cannot open a stored secret fails that delivery (recorded), never the worker."""

from __future__ import annotations

import io

import httpx
import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlalchemy import select, update
from structlog.testing import capture_logs

from gateway.cli import run
from gateway.jobs import run_worker
from gateway.outbox import SECRET_UNREADABLE, deliver, verify
from gateway.secretbox import SecretUnreadable, decrypt, encrypt, is_token, warn_if_derived
from gateway.settings import Settings
from gateway.store.db import Database
from gateway.store.outbox import Webhook
from tests import test_outbox
from tests.api_support import ADMIN
from tests.test_outbox import (
    FAST,
    Receiver,
    an_837,
    auth,
    deliveries,
    outbox,
    post_x12,
    set_webhook,
)

receiver = test_outbox.receiver  # the fixture: an HTTP receiver on 127.0.0.1

SECRET = "a-shared-secret-of-the-partner"


async def stored_secret(url: str) -> str:
    db = Database(url)
    try:
        async with db.session() as s:
            value: str = (await s.execute(select(Webhook.secret))).scalar_one()
            return value
    finally:
        await db.dispose()


async def store_plain(url: str, secret: str) -> None:
    """Write the secret in clear, as the gateway did before encryption."""
    db = Database(url)
    try:
        async with db.session() as s:
            await s.execute(update(Webhook).values(secret=secret))
            await s.commit()
    finally:
        await db.dispose()


async def test_the_stored_secret_is_encrypted_and_deliveries_still_verify(
    api_client: httpx.AsyncClient, api_database_url: str, receiver: Receiver
) -> None:
    await set_webhook(api_client, receiver.url, SECRET)
    stored = await stored_secret(api_database_url)
    assert SECRET not in stored and is_token(stored)
    assert decrypt(FAST, stored) == SECRET

    await post_x12(api_client, an_837(701))
    await run_worker(api_database_url, wait=False, settings=FAST)

    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert verify(SECRET, body, headers)
    assert not verify(stored, body, headers)  # signed with the secret, not the token


async def test_a_generated_secret_is_shown_once_and_stored_encrypted(
    api_client: httpx.AsyncClient, api_database_url: str
) -> None:
    listed = await api_client.get(
        "/v1/admin/partners", headers={"Authorization": f"Bearer {ADMIN}"}
    )
    pid = next(p["id"] for p in listed.json()["items"] if p["name"] == "submitter")
    put = await api_client.put(
        f"/v1/partners/{pid}/webhook",
        json={"url": "http://127.0.0.1:9/hook"},
        headers={"Authorization": f"Bearer {ADMIN}"},
    )
    assert put.status_code == 200, put.text
    shown = put.json()["secret"]
    stored = await stored_secret(api_database_url)
    assert shown not in stored and decrypt(FAST, stored) == shown


async def test_a_legacy_plain_text_secret_still_signs_and_is_encrypted_when_set_again(
    api_client: httpx.AsyncClient, api_database_url: str, receiver: Receiver
) -> None:
    legacy = "whsec_legacy-plain-text-secret-0123456789"
    await set_webhook(api_client, receiver.url, SECRET)
    await store_plain(api_database_url, legacy)
    assert not is_token(legacy)

    await post_x12(api_client, an_837(702))
    await run_worker(api_database_url, wait=False, settings=FAST)

    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert verify(legacy, body, headers)

    await set_webhook(api_client, receiver.url, legacy)  # the next PUT encrypts it
    stored = await stored_secret(api_database_url)
    assert stored != legacy and decrypt(FAST, stored) == legacy


async def test_a_secret_the_key_cannot_open_fails_that_delivery_without_raising(
    api_client: httpx.AsyncClient, api_database_url: str, receiver: Receiver
) -> None:
    await set_webhook(api_client, receiver.url, SECRET)
    await post_x12(api_client, an_837(703))
    item = (await outbox(api_client, auth(api_client)))["items"][0]
    # the admin key changed since the secret was stored (and no X12GW_SECRET_KEY)
    changed = FAST.model_copy(update={"admin_key": "a-different-admin-key"})

    db = Database(api_database_url)
    try:
        with capture_logs() as logs:
            assert await deliver(db, item["id"], changed) == "failed"
    finally:
        await db.dispose()

    assert receiver.received == []  # nothing was sent unsigned or wrongly signed
    attempts = await deliveries(api_client, item["id"])
    assert [(a["attempt"], a["statusCode"], a["error"], a["nextRetryAt"]) for a in attempts] == [
        (1, None, SECRET_UNREADABLE, None)
    ]
    assert any(e["event"] == "webhook.secret_unreadable" for e in logs)
    assert SECRET not in repr(logs)

    # the worker survives it too
    await post_x12(api_client, an_837(704, pcn="OUT0002"))
    await run_worker(api_database_url, wait=False, settings=changed)
    assert receiver.received == []


async def test_a_configured_key_encrypts_and_still_reads_the_derived_keys_rows(
    api_client: httpx.AsyncClient, api_database_url: str, receiver: Receiver
) -> None:
    await set_webhook(api_client, receiver.url, SECRET)  # the API encrypts with the derived key
    configured = Settings.model_validate(
        {**FAST.model_dump(), "secret_key": Fernet.generate_key().decode()}
    )

    await post_x12(api_client, an_837(705))
    await run_worker(api_database_url, wait=False, settings=configured)
    assert len(receiver.received) == 1
    assert verify(SECRET, receiver.received[0][1], receiver.received[0][0])

    token = encrypt(configured, SECRET)
    assert decrypt(configured, token) == SECRET
    with pytest.raises(SecretUnreadable):
        decrypt(FAST, token)  # the derived key alone cannot open the configured key's token


def test_the_secret_key_setting_must_be_a_fernet_key() -> None:
    out = io.StringIO()
    assert run(["secret-key"], out) == 0
    key = out.getvalue().strip()
    assert Settings(secret_key=key).secret_key is not None
    Fernet(key.encode())
    for bad in ["not-a-key", "c2hvcnQ=", "x" * 44]:
        with pytest.raises(ValidationError):
            Settings(secret_key=bad)
    assert Settings(secret_key="").secret_key is None


def test_the_gateway_warns_when_the_key_is_derived_from_the_admin_key() -> None:
    with capture_logs() as logs:
        warn_if_derived(Settings(admin_key=ADMIN))
        warn_if_derived(Settings(admin_key=ADMIN, secret_key=Fernet.generate_key().decode()))
    assert [e["event"] for e in logs] == ["secrets.derived_key"]
    assert ADMIN not in repr(logs)
