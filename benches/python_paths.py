"""Python-side timings: the report built from Python (to set beside
`examples/stages.rs`' `Report::build` row at the same size) and the ways
rows get into a data set from Python.

    python benches/python_paths.py --records 10000
    cargo run --release --example stages -- 10000      # the Rust side

Prints one line per measurement: the report with the same inputs as the
Rust example (default breakdowns, quarter trend, comments, headcount and
stayers, as dicts and as `Headcount` and `Stayers` read once), what
reading the headcount and staff dicts costs,
`SyntheticOrg.load()` (records handed over inside Rust),
`Dataset.from_records` on Python dicts, `Dataset.from_csv_bytes` on the
CSV text pandas would write, and `Dataset.from_arrow` / `exitcore.from_pandas`
/ `exitcore.from_polars` on the same rows as a table (read beforehand, not
timed), the design's "1M rows from pandas/polars through Arrow" (the
median and best of `--repeat` calls each; pandas both with object columns,
its classic default, and with pyarrow-backed text, pandas 3's default).
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Callable

import exitcore


class Took:
    """Wall-clock and CPU seconds (process time: on a busy machine, the time
    the single-threaded work would take on a quiet one)."""

    def __init__(self, wall: float, cpu: float) -> None:
        self.wall, self.cpu = wall, cpu

    def __str__(self) -> str:
        return f"{self.wall:.3f} s wall, {self.cpu:.3f} s cpu"


def timed(f: Callable[[], Any]) -> tuple[Any, Took]:
    start, cpu = time.perf_counter(), time.process_time()
    out = f()
    return out, Took(time.perf_counter() - start, time.process_time() - cpu)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--records", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--skip-report", action="store_true")
    # A million Python dicts take a minute to make and read, and leave the
    # heap so that the table timings after them run slower.
    p.add_argument("--skip-records", action="store_true")
    args = p.parse_args()
    org = exitcore.generate(seed=args.seed, exits=args.records)
    n = args.records
    ds, t = timed(lambda: org.load().dataset)
    print(f"{n} records: SyntheticOrg.load() (records stay in Rust): {t}")
    if not args.skip_report:
        headcount, stayers = org.headcount, org.stayers
        times = [timed(lambda: ds.report(headcount=headcount, stayers=stayers))[1] for _ in range(args.repeat)]
        best = Took(min(x.wall for x in times), min(x.cpu for x in times))
        print(f"{n} records: Dataset.report(headcount, stayers) from Python: {best} (best of {args.repeat})")
        # The same with the headcount and staff read once, as Rust's caller
        # holds a `Headcount` and a `&[Stayer]` across reports.
        once = exitcore.Headcount(headcount), exitcore.Stayers(stayers)
        times = [timed(lambda: ds.report(headcount=once[0], stayers=once[1]))[1] for _ in range(args.repeat)]
        best = Took(min(x.wall for x in times), min(x.cpu for x in times))
        print(f"{n} records: Dataset.report(Headcount, Stayers read once) from Python: {best} (best of {args.repeat})")
        # What reading the headcount rows and staff dicts costs: the report of
        # a 200-record data set with them minus without them (turnover and
        # survival on 200 records cost next to nothing).
        small = exitcore.generate(seed=args.seed, exits=200).load().dataset
        repeat = max(args.repeat, 5)
        with_ = min(timed(lambda: small.report(headcount=headcount, stayers=stayers))[1].cpu for _ in range(repeat))
        without = min(timed(lambda: small.report())[1].cpu for _ in range(repeat))
        print(
            f"{n} records: reading {len(headcount):,} headcount rows and {len(stayers):,} staff dicts: "
            f"{with_ - without:.3f} s cpu (200-record report with minus without them, best of {repeat})"
        )
    if not args.skip_records:
        records, t = timed(lambda: org.records)
        print(f"{n} records: SyntheticOrg.records as Python dicts: {t}")
        loaded, t = timed(lambda: exitcore.Dataset.from_records(org.questionnaire, records))
        print(f"{n} records: Dataset.from_records(list of dicts): {t} ({n / t.cpu:,.0f} records per cpu s)")
        del records, loaded
    csv = org.to_csv().encode()
    mapping = org.csv_mapping()
    out, t = timed(lambda: exitcore.Dataset.from_csv_bytes(csv, mapping))
    assert len(out.dataset) == n
    print(f"{n} records: Dataset.from_csv_bytes ({len(csv) / 1e6:.1f} MB): {t} ({len(csv) / 1e6 / t.cpu:.1f} MB per cpu s)")
    import io

    import pandas as pd
    import polars as pl
    import pyarrow.csv as pcsv

    def median_of(what: str, f: Callable[[], Any]) -> None:
        runs = []
        for _ in range(args.repeat):
            out, t = timed(f)
            assert len(out.dataset) == n
            runs.append(t)
        walls = sorted(x.wall for x in runs)
        cpus = sorted(x.cpu for x in runs)
        print(
            f"{n} records: {what}: {Took(walls[len(walls) // 2], cpus[len(cpus) // 2])} "
            f"(median of {args.repeat}; best {walls[0]:.3f} s wall)"
        )

    table = pcsv.read_csv(io.BytesIO(csv))
    median_of("Dataset.from_arrow (pyarrow table, typed columns)", lambda: exitcore.Dataset.from_arrow(table, mapping))
    del table
    # pandas 2's default: a Python str object per cell (dtype object).
    df = pd.read_csv(io.BytesIO(csv))
    median_of(
        "exitcore.from_pandas (object columns; DataFrame to Arrow included)",
        lambda: exitcore.from_pandas(df, mapping),
    )
    del df
    # pandas 3's default and pandas 2's dtype_backend="pyarrow": text held by Arrow.
    df = pd.read_csv(io.BytesIO(csv), dtype_backend="pyarrow")
    median_of(
        "exitcore.from_pandas (pyarrow-backed columns; DataFrame to Arrow included)",
        lambda: exitcore.from_pandas(df, mapping),
    )
    del df
    frame = pl.read_csv(io.BytesIO(csv))
    median_of("exitcore.from_polars", lambda: exitcore.from_polars(frame, mapping))

if __name__ == "__main__":
    main()
