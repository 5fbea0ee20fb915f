"""exitcore.Report: the core's renderings, reachable from Python."""

from __future__ import annotations

import json

import pytest

import exitcore


def test_report_renders_json_markdown_and_html() -> None:
    org = exitcore.generate(seed=4, exits=2000)
    ds = org.load().dataset
    report = ds.report(lang="nl", headcount=org.headcount, stayers=org.stayers)
    doc = json.loads(report.to_json())
    assert doc["schema"] == "exitcore-report/1"
    assert doc["lang"] == "nl"
    assert doc["analysis"]["overall"]["n"] == 2000
    assert doc["analysis"]["overall"]["turnover"] is not None
    assert report.to_markdown().startswith("# Exitgesprekken")
    html = report.to_html()
    assert html == report._repr_html_()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<script" not in html
    # The same data and options give the same bytes.
    again = ds.report(lang="nl", headcount=org.headcount, stayers=org.stayers)
    assert again.to_json() == report.to_json()
    # The analysis behind it gives data frames like Dataset.analyse does.
    assert report.analysis.overall["n"] == 2000
    assert report.title == "Exitgesprekken"


def test_report_options_and_errors() -> None:
    org = exitcore.generate(seed=4, exits=500)
    ds = org.load().dataset
    custom = ds.report(by=[["tenure_band"]], policy=exitcore.Policy(k=10), title="Q3")
    doc = json.loads(custom.to_json())
    assert [b["by"] for b in doc["analysis"]["breakdowns"]] == [["tenure_band"]]
    assert doc["analysis"]["policy"]["k"] == 10 and doc["title"] == "Q3"
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        ds.report(lang="de")  # type: ignore[arg-type]
    assert info.value.field == "lang"
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        ds.report(by=[["nope"]])
    assert info.value.field == "by[0][0]"


def test_a_report_on_four_people_shows_nothing() -> None:
    q = exitcore.Questionnaire.standard()
    records = [
        {"respondent": f"r{i}", "questionnaire": q.id, "version": q.version,
         "context": {"org_unit": ["D", "T"]},
         "answers": {"primary_reason": ["pay", "workload"][i % 2], "enps": i, "would_return": i % 2 == 0}}
        for i in range(4)
    ]
    ds = exitcore.Dataset.from_records(q, records).dataset
    report = ds.report()
    assert json.loads(report.to_json())["analysis"]["overall"]["n"] is None
    assert "Too few exit interviews" in report.to_markdown()
