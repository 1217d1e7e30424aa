"""Run the load test and write its figures: `python -m tests.load --seconds 60 --report docs/load.md`."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .harness import figures, problems, render_report, run_load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.load", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the clients run (default 60)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive clients (default 8)")
    parser.add_argument("--reindexes", type=int, default=2, help="full reindexes during the run (default 2)")
    parser.add_argument("--extra-talks", type=int, default=0, help="generated talks added to the corpus copy")
    parser.add_argument("--report", type=Path, help="write the figures as Markdown to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="confarchive-load-") as workdir:
        result = run_load(Path(workdir), args.seconds, args.clients, args.reindexes, args.extra_talks)
    command = " ".join(["python -m tests.load", *(argv if argv is not None else sys.argv[1:])])
    report = render_report(result, command)
    if args.report:
        args.report.write_text(report, encoding="utf-8")
    print(report)
    found = problems(result)
    for problem in found:
        print("FAILED:", problem, file=sys.stderr)
    overall = figures(result)["overall"]
    print(f"{overall['requests'] - overall['failed']} passed, {overall['failed']} failed")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
