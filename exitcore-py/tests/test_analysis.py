"""Dataset.analyse and exitcore.Analysis: released numbers only, errors that
name the field, DataFrames and insight sentences."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import pytest

import exitcore

REASONS = ["pay", "workload", "leadership", "development", "culture"]
LIKERT = ["leadership_support", "pay_fair", "workload_manageable"]


@pytest.fixture(scope="module")
def org() -> exitcore.SyntheticOrg:
    return exitcore.generate(seed=11, exits=2000)


@pytest.fixture(scope="module")
def analysis(org: exitcore.SyntheticOrg) -> exitcore.Analysis:
    ds = org.load().dataset
    return ds.analyse([["org_unit"], ["job_family", "tenure_band"]], trend="quarter")


def _groups(a: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["overall"]] + [g for b in a["breakdowns"] for g in b["groups"]]


def _varied(sizes: dict[str, int]) -> exitcore.Dataset:
    """Leavers of division D by team, with answers that vary within each team."""
    q = exitcore.Questionnaire.standard()
    records = []
    for team, n in sizes.items():
        for i in range(n):
            answers: dict[str, Any] = {
                "primary_reason": REASONS[i % len(REASONS)],
                "enps": i % 11,
                "would_return": i % 2 == 0,
            }
            for j, item in enumerate(LIKERT):
                answers[item] = 1 + (i + j) % 5
            records.append({
                "respondent": f"{team}-{i}", "questionnaire": q.id, "version": q.version,
                "context": {"org_unit": ["D", team]},
                "answers": answers,
            })
    result = exitcore.Dataset.from_records(q, records)
    assert result.problems == []
    return result.dataset


def test_every_released_group_has_at_least_k(org: exitcore.SyntheticOrg, analysis: exitcore.Analysis) -> None:
    a = analysis.to_dict()
    assert a["overall"]["n"] == 2000
    assert a["policy"] == {"k": 5, "comment_k": 10, "show_zero": False}
    groups = _groups(a)
    released = [g for g in groups if g["n"] is not None]
    withheld = [g for g in groups if g["n"] is None]
    assert len(released) > 50 and len(withheld) > 0
    assert all(g["n"] >= 5 for g in released)
    # A withheld group shows its key and the reason, nothing else.
    for g in withheld:
        assert g["withheld"] in ("primary", "homogeneous", "secondary")
        assert g["primary_reasons"] == [] and g["items"] == [] and g["enps"] is None
    assert a["audit"]["released"] + a["audit"]["primary"] + a["audit"]["homogeneous"] + a["audit"][
        "secondary"
    ] == a["audit"]["cells"]
    # Findings are about released groups of at least min_test_group.
    sizes = {json.dumps(g["key"]): g["n"] for g in released}
    for f in a["findings"]:
        if f["test"] in ("fisher_exact", "mann_whitney"):
            assert sizes[json.dumps(f["key"])] == f["n"] >= 20
        assert 0.0 <= f["p_value"] <= f["q_value"] <= 1.0
    assert [f["p_value"] for f in a["findings"]] == sorted(f["p_value"] for f in a["findings"])

    # A stricter policy releases no group below its k.
    strict = org.load().dataset.analyse([["org_unit"]], policy=exitcore.Policy(k=25)).to_dict()
    assert strict["policy"]["k"] == 25
    ns = [g["n"] for g in _groups(strict) if g["n"] is not None]
    assert ns and min(ns) >= 25
    assert len(ns) < len([g for g in a["breakdowns"][0]["groups"] if g["n"] is not None]) + 1


def test_properties_match_the_dict_and_json(analysis: exitcore.Analysis) -> None:
    a = analysis.to_dict()
    assert set(a) == {
        "policy", "audit", "overall", "breakdowns", "trends", "survival", "comments", "drivers", "findings",
        "insights",
    }
    assert analysis.audit == a["audit"]
    assert analysis.policy == exitcore.Policy()
    assert analysis.overall["n"] == a["overall"]["n"] == 2000
    assert [b["by"] for b in analysis.breakdowns] == [["org_unit"], ["job_family", "tenure_band"]]
    trends = analysis.trends
    assert trends is not None and trends["period"] == "quarter" and len(trends["periods"]) == 40
    assert len(analysis.drivers) == len(a["drivers"]) > 0
    assert len(analysis.findings) == len(a["findings"]) > 100
    assert analysis.insights == a["insights"]
    assert all(i["finding"]["significant"] for i in analysis.insights)
    # The JSON text is the same document, with NaN as null.
    doc = json.loads(analysis.to_json())
    assert doc["audit"] == a["audit"] and len(doc["findings"]) == len(a["findings"])
    nan_overall = [i for i in a["overall"]["items"] if i["rest_mean"] is None]
    assert nan_overall  # the whole organisation has no rest
    # NaN stays a float nan in the dict (an empty share has no interval).
    nans = [
        s["interval"]["lower"]
        for g in _groups(a)
        for s in g["contributing_reasons"] + g["primary_reasons"]
        if isinstance(s["interval"]["lower"], float) and math.isnan(s["interval"]["lower"])
    ]
    assert "NaN" not in analysis.to_json()
    assert all(isinstance(x, float) for x in nans)
    assert repr(analysis).startswith("Analysis(n=2000, breakdowns=2, findings=")
    with pytest.raises(TypeError):
        exitcore.Analysis()


def test_defaults_are_the_cores(org: exitcore.SyntheticOrg) -> None:
    ds = org.load().dataset
    plain = ds.analyse([["org_unit"]]).to_json()
    assert ds.analyse([["org_unit"]], confidence=0.95, fdr=0.05, min_test_group=20).to_json() == plain
    assert ds.analyse([["org_unit"]], policy=exitcore.Policy(), trend=None, ledger=None).to_json() == plain
    assert ds.analyse().to_dict()["breakdowns"] == []
    # Other levels change the numbers.
    wide = ds.analyse(confidence=0.8).overall["primary_reasons"][0]["interval"]
    narrow = ds.analyse().overall["primary_reasons"][0]["interval"]
    assert narrow["lower"] < wide["lower"] < wide["upper"] < narrow["upper"]
    few = ds.analyse([["org_unit"]], min_test_group=200).findings
    assert all(f["n"] >= 200 for f in few) and few
    assert len(few) < len(json.loads(plain)["findings"])


def test_insights_and_drivers_can_be_left_out(org: exitcore.SyntheticOrg) -> None:
    ds = org.load().dataset
    full = ds.analyse([["org_unit"]], trend="quarter", comments=False).to_dict()
    assert full["insights"] and full["drivers"]
    assert ds.analyse([["org_unit"]], trend="quarter", comments=False, insights=True, drivers=True).to_dict() == full
    lean = ds.analyse([["org_unit"]], trend="quarter", comments=False, insights=False, drivers=False).to_dict()
    assert lean["insights"] == [] and lean["drivers"] == []
    assert lean == {**full, "insights": [], "drivers": []}
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        ds.analyse(insights="no")  # type: ignore[arg-type]
    assert info.value.field == "insights"
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        ds.analyse(drivers=1)  # type: ignore[arg-type]
    assert info.value.field == "drivers"


def test_four_people_release_nothing() -> None:
    ds = _varied({"A": 4})
    a = ds.analyse([["org_unit"]], trend="year")
    assert a.overall["n"] is None and a.overall["withheld"] == "primary"
    assert all(g["n"] is None for b in a.breakdowns for g in b["groups"])
    assert a.findings == [] and a.insights == [] and a.drivers == []
    assert a.insight_texts() == [] and a.insight_texts("nl") == []
    assert a.audit["released"] == 0
    assert len(a.reasons_frame()) == 0 and len(a.items_frame()) == 0 and len(a.findings_frame()) == 0


def test_bad_specs_name_the_field() -> None:
    ds = _varied({"A": 8, "B": 8})
    cases: list[tuple[dict[str, Any], str]] = [
        ({"by": [["nope"]]}, "by[0][0]"),
        ({"by": [["org_unit"], ["org_unit", "shoe_size"]]}, "by[1][1]"),
        ({"by": "org_unit"}, "by"),
        ({"confidence": 1.5}, "confidence"),
        ({"confidence": 0.0}, "confidence"),
        ({"confidence": float("nan")}, "confidence"),
        ({"fdr": 0.0}, "fdr"),
        ({"min_test_group": -1}, "min_test_group"),
        ({"trend": "week"}, "trend"),
    ]
    for kwargs, field in cases:
        with pytest.raises(exitcore.InvalidArgumentError) as info:
            ds.analyse(**kwargs)
        assert info.value.field == field, (kwargs, info.value)
        assert info.value.code == "invalid_argument"
    with pytest.raises((TypeError, ValueError)):
        ds.analyse(min_test_group=10**30)
    with pytest.raises(TypeError):
        ds.analyse(policy=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ds.analyse(ledger="x")  # type: ignore[arg-type]


def test_a_ledger_is_honoured() -> None:
    # Last month T0 and T1 had 6 leavers each; one more left T0 since.
    last_month = _varied({"T0": 6, "T1": 6})
    now = _varied({"T0": 7, "T1": 6})
    ledger = exitcore.Ledger()
    ledger.record(last_month, last_month.release([["org_unit"]]))

    def ns(a: exitcore.Analysis) -> dict[str, int | None]:
        return {json.dumps(g["key"]): g["n"] for g in a.breakdowns[0]["groups"]}

    blind = ns(now.analyse([["org_unit"]]))
    assert blind['[["org_unit", "D/T0"]]'] == 7
    guarded = now.analyse([["org_unit"]], ledger=ledger)
    assert any(blind[k] is not None and ns(guarded)[k] is None for k in blind)
    assert ns(now.analyse([["org_unit"]], ledger=exitcore.Ledger())) == blind


def test_data_frames_have_the_documented_columns(analysis: exitcore.Analysis) -> None:
    pd = pytest.importorskip("pandas")
    a = analysis.to_dict()
    released = [g for g in _groups(a) if g["n"] is not None]

    reasons = analysis.reasons_frame()
    assert isinstance(reasons, pd.DataFrame)
    assert list(reasons.columns) == ["group", "option", "count", "share", "lower", "upper"]
    assert len(reasons) == sum(len(g["primary_reasons"]) for g in released)
    overall = reasons[reasons["group"] == "(all)"]
    assert list(overall["option"]) == [s["option"] for s in a["overall"]["primary_reasons"]]
    assert list(overall["count"]) == [s["count"] for s in a["overall"]["primary_reasons"]]
    assert list(overall["upper"]) == [s["interval"]["upper"] for s in a["overall"]["primary_reasons"]]
    assert "org_unit=" + a["breakdowns"][0]["groups"][0]["key"][0][1] in set(reasons["group"])

    items = analysis.items_frame()
    assert list(items.columns) == [
        "group", "question", "theme", "n", "mean", "lower", "upper", "rest_mean", "p_value",
    ]
    assert len(items) == sum(len(g["items"]) for g in released)
    first = a["overall"]["items"][0]
    row = items.iloc[0]
    assert (row["group"], row["question"], row["theme"]) == ("(all)", first["question"], first["theme"])
    assert (row["n"], row["mean"]) == (first["mean"]["n"], first["mean"]["mean"])
    assert math.isnan(row["p_value"])
    team = items[items["group"] != "(all)"].iloc[0]
    assert 0.0 <= team["p_value"] <= 1.0 and not math.isnan(team["rest_mean"])

    findings = analysis.findings_frame()
    assert list(findings.columns) == [
        "group", "n", "kind", "subject", "estimate", "reference", "statistic",
        "test", "p_value", "q_value", "significant",
    ]
    assert len(findings) == len(a["findings"])
    assert list(findings["p_value"]) == [f["p_value"] for f in a["findings"]]
    assert int(findings["significant"].sum()) == sum(f["significant"] for f in a["findings"])
    assert set(findings["kind"]) <= {"reason", "item", "reason_trend", "item_trend"}
    reason = next(i for i, f in enumerate(a["findings"]) if f["kind"] == "reason")
    f = a["findings"][reason]
    row = findings.iloc[reason]
    assert (row["subject"], row["estimate"], row["reference"], row["statistic"]) == (
        f["option"], f["share"], f["rest_share"], f["odds_ratio"],
    )


def test_data_frames_need_pandas(analysis: exitcore.Analysis, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    for method in (analysis.reasons_frame, analysis.items_frame, analysis.findings_frame):
        with pytest.raises(ImportError, match="needs pandas"):
            method()


def test_insight_texts_in_dutch_and_english() -> None:
    org = exitcore.generate(
        seed=5, exits=3000, group_effects=False,
        plants=[{"unit": ["Operations"], "reason": "workload", "odds_ratio": 4.0}],
    )
    a = org.load().dataset.analyse([["org_unit"]])
    assert a.insights
    en, nl = a.insight_texts(), a.insight_texts("nl")
    assert en == a.insight_texts("en") == [i["en"] for i in a.insights]
    assert nl == [i["nl"] for i in a.insights]
    assert any(t.startswith("Leavers from Operations") and "workload" in t for t in en), en
    assert any(t.startswith("Vertrekkers uit Operations") for t in nl), nl
    effects = [abs(i["effect"]) for i in a.insights]
    assert effects == sorted(effects, reverse=True)
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        a.insight_texts("de")
    assert info.value.field == "lang"


def test_generate_group_effects() -> None:
    default = exitcore.generate(seed=2, exits=300).records
    assert exitcore.generate(seed=2, exits=300, group_effects=None).records == default
    assert exitcore.generate(seed=2, exits=300, group_effects=True).records == default
    null = exitcore.generate(seed=2, exits=300, group_effects=False).records
    assert len(null) == 300 and null != default
    with pytest.raises(TypeError):
        exitcore.generate(group_effects="no")  # type: ignore[arg-type]


def test_headcount_and_stayers_give_turnover_and_survival() -> None:
    org = exitcore.generate(seed=5, exits=2000)
    ds = org.load().dataset
    a = ds.analyse([["org_unit"]], headcount=org.headcount, stayers=org.stayers)
    person_years = sum(r["headcount"] for r in org.headcount) / 4
    t = a.overall["turnover"]
    assert t["person_years"] == pytest.approx(person_years, rel=1e-12)
    assert t["rate"] == pytest.approx(2000 / person_years, rel=1e-12)
    s = a.survival
    assert s is not None and s["leavers_used"] == 2000
    assert ds.analyse([["org_unit"]]).survival is None
    bad = [dict(r) for r in org.headcount[:3]]
    bad[2]["quarter"] = 5
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        ds.analyse(headcount=bad)
    assert info.value.field == "headcount[2].quarter"
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        ds.analyse(stayers=[{"org_unit": ["A"]}])
    assert info.value.field is not None and info.value.field.startswith("stayers")


def test_comment_summaries_with_a_roster() -> None:
    org = exitcore.generate(seed=5, exits=2000)
    ds = org.load().dataset
    a = ds.analyse([["org_unit"]], roster=["Jan de Vries"], lang="nl")
    assert a.comments
    released = {json.dumps(g["key"]): g["n"] for g in [a.overall, *a.breakdowns[0]["groups"]] if g["n"]}
    for c in a.comments:
        assert released[json.dumps(c["key"])] >= 10
        assert all(w["comments"] >= 3 for w in c["words"])
    assert ds.analyse([["org_unit"]], comments=False).comments == []
    with pytest.raises(exitcore.InvalidArgumentError):
        ds.analyse(roster=["J"])


def test_analyse_reads_headcount_from_a_file_like_report(tmp_path: Any) -> None:
    org = exitcore.generate(seed=5, exits=500)
    path = tmp_path / "headcount.json"
    path.write_text(json.dumps(org.headcount), encoding="utf-8")
    ds = org.load().dataset
    from_file = ds.analyse([["org_unit"]], headcount=path)
    from_rows = ds.analyse([["org_unit"]], headcount=org.headcount)
    assert from_file.to_json() == from_rows.to_json()
