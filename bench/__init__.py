"""Benchmarks (run with `make bench` or `python -m bench`; figures in docs/benchmarks.md).

bench.results: issue 6, analysis, exports and the results page; bench.anonymous_results: issue
6 on the anonymous survey's results page, charts and export; bench.board_report: issue 7, the
board report PDF of a city-sized municipality.
"""
