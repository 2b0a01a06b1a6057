"""Run every benchmark: `python -m bench` (what `make bench` runs).

- bench.results: issue 6, analysis, exports and the results page for 25,000 answers;
- bench.anonymous_results: issue 6 on the anonymous survey's results page, its chart images
  and its .xlsx export (25,000 answers to 25 questions over 50 units);
- bench.board_report: issue 7, the board report PDF of a city-sized municipality.

Options: --only results|anonymous|board, --rows/--repeat for the two results benchmarks. Each
module also runs on its own (`python -m bench.results --help`,
`python -m bench.anonymous_results --help`, `python -m bench.board_report --help`).
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Run the results benchmarks, then the board report benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", choices=["results", "anonymous", "board"],
                        help="run one benchmark only")
    parser.add_argument("--rows", type=int, default=25_000, help="results: responses")
    parser.add_argument("--repeat", type=int, default=5, help="results: runs per step")
    parser.add_argument("--no-page", action="store_true",
                        help="results: skip the web requests (and the anonymous benchmark)")
    args = parser.parse_args(argv)
    status = 0
    if args.only in (None, "results"):
        from bench import results

        options = ["--rows", str(args.rows), "--repeat", str(args.repeat)]
        status |= results.main(options + (["--no-page"] if args.no_page else []))
        print()
    if args.only in (None, "anonymous") and not args.no_page:
        from bench import anonymous_results

        status |= anonymous_results.main(["--rows", str(args.rows), "--repeat", str(args.repeat)])
        print()
    if args.only in (None, "board"):
        from bench import board_report

        status |= board_report.main([])
    return status


if __name__ == "__main__":
    sys.exit(main())
