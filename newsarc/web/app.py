"""The web application: Starlette routes over newsarc.api, pages from Jinja2 templates.

One store stays open for the server's life, used by one worker thread (SQLite connections and Whoosh readers
belong to the thread that opened them), so the event loop stays free and requests are answered in turn. Every
request runs the same freshness check as a CLI command (api.search, api.get_article...), which takes the archive
lock only when it is free: an article added or edited by hand is found by the next request, and a writer
(`newsarc add`) never blocks a page.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import secrets
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from newsarc import api
from newsarc.errors import (
    AmbiguousIdError,
    ArchiveError,
    LockTimeoutError,
    NewsarcError,
    NotFoundError,
    QueryError,
    UsageError,
)
from newsarc.web import markup

T = TypeVar("T")

MAX_QUERY = 500  # characters of a query
MAX_LIMIT = 100  # results per page
MAX_PAGE = 1000
MAX_FORM = 16 * 1024  # bytes of a POST body
SORTS = ("relevance", "date")
FILTERS = ("tag", "source", "since", "until")  # any of these alone lists what it admits
PERIODS = ("day", "week", "month", "year")
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
TOKEN_COOKIE = "newsarc_token"


class BadRequest(Exception):
    """A request parameter a user can fix: answered with 400 and this message."""


@dataclass
class Settings:
    root: Path
    writable: bool = False
    token: str | None = None  # required on every request when set
    hosts: tuple[str, ...] = ("*",)  # Host headers accepted (loopback names when bound to loopback)


class StoreWorker:
    """The open store and the one thread that uses it."""

    def __init__(self, root: Path):
        self.root = root
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsarc-store")
        self._store: Any = None

    @property
    def store(self) -> Any:  # only called in the worker thread
        if self._store is None:
            self._store = api.open_store(self.root, warn=lambda m: print(f"newsarc: warning: {m}", flush=True))
        return self._store

    async def run(self, work: Callable[[Any], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, lambda: work(self.store))

    def _close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self.executor, self._close)
        self.executor.shutdown(wait=True)


class Guard:
    """Security for every response: the token check, no writes without --writable, and the headers (CSP...)."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        response: Response | None = None
        token = self.settings.token
        if token is not None:
            given = request.query_params.get("token")
            if given is not None and hmac.compare_digest(given.encode(), token.encode()):
                # The token in a link (as printed at start-up): keep it in a cookie, drop it from the address.
                params = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                target = request.url.path + (markup.query_string(params) if params else "")
                response = RedirectResponse(target, status_code=303)
                response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            elif not _authorised(request, token):
                response = PlainTextResponse("401: this newsarc server needs its token: open the address it printed "
                                             "(…?token=...) or send 'Authorization: Bearer TOKEN'", status_code=401,
                                             headers={"WWW-Authenticate": "Bearer"})
        if response is None and request.method not in ("GET", "HEAD") and not self.settings.writable:
            response = PlainTextResponse("403: this newsarc server is read-only; start it with "
                                         "`newsarc serve --writable` to edit tags", status_code=403)
        if response is not None:
            await _with_headers(response)(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _with_headers(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers[key] = value
    return response


def _authorised(request: Request, token: str) -> bool:
    header = request.headers.get("authorization", "")
    candidates = [request.cookies.get(TOKEN_COOKIE, "")]
    if header.lower().startswith("bearer "):
        candidates.append(header[7:].strip())
    return any(c and hmac.compare_digest(c.encode(), token.encode()) for c in candidates)


# -- parameters ------------------------------------------------------------------------------------------------
def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "") not in ("", "0", "false", "off", "no")


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query_params.get(name)
    if text in (None, ""):
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}")
    return int(text)


def _date(request: Request, name: str) -> str | None:
    text = (request.query_params.get(name) or "").strip()
    if not text:
        return None
    from newsarc.dateranges import date_bounds

    try:
        date_bounds(text)
    except NewsarcError as exc:
        raise BadRequest(f"{name}: {exc}") from None
    return text


def _query(request: Request) -> str:
    text = (request.query_params.get("q") or "").strip()
    if len(text) > MAX_QUERY:
        raise BadRequest(f"the query is {len(text)} characters long; at most {MAX_QUERY} are searched")
    return text


def _search_request(request: Request, *, facets: bool) -> Any:
    from newsarc.index.backend import SearchRequest

    sort = request.query_params.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
    tags = tuple(t for t in request.query_params.getlist("tag") if t.strip())
    if len(tags) > 20 or any(len(t) > 200 for t in tags):
        raise BadRequest("at most 20 tag filters of 200 characters each")
    source = (request.query_params.get("source") or "").strip() or None
    if source and len(source) > 200:
        raise BadRequest("source: at most 200 characters")
    return SearchRequest(_query(request), limit=_int(request, "limit", 10, 1, MAX_LIMIT),
                         page=_int(request, "page", 1, 1, MAX_PAGE), sort=sort, tags=tags, source=source,
                         since=_date(request, "since"), until=_date(request, "until"), exact=_flag(request, "exact"),
                         collapse=_flag(request, "collapse"), facets=facets)


# -- the application ---------------------------------------------------------------------------------------------
def create_app(settings: Settings) -> Starlette:
    """The ASGI application serving the archive at settings.root."""
    worker = StoreWorker(settings.root)
    csrf = secrets.token_urlsafe(32)  # per server: a page from another site cannot read it, so cannot post
    templates = Environment(loader=PackageLoader("newsarc.web", "templates"),
                            autoescape=select_autoescape(default=True, default_for_string=True))
    templates.globals.update(snippet_html=markup.snippet_html, safe_link=markup.safe_link,
                             query_string=markup.query_string, writable=settings.writable, csrf=csrf)

    def page(name: str, code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(templates.get_template(name).render(**context), status_code=code)

    def problem(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        return page("error.html", status, status=status, message=message, q="")

    async def guarded(request: Request, handler: Callable[[], Any]) -> Response:
        try:
            return await handler()
        except BadRequest as exc:
            return problem(request, 400, str(exc))
        except (QueryError, UsageError) as exc:
            return problem(request, 400, str(exc))
        except AmbiguousIdError as exc:
            return problem(request, 409, str(exc))
        except NotFoundError as exc:
            return problem(request, 404, str(exc))
        except (LockTimeoutError, ArchiveError) as exc:
            return problem(request, 503, str(exc))
        except NewsarcError as exc:
            return problem(request, 500, str(exc))

    async def home(request: Request) -> Response:
        async def handle() -> Response:
            if not _query(request) and not any(request.query_params.get(name) for name in FILTERS):
                entries, stats = await worker.run(lambda s: (api.list_entries(s, limit=15), api.stats(s)))
                return page("home.html", entries=entries, stats=stats, q="")
            search = _search_request(request, facets=True)
            if not search.query:
                search.query = "*"  # filters alone: every article they admit
            result = await worker.run(lambda s: api.search(s, search))
            params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
            pages = max(1, -(-result.total // search.limit))
            return page("search.html", result=result, search=search, q=request.query_params.get("q", ""),
                        params=params, pages=pages, corrections=markup.corrections(result.suggestions),
                        labels={"tag": "Tags", "source": "Sources", "location": "Locations",
                                "language": "Languages", "month": "Months"})

        return await guarded(request, handle)

    async def api_search(request: Request) -> Response:
        async def handle() -> Response:
            search = _search_request(request, facets=_flag(request, "facets"))
            if not search.query:
                raise BadRequest("q is required: the search query, in the language of `newsarc search`")
            from newsarc.records import search_document

            result = await worker.run(lambda s: api.search(s, search))
            return _json(search_document(result))

        return await guarded(request, handle)

    async def article_page(request: Request) -> Response:
        async def handle() -> Response:
            text = request.path_params["article_id"]

            def load(store: Any) -> tuple[Any, Any, Any]:
                article = api.get_article(store, text)
                try:
                    like = api.similar(store, article.id, limit=6)
                except NewsarcError:
                    like = None
                return article, api.related(store, article.id), like

            article, related, like = await worker.run(load)
            if text != article.id:
                return RedirectResponse(f"/a/{article.id}", status_code=302)
            return page("article.html", article=article, related=related, like=like, q="",
                        paragraphs=[p.strip() for p in article.body.split("\n\n") if p.strip()],
                        added=request.query_params.get("saved") == "1")

        return await guarded(request, handle)

    async def api_article(request: Request) -> Response:
        async def handle() -> Response:
            from newsarc.records import article_record

            article = await worker.run(lambda s: api.get_article(s, request.path_params["article_id"]))
            return _json(article_record(article))

        return await guarded(request, handle)

    async def edit_tags(request: Request) -> Response:
        async def handle() -> Response:
            body = await _small_body(request)
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            given = (form.get("csrf") or [""])[0]
            if not hmac.compare_digest(given.encode(), csrf.encode()):
                return problem(request, 403, "the form has expired or came from another site; reload the page")
            add = [tag.strip() for tag in form.get("add", []) if tag.strip()]
            remove = [tag for tag in form.get("remove", []) if tag.strip()]
            if any(len(t) > 200 for t in add):
                raise BadRequest("a tag has at most 200 characters")

            article = await worker.run(lambda store: api.retag(store, request.path_params["article_id"], add, remove,
                                                               wait=False))  # a page never waits for a writer
            return RedirectResponse(f"/a/{article.id}?saved=1", status_code=303)

        return await guarded(request, handle)

    async def timeline_page(request: Request) -> Response:
        async def handle() -> Response:
            search = _search_request(request, facets=False)
            by = request.query_params.get("by") or "month"
            if by not in PERIODS:
                raise BadRequest(f"by must be one of {', '.join(PERIODS)}")
            if not search.query:
                return page("timeline.html", t=None, bars=[], q="", by=by, records=[])
            from newsarc import timeline as tl

            t = await worker.run(lambda s: tl.timeline(s, search, by=by))
            bars = markup.chart_bars(t.series, [p.period for p in t.peaks])
            return page("timeline.html", t=t, bars=bars, q=search.query, by=by, records=tl.series_records(t))

        return await guarded(request, handle)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await worker.run(api.warm)
        yield
        await worker.close()

    static = Path(__file__).parent / "static"
    routes = [
        Route("/", home),
        Route("/a/{article_id}", article_page),
        Route("/a/{article_id}/tags", edit_tags, methods=["POST"]),
        Route("/timeline", timeline_page),
        Route("/api/search", api_search),
        Route("/api/a/{article_id}", api_article),
        Mount("/static", StaticFiles(directory=static), name="static"),
    ]
    middleware = [Middleware(Guard, settings=settings)]
    if "*" not in settings.hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.hosts)))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.worker = worker
    return app


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")


async def _small_body(request: Request) -> bytes:
    length = request.headers.get("content-length")
    if length and (not length.isdigit() or int(length) > MAX_FORM):
        raise BadRequest("the form is too large")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise BadRequest("the form is too large")
    return body
