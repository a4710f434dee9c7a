"""`newsarc serve`: the archive in a browser (newsarc.web). Loaded lazily by newsarc.cli.app (LAZY_COMMANDS)."""

from __future__ import annotations

import sys

import click

from newsarc.cli.app import Env
from newsarc.errors import ExitCode, UsageError

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Any address but loopback needs a token (--token, or one is generated).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--writable", is_flag=True, help="Allow editing tags from the article page (read-only by default).")
@click.option("--token", metavar="TOKEN", help="Require this token on every request (`?token=` once, or "
                                                "'Authorization: Bearer TOKEN').")
@click.option("--open", "open_browser", is_flag=True, help="Open the address in a web browser.")
@click.pass_obj
def serve(env: Env, host: str, port: int, writable: bool, token: str | None, open_browser: bool) -> None:
    """Serve the archive in a web browser: search, read articles, timelines, and a JSON API. Stop with Ctrl-C.

    Pages are answered from the open index, so a search costs milliseconds, and every request sees articles
    added or edited meanwhile. Needs the web extra: pip install 'newsarc[web]'.

    \b
    Example:
      newsarc serve
      newsarc serve --port 9000 --writable --open
      newsarc serve --host 0.0.0.0 --token "$(openssl rand -hex 16)"
    """
    from newsarc.web import INSTALL_HINT, missing_dependency

    if missing_dependency():
        click.echo(f"newsarc: error: {INSTALL_HINT}", err=True)
        sys.exit(int(ExitCode.USAGE))
    import secrets
    import socket

    if token is not None and len(token) < 8:
        raise UsageError("--token: use at least 8 characters")
    loopback = host in LOOPBACK_HOSTS
    generated = False
    if not loopback and token is None:
        token, generated = secrets.token_urlsafe(24), True
    root = env.store().archive.root  # the same "which archive" rules as every command; opened by the server
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP (else Nagle adds ~40 ms)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror}); pick another --port") from None
    sock.listen(128)
    sock.set_inheritable(True)
    bound_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{bound_port}/"
    link = f"{url}?token={token}" if token else url
    click.echo(f"newsarc: serving {root} at {link}" + ("  (read-only)" if not writable else "  (tags editable)"))
    if generated:
        click.echo("newsarc: a token was generated for this address (shown once, above); requests without it get 401")
    click.echo("newsarc: stop with Ctrl-C", err=True)
    sys.stdout.flush()

    import uvicorn

    from newsarc.web.app import Settings, create_app

    hosts = ("127.0.0.1", "localhost", "[::1]", "::1") if loopback else ("*",)
    app = create_app(Settings(root=root, writable=writable, token=token, hosts=hosts))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", server_header=False)
    server = uvicorn.Server(config)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(0.5, webbrowser.open, args=(link,)).start()
    import contextlib

    with contextlib.suppress(KeyboardInterrupt):  # uvicorn shut down cleanly, then re-raised Ctrl-C: the normal stop
        server.run(sockets=[sock])
    click.echo("newsarc: server stopped", err=True)
