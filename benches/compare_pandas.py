"""The analysis core side by side: exitcore, pandas + numpy + scipy +
statsmodels in their fastest vectorised forms, and polars for the parts it
can do; all on the same synthetic organisation, all checked to give the
same numbers (1e-9 relative) where they overlap.

    python benches/compare_pandas.py                     # 1,000,000 records
    python benches/compare_pandas.py --records 100000 --seed 7 --repeat 3

The analysis core (per org unit at every level of the tree, the whole
organisation and the exit quarter):
- reason shares with Wilson 95% intervals;
- chi-square of reasons x groups per org level, Cramér's V and adjusted
  standardized residuals;
- one-vs-rest 2x2 Fisher exact test per group and reason (groups of at least
  min_test_group = 20), Benjamini-Hochberg over every test;
- Likert means with t intervals, Mann-Whitney (tie- and continuity-corrected)
  of every group against the rest, Kruskal-Wallis across the groups of a level;
- eNPS with its Wald interval;
- Cochran-Armitage per reason over the quarters (R's prop.trend.test) and
  Mann-Kendall of the quarterly item means;
- k-suppression: groups of fewer than k = 5 masked.

exitcore runs `Dataset.analyse(by=[["org_unit"]], trend="quarter",
comments=False, insights=False, drivers=False)`: the analysis core, without
the insight sentences and the Likert drivers, which the pandas side has no
counterpart of. It still decides the release (k rule, homogeneity and
secondary suppression over all tables) and computes a few things the pandas
side does not (contributing reasons, early leavers, regrettable losses):
the comparison is, if anything, in pandas' favour. The full call (insights
and drivers too) is timed and printed beside it, not used in the ratios.

Which groups: exitcore withholds groups under k and, through secondary
suppression, some more; tests across groups use released groups only.
Replicating the secondary suppression in pandas is not reasonable (it is an
exact linear-algebra search over all tables), so the pandas side takes the
released group list from exitcore's result (outside the timed part) and
computes the plain k mask itself (timed, and checked to withhold nothing
exitcore releases). At 1M records every group is released anyway.

The data handoff is not timed: exitcore writes its records as CSV
(`SyntheticOrg.to_csv`), pandas reads the columns it needs and encodes them
as small integer codes, as exitcore's columnar data set holds them.

Timed parts print per part; the last line is
`exitcore_s=A pandas_s=B polars_s=C ratio_pandas=B/A ratio_polars=C/A`,
where ratio_polars divides by exitcore's time on the polars subset
(`exitcore_subset_s`, printed above it: the same analysis without the
trend, the smallest exitcore call that yields counts, shares, means and
masks).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

import exitcore

# The clock of every timing: wall-clock by default; `--clock cpu` takes the
# process's CPU time (all threads added up), which stays honest on a busy
# machine for the single-threaded exitcore and pandas sides but counts
# polars' parallel work in full.
CLOCK: list[Callable[[], float]] = [time.perf_counter]

REL = 1e-9
K = 5
MIN_TEST_GROUP = 20
CONFIDENCE = 0.95

LIKERT = [
    "leadership_support",
    "collaboration_team",
    "culture_values",
    "growth_opportunities",
    "pay_fair",
    "workload_manageable",
    "autonomy_influence",
    "recognition_valued",
    "onboarding_guidance",
    "role_clear",
]
LIKERT_POINTS = 5
ENPS_POINTS = 11


# --------------------------------------------------------------------------
# The data set, once


@dataclass
class Data:
    """The same records for all three: exitcore's data set, and the columns
    pandas and polars work on (integer codes, as exitcore stores them)."""

    org: Any
    dataset: Any
    reasons: list[str]
    # Org tree: names of the groups per level (paths joined by "/"), the
    # team of every record and each group's parent.
    level_names: list[list[str]]
    parent: list[np.ndarray]  # parent[l][g] = index at level l - 1
    team: np.ndarray  # int64, level-2 group of every record
    reason: np.ndarray  # int64, option index, -1 unanswered
    likert: dict[str, np.ndarray]  # int64, 1..5, 0 unanswered or n/a
    enps: np.ndarray  # int64, 0..10, -1 unanswered
    quarter: np.ndarray  # int64, period index, -1 unknown
    quarter_labels: list[str]
    frame: pd.DataFrame = field(repr=False)  # the same codes as a data frame


def build(records: int, seed: int) -> Data:
    """Generates the organisation, loads it into exitcore and hands the same
    rows to pandas through a CSV file (not timed)."""
    org = exitcore.generate(seed=seed, exits=records)
    dataset = org.load().dataset
    reasons = [o["id"] for o in _question(org, "primary_reason")["options"]]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "exits.csv")
        org.to_csv(path)
        raw = pd.read_csv(
            path,
            usecols=["division", "department", "team", "exit_date", "primary_reason", "enps", *LIKERT],
            dtype={"division": "category", "department": "category", "team": "category", "primary_reason": "category"},
            na_values={q: ["Not applicable"] for q in LIKERT},
            keep_default_na=True,
        )
    path2 = raw["division"].astype(str) + "/" + raw["department"].astype(str)
    path3 = path2 + "/" + raw["team"].astype(str)
    team, teams = pd.factorize(path3, sort=True)
    team_names = [str(t) for t in teams]
    dept_names = sorted({t.rsplit("/", 1)[0] for t in team_names})
    div_names = sorted({d.split("/", 1)[0] for d in dept_names})
    dept_of_team = np.array([dept_names.index(t.rsplit("/", 1)[0]) for t in team_names])
    div_of_dept = np.array([div_names.index(d.split("/", 1)[0]) for d in dept_names])
    reason = pd.Categorical(raw["primary_reason"], categories=reasons).codes.astype(np.int64)
    likert = {q: raw[q].fillna(0).to_numpy(dtype=np.int64) for q in LIKERT}
    enps = raw["enps"].fillna(-1).to_numpy(dtype=np.int64)
    dates = pd.to_datetime(raw["exit_date"], format="%Y-%m-%d")
    qkey = (dates.dt.year * 4 + (dates.dt.month - 1) // 3).to_numpy(dtype=np.int64)
    keys, quarter = np.unique(qkey, return_inverse=True)
    quarter_labels = [f"{k // 4}-Q{k % 4 + 1}" for k in keys]
    frame = pd.DataFrame(
        {
            "team": team.astype(np.int64),
            "dept": dept_of_team[team],
            "div": div_of_dept[dept_of_team[team]],
            "reason": reason,
            "enps": enps,
            "quarter": quarter.astype(np.int64),
            **{q: likert[q] for q in LIKERT},
        }
    )
    return Data(
        org=org,
        dataset=dataset,
        reasons=reasons,
        level_names=[div_names, dept_names, team_names],
        parent=[np.zeros(len(div_names), dtype=np.int64), div_of_dept, dept_of_team],
        team=team.astype(np.int64),
        reason=reason,
        likert=likert,
        enps=enps,
        quarter=quarter.astype(np.int64),
        quarter_labels=quarter_labels,
        frame=frame,
    )


def _question(org: Any, qid: str) -> dict[str, Any]:
    for q in org.questionnaire.to_dict()["questions"]:
        if q["id"] == qid:
            return dict(q)
    raise KeyError(qid)


# --------------------------------------------------------------------------
# exitcore


def run_exitcore(data: Data, trend: bool = True, full: bool = False) -> tuple[Any, float]:
    """The analysis core (`full`: with the insights and drivers as well)."""
    start = CLOCK[0]()
    analysis = data.dataset.analyse(
        [["org_unit"]], trend="quarter" if trend else None, comments=False, insights=full, drivers=full
    )
    return analysis, CLOCK[0]() - start


@dataclass
class Selection:
    """What exitcore released: per level, which groups; which quarters."""

    released: list[np.ndarray]  # bool per group per level
    quarters: np.ndarray  # bool per quarter


def selection(data: Data, a: dict[str, Any]) -> Selection:
    released = {tuple(v for _, v in g["key"]) for g in a["breakdowns"][0]["groups"] if g["n"] is not None}
    per_level = [np.array([(name,) in released for name in names]) for names in data.level_names]
    periods = {p["label"]: p["n"] is not None for p in a["trends"]["periods"]}
    quarters = np.array([periods.get(q, False) for q in data.quarter_labels])
    return Selection(per_level, quarters)


# --------------------------------------------------------------------------
# pandas + numpy + scipy + statsmodels, vectorised


def count_table(codes: np.ndarray, values: np.ndarray, groups: int, levels: int, offset: int = 0) -> np.ndarray:
    """groups x levels counts of (code, value) pairs; values outside
    [offset, offset + levels) are left out. np.bincount is the fastest form
    (pandas' groupby([...]).size().unstack() gives the same table, slower)."""
    v = values - offset
    ok = (v >= 0) & (v < levels)
    flat = np.bincount(codes[ok] * levels + v[ok], minlength=groups * levels)
    return flat.reshape(groups, levels)


def roll_up(team_table: np.ndarray, data: Data) -> list[np.ndarray]:
    """Tables per level (divisions, departments, teams) from the team table."""
    dept = np.zeros((len(data.level_names[1]),) + team_table.shape[1:], dtype=team_table.dtype)
    np.add.at(dept, data.parent[2], team_table)
    div = np.zeros((len(data.level_names[0]),) + team_table.shape[1:], dtype=team_table.dtype)
    np.add.at(div, data.parent[1], dept)
    return [div, dept, team_table]


def wilson(count: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = proportion_confint(count, n, alpha=1 - CONFIDENCE, method="wilson")
    return np.asarray(lo), np.asarray(hi)


def likert_summary(c: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, sd and t interval from counts per level (last axis)."""
    points = np.arange(1, c.shape[-1] + 1, dtype=float)
    n = c.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (c * points).sum(axis=-1) / n
        var = (c * (points - mean[..., None]) ** 2).sum(axis=-1) / (n - 1)
        sd = np.sqrt(var)
        half = stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * sd / np.sqrt(n)
    return {"n": n, "mean": mean, "sd": sd, "lower": mean - half, "upper": mean + half}


def mann_whitney_vs_rest(group: np.ndarray, total: np.ndarray) -> dict[str, np.ndarray]:
    """Mann-Whitney U of every group (rows) against the rest (total - group),
    from level counts: the midranks are those of the whole organisation, so
    one pass gives every group. Tie-corrected, continuity-corrected,
    two-sided asymptotic p, as scipy.stats.mannwhitneyu(method="asymptotic")."""
    below = np.concatenate(([0], np.cumsum(total)[:-1]))
    twice_midrank = 2 * below + total + 1  # integers
    n1 = group.sum(axis=-1)
    n = total.sum()
    n2 = n - n1
    twice_r1 = (group * twice_midrank).sum(axis=-1)
    doubled_u = twice_r1 - n1 * (n1 + 1)
    nn = (n1 * n2).astype(float)
    u_max = np.maximum(doubled_u, 2 * n1 * n2 - doubled_u) / 2.0
    ties = float((total.astype(float) ** 3 - total).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        var = nn / 12.0 * ((n + 1) - ties / (n * (n - 1)))
        z = (u_max - nn / 2.0 - 0.5) / np.sqrt(var)
        p = np.minimum(2 * stats.norm.sf(z), 1.0)
        rb = 1.0 - doubled_u / nn
    p = np.where(var > 0, p, np.nan)
    return {"p": p, "rank_biserial": rb, "u": doubled_u / 2.0}


def kruskal_from_counts(table: np.ndarray) -> tuple[float, float, int]:
    """Kruskal-Wallis H (tie-corrected) from a groups x levels table."""
    table = table[table.sum(axis=1) > 0]
    total = table.sum(axis=0)
    n = total.sum()
    below = np.concatenate(([0], np.cumsum(total)[:-1]))
    twice_midrank = 2 * below + total + 1
    size = table.sum(axis=1)
    dev = (table * twice_midrank).sum(axis=1) - size * (n + 1)  # 2 (R_g - n_g (N + 1) / 2)
    between = (dev.astype(float) ** 2 / (4.0 * size)).sum()
    nf = float(n)
    ties = 1.0 - float((total.astype(float) ** 3 - total).sum()) / (nf**3 - nf)
    h = 12.0 / (nf * (nf + 1.0)) * between / ties
    dof = len(table) - 1
    return h, float(stats.chi2.sf(h, dof)), dof


def enps_from_counts(c: np.ndarray) -> dict[str, np.ndarray]:
    n = c.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pp = c[..., 9:].sum(axis=-1) / n
        pd_ = c[..., :7].sum(axis=-1) / n
        score = 100 * (pp - pd_)
        half = stats.norm.ppf(0.5 + CONFIDENCE / 2) * 100 * np.sqrt((pp + pd_ - (pp - pd_) ** 2) / n)
    return {"score": score, "lower": np.maximum(-100.0, score - half), "upper": np.minimum(100.0, score + half)}


def chi_square(table: np.ndarray) -> dict[str, Any]:
    keep = table.sum(axis=0) > 0
    t = table[:, keep]
    chi2, p, dof, expected = stats.chi2_contingency(t, correction=False)
    n = t.sum()
    rows = t.sum(axis=1, keepdims=True)
    cols = t.sum(axis=0, keepdims=True)
    resid = (t - expected) / np.sqrt(expected * (1 - rows / n) * (1 - cols / n))
    v = math.sqrt(chi2 / (n * (min(t.shape) - 1)))
    return {"statistic": chi2, "p": p, "dof": dof, "cramers_v": v, "residuals": resid, "keep": keep}


def fisher_exact_2x2(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Fisher exact test of many 2x2 tables [[a, b], [c, d]] at
    once, in numpy: the hypergeometric weights of the top-left cell relative
    to the mode, as cumulative products of P(x + 1) / P(x) outward from the
    mode, over a window of 40 standard deviations each way (beyond it they
    underflow to 0); the p-value is the mass of the points no more likely
    than the observed one (tolerance 1e-14, as scipy.stats.fisher_exact).
    Tables with an empty row or column get NaN (scipy says p = 1; exitcore
    leaves such tests out). Checked against scipy.stats.fisher_exact.

    scipy's own algorithm (hypergeom.cdf/sf plus a binary search for the
    other tail), vectorised over the tables, took 3 s for the 3,375 tables
    at 100k records; this form takes a fraction of that."""
    shape = np.shape(a)
    a, b, c, d = (np.asarray(x, dtype=np.int64).ravel() for x in (a, b, c, d))
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where((c > 0) & (b > 0), (a * d).astype(float) / (c * b), np.inf)
    r1, r2, c1 = a + b, c + d, a + c
    total = r1 + r2
    p = np.full(a.shape, np.nan)
    ok = (r1 > 0) & (r2 > 0) & (c1 > 0) & (b + d > 0)
    idx = np.flatnonzero(ok)
    if idx.size:
        r1, r2, c1, total, x0 = r1[idx], r2[idx], c1[idx], total[idx], a[idx]
        lo = np.maximum(0, c1 - r2)
        hi = np.minimum(r1, c1)
        mode = np.clip(((c1 + 1) * (r1 + 1)) // (total + 2), lo, hi)
        tf = total.astype(float)
        sd = np.sqrt(r1 * (c1 / tf) * (1 - c1 / tf) * (tf - r1) / np.maximum(tf - 1, 1))
        reach = np.ceil(40 * sd + 10).astype(np.int64)
        right_n = np.minimum(hi - mode, np.maximum(reach, x0 - mode))
        left_n = np.minimum(mode - lo, np.maximum(reach, mode - x0))
        f1, f2, fc1 = r1.astype(float), r2.astype(float), c1.astype(float)

        def ratio(x: np.ndarray) -> np.ndarray:
            # P(x + 1) / P(x) for the top-left cell.
            return (f1[:, None] - x) * (fc1[:, None] - x) / ((x + 1) * (f2[:, None] - fc1[:, None] + x + 1))

        # Right of the mode: w[k] = P(mode + k) / P(mode), k = 0..right_n.
        k = np.arange(int(right_n.max()) + 1, dtype=float)[None, :]
        steps = ratio(mode[:, None] + k[:, :-1])
        steps = np.where(k[:, 1:] <= right_n[:, None], steps, 0.0)
        right = np.concatenate([np.ones((len(idx), 1)), np.cumprod(steps, axis=1)], axis=1)
        # Left of the mode: w[k] = P(mode - 1 - k) / P(mode), k = 0..left_n - 1.
        k = np.arange(max(int(left_n.max()), 1), dtype=float)[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            steps = 1.0 / ratio(mode[:, None] - 1 - k)
        steps = np.where(k < left_n[:, None], steps, 0.0)
        left = np.cumprod(steps, axis=1)
        rows = np.arange(len(idx))
        observed = np.where(
            x0 >= mode,
            right[rows, np.minimum(x0 - mode, right.shape[1] - 1)],
            left[rows, np.clip(mode - 1 - x0, 0, left.shape[1] - 1)],
        )
        threshold = (observed * (1 + 1e-14))[:, None]
        mass = right.sum(axis=1) + left.sum(axis=1)
        tail = np.where(right <= threshold, right, 0.0).sum(axis=1) + np.where(left <= threshold, left, 0.0).sum(axis=1)
        pv = np.minimum(tail / mass, 1.0)
        pv[np.abs(observed - 1.0) <= 1e-14 * np.maximum(observed, 1.0)] = 1.0
        p[idx] = pv
    return odds.reshape(shape), p.reshape(shape)


def cochran_armitage(x: np.ndarray, n: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R's prop.trend.test for every column of x (periods x reasons) at once;
    returns the signed z (positive: rising) and the p-value."""
    big_n = n.sum()
    p = x.sum(axis=0) / big_n
    s_bar = (n * scores).sum() / big_n
    dev = scores - s_bar
    num = (dev[:, None] * (x - n[:, None] * p)).sum(axis=0)
    spread = (n * dev**2).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        z = num / np.sqrt(p * (1 - p) * spread)
    return z, stats.chi2.sf(z * z, 1)


def mann_kendall(series: np.ndarray) -> dict[str, float]:
    """Mann-Kendall S, z (continuity-corrected, tie-corrected variance),
    two-sided p and Kendall's tau, as pymannkendall.original_test."""
    x = series
    n = len(x)
    diff = np.sign(x[None, :] - x[:, None])
    s = float(np.triu(diff, 1).sum())
    _, counts = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - (counts * (counts - 1) * (2 * counts + 5)).sum()) / 18.0
    z = (s - np.sign(s)) / math.sqrt(var) if s != 0 else 0.0
    return {"s": s, "z": z, "p": float(2 * stats.norm.sf(abs(z))), "tau": s / (0.5 * n * (n - 1))}


@dataclass
class PandasResult:
    levels: list[dict[str, Any]]  # per org level
    overall: dict[str, Any]
    findings: dict[tuple[Any, ...], dict[str, float]]
    trend: dict[str, Any]
    masked: list[np.ndarray]  # k mask per level
    parts: dict[str, float]


def pandas_core(data: Data, sel: Selection) -> PandasResult:
    parts: dict[str, float] = {}
    clock = [CLOCK[0]()]

    def lap(name: str) -> None:
        now = CLOCK[0]()
        parts[name] = parts.get(name, 0.0) + now - clock[0]
        clock[0] = now

    teams = len(data.level_names[2])
    nq = len(data.quarter_labels)
    r = len(data.reasons)
    # Counts: team x level for every question, quarter x level for the trend.
    reason_t = roll_up(count_table(data.team, data.reason, teams, r), data)
    likert_t = {q: roll_up(count_table(data.team, data.likert[q], teams, LIKERT_POINTS, 1), data) for q in LIKERT}
    enps_t = roll_up(count_table(data.team, data.enps, teams, ENPS_POINTS), data)
    size = roll_up(np.bincount(data.team, minlength=teams), data)
    reason_q = count_table(data.quarter, data.reason, nq, r)
    likert_q = {q: count_table(data.quarter, data.likert[q], nq, LIKERT_POINTS, 1) for q in LIKERT}
    reason_all = reason_t[0].sum(axis=0)
    likert_all = {q: likert_t[q][0].sum(axis=0) for q in LIKERT}
    enps_all = enps_t[0].sum(axis=0)
    lap("counts")
    masked = [s < K for s in size]
    lap("k-suppression")
    overall: dict[str, Any] = {"n": int(size[0].sum())}
    answered_all = reason_all.sum()
    overall["share"] = reason_all / answered_all
    overall["lower"], overall["upper"] = wilson(reason_all, np.full(r, answered_all))
    levels: list[dict[str, Any]] = []
    for lv in range(3):
        answered = reason_t[lv].sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = reason_t[lv] / answered
        lo, hi = wilson(reason_t[lv], np.broadcast_to(answered, reason_t[lv].shape))
        levels.append({"n": size[lv], "count": reason_t[lv], "share": share, "lower": lo, "upper": hi})
    lap("shares + Wilson")
    overall["items"] = {q: likert_summary(likert_all[q]) for q in LIKERT}
    for lv in range(3):
        levels[lv]["items"] = {}
        for q in LIKERT:
            s = likert_summary(likert_t[q][lv])
            rest = likert_all[q][None, :] - likert_t[q][lv]
            with np.errstate(invalid="ignore", divide="ignore"):
                s["rest_mean"] = (rest * np.arange(1, LIKERT_POINTS + 1)).sum(axis=1) / rest.sum(axis=1)
            levels[lv]["items"][q] = s
    lap("Likert means + t intervals")
    for lv in range(3):
        for q in LIKERT:
            levels[lv]["items"][q].update(mann_whitney_vs_rest(likert_t[q][lv], likert_all[q]))
    lap("Mann-Whitney vs rest")
    for lv in range(3):
        rel = sel.released[lv]
        levels[lv]["kruskal"] = {q: kruskal_from_counts(likert_t[q][lv][rel]) for q in LIKERT} if rel.sum() >= 2 else {}
    lap("Kruskal-Wallis")
    overall["enps"] = enps_from_counts(enps_all)
    for lv in range(3):
        levels[lv]["enps"] = enps_from_counts(enps_t[lv])
    lap("eNPS")
    for lv in range(3):
        rel = sel.released[lv]
        levels[lv]["chi"] = chi_square(reason_t[lv][rel]) if rel.sum() >= 2 else None
    lap("chi-square + residuals")
    # One-vs-rest Fisher for every released group of at least min_test_group.
    rows = []
    for lv in range(3):
        for g in np.flatnonzero(sel.released[lv] & (size[lv] >= MIN_TEST_GROUP)):
            rows.append((lv, g))
    lv_idx = np.array([x[0] for x in rows], dtype=np.int64)
    counts = np.stack([reason_t[lv][g] for lv, g in rows]) if rows else np.zeros((0, r), dtype=np.int64)
    answered = counts.sum(axis=1, keepdims=True)
    rest = reason_all[None, :] - counts
    rest_answered = answered_all - answered
    a_, b_ = counts, answered - counts
    c_, d_ = rest, rest_answered - rest
    usable = (rest_answered > 0) & (reason_all[None, :] > 0)
    # One call per org level: the windows of weights grow with group size.
    odds = np.full(counts.shape, np.nan)
    fp = np.full(counts.shape, np.nan)
    for lv in range(3):
        at = lv_idx == lv
        if at.any():
            odds[at], fp[at] = fisher_exact_2x2(a_[at], b_[at], c_[at], d_[at])
    fp = np.where(usable, fp, np.nan)
    lap("Fisher one-vs-rest")
    # Trends over the released quarters, scored by position on the time line.
    qs = np.flatnonzero(sel.quarters)
    scores = qs.astype(float)
    x = reason_q[qs]
    nqs = x.sum(axis=1)
    z, ca_p = cochran_armitage(x, nqs, scores)
    trend: dict[str, Any] = {"z": z, "p": ca_p, "mk": {}}
    for q in LIKERT:
        c = likert_q[q][qs]
        with_answers = c.sum(axis=1) > 0
        means = likert_summary(c[with_answers])["mean"]
        trend["mk"][q] = mann_kendall(means)
    lap("Cochran-Armitage + Mann-Kendall")
    # Benjamini-Hochberg over every test, as exitcore does.
    findings: dict[tuple[Any, ...], dict[str, float]] = {}
    for t, (lv, g) in enumerate(rows):
        for o in range(r):
            if not math.isnan(fp[t, o]):
                findings[("reason", lv, int(g), data.reasons[o])] = {"p": float(fp[t, o]), "odds_ratio": float(odds[t, o])}
        for q in LIKERT:
            it = levels[lv]["items"][q]
            if it["n"][g] > 0 and not math.isnan(it["p"][g]):
                findings[("item", lv, int(g), q)] = {"p": float(it["p"][g]), "rank_biserial": float(it["rank_biserial"][g])}
    for o, name in enumerate(data.reasons):
        if not math.isnan(ca_p[o]):
            findings[("reason_trend", name)] = {"p": float(ca_p[o]), "z": float(z[o])}
    for q in LIKERT:
        mk = trend["mk"][q]
        if not math.isnan(mk["p"]):
            findings[("item_trend", q)] = {"p": mk["p"], "tau": mk["tau"]}
    keys = list(findings)
    if keys:
        _, qv, _, _ = multipletests([findings[k]["p"] for k in keys], method="fdr_bh")
        for k, v in zip(keys, qv):
            findings[k]["q"] = float(v)
    lap("Benjamini-Hochberg")
    return PandasResult(levels, overall, findings, trend, masked, parts)


# --------------------------------------------------------------------------
# polars: counts, shares, means, suppression masks


def polars_core(pl: Any, frame: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for lv, col in enumerate(["div", "dept", "team"]):
        n = frame.group_by(col).agg(pl.len().alias("n"))
        counts = (
            frame.filter(pl.col("reason") >= 0)
            .group_by([col, "reason"])
            .agg(pl.len().alias("count"))
            .join(n, on=col)
            .with_columns((pl.col("count") / pl.col("n")).alias("share"))
        )
        means = frame.group_by(col).agg(
            [pl.col(q).filter(pl.col(q) > 0).mean().alias(q) for q in LIKERT]
        )
        mask = n.with_columns((pl.col("n") < K).alias("masked"))
        out[col] = {"counts": counts, "means": means, "mask": mask}
    return out


def pandas_subset(data: Data) -> dict[str, Any]:
    """The polars subset in pandas, for reference (not in the ratios)."""
    teams = len(data.level_names[2])
    size = roll_up(np.bincount(data.team, minlength=teams), data)
    reason_t = roll_up(count_table(data.team, data.reason, teams, len(data.reasons)), data)
    means = {q: [likert_summary(t)["mean"] for t in roll_up(count_table(data.team, data.likert[q], teams, LIKERT_POINTS, 1), data)] for q in LIKERT}
    return {"n": size, "share": [c / s[:, None] for c, s in zip(reason_t, size)], "means": means, "masked": [s < K for s in size]}


# --------------------------------------------------------------------------
# Checks


class Mismatch(AssertionError):
    """Numbers that differ; `compared` counts every number checked, `failed`
    the comparisons that failed."""

    def __init__(self, message: str, compared: int = 0, failed: int = 0) -> None:
        super().__init__(message)
        self.compared = compared
        self.failed = failed


@dataclass
class Checker:
    compared: int = 0
    problems: list[str] = field(default_factory=list)

    def close(self, what: str, ours: Any, ref: Any, rel: float = REL, abs_: float = 1e-12) -> None:
        """Equal within `rel` relative, or `abs_` absolute for values near
        zero (an interval end of 0 computed as 1e-17); NaN equals NaN."""
        a = np.asarray(ours, dtype=float)
        b = np.asarray(ref, dtype=float)
        if a.shape != b.shape:
            self.problems.append(f"{what}: shapes {a.shape} and {b.shape}")
            return
        both_nan = np.isnan(a) & np.isnan(b)
        ok = both_nan | np.isclose(a, b, rtol=rel, atol=abs_) | ((a == b) & np.isinf(a))
        self.compared += int(a.size)
        if not ok.all():
            i = np.flatnonzero(~ok.ravel())[0]
            self.problems.append(f"{what}: {a.ravel()[i]!r} != {b.ravel()[i]!r} ({int((~ok).sum())} of {a.size})")

    def equal(self, what: str, ours: Any, ref: Any) -> None:
        self.compared += 1
        if ours != ref:
            self.problems.append(f"{what}: {ours!r:.300} != {ref!r:.300}")

    def done(self) -> int:
        if self.problems:
            raise Mismatch("\n".join(self.problems[:20]), self.compared, len(self.problems))
        return self.compared


def _nan(x: Any) -> float:
    return math.nan if x is None else float(x)


def check(data: Data, a: dict[str, Any], res: PandasResult, sel: Selection) -> int:
    """exitcore's numbers (from its result dict) against the pandas side."""
    ck = Checker()
    index = [{name: i for i, name in enumerate(names)} for names in data.level_names]
    # The k mask withholds nothing exitcore releases, and exitcore withholds
    # every group under k.
    for lv in range(3):
        ck.equal(f"level {lv}: a group under k released", bool((res.masked[lv] & sel.released[lv]).any()), False)
    ov = a["overall"]
    ck.equal("overall n", ov["n"], res.overall["n"])
    ck.close("overall shares", [s["share"] for s in ov["primary_reasons"]], res.overall["share"])
    ck.close("overall Wilson lower", [s["interval"]["lower"] for s in ov["primary_reasons"]], res.overall["lower"])
    ck.close("overall Wilson upper", [s["interval"]["upper"] for s in ov["primary_reasons"]], res.overall["upper"])
    for item in ov["items"]:
        ref = res.overall["items"][item["question"]]
        m = item["mean"]
        ck.close(f"overall {item['question']} mean/sd/interval", [m["mean"], m["sd"], m["interval"]["lower"], m["interval"]["upper"]], [ref["mean"], ref["sd"], ref["lower"], ref["upper"]])
    e = ov["enps"]
    ref_e = res.overall["enps"]
    ck.close("overall eNPS", [e["score"], e["interval"]["lower"], e["interval"]["upper"]], [ref_e["score"], ref_e["lower"], ref_e["upper"]])
    groups = [g for g in a["breakdowns"][0]["groups"] if g["n"] is not None]
    ck.equal("released groups", len(groups), int(sum(s.sum() for s in sel.released)))
    for g in groups:
        label = g["key"][0][1]
        lv = label.count("/")
        i = index[lv][label]
        L = res.levels[lv]
        ck.equal(f"{label} n", g["n"], int(L["n"][i]))
        ck.close(f"{label} counts", [s["count"] for s in g["primary_reasons"]], L["count"][i])
        ck.close(f"{label} shares", [s["share"] for s in g["primary_reasons"]], L["share"][i])
        ck.close(f"{label} Wilson", [[s["interval"]["lower"], s["interval"]["upper"]] for s in g["primary_reasons"]], np.stack([L["lower"][i], L["upper"][i]], axis=1))
        for item in g["items"]:
            q = item["question"]
            ref = L["items"][q]
            m = item["mean"]
            ck.close(
                f"{label} {q} mean/sd/interval/rest mean",
                [m["mean"], m["sd"], m["interval"]["lower"], m["interval"]["upper"], _nan(item["rest_mean"])],
                [ref["mean"][i], ref["sd"][i], ref["lower"][i], ref["upper"][i], ref["rest_mean"][i]],
            )
            mw = item["vs_rest"]
            ck.close(f"{label} {q} Mann-Whitney U/p/rank-biserial", [mw["u"], _nan(mw["p_value"]), mw["rank_biserial"]], [ref["u"][i], ref["p"][i], ref["rank_biserial"][i]])
        e = g["enps"]
        ref_e = L["enps"]
        ck.close(f"{label} eNPS", [e["score"], e["interval"]["lower"], e["interval"]["upper"]], [ref_e["score"][i], ref_e["lower"][i], ref_e["upper"][i]])
    for t in a["breakdowns"][0]["reasons"]:
        lv = t["level"]
        chi = res.levels[lv]["chi"]
        # exitcore lists a level's groups in data order, pandas in name order.
        labels = [k[0][1] for k in t["groups"]]
        ours_names = [n for n, r in zip(data.level_names[lv], sel.released[lv]) if r]
        ck.equal(f"level {lv} chi-square groups", sorted(labels), ours_names)
        c = t["chi_square"]
        ck.close(f"level {lv} chi-square", [c["statistic"], c["p_value"], c["cramers_v"]], [chi["statistic"], chi["p"], chi["cramers_v"]])
        ck.equal(f"level {lv} chi-square dof", c["dof"], chi["dof"])
        order = [ours_names.index(name) for name in labels] if sorted(labels) == ours_names else list(range(len(labels)))
        ck.close(f"level {lv} adjusted residuals", np.array(t["residuals"])[:, chi["keep"]], chi["residuals"][order])
    for t in a["breakdowns"][0]["items"]:
        h, p, dof = res.levels[t["level"]]["kruskal"][t["question"]]
        kw = t["kruskal_wallis"]
        ck.close(f"level {t['level']} {t['question']} Kruskal-Wallis", [kw["statistic"], kw["p_value"]], [h, p])
        ck.equal(f"level {t['level']} {t['question']} Kruskal-Wallis dof", kw["dof"], dof)
    tr = a["trends"]
    for o, rt in enumerate(tr["reasons"]):
        ck.close(f"trend {rt['option']} Cochran-Armitage z/p", [rt["test"]["z"], rt["test"]["p_value"]], [res.trend["z"][o], res.trend["p"][o]])
    for it in tr["items"]:
        mk = res.trend["mk"][it["question"]]
        ck.close(f"trend {it['question']} Mann-Kendall", [it["test"]["s"], it["test"]["z"], it["test"]["p_value"], it["test"]["tau"]], [mk["s"], mk["z"], mk["p"], mk["tau"]])
    # Findings: the same set of tests, the same p, effect and BH q.
    ours: dict[tuple[Any, ...], dict[str, Any]] = {}
    for f in a["findings"]:
        if f["kind"] in ("reason", "item"):
            label = f["key"][0][1]
            lv = label.count("/")
            key: tuple[Any, ...] = (f["kind"], lv, index[lv][label], f["option"] if f["kind"] == "reason" else f["question"])
        elif f["kind"] == "reason_trend":
            key = ("reason_trend", f["option"])
        else:
            key = ("item_trend", f["question"])
        ours[key] = f
    ck.equal("finding keys", sorted(map(str, ours)), sorted(map(str, res.findings)))
    for key, ref in res.findings.items():
        f = ours.get(key)
        if f is None:
            continue
        effect = {"reason": "odds_ratio", "item": "rank_biserial", "reason_trend": "z", "item_trend": "tau"}[key[0]]
        ck.close(f"finding {key} p/q", [f["p_value"], f["q_value"]], [ref["p"], ref["q"]])
        ck.close(f"finding {key} {effect}", f[effect], ref[effect])
    return ck.done()


def check_vectorised_against_scipy(data: Data, res: PandasResult, sel: Selection) -> int:
    """The vectorised forms above against scipy's own functions on the
    expanded samples, for a few groups (not timed)."""
    ck = Checker()
    teams = len(data.level_names[2])
    rng = np.random.default_rng(0)
    for lv in range(3):
        cand = np.flatnonzero(sel.released[lv] & (res.levels[lv]["n"] >= MIN_TEST_GROUP))
        for g in rng.choice(cand, size=min(3, cand.size), replace=False):
            member = _members(data, lv, int(g))
            for q in LIKERT[:3]:
                x = data.likert[q][member]
                y = data.likert[q][~member]
                x, y = x[x > 0], y[y > 0]
                mw = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
                ck.close(f"Mann-Whitney vs scipy ({lv}, {g}, {q})", res.levels[lv]["items"][q]["p"][g], mw.pvalue)
            rc = data.reason[member]
            rr = data.reason[~member]
            rc, rr = rc[rc >= 0], rr[rr >= 0]
            for o in range(0, len(data.reasons), 4):
                x1, y1 = int((rc == o).sum()), int((rr == o).sum())
                odds, p = stats.fisher_exact([[x1, len(rc) - x1], [y1, len(rr) - y1]])
                odds_v, p_v = fisher_exact_2x2(np.array([x1]), np.array([len(rc) - x1]), np.array([y1]), np.array([len(rr) - y1]))
                ck.close(f"Fisher vs scipy ({lv}, {g}, {data.reasons[o]})", [odds_v[0], p_v[0]], [odds, p])
        rel = np.flatnonzero(sel.released[lv])
        if rel.size >= 2:
            q = LIKERT[0]
            samples = [data.likert[q][_members(data, lv, int(g))] for g in rel]
            h, p = stats.kruskal(*[s[s > 0] for s in samples])
            ck.close(f"Kruskal-Wallis vs scipy (level {lv})", res.levels[lv]["kruskal"][q][:2], [h, p])
    # Mann-Kendall against pymannkendall, when installed.
    try:
        import pymannkendall
    except ImportError:
        pymannkendall = None
    if pymannkendall is not None:
        qs = np.flatnonzero(sel.quarters)
        for q in LIKERT:
            c = count_table(data.quarter, data.likert[q], len(data.quarter_labels), LIKERT_POINTS, 1)[qs]
            series = likert_summary(c[c.sum(axis=1) > 0])["mean"]
            mk = pymannkendall.original_test(series)
            ours = res.trend["mk"][q]
            ck.close(f"Mann-Kendall vs pymannkendall ({q})", [ours["s"], ours["z"], ours["tau"]], [mk.s, mk.z, mk.Tau])
    # Counting: np.bincount against pandas' groupby().size().unstack().
    ref = data.frame[data.frame["reason"] >= 0].groupby(["team", "reason"]).size().unstack(fill_value=0)
    ours = count_table(data.team, data.reason, teams, len(data.reasons))
    ck.close("bincount vs groupby().size().unstack()", ours[ref.index.to_numpy()][:, ref.columns.to_numpy()], ref.to_numpy())
    return ck.done()


def _members(data: Data, lv: int, g: int) -> np.ndarray:
    col = ["div", "dept", "team"][lv]
    return np.asarray(data.frame[col].to_numpy() == g)


def check_polars(pl: Any, data: Data, out: dict[str, Any], res: PandasResult) -> int:
    ck = Checker()
    for lv, col in enumerate(["div", "dept", "team"]):
        n = out[col]["mask"].sort(col)
        ck.close(f"polars n level {lv}", n["n"].to_numpy(), res.levels[lv]["n"][n[col].to_numpy()])
        ck.equal(f"polars k mask level {lv}", n["masked"].to_list(), list(res.masked[lv][n[col].to_numpy()]))
        counts = out[col]["counts"]
        share = np.zeros_like(res.levels[lv]["share"])
        share[counts[col].to_numpy(), counts["reason"].to_numpy()] = counts["share"].to_numpy()
        # exitcore's shares are over those who answered; every record answers
        # the (required) primary reason, so n is that count here.
        ck.close(f"polars shares level {lv}", share, np.nan_to_num(res.levels[lv]["share"]))
        means = out[col]["means"].sort(col)
        for q in LIKERT:
            ck.close(f"polars {q} means level {lv}", means[q].to_numpy(), res.levels[lv]["items"][q]["mean"][means[col].to_numpy()])
    return ck.done()


# --------------------------------------------------------------------------


def best(repeat: int, f: Callable[[], Any]) -> tuple[Any, float]:
    times = []
    out = None
    for _ in range(repeat):
        start = CLOCK[0]()
        out = f()
        times.append(CLOCK[0]() - start)
    return out, min(times)


@dataclass
class Outcome:
    exitcore_s: float
    exitcore_subset_s: float
    pandas_s: float
    pandas_subset_s: float
    polars_s: float
    compared: int
    parts: dict[str, float]
    mismatches: int


def compare(
    records: int, seed: int, repeat: int = 3, use_polars: bool = True, out: Any = sys.stdout, strict: bool = False
) -> Outcome:
    """Builds the data, times the three sides and checks them. With
    `strict`, any mismatch raises `Mismatch`; otherwise mismatches are printed
    and counted in `Outcome.mismatches`."""
    def say(*args: Any) -> None:
        print(*args, file=out, flush=True)

    start = time.perf_counter()
    data = build(records, seed)
    say(f"data: {records} records, seed {seed}; {len(data.level_names[2])} teams, {len(data.quarter_labels)} quarters; handoff {time.perf_counter() - start:.1f} s (not timed)")

    # The pandas side needs the groups exitcore released (not timed).
    first, first_s = run_exitcore(data)
    a = first.to_dict()
    sel = selection(data, a)
    # Each side's calls run back to back (warm, as a notebook would call
    # them), and the whole round runs twice, the best of both counting for
    # each side: right after the data are built, whichever side ran first
    # was at times up to twice as slow for a while (the machine reclaiming
    # memory), which one round could not tell from the side's own speed.
    times = [first_s]
    pandas_times: list[float] = []
    parts_runs = []
    subset_times: list[float] = []
    full_times: list[float] = []
    pandas_subset_times: list[float] = []
    res = None
    for round_ in range(2):
        for i in range(repeat):
            if round_ > 0 or i > 0:
                times.append(run_exitcore(data)[1])
        subset_times += [run_exitcore(data, trend=False)[1] for _ in range(repeat)]
        full_times += [run_exitcore(data, full=True)[1] for _ in range(repeat)]
        for _ in range(repeat):
            t0 = CLOCK[0]()
            res = pandas_core(data, sel)
            pandas_times.append(CLOCK[0]() - t0)
            parts_runs.append(res.parts)
        pandas_subset_times.append(best(repeat, lambda: pandas_subset(data))[1])
    assert res is not None
    exitcore_s = min(times)
    exitcore_subset_s = min(subset_times)
    exitcore_full_s = min(full_times)
    pandas_s = min(pandas_times)
    parts = {k: min(p[k] for p in parts_runs) for k in parts_runs[0]}
    pandas_subset_s = min(pandas_subset_times)

    polars_s = math.nan
    pl = None
    if use_polars:
        import polars as pl

        frame = pl.from_pandas(data.frame)
        pout, polars_s = best(2 * repeat, lambda: polars_core(pl, frame))

    checks: list[tuple[str, Callable[[], int]]] = [
        ("exitcore vs pandas/scipy", lambda: check(data, a, res, sel)),
        ("vectorised forms vs scipy's own functions", lambda: check_vectorised_against_scipy(data, res, sel)),
    ]
    if pl is not None:
        checks.append(("polars vs pandas", lambda: check_polars(pl, data, pout, res)))
    compared = 0
    failures = []
    for name, run in checks:
        try:
            compared += run()
        except Mismatch as e:
            compared += e.compared
            failures.append(f"{name}: {e.failed} comparisons differ, the first:\n{e}")
    if failures and strict:
        raise Mismatch("\n".join(failures))
    for f in failures:
        say(f"MISMATCH {f}")
    state = "agree" if not failures else "compared, with the mismatches above"
    say(f"checked: {compared} numbers {state} (within {REL:g} relative; exitcore = pandas/scipy = polars where they overlap)")
    # The first call of each side pays for what later calls reuse (exitcore
    # remembers t quantiles; pandas and numpy warm their own caches): shown,
    # though the ratios use the best.
    say(f"exitcore analyse (by org unit, quarter trend; comments, insights and drivers off): {exitcore_s:.4f} s (best of {2 * repeat} in two rounds; first call {times[0]:.4f} s)")
    say(f"exitcore analyse with insights and drivers as well (not in the ratios): {exitcore_full_s:.4f} s (best of {2 * repeat}), {pandas_s / exitcore_full_s:.1f}x pandas")
    say("pandas + numpy + scipy + statsmodels, per part (best of each):")
    for k, v in parts.items():
        say(f"  {k:<34} {v:.4f} s")
    say(f"  {'total':<34} {pandas_s:.4f} s (first run {pandas_times[0]:.4f} s)")
    say(f"polars subset (counts, shares, means, k masks): {polars_s:.4f} s; the same in pandas/numpy: {pandas_subset_s:.4f} s")
    say(f"exitcore_subset_s={exitcore_subset_s:.4f} (analyse without the trend: the smallest call that gives counts, shares, means and masks)")
    ratio_pandas = pandas_s / exitcore_s
    ratio_polars = polars_s / exitcore_subset_s
    say(f"exitcore_s={exitcore_s:.4f} pandas_s={pandas_s:.4f} polars_s={polars_s:.4f} ratio_pandas={ratio_pandas:.4f} ratio_polars={ratio_polars:.4f}")
    return Outcome(exitcore_s, exitcore_subset_s, pandas_s, pandas_subset_s, polars_s, compared, parts, len(failures))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--records", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--repeat", type=int, default=3, help="calls per side in each of two rounds; the best time counts")
    p.add_argument("--no-polars", action="store_true", help="leave polars out (polars_s = nan)")
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall", help="wall-clock or process CPU time")
    args = p.parse_args(argv)
    CLOCK[0] = time.process_time if args.clock == "cpu" else time.perf_counter
    print(f"clock: {args.clock}")
    outcome = compare(args.records, args.seed, args.repeat, use_polars=not args.no_polars)
    return 1 if outcome.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
