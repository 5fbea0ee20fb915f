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

/// The text of an HTML page a reader can see (tooltips included), without
/// markup, attributes or the style sheet.
fn visible_text(html: &str) -> String {
    let body = match (html.find("<style>"), html.find("</style>")) {
        (Some(a), Some(b)) => format!("{}{}", &html[..a], &html[b..]),
        _ => html.to_owned(),
    };
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every `<svg>` of a page, as text.
fn svgs(html: &str) -> Vec<&str> {
    html.match_indices("<svg")
        .map(|(i, _)| {
            let end = html[i..].find("</svg>").unwrap() + i + 6;
            &html[i..end]
        })
        .collect()
}

/// The TAFE exit survey (../shared/data) in Dutch: no eNPS question, tenure
/// bands in months such as "12-36m", exit type `end_of_contract`.
fn tafe_nl() -> Report {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mapping = exitcore::Mapping::from_path(root.join("examples/mappings/tafe.json")).unwrap();
    let out = mapping
        .import_path(
            root.join("../shared/data/tafe_survey.csv"),
            &exitcore::ImportOptions::default(),
        )
        .unwrap();
    Report::build(
        &out.loaded.dataset,
        &ReportOptions {
            lang: Lang::Nl,
            ..ReportOptions::default()
        },
    )
    .unwrap()
}

#[test]
fn a_report_without_an_enps_question_shows_no_enps_and_speaks_only_dutch() {
    let report = tafe_nl();
    assert!(report.analysis.overall.enps.is_none());
    let html = report.to_html();
    let seen = visible_text(&html);
    let md = report.to_markdown();
    // No eNPS chart or column: the questionnaire has no such question.
    assert!(
        !seen.contains("eNPS"),
        "eNPS shown without an eNPS question"
    );
    assert!(!report.to_markdown().contains("eNPS"));
    // Every visible word is Dutch: no English notes, no raw ids.
    for english in [
        "withheld",
        "no data",
        "no answers",
        "Whole organisation",
        "months",
        "end_of_contract",
        "involuntary",
    ] {
        assert!(!seen.contains(english), "{english:?} in the Dutch report");
        assert!(!md.contains(english), "{english:?} in the Dutch Markdown");
    }
    assert!(seen.contains("Einde contract") && seen.contains("1-3 jaar"));
    // Insights (key findings) name exit types by their labels too.
    assert!(
        report
            .analysis
            .insights
            .iter()
            .all(|i| !i.nl.contains("end_of_contract") && !i.en.contains("end_of_contract"))
    );
    assert!(seen.contains("met soort vertrek einde contract"));
    // Test lines read "p = 0,162" or "p < 0,001", never "p = < 0,001".
    assert!(!seen.contains("p = <"));
    assert!(seen.contains("p = 0,"));
    // Shown groups without answers (exit types that were not asked the
    // reason) show a plain dash, and the page says what it means.
    assert!(html.contains("<td class=\"none\">–</td>"));
    assert!(seen.contains("– in een groep die wel wordt getoond betekent dat niemand"));
}

#[test]
fn tenure_bands_are_in_order_of_their_bounds() {
    let report = tafe_nl();
    let html = report.to_html();
    let seen = visible_text(&html);
    let at = |label: &str| {
        seen.find(&format!(" {label} "))
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    let order = [
        "< 1 jaar",
        "1-3 jaar",
        "2-5 jaar",
        "5-10 jaar",
        "7-11 jaar",
        "10+ jaar",
    ];
    for pair in order.windows(2) {
        assert!(at(pair[0]) < at(pair[1]), "{} before {}", pair[0], pair[1]);
    }
    let md = report.to_markdown();
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| order.iter().any(|o| l.starts_with(&format!("| {o} |"))))
        .collect();
    assert_eq!(rows.len(), order.len());
    for (row, label) in rows.iter().zip(order) {
        assert!(row.starts_with(&format!("| {label} |")), "{row}");
    }
}

#[test]
fn every_chart_fits_the_page_and_has_distinct_labels() {
    let (ds, org) = synthetic(3000);
    let h = Headcount::new(org.headcount.clone()).unwrap();
    let html = Report::build(
        &ds,
        &ReportOptions {
            headcount: Some(&h),
            stayers: Some(&org.stayers),
            ..ReportOptions::default()
        },
    )
    .unwrap()
    .to_html();
    let html_nl = tafe_nl().to_html();
    for svg in svgs(&html).into_iter().chain(svgs(&html_nl)) {
        let doc = roxmltree::Document::parse(svg).unwrap();
        let root = doc.root_element();
        let width: f64 = root
            .attribute("viewBox")
            .unwrap()
            .split(' ')
            .nth(2)
            .unwrap()
            .parse()
            .unwrap();
        let title = root.attribute("aria-label").unwrap();
        // Shown at its natural size (12 px text) in the 980 px column.
        assert!(
            width <= exitcore::report::svg::MAX_WIDTH,
            "{title}: {width}"
        );
        // No two row labels of a chart read the same: the first text of
        // each bar's group, or a heat map's right-aligned row labels.
        let heat = doc.descendants().any(|n| n.has_tag_name("pattern"));
        let mut labels: Vec<String> = doc
            .descendants()
            .filter(|n| {
                if heat {
                    n.has_tag_name("text") && n.attribute("text-anchor") == Some("end")
                } else {
                    n.has_tag_name("text")
                        && n.parent_element().is_some_and(|g| {
                            g.has_tag_name("g") && g.first_element_child() == Some(*n)
                        })
                }
            })
            .map(|n| {
                n.children()
                    .filter(|c| c.is_text() || c.has_tag_name("tspan"))
                    .filter_map(|c| c.text())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let all = labels.len();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), all, "{title}: duplicate labels");
    }
    // The comment themes' axis ends near the largest share, not at 100%.
    let comments = svgs(&html)
        .into_iter()
        .find(|s| s.contains("aria-label=\"Share of comments per theme\""))
        .unwrap();
    assert!(!comments.contains(">100%<"));
    // Survival over ten years: whole years on the axis.
    let survival = svgs(&html)
        .into_iter()
        .find(|s| s.contains("years in service"))
        .unwrap();
    for year in ["0", "1", "2", "5", "10"] {
        assert!(survival.contains(&format!(">{year}</text>")), "{year}");
    }
    assert!(!survival.contains(">50</text>"));
}
