//! The report document: versioned, deterministic JSON and Markdown in which
//! withheld groups show a dash and never a number.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use exitcore::report::{Report, ReportOptions, SCHEMA};
use exitcore::synthetic::{OrgConfig, generate};
use exitcore::{Answer, Dataset, ExitRecord, Headcount, Lang, Questionnaire};

fn synthetic(exits: usize) -> (Dataset, exitcore::synthetic::SyntheticOrg) {
    let org = generate(&OrgConfig {
        exits,
        ..OrgConfig::default()
    })
    .unwrap();
    let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
    (ds, org)
}

#[test]
fn json_is_versioned_and_byte_stable() {
    let (ds, org) = synthetic(3000);
    let h = Headcount::new(org.headcount.clone()).unwrap();
    let options = ReportOptions {
        headcount: Some(&h),
        stayers: Some(&org.stayers),
        ..ReportOptions::default()
    };
    let a = Report::build(&ds, &options).unwrap().to_json().unwrap();
    let b = Report::build(&ds, &options).unwrap().to_json().unwrap();
    assert_eq!(a, b);
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["schema"], SCHEMA);
    assert_eq!(v["analysis"]["overall"]["n"], 3000);
    assert_eq!(v["inputs"]["headcount"], true);
    assert_eq!(
        v["labels"]["options"]["primary_reason.pay"],
        "Pay and benefits"
    );
    assert!(
        v["analysis"]["survival"]["curves"]
            .as_array()
            .unwrap()
            .len()
            > 1
    );
}

#[test]
fn markdown_marks_withheld_groups_and_never_shows_their_numbers() {
    let (ds, _) = synthetic(2000);
    let report = Report::build(&ds, &ReportOptions::default()).unwrap();
    let md = report.to_markdown();
    assert!(md.starts_with("# Exit interviews"));
    let org = &report.analysis.breakdowns[0];
    let withheld: Vec<String> = org
        .groups
        .iter()
        .filter(|g| g.n.is_none())
        .map(|g| g.key.0[0].1.replace('/', " / "))
        .collect();
    assert!(
        !withheld.is_empty(),
        "2,000 exits over 200 teams leave some teams small"
    );
    for name in &withheld {
        let row = md
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("no row for {name}"));
        let cells: Vec<&str> = row
            .split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert!(cells[1..].iter().all(|c| *c == "—"), "{row}");
    }
    let nl = Report::build(
        &ds,
        &ReportOptions {
            lang: Lang::Nl,
            ..ReportOptions::default()
        },
    )
    .unwrap()
    .to_markdown();
    assert!(nl.starts_with("# Exitgesprekken") && nl.contains("## Vertrekredenen"));
}

#[test]
fn a_report_on_k_minus_one_people_says_so_and_shows_no_numbers() {
    let q = Questionnaire::standard();
    let records: Vec<ExitRecord> = (0..4)
        .map(|i| {
            let mut r = ExitRecord::new(format!("r{i}"), &q, ["D", "T"]);
            r.answers.insert(
                "primary_reason".into(),
                Answer::text(["pay", "workload"][i % 2]),
            );
            r.answers
                .insert("enps".into(), Answer::Number(i64::try_from(i).unwrap()));
            r.answers
                .insert("would_return".into(), Answer::Bool(i % 2 == 0));
            r
        })
        .collect();
    let ds = Dataset::from_records(&q, &records).dataset;
    assert_eq!(ds.len(), 4);
    let report = Report::build(&ds, &ReportOptions::default()).unwrap();
    let md = report.to_markdown();
    assert!(md.contains("Too few exit interviews to report anything."));
    assert!(!md.contains("## Reasons for leaving"));
    // No count of anything but the policy and the audit's cell tallies.
    let json = report.to_json().unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["analysis"]["overall"]["n"].is_null());
}

#[test]
fn html_is_self_contained_escapes_names_and_marks_withheld_groups() {
    let q = Questionnaire::standard();
    // A unit name that would break markup, large enough to be shown, and a
    // small team that must be withheld.
    let records: Vec<ExitRecord> = (0..40)
        .map(|i| {
            let team = if i < 36 {
                "<img src=x onerror=alert(1)> & Co"
            } else {
                "Tiny"
            };
            let mut r = ExitRecord::new(format!("r{i}"), &q, ["D", team]);
            r.answers.insert(
                "primary_reason".into(),
                Answer::text(["pay", "workload", "culture"][i % 3]),
            );
            r.answers.insert(
                "enps".into(),
                Answer::Number(i64::try_from(i % 11).unwrap()),
            );
            r.answers
                .insert("would_return".into(), Answer::Bool(i % 2 == 0));
            r
        })
        .collect();
    let ds = Dataset::from_records(&q, &records).dataset;
    let html = Report::build(&ds, &ReportOptions::default())
        .unwrap()
        .to_html();
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>"));
    assert!(
        !html.contains("<img") && !html.contains("<script"),
        "user text must be escaped"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt; &amp; Co"));
    // No network: nothing is loaded from elsewhere (SVG namespaces are not loads).
    for needle in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!html.contains(needle), "{needle}");
    }
    assert!(html.contains("<svg"));
    // The tiny team is withheld, and so is the large one (it would reveal the tiny one).
    assert!(html.contains("<td>D / Tiny</td><td class=\"withheld\">"));
}
