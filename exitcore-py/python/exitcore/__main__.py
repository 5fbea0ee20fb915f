"""``python -m exitcore report ...``: the main job from Python.

Mirrors ``cargo run --release --example report``: without ``--data`` it
reports on the synthetic organisation; with ``--data FILE --mapping FILE``
on your own export. Every user error ends with exit code 2 and one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import exitcore


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m exitcore")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("report", help="write an anonymised report")
    r.add_argument("--data", help="CSV export of exit interviews")
    r.add_argument("--mapping", help="import mapping (JSON)")
    r.add_argument("--headcount", help="headcount per unit and quarter (CSV or JSON)")
    r.add_argument("--k", type=int, default=5, help="minimum group size (default 5)")
    r.add_argument("--lang", choices=["nl", "en"], default="en")
    r.add_argument("--out", help="output file (default report.<format>)")
    r.add_argument("--format", choices=["html", "md", "json"], default="html")
    r.add_argument("--exits", type=int, default=10_000, help="size of the synthetic organisation")
    r.add_argument("--seed", type=int, default=42)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if (args.data is None) != (args.mapping is None):
        print("error: --data and --mapping go together", file=sys.stderr)
        return 2
    try:
        policy = exitcore.Policy(k=args.k)
        stayers = None
        headcount: Any = args.headcount
        result: exitcore.LoadResult | exitcore.ImportResult
        if args.data is not None:
            mapping = exitcore.Mapping.from_path(args.mapping)
            result = exitcore.Dataset.from_csv(args.data, mapping)
            source = str(args.data)
        else:
            org = exitcore.generate(seed=args.seed, exits=args.exits)
            result = org.load()
            stayers = org.stayers
            if headcount is None:
                headcount = org.headcount
            source = f"synthetic organisation (seed {args.seed})"
        report = result.dataset.report(lang=args.lang, policy=policy, headcount=headcount, stayers=stayers)
    except exitcore.ExitcoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    body = {"html": report.to_html, "md": report.to_markdown, "json": report.to_json}[args.format]()
    out = Path(args.out or f"report.{args.format}")
    try:
        out.write_text(body, encoding="utf-8")
    except OSError as e:
        print(f"error: cannot write {out}: {e}", file=sys.stderr)
        return 2
    print(f"exitcore report: {source}")
    print(f"  {len(result.dataset)} exit interviews, {result.rejected} rejected; groups under k = {args.k} withheld")
    for line in report.analysis.insight_texts(args.lang)[:5]:
        print(f"  - {line}")
    print(f"  written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
