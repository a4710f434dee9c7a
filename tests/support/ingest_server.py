"""A tiny HTTP server on 127.0.0.1 for the fetch and feed tests: started by the test itself, never the internet.

Routes map a path to (status, headers, body); requests are recorded (path and headers) so tests can check
what newsarc sent. Bodies may be callables (evaluated per request) to serve changing pages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = tuple[int, dict[str, str], bytes | Callable[[], bytes]]


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.slow: dict[str, float] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                server.requests.append((self.path, dict(self.headers)))
                if self.path in server.slow:
                    time.sleep(server.slow[self.path])
                status, headers, body = server.routes.get(self.path, (404, {"Content-Type": "text/plain"},
                                                                      b"not found"))
                data = body() if callable(body) else body
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (size cap, time-out)
                    self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, body: bytes | str | Callable[[], bytes], content_type: str = "text/html; charset=utf-8",
             status: int = 200, headers: dict[str, str] | None = None) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = (status, {"Content-Type": content_type, **(headers or {})}, data)
        return self.url(path)

    def redirect(self, path: str, target: str, status: int = 302) -> str:
        self.routes[path] = (status, {"Location": target, "Content-Type": "text/html"}, b"")
        return self.url(path)


@contextmanager
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
