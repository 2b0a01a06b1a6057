"""Benchmarks of the analysis layer (run with `make bench` or `python -m bench`)."""
