"""Fetching a page or a feed over HTTP(S), carefully: newsarc fetches what users paste, not what it crawls.

- http and https only; at most MAX_REDIRECTS redirects, each checked like the first URL;
- a time-out on every network wait and on the whole transfer; at most MAX_BYTES, compressed or not;
- only text-like content types (pages, feeds, JSON, plain text, mail);
- an honest User-Agent naming newsarc and its version;
- no request to loopback, private, link-local or otherwise non-public addresses unless allow_private=True
  (`--allow-private`): the host is resolved first, every address checked, and the connection made to the
  checked address itself, so a DNS answer that changes between check and connect cannot slip through.
Environment proxies are not used (a proxy would hide the address that is checked).
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from newsarc import __version__
from newsarc.errors import BadInputError

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = 20.0  # seconds for any single network wait
DEADLINE = 60.0  # seconds for the whole fetch, redirects included
USER_AGENT = f"newsarc/{__version__} (+https://github.com/newsarc/newsarc; personal news archive)"
ACCEPTED_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "application/xml", "text/xml", "application/rss+xml",
    "application/atom+xml", "application/rdf+xml", "application/feed+json", "application/json", "text/plain",
    "text/markdown", "text/csv", "message/rfc822", "application/x-ndjson", "application/octet-stream",
})
_REDIRECTS = (301, 302, 303, 307, 308)


class Fetched:
    """A fetched resource: what was asked, where it ended up, its bytes and type, and when (UTC)."""

    __slots__ = ("content_type", "data", "fetched", "final_url", "url")

    def __init__(self, url: str, final_url: str, data: bytes, content_type: str, fetched: str):
        self.url = url
        self.final_url = final_url
        self.data = data
        self.content_type = content_type
        self.fetched = fetched

    def hints(self) -> dict[str, Any]:
        return {"url": self.url, "final_url": self.final_url, "content_type": self.content_type,
                "fetched": self.fetched}


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def _check_url(url: str, origin: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path+query) of an http(s) URL, or a BadInputError saying what is wrong."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadInputError(f"{origin}: not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise BadInputError(f"{origin}: only http and https URLs can be fetched, not {scheme or 'this'}:")
    host = parts.hostname
    if not host:
        raise BadInputError(f"{origin}: the URL has no host name")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port or (443 if scheme == "https" else 80), path


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int, *, allow_private: bool, origin: str) -> str:
    """The address to connect to: the first one DNS gives, after checking that all of them may be reached."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise BadInputError(f"{origin}: cannot resolve host {host!r} ({exc}); check the URL") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise BadInputError(f"{origin}: host {host!r} has no address")
    if not allow_private:
        blocked = [a for a in addresses if not _public(a)]
        if blocked:
            raise BadInputError(
                f"{origin}: {host} resolves to a private or local address ({blocked[0]}); newsarc does not "
                "fetch from those unless you pass --allow-private"
            )
    return addresses[0]


def _connection(scheme: str, host: str, port: int, address: str, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def connect_checked(_address: tuple[str, int], timeout: float | None = None, source: Any = None) -> socket.socket:
        return socket.create_connection((address, port), timeout, source)

    conn._create_connection = connect_checked  # type: ignore[attr-defined]  # connect to the address checked
    return conn


def _read_body(response: http.client.HTTPResponse, origin: str, max_bytes: int, deadline: float) -> bytes:
    encoding = (response.getheader("Content-Encoding") or "").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        raise BadInputError(f"{origin}: the server sent an unsupported content encoding {encoding!r}")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS) \
        if encoding in ("gzip", "x-gzip", "deflate") else None
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise BadInputError(f"{origin}: the download took longer than {DEADLINE:.0f} s; giving up")
        chunk = response.read(64 * 1024)
        if not chunk:
            break
        if inflate is not None:
            try:
                chunk = inflate.decompress(chunk, max_bytes + 1 - size)
            except zlib.error as exc:
                raise BadInputError(f"{origin}: the compressed answer is damaged ({exc})") from None
        size += len(chunk)
        if size > max_bytes:
            raise BadInputError(f"{origin}: more than {max_bytes // 2**20} MB; newsarc does not fetch files "
                                "that large")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url: str, *, allow_private: bool = False, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES,
          max_redirects: int = MAX_REDIRECTS, accept: str = "text/html, application/xhtml+xml, "
          "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5") -> Fetched:
    """GET a URL under the rules above; BadInputError (naming the URL) for every way it can fail."""
    origin = url
    current = url.strip()
    deadline = time.monotonic() + DEADLINE
    for _hop in range(max_redirects + 1):
        scheme, host, port, path = _check_url(current, origin)
        address = _resolve(host, port, allow_private=allow_private, origin=origin)
        conn = _connection(scheme, host, port, address, timeout)
        try:
            conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": accept,
                                               "Accept-Encoding": "gzip, deflate", "Connection": "close"})
            response = conn.getresponse()
            if response.status in _REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise BadInputError(f"{origin}: HTTP {response.status} redirect without a Location")
                current = urljoin(current, location.strip())
                continue
            if response.status >= 400:
                raise BadInputError(f"{origin}: HTTP {response.status} {response.reason}".rstrip())
            if response.status != 200:
                raise BadInputError(f"{origin}: HTTP {response.status} {response.reason}; expected 200 OK")
            content_type = (response.getheader("Content-Type") or "").strip()
            mime = content_type.split(";")[0].strip().lower()
            if mime and mime not in ACCEPTED_TYPES and not mime.startswith("text/"):
                raise BadInputError(f"{origin}: the server sent {mime}, not a page, feed or text newsarc can read")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise BadInputError(f"{origin}: {int(length) / 2**20:.0f} MB is more than the "
                                    f"{max_bytes // 2**20} MB newsarc fetches")
            data = _read_body(response, origin, max_bytes, deadline)
        except TimeoutError:
            raise BadInputError(f"{origin}: no answer within {timeout:.0f} s; try again later") from None
        except ssl.SSLError as exc:
            raise BadInputError(f"{origin}: secure connection failed ({exc.reason or exc})") from None
        except (OSError, http.client.HTTPException) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise BadInputError(f"{origin}: cannot fetch ({why})") from None
        finally:
            conn.close()
        fetched = dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        final = urlunsplit(urlsplit(current)._replace(fragment=""))
        return Fetched(url, final, data, content_type, fetched)
    raise BadInputError(f"{origin}: more than {max_redirects} redirects; giving up")
