"""``python -m exitcore report ...``: the main job from Python.

Mirrors ``cargo run --release --example report``: without ``--data`` it
reports on the synthetic organisation; with ``--data FILE --mapping FILE``
on your own export. Progress goes to stderr: on a terminal a live line per
stage (spinner and elapsed time), elsewhere one plain line per stage with
its time. Every user error ends with exit code 2 and one line.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

import exitcore


# The spinner's frames; \r returns to the line's start, ESC[K clears the rest.
_FRAMES = "|/-\\"


class _Progress:
    """Stage messages on stderr, with the time each took.

    On a terminal a thread redraws the running stage's line every 100 ms
    (the library releases the GIL while it works); elsewhere the stage's
    name is written when it starts and its result when it ends.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.started = time.monotonic()
        self.stage = self.started
        self.what = ""
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def start(self, what: str) -> None:
        self.stop()
        self.stage = time.monotonic()
        self.what = what
        if not self.live:
            self.stream.write(f"{what} ... ")
            self.stream.flush()
            return
        stop = threading.Event()

        def tick() -> None:
            frame = 0
            while not stop.is_set():
                elapsed = time.monotonic() - self.stage
                spinner = _FRAMES[frame % len(_FRAMES)]
                self.stream.write(f"\r{spinner} {what} {elapsed:.1f} s\x1b[K")
                self.stream.flush()
                frame += 1
                stop.wait(0.1)

        self._stop, self._thread = stop, threading.Thread(target=tick, daemon=True)
        self._thread.start()

    def done(self, detail: str) -> None:
        seconds = time.monotonic() - self.stage
        if self.stop():
            self.stream.write(f"{self.what} ... ")
        self.stream.write(f"{detail} ({seconds:.2f} s)\n")
        self.stream.flush()

    def stop(self) -> bool:
        """Stops and clears the live line, if any; whether there was one."""
        if self._thread is None or self._stop is None:
            return False
        self._stop.set()
        self._thread.join()
        self._stop = self._thread = None
        self.stream.write("\r\x1b[K")
        return True

    def fail(self) -> None:
        """Leaves a stage cut short by an error for the error line to end."""
        if self.stop():
            self.stream.write(f"{self.what} ... ")
            self.stream.flush()


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
    progress = _Progress(sys.stderr)
    try:
        return _report(args, progress)
    finally:
        progress.stop()


def _report(args: argparse.Namespace, progress: _Progress) -> int:
    try:
        policy = exitcore.Policy(k=args.k)
        stayers = None
        headcount: Any = args.headcount
        result: exitcore.LoadResult | exitcore.ImportResult
        if args.data is not None:
            progress.start(f"importing {args.data}")
            mapping = exitcore.Mapping.from_path(args.mapping)
            result = exitcore.Dataset.from_csv(args.data, mapping)
            progress.done(f"{len(result.dataset)} records, {result.rejected} rejected")
            source = str(args.data)
        else:
            progress.start(f"generating a synthetic organisation of {args.exits} exits")
            org = exitcore.generate(seed=args.seed, exits=args.exits)
            result = org.load()
            stayers = org.stayers
            if headcount is None:
                headcount = org.headcount
            progress.done("done")
            source = f"synthetic organisation (seed {args.seed})"
        progress.start("analysing")
        report = result.dataset.report(lang=args.lang, policy=policy, headcount=headcount, stayers=stayers)
        progress.done(f"{len(report.analysis.insight_texts(args.lang))} findings")
    except exitcore.ExitcoreError as e:
        progress.fail()
        print(f"error: {e}", file=sys.stderr)
        return 2
    out = Path(args.out or f"report.{args.format}")
    progress.start(f"writing {out}")
    body = {"html": report.to_html, "md": report.to_markdown, "json": report.to_json}[args.format]()
    try:
        out.write_text(body, encoding="utf-8")
    except OSError as e:
        progress.fail()
        print(f"error: cannot write {out}: {e}", file=sys.stderr)
        return 2
    progress.done(f"{(len(body.encode()) + 999) // 1000} kB")
    print(f"exitcore report: {source}")
    print(f"  {len(result.dataset)} exit interviews, {result.rejected} rejected; groups under k = {args.k} withheld")
    for line in report.analysis.insight_texts(args.lang)[:5]:
        print(f"  - {line}")
    print(f"  written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
