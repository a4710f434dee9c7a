"""Helpers for the tests that are not tests: a local web server, and the ingest and name-variant evaluations."""
