"""The web application: Starlette routes over newsarc.api, pages from Jinja2 templates.

READERS stores stay open for the server's life, each used by its own thread (SQLite connections and Whoosh
readers belong to the thread that opened them); a request waits for the first free one, so a slow query holds
one thread while the others keep answering, and the event loop stays free. Every request runs the same freshness
check as a CLI command (api.search, api.get_article...), which takes the archive lock only when it is free: an
article added or edited by hand is found by the next request, and a writer (`newsarc add`) never blocks a page.
What one query may cost is bounded by the library's WEB_LIMITS (newsarc.search_request): a query too broad is
refused at once with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import secrets
import sys
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from newsarc import api
from newsarc.api import OptionError
from newsarc.errors import (
    AmbiguousIdError,
    ArchiveError,
    LockTimeoutError,
    NewsarcError,
    NotFoundError,
    QueryError,
    QueryTooBroadError,
    UsageError,
)
from newsarc.records import SEARCH_FIELDS, hit_record, record_text
from newsarc.search_request import (
    FACET_LABELS,
    LISTING_OPTIONS,
    OPTIONS,
    REPEATABLE,
    TIMELINE_OPTIONS,
    WEB_LIMITS,
    asks_nothing,
    build_listing,
    build_request,
    build_timeline,
)
from newsarc.web import markup

T = TypeVar("T")

MAX_FORM = 16 * 1024  # bytes of a POST body
MAX_ADD = 2 * 1024 * 1024  # bytes of the add form (a pasted article)
MAX_ADD_URLS = 50
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'; frame-src 'self'")
# A kept original is the page as fetched, script and all: shown in a sandbox (no script, no plugins, a unique
# origin), loading nothing from anywhere but itself (inline styles, data: images), framed only by this server.
ORIGINAL_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "font-src data:; frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
TOKEN_COOKIE = "newsarc_token"
FLASH_COOKIE = "newsarc_flash"


class BadRequest(Exception):
    """A request parameter a user can fix: answered with 400 and this message."""


@dataclass
class Settings:
    root: Path
    writable: bool = False
    token: str | None = None  # required on every request when set
    hosts: tuple[str, ...] = ("*",)  # Host headers accepted (loopback names when bound to loopback)


READERS = 6  # stores open at once, each on its own thread: a slow query holds one, the others keep answering
# (with 4, a client sending the worst queries held one in four; 6 keep 8 clients within 1.6x of their p95 alone)


class StoreWorker:
    """One open store and the one thread that uses it (SQLite connections and Whoosh readers belong to the
    thread that opened them)."""

    def __init__(self, root: Path, number: int = 0):
        self.root = root
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"newsarc-store-{number}")
        self._store: Any = None
        self.pending = 0  # requests queued or running on this thread

    @property
    def store(self) -> Any:  # only called in the worker thread
        if self._store is None:
            self._store = api.open_store(self.root, warn=lambda m: print(f"newsarc: warning: {m}", flush=True))
        return self._store

    async def run(self, work: Callable[[Any], T]) -> T:
        self.pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, lambda: work(self._paused(work)))
        finally:
            self.pending -= 1

    def _paused(self, work: Any) -> Any:
        pause_for_tests(work)
        return self.store

    def _close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self.executor, self._close)
        self.executor.shutdown(wait=True)


class ReaderPool:
    """READERS stores, each on its own thread. A request waits for the first store that is free (one queue for
    all, first come first served), so one slow query (a broad wildcard, a 100,000-article download) holds only
    its own store, and no request waits behind it while another store is free.

    Handing a request to the store with the fewest requests waiting, as this pool did before, queued one
    request in four behind a slow query whenever every store had one: at 100,000 articles, with 8 clients and
    one sending the worst queries, such requests waited the slow query's 3-5 s (p95 3.31x that of 8 clients
    alone). Writes take the archive lock as a CLI command does, so they stay one at a time."""

    def __init__(self, root: Path, size: int = READERS):
        self.workers = [StoreWorker(root, number) for number in range(size)]
        self._free: asyncio.Queue[StoreWorker] | None = None  # made in the server's event loop, on first use

    def pick(self) -> StoreWorker:
        """The store with the fewest requests waiting, for work of several steps that must stay on one store."""
        return min(self.workers, key=lambda worker: worker.pending)

    async def run(self, work: Callable[[Any], T]) -> T:
        if self._free is None:
            self._free = asyncio.Queue()
            for worker in self.workers:
                self._free.put_nowait(worker)
        free = self._free
        worker = await free.get()
        task = asyncio.ensure_future(worker.run(work))
        # Free again when its thread is done, even if the client went away: a cancelled request's work still
        # runs to its end on the store's thread, and the next request would wait behind it.
        task.add_done_callback(lambda _: free.put_nowait(worker))
        return await asyncio.shield(task)

    async def warm(self) -> None:
        await asyncio.gather(*(worker.run(api.warm) for worker in self.workers))

    async def close(self) -> None:
        for worker in self.workers:
            await worker.close()


def pause_for_tests(work: Any) -> None:
    """Inert outside the test suite: a search whose query the tests name waits on its thread (api.pause_for_query),
    so a test can hold one request as long as it likes and show that the others are answered meanwhile."""
    query = getattr(work, "newsarc_query", None)
    if query is not None:
        api.pause_for_query(query)


class Guard:
    """Security for every response: the token check, no writes without --writable or from another site, and the
    headers (CSP...)."""

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
                # The token in a link (as printed at start-up): keep a cookie, drop it from the address. The
                # target is always a path on this server: `//evil.example/` would be another site's address.
                params = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                target = "/" + request.url.path.lstrip("/\\") + (markup.query_string(params) if params else "")
                response = RedirectResponse(target, status_code=303)
                response.set_cookie(cookie_name(request), cookie_value(token), httponly=True, samesite="strict")
            elif not _authorised(request, token):
                response = PlainTextResponse("This newsarc server needs its token: open the address it printed "
                                             "(…?token=...) or send 'Authorization: Bearer TOKEN'.", status_code=401,
                                             headers={"WWW-Authenticate": "Bearer"})
        if response is None and request.method not in ("GET", "HEAD"):
            if not self.settings.writable:
                response = PlainTextResponse("This newsarc server is read-only: start it with "
                                             "'newsarc serve --writable' to edit tags or add articles.",
                                             status_code=403)
            elif not same_origin(request):
                response = PlainTextResponse("This form was sent from another site, so it was refused. Open the "
                                             "page on this server and send it again.", status_code=403)
        if response is not None:
            await _with_headers(response)(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                own = {name.lower() for name, _ in headers}  # a route that sets its own (the kept original) keeps it
                headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()
                            if k.lower().encode("latin-1") not in own]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with a form, and the Origin
    # check (same_origin) could not tell this server's own forms from a sandboxed page's. Other sites still get
    # no referrer.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _with_headers(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers[key] = value
    return response


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site: Sec-Fetch-Site cross-site or same-site
    (another port or subdomain), or an Origin that is not this server's. A client that sends neither (curl, a
    script with the token) is judged by the CSRF field alone."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    if origin == "null":  # a sandboxed frame, a data: page, or a redirect chain through another site
        return False
    host = request.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


def cookie_name(request: Request) -> str:
    """The token cookie, named per port: browsers send a host's cookies to every port of it, so two servers on
    one machine would otherwise overwrite each other's."""
    port = request.url.port or (443 if request.url.scheme == "https" else 80)
    return f"{TOKEN_COOKIE}_{port}"


def cookie_value(token: str) -> str:
    """What the cookie holds: a key derived from the token, not the token. Another server on the same host name
    receives the cookie (cookies ignore ports); it learns a value that opens this server in a browser, as the
    token does, but not the token itself (no Bearer header, no `?token=` link to hand on)."""
    return hmac.new(token.encode(), b"newsarc browser cookie", hashlib.sha256).hexdigest()


def _authorised(request: Request, token: str) -> bool:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    cookie = request.cookies.get(cookie_name(request), "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), cookie_value(token).encode())


# -- parameters: the URL's names for the library's options (newsarc.search_request) ------------------------------
URL_NAMES = {"query": "q", "tags": "tag", "places": "place"}  # every other option has the same name in a URL
# The parameters a search's links carry on (to an article, back to the results): every search option but the two
# the page sets itself.
SEARCH_PARAMS = tuple(URL_NAMES.get(name, name) for name in OPTIONS if name not in ("facets", "snippets"))
TIMELINE_PARAMS = tuple(URL_NAMES.get(name, name) for name in TIMELINE_OPTIONS if name not in ("by", "peaks"))


def url_name(option: str) -> str:
    return URL_NAMES.get(option, option)


def _options(request: Request, names: Any, **fixed: Any) -> dict[str, Any]:
    """The URL's parameters for the library's options `names`, unchecked (the library checks them): a new
    option in the library is read from the URL with no line here."""
    params = request.query_params
    options = {name: params.getlist(url_name(name)) if name in REPEATABLE else params.get(url_name(name))
               for name in names}
    return {**options, **fixed}


def _search_options(request: Request, **fixed: Any) -> dict[str, Any]:
    return _options(request, (name for name in OPTIONS if name not in ("facets", "snippets")), **fixed)


def checked(build: Callable[..., T], options: dict[str, Any], **settings: Any) -> T:
    """The library's request (limits: WEB_LIMITS); a value it refuses is a 400 in the library's words, under
    the option's URL name (`since must be a date: ...`)."""
    try:
        return build(options, limits=WEB_LIMITS, **settings)
    except OptionError as exc:
        raise BadRequest(f"{url_name(exc.option)} {exc.problem}") from None


def _search_request(request: Request, *, facets: Any, filters_alone: bool = False) -> Any:
    return checked(build_request, _search_options(request, facets=facets), filters_alone=filters_alone,
                   require_query=True)


# -- the application ---------------------------------------------------------------------------------------------
HEADINGS = {
    400: "That request could not be answered",
    403: "Not allowed here",
    404: "Not found",
    405: "Not found",
    409: "Several articles match",
    422: "The search was too broad",
    503: "The archive is busy",
    500: "Something went wrong",
}


def create_app(settings: Settings) -> Starlette:
    """The ASGI application serving the archive at settings.root."""
    worker = ReaderPool(settings.root)
    csrf = secrets.token_urlsafe(32)  # per server: a page from another site cannot read it, so cannot post
    templates = Environment(loader=PackageLoader("newsarc.web", "templates"),
                            autoescape=select_autoescape(default=True, default_for_string=True))
    templates.globals.update(snippet_html=markup.snippet_html, safe_link=markup.safe_link,
                             query_string=markup.query_string, writable=settings.writable, csrf=csrf,
                             lang_of=markup.lang_of, message_html=markup.message_html, plural=markup.plural,
                             query_filters=markup.query_filters, facet_term=markup.facet_term,
                             search_params=SEARCH_PARAMS, timeline_params=TIMELINE_PARAMS)

    def page(name: str, code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(templates.get_template(name).render(**context), status_code=code)

    def problem(request: Request, status: int, message: str, **extra: Any) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        query = request.query_params.get("q", "")
        return page("error.html", status, status=status, heading=extra.pop("heading", HEADINGS.get(status, "Error")),
                    message=message, q=query if len(query) <= (WEB_LIMITS.max_query or 0) else "", **extra)

    async def guarded(request: Request, handler: Callable[[], Any]) -> Response:
        try:
            return await handler()
        except BadRequest as exc:
            return problem(request, 400, str(exc))
        except QueryTooBroadError as exc:  # read, and within the bounds of its shape: the archive makes it costly
            return problem(request, 422, str(exc))
        except QueryError as exc:
            return problem(request, 400, str(exc), heading="The query could not be read",
                           hint="Check for an AND, OR or NOT with nothing after it, an unclosed quote or bracket, "
                                "or a field name before a colon; the search box still holds your query.")
        except UsageError as exc:
            return problem(request, 400, str(exc))
        except AmbiguousIdError as exc:
            ids = exc.candidates[:20]
            candidates = await worker.run(lambda s: api.catalog_entries(s, ids))
            return problem(request, 409, f"More than one article has an id starting “{exc.prefix}”. Choose one:",
                           candidates=candidates)
        except NotFoundError as exc:
            if request.url.path.startswith("/a/"):
                return problem(request, 404, markup.for_readers(str(exc)) + " It may have been removed: search "
                                             "for its words instead, from the box above.")
            return problem(request, 404, str(exc))
        except (LockTimeoutError, ArchiveError) as exc:
            return problem(request, 503, str(exc))
        except NewsarcError as exc:
            return problem(request, 500, str(exc))
        except Exception:  # a bug: still the site's page and headers, never a bare 500; the details go to the log
            traceback.print_exc(file=sys.stderr)
            return problem(request, 500, "The server could not answer this request. Try again; if it happens "
                                         "again, the server's output says why.")

    async def not_found(request: Request, exc: Exception) -> Response:
        return problem(request, 404, "There is no page at this address. Search the archive from the box above.")

    async def home(request: Request) -> Response:
        async def handle() -> Response:
            if asks_nothing(_search_options(request)):
                newest = build_listing({}, sort="date", limit=15)
                entries, stats = await worker.run(lambda s: (api.listing(s, newest), api.stats(s)))
                return page("home.html", entries=entries, stats=stats, q="")
            search = _search_request(request, facets=True, filters_alone=True)
            result = await worker.run(searching(search))
            params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
            pages = max(1, -(-result.total // search.limit))
            return page("search.html", result=result, search=search, q=request.query_params.get("q", ""),
                        params=params, pages=pages, past_end=result.total > 0 and search.page > pages,
                        labels=FACET_LABELS)

        return await guarded(request, handle)

    async def api_search(request: Request) -> Response:
        async def handle() -> Response:
            search = _search_request(request, facets=request.query_params.get("facets"))
            from newsarc.records import search_document

            result = await worker.run(searching(search))
            return _json(search_document(result))

        return await guarded(request, handle)

    async def export(request: Request) -> Response:
        async def handle() -> Response:
            fmt = request.path_params["fmt"]
            if fmt not in EXPORTS:
                return problem(request, 404, "Downloads are /export.json, /export.jsonl or /export.csv.")
            search = _search_request(request, facets=False, filters_alone=True)
            first = replace(search, page=1, limit=EXPORT_PAGE)
            reader = worker.pick()  # one store for the whole download: its pages come from one index state
            await reader.run(lambda s: api.search(s, first))  # a malformed query is a 400 page, not a broken file
            pieces = record_text(_every_hit(reader, first), fmt, SEARCH_FIELDS)

            async def stream() -> AsyncIterator[str]:
                while True:
                    batch = await reader.run(lambda s: list(itertools.islice(pieces, 200)))
                    if not batch:
                        return
                    yield "".join(batch)

            media, name = EXPORTS[fmt]
            return StreamingResponse(stream(), media_type=media,
                                     headers={"Content-Disposition": f'attachment; filename="{name}"'})

        return await guarded(request, handle)

    async def article_page(request: Request) -> Response:
        async def handle() -> Response:
            text = request.path_params["article_id"]
            query = request.query_params.get("q", "").strip()
            search = _search_request(request, facets=False) if query else None  # checked as a search would be

            def load(store: Any) -> tuple[Any, Any, Any, list[str]]:
                article = api.get_article(store, text)
                try:
                    like = api.similar(store, article.id, limit=6)
                except NewsarcError:
                    like = None
                words = api.matched_words(store, article.id, query, exact=search.exact) if search else []
                related = api.related(store, article.id)
                try:
                    changes = api.diff(store, article.id) if related.versions else None
                except NewsarcError:
                    changes = None
                return article, (related, changes, api.places_in(article)), like, words

            article, (related, changes, places), like, words = await worker.run(load)
            if text != article.id:
                return RedirectResponse(f"/a/{article.id}" + (f"?{request.url.query}" if request.url.query else ""),
                                        status_code=302)
            flash = markup.read_flash(request.cookies.get(FLASH_COOKIE))
            paragraphs = [p.strip() for p in article.body.split("\n\n") if p.strip()]
            marked, matches = markup.mark_words([article.title or "(untitled)", *paragraphs], words)
            params = [(k, v) for k, v in request.query_params.multi_items() if k in SEARCH_PARAMS]
            response = page("article.html", article=article, related=related, like=like, q=query, flash=flash,
                            title_html=marked[0], paragraphs=marked[1:], matches=matches, words=words,
                            changes=changes, kept=bool(article.extra.get("original")), places=places,
                            back=("/" + markup.query_string(params)) if query else None)
            if flash is not None:  # shown once: a reload does not say "saved" again
                response.delete_cookie(FLASH_COOKIE, path=f"/a/{article.id}")
            return response

        return await guarded(request, handle)

    async def original_page(request: Request) -> Response:
        async def handle() -> Response:
            found_id, raw = await worker.run(lambda s: api.kept_original(s, request.path_params["article_id"]))
            if found_id != request.path_params["article_id"]:
                return RedirectResponse(f"/a/{found_id}/original", status_code=302)
            looks_html = raw.lstrip()[:1] == b"<"
            return Response(raw, media_type="text/html" if looks_html else "text/plain; charset=utf-8",
                            headers=ORIGINAL_HEADERS)

        return await guarded(request, handle)

    async def add_page(request: Request) -> Response:
        async def handle() -> Response:
            if not settings.writable:
                return problem(request, 403, "This server is read-only: start it with `newsarc serve --writable` to "
                                             "add articles from the browser.")
            if request.method == "GET":
                url = request.query_params.get("url", "")  # from the bookmarklet: shown, never added by a GET
                return page("add.html", q="", prefill=url[:2000], outcomes=None,
                            bookmarklet=markup.bookmarklet(str(request.base_url)))
            body = await _small_body(request, limit=MAX_ADD)
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            given = (form.get("csrf") or [""])[0]
            if not hmac.compare_digest(given.encode(), csrf.encode()):
                return problem(request, 403, "The form has expired or came from another site. Reload the page and "
                                             "send it again.")
            lines = [line.strip() for line in (form.get("urls") or [""])[0].splitlines() if line.strip()]
            text = (form.get("text") or [""])[0].strip()
            if not lines and not text:
                raise BadRequest("Paste one or more addresses (one a line) or the text of an article.")
            if len(lines) > MAX_ADD_URLS:
                raise BadRequest(f"At most {MAX_ADD_URLS} addresses at once; this form had {len(lines)}.")

            def add(store: Any) -> list[Any]:
                outcomes: list[Any] = []
                sources = [api.url_source(line) for line in lines if markup.safe_link(line)]
                outcomes += [api.AddOutcome(line, "failed", reason="not an http or https address")
                             for line in lines if not markup.safe_link(line)]
                if text:
                    encoded = text.encode("utf-8")
                    sources.append(api.Source("pasted text", lambda: encoded, hints={"name": "pasted.txt"}))
                api.add_sources(store, sources, report=api.AddReport(), on_outcome=outcomes.append)
                return outcomes

            outcomes = await worker.run(add)
            return page("add.html", q="", prefill="", outcomes=outcomes,
                        bookmarklet=markup.bookmarklet(str(request.base_url)))

        return await guarded(request, handle)

    async def recent_page(request: Request) -> Response:
        async def handle() -> Response:
            listing = checked(build_listing, _options(request, LISTING_OPTIONS), sort="added", limit=20)
            total, entries = await worker.run(lambda s: (api.listing_total(s, listing), api.listing(s, listing)))
            params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
            limit = listing.limit or 20
            pages = max(1, -(-total // limit))
            return page("recent.html", entries=entries, total=total, order=listing.sort, page_number=listing.page,
                        pages=pages, limit=limit, params=params, search=listing, q="")

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
                return problem(request, 403, "The form has expired or came from another site. Reload the page and "
                                             "send it again.")
            add, remove = form.get("add", []), form.get("remove", [])
            if not add and not remove:
                raise BadRequest("Type a tag to add, or choose one to remove.")
            for tag in add + remove:
                problem_text = markup.tag_problem(tag)
                if problem_text:
                    raise BadRequest(problem_text)
            add, remove = [t.strip() for t in add], [t.strip() for t in remove]

            article = await worker.run(lambda store: api.retag(store, request.path_params["article_id"], add, remove,
                                                               wait=False, strict=True))  # never waits for a writer
            response = RedirectResponse(f"/a/{article.id}", status_code=303)
            response.set_cookie(FLASH_COOKIE, markup.write_flash(added=add, removed=remove), path=f"/a/{article.id}",
                                httponly=True, samesite="strict", max_age=120)
            return response

        return await guarded(request, handle)

    async def timeline_page(request: Request) -> Response:
        async def handle() -> Response:
            options = _options(request, TIMELINE_OPTIONS)
            if not request.query_params.get("q", "").strip():  # the bare page: what a timeline is, and a form
                by = checked(build_timeline, {**options, "query": "*"}).by
                return page("timeline.html", t=None, chart=None, q="", by=by, records=[])
            wanted = checked(build_timeline, options)
            from newsarc import timeline as tl

            t = await worker.run(lambda s: tl.timeline_of(s, wanted))
            chart = markup.time_chart(t.series, [p.period for p in t.peaks], wanted.by)
            return page("timeline.html", t=t, chart=chart, q=wanted.search.query, by=wanted.by,
                        records=tl.series_records(t))

        return await guarded(request, handle)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await worker.warm()
        yield
        await worker.close()

    static = Path(__file__).parent / "static"
    routes = [
        Route("/", home),
        Route("/a/{article_id}", article_page),
        Route("/a/{article_id}/tags", edit_tags, methods=["POST"]),
        Route("/a/{article_id}/original", original_page),
        Route("/timeline", timeline_page),
        Route("/recent", recent_page),
        Route("/add", add_page, methods=["GET", "POST"]),
        Route("/api/search", api_search),
        Route("/export.{fmt}", export),
        Route("/api/a/{article_id}", api_article),
        Mount("/static", StaticFiles(directory=static), name="static"),
    ]
    middleware = [Middleware(Guard, settings=settings)]
    if "*" not in settings.hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.hosts)))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_found})
    app.state.worker = worker
    return app


EXPORT_PAGE = 500  # hits read per search while a download streams
EXPORTS = {"json": ("application/json", "newsarc-search.json"),
           "jsonl": ("application/x-ndjson", "newsarc-search.jsonl"),
           "csv": ("text/csv; charset=utf-8", "newsarc-search.csv")}


def _every_hit(worker: StoreWorker, search: Any) -> Iterator[dict[str, Any]]:
    """The record of every hit of a search, page after page (run only in the worker thread: it reads the store
    as the download's pieces are asked for)."""
    page = 1
    while True:
        result = api.search(worker.store, replace(search, page=page))
        yield from (hit_record(hit) for hit in result.hits)
        if not result.hits or page * search.limit >= result.total:
            return
        page += 1


def searching(search: Any) -> Callable[[Any], Any]:
    """The work of one search on a store, labelled with its query (pause_for_tests reads the label)."""

    def work(store: Any) -> Any:
        return api.search(store, search)

    work.newsarc_query = search.query  # type: ignore[attr-defined]  # a label on a function object
    return work


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")


async def _small_body(request: Request, limit: int = MAX_FORM) -> bytes:
    length = request.headers.get("content-length")
    if length and (not length.isdigit() or int(length) > limit):
        raise BadRequest("the form is too large")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BadRequest("the form is too large")
    return body
