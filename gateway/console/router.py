"""The ops console at ``/console``: server-rendered pages behind the admin key.

Pages: the dashboard, the list of failed and rejected interchanges, one interchange
(raw segments with findings, loop tree, acks, attempts, replay), and the outbox.
Every page but the login redirects to the login without a valid session cookie;
every form posts a CSRF token. Logs carry IDs and counts only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import quote

import structlog
from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from gateway import audit, replay
from gateway.api.deps import DbDep, SessionDep, SettingsDep
from gateway.console import chart, detail, outbox_view, queries, session
from gateway.console.session import ConsoleSession

log = structlog.get_logger("x12gw.console")

HERE = FilePath(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["colour"] = chart.colour

router = APIRouter(prefix="/console", include_in_schema=False)

ACTOR = "console:admin"
#: no script at all, our own stylesheet, forms that post only to us, never in a frame
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
#: the largest BIGINT: a larger ID in a path or cursor is a 4xx, not a database error
MAX_ID = 2**63 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
#: the messages a redirect may ask a page to show (a code, never text from the query)
MESSAGES = {
    "replayed": ("ok", "Replayed."),
    "corrected": ("ok", "The corrected version was stored and replayed."),
    "unchanged": ("ok", "Replayed: nothing changed."),
    "conflict": ("error", "Another replay of this interchange is running; try again shortly."),
    "refused": ("error", "This interchange cannot be replayed as asked."),
    "unavailable": ("error", "Replay is not available in this build."),
    "bad-correction": ("error", "The correction is empty or not Latin-1 X12 text."),
    "csrf": ("error", "The form expired; reload the page and try again."),
}


def _safe_next(target: str | None) -> str:
    """Only console paths: never another site (``//host``) or a scheme."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console"


def current(request: Request, settings: SettingsDep) -> ConsoleSession:
    """The signed-in session, or a redirect to the login page."""
    found = session.verify(settings.admin_key, request.cookies.get(session.COOKIE))
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(
            303, "Sign in", headers={"Location": f"/console/login?next={quote(target, safe='')}"}
        )
    return found


ConsoleDep = Annotated[ConsoleSession, Depends(current)]


def _render(
    request: Request,
    name: str,
    settings: SettingsDep,
    me: ConsoleSession | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    msg = MESSAGES.get(request.query_params.get("msg", ""))
    context.update(
        csrf=me.csrf(settings.admin_key or "") if me else "",
        signed_in=me is not None,
        message=msg,
        path=request.url.path,
    )
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # pages may show patient data
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = CSP
    return response


def _check_csrf(me: ConsoleSession, settings: SettingsDep, token: str) -> bool:
    return me.csrf_ok(settings.admin_key or "", token)


@router.get("/static/console.css")
async def stylesheet() -> FileResponse:
    return FileResponse(HERE / "static" / "console.css", media_type="text/css")


# sign in and out ---------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, settings: SettingsDep, next: str = "/console") -> Response:
    if not settings.admin_key:
        return _render(
            request, "login.html", settings, None, 503, disabled=True, next=_safe_next(next)
        )
    return _render(
        request,
        "login.html",
        settings,
        None,
        token=session.login_token(settings.admin_key),
        next=_safe_next(next),
    )


def _throttle(request: Request) -> session.LoginThrottle:
    """The app's sign-in throttle (one per app, so each test app starts afresh)."""
    state = request.app.state
    throttle: session.LoginThrottle | None = getattr(state, "console_throttle", None)
    if throttle is None:
        throttle = state.console_throttle = session.LoginThrottle()
    return throttle


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    settings: SettingsDep,
    key: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/console",
) -> Response:
    admin_key = settings.admin_key
    if not admin_key:
        return _render(
            request, "login.html", settings, None, 503, disabled=True, next=_safe_next(next)
        )
    throttle = _throttle(request)
    client = request.client.host if request.client else "unknown"
    wait = throttle.wait(client)
    if wait > 0:
        log.info("console.login", ok=False, throttled=True)
        refused = _render(
            request,
            "login.html",
            settings,
            None,
            429,
            token=session.login_token(admin_key),
            next=_safe_next(next),
            error=f"Too many failed sign-ins from here; try again in {int(wait) + 1} s.",
        )
        refused.headers["Retry-After"] = str(int(wait) + 1)
        return refused
    if not session.login_token_ok(admin_key, csrf) or not session.key_matches(admin_key, key):
        throttle.failed(client)
        log.info("console.login", ok=False)
        return _render(
            request,
            "login.html",
            settings,
            None,
            401,
            token=session.login_token(admin_key),
            next=_safe_next(next),
            error="That is not the admin key (or the form expired).",
        )
    throttle.succeeded(client)
    log.info("console.login", ok=True)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        session.COOKIE,
        session.issue(admin_key),
        max_age=session.SESSION_SECONDS,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
async def logout(
    me: ConsoleDep, settings: SettingsDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    if not _check_csrf(me, settings, csrf):
        return RedirectResponse("/console?msg=csrf", status_code=303)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(session.COOKIE, path="/console")
    return response


# pages -------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    me: ConsoleDep,
    settings: SettingsDep,
    db_session: SessionDep,
    days: Annotated[int, Query(ge=1, le=90)] = 14,
) -> Response:
    board = await queries.dashboard(db_session, days)
    return _render(
        request,
        "dashboard.html",
        settings,
        me,
        board=board,
        chart=chart.stacked_bars(
            board.per_day, queries.statuses_of(board.per_day), "Interchanges per day by status"
        ),
        sets_chart=chart.stacked_bars(
            board.sets_per_day,
            queries.statuses_of(board.sets_per_day),
            "Transaction sets per day by status",
        ),
    )


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/failed", response_class=HTMLResponse)
async def failed(
    request: Request,
    me: ConsoleDep,
    settings: SettingsDep,
    db_session: SessionDep,
    q: str = "",
    status: str = "",
    type: str = "",
    partner: str = "",
    received_from: Annotated[str, Query(alias="from")] = "",
    received_to: Annotated[str, Query(alias="to")] = "",
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    filters = queries.Filters(
        q=q[:100],
        status=status if status in ("", "rejected", "failed", "sets", "superseded") else "",
        type=type[:8],
        partner=partner[:100],
        received_from=_date(received_from),
        received_to=_date(received_to),
        before=before,
    )
    rows, next_cursor = await queries.problems(db_session, filters)
    log.info("console.failed", shown=len(rows))
    params = {
        k: v
        for k, v in {
            "q": filters.q,
            "status": filters.status,
            "type": filters.type,
            "partner": filters.partner,
            "from": received_from,
            "to": received_to,
        }.items()
        if v
    }
    return _render(
        request,
        "failed.html",
        settings,
        me,
        rows=rows,
        filters=filters,
        params=params,
        received_from=received_from,
        received_to=received_to,
        next_cursor=next_cursor,
    )


@router.get("/interchanges/{interchange_id}", response_class=HTMLResponse)
async def interchange(
    request: Request,
    interchange_id: IdPath,
    me: ConsoleDep,
    settings: SettingsDep,
    db_session: SessionDep,
) -> Response:
    found = await detail.load(db_session, interchange_id)
    if found is None:
        return _render(
            request, "not_found.html", settings, me, 404, what=f"interchange #{interchange_id}"
        )
    await audit.record(
        db_session,
        actor=ACTOR,
        action="read",
        entity="interchange",
        ids=[interchange_id],
        endpoint="GET /console/interchanges/{interchange_id}",
    )
    await db_session.commit()
    return _render(request, "interchange.html", settings, me, d=found)


async def _audited(db: DbDep, action: str, ids: list[int]) -> None:
    async with db.session() as s:
        await audit.record(
            s,
            actor=ACTOR,
            action=action,
            entity="interchange",
            ids=ids,
            endpoint=f"POST /console/interchanges/{{interchange_id}}/{action}",
        )
        await s.commit()


def _back(interchange_id: int, msg: str) -> RedirectResponse:
    return RedirectResponse(f"/console/interchanges/{interchange_id}?msg={msg}", status_code=303)


@router.post("/interchanges/{interchange_id}/replay")
async def replay_one(
    interchange_id: IdPath,
    me: ConsoleDep,
    settings: SettingsDep,
    db: DbDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if not _check_csrf(me, settings, csrf):
        return _back(interchange_id, "csrf")
    try:
        result = await replay.replay(
            db, interchange_id, actor=ACTOR, snip_level=settings.snip_level
        )
    except replay.ReplayConflict:
        return _back(interchange_id, "conflict")
    except replay.ReplayError:
        return _back(interchange_id, "refused")
    except NotImplementedError:
        return _back(interchange_id, "unavailable")
    await _audited(db, "replay", [interchange_id])
    log.info("console.replay", interchange=interchange_id, changed=result.changed)
    return _back(result.interchange_id, "replayed" if result.changed else "unchanged")


@router.post("/interchanges/{interchange_id}/correct")
async def correct_one(
    interchange_id: IdPath,
    me: ConsoleDep,
    settings: SettingsDep,
    db: DbDep,
    corrected: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    crlf: Annotated[str, Form()] = "",
) -> Response:
    if not _check_csrf(me, settings, csrf):
        return _back(interchange_id, "csrf")
    if not crlf:  # browsers send a textarea's line breaks as CRLF; keep the original's
        corrected = corrected.replace("\r\n", "\n")
    try:
        data = corrected.encode("latin-1")
    except UnicodeEncodeError:
        data = b""
    if not data.strip() or len(data) > settings.max_upload_bytes:
        return _back(interchange_id, "bad-correction")
    try:
        result = await replay.correct(db, interchange_id, data, actor=ACTOR)
    except replay.ReplayConflict:
        return _back(interchange_id, "conflict")
    except replay.ReplayError:
        return _back(interchange_id, "refused")
    except NotImplementedError:
        return _back(interchange_id, "unavailable")
    await _audited(db, "correct", [interchange_id, result.interchange_id])
    log.info(
        "console.correct",
        interchange=interchange_id,
        version=result.interchange_id,
        status=result.status_after,
    )
    return _back(result.interchange_id, "corrected")


@router.get("/outbox", response_class=HTMLResponse)
async def outbox(
    request: Request,
    me: ConsoleDep,
    settings: SettingsDep,
    db_session: SessionDep,
    partner: str = "",
) -> Response:
    page = await outbox_view.load(db_session, partner[:100])
    return _render(request, "outbox.html", settings, me, page=page, partner=partner[:100])
