"""Benchmarks (run with `make bench` or `python -m bench`; figures in docs/benchmarks.md).

bench.results: issue 6, analysis, exports and the results page; bench.board_report: issue 7,
the board report PDF of a city-sized municipality.
"""
