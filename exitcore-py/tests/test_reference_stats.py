"""exitcore's statistics against scipy, statsmodels and pymannkendall.

The reference side rebuilds every group from the raw records with pandas
(it never reads exitcore's counts), runs the established implementation on
it, and compares: 1e-9 relative where the method is the same. Deliberate
differences, stated where they occur:
- group-versus-rest findings on reasons use Fisher's exact test throughout
  (scipy.stats.fisher_exact), not the chi-square;
- degenerate cases give NaN in exitcore where scipy gives p = 1.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pymannkendall
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

import exitcore

from conftest import MAPPINGS, SHARED_DATA

REL = 1e-9

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


def close(a: float | None, b: float, rel: float = REL) -> None:
    assert a is not None
    if math.isnan(b):
        assert math.isnan(a)
    else:
        assert a == pytest.approx(b, rel=rel, abs=1e-12), (a, b)


def frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for r in records:
        a = r["answers"]
        row: dict[str, Any] = {
            "org": "/".join(r["context"]["org_unit"]),
            "reason": a.get("primary_reason"),
            "enps": a.get("enps"),
            "would_return": a.get("would_return"),
            "year": int(str(r["context"]["exit_date"])[:4]) if r["context"].get("exit_date") else None,
        }
        for q in LIKERT:
            v = a.get(q)
            row[q] = v if isinstance(v, int) else None
        rows.append(row)
    return pd.DataFrame(rows)


def members(df: pd.DataFrame, key: list[list[str]]) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for dim, value in key:
        assert dim == "org_unit", "the reference rebuilds org-unit groups only"
        mask &= (df["org"] == value) | df["org"].str.startswith(value + "/")
    return mask


@pytest.fixture(scope="module")
def synthetic() -> tuple[pd.DataFrame, dict[str, Any]]:
    org = exitcore.generate(seed=7, exits=4000)
    ds = org.load().dataset
    analysis = ds.analyse([["org_unit"]], trend="year", min_test_group=20)
    return frame(org.records), analysis.to_dict()


def test_reason_shares_and_wilson_intervals(synthetic: tuple[pd.DataFrame, dict[str, Any]]) -> None:
    df, a = synthetic
    groups = [a["overall"]] + [g for g in a["breakdowns"][0]["groups"] if g["n"] is not None]
    assert len(groups) > 50
    for g in groups:
        sub = df[members(df, g["key"])]
        assert g["n"] == len(sub)
        answered = sub["reason"].notna().sum()
        for s in g["primary_reasons"]:
            count = int((sub["reason"] == s["option"]).sum())
            assert s["count"] == count
            lo, hi = proportion_confint(count, answered, alpha=0.05, method="wilson")
            close(s["interval"]["lower"], lo)
            close(s["interval"]["upper"], hi)


def test_chi_square_cramers_v_and_residuals_per_org_level(
    synthetic: tuple[pd.DataFrame, dict[str, Any]],
) -> None:
    df, a = synthetic
    options = [s["option"] for s in a["overall"]["primary_reasons"]]
    tests = a["breakdowns"][0]["reasons"]
    assert [t["level"] for t in tests] == [0, 1, 2]
    for t in tests:
        table = np.array(
            [[int((df[members(df, k)]["reason"] == o).sum()) for o in options] for k in t["groups"]]
        )
        keep = table.sum(axis=0) > 0
        chi2, p, dof, expected = stats.chi2_contingency(table[:, keep], correction=False)
        close(t["chi_square"]["statistic"], chi2)
        close(t["chi_square"]["p_value"], p)
        assert t["chi_square"]["dof"] == dof
        v = stats.contingency.association(table[:, keep], method="cramer")
        close(t["chi_square"]["cramers_v"], v)
        # shift_zeros=False: by default statsmodels adds 0.5 to every cell of
        # a table with a zero cell, which is a different table.
        resid = Table(table[:, keep], shift_zeros=False).standardized_resids
        ours = np.array(t["residuals"])[:, keep]
        np.testing.assert_allclose(ours, resid, rtol=REL, atol=1e-12)


def test_group_vs_rest_findings_fisher_mann_whitney_and_bh(
    synthetic: tuple[pd.DataFrame, dict[str, Any]],
) -> None:
    df, a = synthetic
    findings = a["findings"]
    assert len(findings) > 100
    ps = []
    for f in findings:
        if f["test"] not in ("fisher_exact", "mann_whitney"):
            ps.append(f["p_value"])
            continue
        inside = members(df, f["key"])
        if f["test"] == "fisher_exact":
            g, rest = df[inside], df[~inside]
            g, rest = g[g["reason"].notna()], rest[rest["reason"].notna()]
            x, y = int((g["reason"] == f["option"]).sum()), int((rest["reason"] == f["option"]).sum())
            odds, p = stats.fisher_exact([[x, len(g) - x], [y, len(rest) - y]])
            close(f["p_value"], p)
            close(f["odds_ratio"], odds)
        else:
            q = f["question"]
            g, rest = df[inside][q].dropna(), df[~inside][q].dropna()
            res = stats.mannwhitneyu(g, rest, alternative="two-sided", method="asymptotic", use_continuity=True)
            close(f["p_value"], res.pvalue)
            close(f["mean"], g.mean())
            close(f["rest_mean"], rest.mean())
        ps.append(f["p_value"])
    _, q, _, _ = multipletests(ps, method="fdr_bh")
    for f, qv in zip(findings, q):
        close(f["q_value"], qv)


def test_item_means_kruskal_wallis_and_enps(synthetic: tuple[pd.DataFrame, dict[str, Any]]) -> None:
    df, a = synthetic
    for g in [a["overall"]] + [g for g in a["breakdowns"][0]["groups"] if g["n"] is not None][:40]:
        sub = df[members(df, g["key"])]
        for item in g["items"]:
            x = sub[item["question"]].dropna().astype(float)
            m = item["mean"]
            close(m["mean"], x.mean())
            close(m["sd"], x.std(ddof=1))
            lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
            close(m["interval"]["lower"], lo)
            close(m["interval"]["upper"], hi)
        e = sub["enps"].dropna()
        pp, pd_ = (e >= 9).mean(), (e <= 6).mean()
        # eNPS = 100 (p_p - p_d); var = (p_p + p_d - (p_p - p_d)^2) / n; Wald 95%.
        half = stats.norm.ppf(0.975) * 100 * math.sqrt((pp + pd_ - (pp - pd_) ** 2) / len(e))
        close(g["enps"]["score"], 100 * (pp - pd_))
        close(g["enps"]["interval"]["lower"], max(-100.0, 100 * (pp - pd_) - half))
        close(g["enps"]["interval"]["upper"], min(100.0, 100 * (pp - pd_) + half))
    for t in a["breakdowns"][0]["items"]:
        samples = [df[members(df, k)][t["question"]].dropna() for k in _level_groups(a, t["level"])]
        h, p = stats.kruskal(*samples)
        close(t["kruskal_wallis"]["statistic"], h)
        close(t["kruskal_wallis"]["p_value"], p)


def _level_groups(a: dict[str, Any], level: int) -> list[list[list[str]]]:
    for t in a["breakdowns"][0]["reasons"]:
        if t["level"] == level:
            return list(t["groups"])
    raise AssertionError(level)


def test_trends_against_r_formula_and_pymannkendall(synthetic: tuple[pd.DataFrame, dict[str, Any]]) -> None:
    df, a = synthetic
    tr = a["trends"]
    years = [int(p["label"]) for p in tr["periods"] if p["n"] is not None]
    scores = np.array([i for i, p in enumerate(tr["periods"]) if p["n"] is not None], dtype=float)
    for r in tr["reasons"]:
        x = np.array([int(((df["year"] == y) & (df["reason"] == r["option"])).sum()) for y in years])
        n = np.array([int(((df["year"] == y) & df["reason"].notna()).sum()) for y in years])
        # R prop.trend.test: [sum s (x - n p)]^2 / [p (1 - p) (sum n s^2 - (sum n s)^2 / N)], chi2 1 df.
        p = x.sum() / n.sum()
        t = (scores * (x - n * p)).sum() ** 2 / (p * (1 - p) * ((n * scores**2).sum() - (n * scores).sum() ** 2 / n.sum()))
        close(r["test"]["statistic"], t)
        close(r["test"]["p_value"], stats.chi2.sf(t, 1))
    for it in tr["items"]:
        series = [df[df["year"] == y][it["question"]].dropna().mean() for y in years]
        mk = pymannkendall.original_test(series)
        close(it["test"]["s"], mk.s)
        close(it["test"]["z"], mk.z)
        close(it["test"]["p_value"], 2 * stats.norm.sf(abs(mk.z)))
        close(it["test"]["tau"], mk.Tau)


def test_drivers_match_spearmanr(synthetic: tuple[pd.DataFrame, dict[str, Any]]) -> None:
    df, a = synthetic
    assert len(a["drivers"]) == 20
    for d in a["drivers"]:
        target = df[d["target"]].map(lambda v: float(v) if v is not None else np.nan)
        both = pd.DataFrame({"x": df[d["question"]], "y": target}).dropna()
        rho, p = stats.spearmanr(both["x"].astype(float), both["y"].astype(float))
        close(d["spearman"]["rho"], rho)
        close(d["spearman"]["p_value"], p)


def test_tafe_survey_shares_chi_square_and_mann_whitney() -> None:
    mapping = exitcore.Mapping.from_path(MAPPINGS / "tafe.json")
    ds = exitcore.Dataset.from_csv(SHARED_DATA / "tafe_survey.csv", mapping).dataset
    a = ds.analyse([["org_unit"]], min_test_group=20).to_dict()

    # The reference reads the CSV itself, with the mapping's columns and labels.
    spec = json.loads((MAPPINGS / "tafe.json").read_text())
    raw = pd.read_csv(SHARED_DATA / "tafe_survey.csv", dtype=str, keep_default_na=False)
    main = spec["answers"]["main_factor"]
    reason = raw[main["column"]].str.strip().map(main["values"])
    org = raw["Institute"].str.strip()
    assert a["overall"]["n"] == len(raw)
    answered = reason.notna().sum()
    for s in a["overall"]["primary_reasons"]:
        count = int((reason == s["option"]).sum())
        assert s["count"] == count
        lo, hi = proportion_confint(count, answered, alpha=0.05, method="wilson")
        close(s["interval"]["lower"], lo)
        close(s["interval"]["upper"], hi)
    top = next(t for t in a["breakdowns"][0]["reasons"] if t["level"] == 0)
    options = [s["option"] for s in a["overall"]["primary_reasons"]]
    table = np.array([[int(((org == k[0][1]) & (reason == o)).sum()) for o in options] for k in top["groups"]])
    keep = table.sum(axis=0) > 0
    chi2, p, dof, _ = stats.chi2_contingency(table[:, keep], correction=False)
    close(top["chi_square"]["statistic"], chi2)
    close(top["chi_square"]["p_value"], p)
    scale = spec["scales"]["agreement"]
    view = spec["answers"]["view_01"]["column"]
    score = raw[view].str.strip().map(lambda v: scale.get(v)).map(lambda v: v if isinstance(v, int) else np.nan)
    checked = 0
    for f in a["findings"]:
        if f["test"] == "mann_whitney" and f["question"] == "view_01" and len(f["key"]) == 1:
            unit = f["key"][0][1]
            path = org + "/" + raw["WorkArea"].str.strip()
            inside = (path == unit) | path.str.startswith(unit + "/")
            res = stats.mannwhitneyu(
                score[inside].dropna(), score[~inside].dropna(), alternative="two-sided", method="asymptotic"
            )
            close(f["p_value"], res.pvalue)
            checked += 1
    assert checked >= 2


@pytest.fixture(scope="module")
def workforce() -> tuple[Any, dict[str, Any]]:
    org = exitcore.generate(seed=11, exits=3000)
    ds = org.load().dataset
    a = ds.analyse([["org_unit"]], headcount=org.headcount, stayers=org.stayers).to_dict()
    return org, a


def test_turnover_against_garwood_and_binomtest(workforce: tuple[Any, dict[str, Any]]) -> None:
    org, a = workforce
    hc = pd.DataFrame(org.headcount)
    hc["path"] = hc["org_unit"].map("/".join)
    total_py = hc["headcount"].sum() / 4
    total = a["overall"]["n"]
    groups = [g for g in a["breakdowns"][0]["groups"] if g["n"] is not None]
    checked = 0
    for g in [a["overall"]] + groups:
        t = g["turnover"]
        path = g["key"][0][1] if g["key"] else ""
        inside = (hc["path"] == path) | hc["path"].str.startswith(path + "/") if path else hc["path"] == hc["path"]
        person_years = hc[inside]["headcount"].sum() / 4
        k = g["n"]
        close(t["person_years"], person_years)
        close(t["rate"], k / person_years)
        # Garwood: chi2.ppf(alpha/2, 2k)/2 and chi2.ppf(1-alpha/2, 2k+2)/2, per person-year.
        close(t["interval"]["lower"], stats.chi2.ppf(0.025, 2 * k) / 2 / person_years)
        close(t["interval"]["upper"], stats.chi2.ppf(0.975, 2 * k + 2) / 2 / person_years)
        if g["key"]:
            rest_py = total_py - person_years
            close(t["rest_rate"], (total - k) / rest_py)
            p = stats.binomtest(k, total, person_years / total_py).pvalue
            close(t["vs_rest"]["p_value"], p)
            checked += 1
    assert checked > 50


def test_survival_against_lifelines(workforce: tuple[Any, dict[str, Any]]) -> None:
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    org, a = workforce
    rows = [("/".join(r["context"]["org_unit"]), r["context"]["tenure"]["min_months"], 1) for r in org.records]
    rows += [("/".join(s["org_unit"]), s["tenure_months"], 0) for s in org.stayers]
    df = pd.DataFrame(rows, columns=["org", "months", "event"])
    s = a["survival"]
    assert s["leavers_used"] == len(org.records)

    def inside(key: list[list[str]]) -> pd.Series:
        if not key:
            return pd.Series(True, index=df.index)
        unit = key[0][1]
        return (df["org"] == unit) | df["org"].str.startswith(unit + "/")

    for curve in s["curves"][:30]:
        sub = df[inside(curve["key"])]
        km = KaplanMeierFitter().fit(sub["months"], sub["event"])
        for p in curve["points"]:
            h = p["months"]
            close(p["survival"], float(km.survival_function_.loc[:h].iloc[-1, 0]))
            ci = km.confidence_interval_.loc[:h].iloc[-1]
            close(p["interval"]["lower"], float(ci.iloc[0]))
            close(p["interval"]["upper"], float(ci.iloc[1]))
    for cmp in s["comparisons"]:
        label = pd.Series(-1, index=df.index)
        for i, key in enumerate(cmp["groups"]):
            label[inside(key)] = i
        sub = df[label >= 0]
        res = multivariate_logrank_test(sub["months"], label[label >= 0], sub["event"])
        close(cmp["logrank"]["statistic"], res.test_statistic)
        close(cmp["logrank"]["p_value"], res.p_value)
