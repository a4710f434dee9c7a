"""The `newsarc` console script: answers --version before importing click, then hands over to the CLI."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from newsarc import __version__

        sys.stdout.write(f"newsarc, version {__version__}\n")
        return
    from newsarc.cli.app import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
