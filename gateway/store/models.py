"""Tables. The raw layer is written first and kept byte-exact: nothing a client sent is lost.

    upload ──< interchange ──< functional_group ──< transaction_set
       │            └──< acknowledgment (TA1 / 999 / 277CA we sent back)
       └── raw bytes, sha256

Every row of the normalized layer (issue #3, next) points back to its
transaction set and the ordinal of its first segment.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSONB,
        list[dict[str, Any]]: JSONB,
    }


class Status(enum.StrEnum):
    RECEIVED = "received"
    PARSED = "parsed"
    STORED = "stored"
    REJECTED = "rejected"
    FAILED = "failed"
    DUPLICATE = "duplicate"
    #: an interchange a corrected version replaced (its bytes are kept, its records moved on)
    SUPERSEDED = "superseded"


class Source(enum.StrEnum):
    UPLOAD = "upload"
    API = "api"
    REPLAY = "replay"
    CLI = "cli"
    CORRECTION = "correction"
    CORE = "core"  # a CAQH CORE batch submission (POST /core/batch)


def _now() -> Any:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Upload(Base):
    """One post or file, exactly as received."""

    __tablename__ = "upload"
    __table_args__ = (Index("ix_upload_received_at", "received_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    received_at: Mapped[dt.datetime] = _now()
    source: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default=Status.RECEIVED)
    #: the trading partner whose key posted it (reads are allowed to it as well)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"), index=True)
    #: findings outside any interchange (prose before ISA, no ISA at all ...)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)

    interchanges: Mapped[list[Interchange]] = relationship(back_populates="upload")


class Interchange(Base):
    __tablename__ = "interchange"
    __table_args__ = (
        # one stored copy per sender, control number and content; duplicates point to it
        Index(
            "uq_interchange_original",
            "sender_qualifier",
            "sender_id",
            "control_number",
            "sha256",
            unique=True,
            postgresql_where=text("duplicate_of_id IS NULL"),
        ),
        Index("ix_interchange_sender_control", "sender_qualifier", "sender_id", "control_number"),
        Index("ix_interchange_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id", ondelete="RESTRICT"), index=True)
    received_at: Mapped[dt.datetime] = _now()
    start_offset: Mapped[int] = mapped_column(BigInteger)
    end_offset: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    sender_qualifier: Mapped[str] = mapped_column(String(2))
    sender_id: Mapped[str] = mapped_column(String(15))
    receiver_qualifier: Mapped[str] = mapped_column(String(2))
    receiver_id: Mapped[str] = mapped_column(String(15), index=True)
    control_number: Mapped[str] = mapped_column(String(9))
    usage: Mapped[str] = mapped_column(String(1))
    ack_requested: Mapped[bool]
    status: Mapped[str] = mapped_column(String(16), default=Status.RECEIVED, index=True)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("interchange.id"))
    #: a corrected version points to the interchange it corrects (whose bytes stay as they were)
    version_of_id: Mapped[int | None] = mapped_column(ForeignKey("interchange.id"), index=True)

    upload: Mapped[Upload] = relationship(back_populates="interchanges")
    groups: Mapped[list[FunctionalGroup]] = relationship(back_populates="interchange")


class FunctionalGroup(Base):
    __tablename__ = "functional_group"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchange.id"), index=True)
    functional_id: Mapped[str] = mapped_column(String(2))
    control_number: Mapped[str] = mapped_column(String(9))
    sender: Mapped[str] = mapped_column(String(15))
    receiver: Mapped[str] = mapped_column(String(15))
    version: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16), default=Status.PARSED)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(default=list)

    interchange: Mapped[Interchange] = relationship(back_populates="groups")


class TransactionSet(Base):
    __tablename__ = "transaction_set"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchange.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("functional_group.id"), index=True)
    st01: Mapped[str] = mapped_column(String(3), index=True)
    kind: Mapped[str | None] = mapped_column(String(8))  # 837P, 277CA, 278R ...
    guide: Mapped[str | None] = mapped_column(String(12))
    version: Mapped[str] = mapped_column(String(35))
    control_number: Mapped[str] = mapped_column(String(9))
    status: Mapped[str] = mapped_column(String(16), default=Status.PARSED, index=True)
    accepted: Mapped[bool]
    findings: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)
    start_offset: Mapped[int] = mapped_column(BigInteger)
    end_offset: Mapped[int] = mapped_column(BigInteger)
    first_ordinal: Mapped[int] = mapped_column(Integer)
    segment_count: Mapped[int] = mapped_column(Integer)


class Acknowledgment(Base):
    """An acknowledgment the gateway produced for a received interchange."""

    __tablename__ = "acknowledgment"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchange.id"), index=True)
    created_at: Mapped[dt.datetime] = _now()
    control_number: Mapped[str] = mapped_column(String(9))
    kinds: Mapped[str] = mapped_column(String(32))  # e.g. "TA1,999,277CA"
    x12: Mapped[bytes] = mapped_column(LargeBinary)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: sha256 of this interchange's acknowledgment without control numbers and dates:
    #: a replay re-issues acknowledgments only when it changes
    fingerprint: Mapped[str | None] = mapped_column(String(64))


class ControlCounter(Base):
    """Next outbound interchange control number per receiving partner (unique per sender)."""

    __tablename__ = "control_counter"

    partner: Mapped[str] = mapped_column(String(20), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigInteger, default=1)


class RecordRow(Base):
    """A normalized record (see ``transactions.records``): one entity of one transaction set.

    Typed, indexed columns hold what users look things up by; ``fields`` holds the
    whole record. ``ordinal`` is the first segment it came from (provenance).
    """

    __tablename__ = "record"
    __table_args__ = (Index("uq_record_set_key", "transaction_set_id", "key", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    transaction_set_id: Mapped[int] = mapped_column(
        ForeignKey("transaction_set.id", ondelete="CASCADE")
    )
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchange.id"), index=True)
    entity: Mapped[str] = mapped_column(String(32), index=True)
    key: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[str | None] = mapped_column(String(80), index=True)
    patient_control_number: Mapped[str | None] = mapped_column(String(50), index=True)
    payer_claim_control_number: Mapped[str | None] = mapped_column(String(50), index=True)
    npi: Mapped[str | None] = mapped_column(String(10), index=True)
    tin: Mapped[str | None] = mapped_column(String(20), index=True)
    trace_number: Mapped[str | None] = mapped_column(String(80), index=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    service_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    code: Mapped[str | None] = mapped_column(String(48), index=True)
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Partner(Base):
    """A trading partner: who may post as which ISA sender, and read what it sent."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = _now()
    senders: Mapped[list[PartnerSender]] = relationship(back_populates="partner", lazy="raise")


class PartnerSender(Base):
    __tablename__ = "partner_sender"
    __table_args__ = (Index("uq_partner_sender", "qualifier", "sender_id", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    qualifier: Mapped[str] = mapped_column(String(2))
    sender_id: Mapped[str] = mapped_column(String(15))

    partner: Mapped[Partner] = relationship(back_populates="senders")


class ApiKey(Base):
    """An API key, stored as an argon2 hash; ``prefix`` finds the row without the secret."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # "partner" or "admin"
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = _now()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class IdempotentRequest(Base):
    """The first answer to a mutating request sent with an ``Idempotency-Key``."""

    __tablename__ = "idempotent_request"

    principal: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = _now()


class IngestJob(Base):
    """A large upload processed by a worker (procrastinate), with its progress."""

    __tablename__ = "ingest_job"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued/running/done/failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    bytes_total: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_read: Mapped[int] = mapped_column(BigInteger, default=0)
    sets_done: Mapped[int] = mapped_column(Integer, default=0)
    sets_failed: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = _now()
    updated_at: Mapped[dt.datetime] = _now()


class Attempt(Base):
    """One run of parse -> validate -> store over an interchange: the first ingest, each
    replay and each correction, with who ran it and what came out (no PHI: codes and IDs)."""

    __tablename__ = "attempt"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    interchange_id: Mapped[int] = mapped_column(
        ForeignKey("interchange.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # ingest / replay / correction
    actor: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[dt.datetime] = _now()
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: the interchange status it left (or "failed" when the attempt itself failed)
    outcome: Mapped[str] = mapped_column(String(16))
    #: transient (retried automatically) or permanent (waits for a person); None when it ran
    failure: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    #: finding codes and counts of the interchange, its groups and sets
    findings: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    #: per transaction set: id, control number, status, error, records
    sets: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    #: what changed against the attempt before (see ``gateway.replay``)
    diff: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    acks_reissued: Mapped[list[dict[str, Any]]] = mapped_column(default=list)


class ReplayJob(Base):
    """A bulk replay by filter, run by a worker, with its progress."""

    __tablename__ = "replay_job"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    actor: Mapped[str] = mapped_column(String(120))
    filter: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued/running/done/failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    #: the newest interchange the filter may match (fixed when the job is created) and the
    #: last one finished: a retried job resumes after it
    upto_id: Mapped[int] = mapped_column(BigInteger, default=0)
    last_id: Mapped[int] = mapped_column(BigInteger, default=0)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = _now()
    updated_at: Mapped[dt.datetime] = _now()
