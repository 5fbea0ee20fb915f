"""exitcore.Report: the core's renderings, reachable from Python."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import exitcore
from conftest import MAPPINGS


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


def test_python_m_exitcore_report(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    done = subprocess.run(
        [sys.executable, "-m", "exitcore", "report", "--exits", "800", "--format", "md", "--lang", "nl", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("# Exitgesprekken")
    assert "800 exit interviews" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "exitcore", "report", "--k", "1"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and bad.stderr.count("\n") == 1
    missing = subprocess.run(
        [sys.executable, "-m", "exitcore", "report", "--data", str(tmp_path / "none.csv"),
         "--mapping", str(MAPPINGS / "tafe.json")],
        capture_output=True, text=True, check=False,
    )
    assert missing.returncode == 2 and "error:" in missing.stderr


def test_report_reads_a_headcount_file(tmp_path: Path) -> None:
    org = exitcore.generate(seed=4, exits=300)
    rows = ["org_unit,year,quarter,headcount"] + [
        f"{'/'.join(r['org_unit'])},{r['year']},{r['quarter']},{r['headcount']}" for r in org.headcount
    ]
    path = tmp_path / "headcount.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    from_file = org.load().dataset.report(headcount=path)
    from_rows = org.load().dataset.report(headcount=org.headcount)
    assert from_file.to_json() == from_rows.to_json()
    path.write_text("org_unit,year,quarter,headcount\nA,2016,Q1,3\n", encoding="utf-8")
    with pytest.raises(exitcore.CsvError) as info:
        org.load().dataset.report(headcount=path)
    assert "line 2" in str(info.value)
