"""Benchmarks (not timed tests): `make bench` or `python -m benchmarks` runs them all."""
