"""Benchmarks: python3 -m bench.http, python3 -m bench.startup, python3 -m bench.validation."""
