"""The newsarc benchmark suite (issue 6): `python -m bench --help`, and bench/README.md."""
