//! Comments leave the library only through a decided release: redacted,
//! for cells at or above the comment threshold, in an order unrelated to
//! submission, without dates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use exitcore::privacy::{CellKey, Dimension, Policy, Redactor, ReleasePlan, Withheld};
use exitcore::{Answer, Dataset, ExitRecord, Lang, PartialDate, Questionnaire};

fn record(q: &Questionnaire, i: usize, team: &str, comment: &str) -> ExitRecord {
    let mut r = ExitRecord::new(format!("r{i}"), q, ["D", team]);
    r.context.exit_date = Some(
        format!("2024-{:02}-01", i % 12 + 1)
            .parse::<PartialDate>()
            .unwrap(),
    );
    r.answers.insert(
        "primary_reason".into(),
        Answer::text(["pay", "workload", "culture"][i % 3]),
    );
    r.answers.insert("enps".into(), Answer::Number(5));
    r.answers.insert("would_return".into(), Answer::Bool(true));
    r.answers
        .insert("comment_leadership".into(), Answer::text(comment));
    r
}

fn data() -> Dataset {
    let q = Questionnaire::standard();
    // Team A: 12 leavers, submitted in reverse alphabetical order; team B: 3.
    let mut records: Vec<ExitRecord> = (0..12)
        .map(|i| {
            let letter = char::from(b'z' - u8::try_from(i).unwrap());
            record(
                &q,
                i,
                "A",
                &format!("{letter}: mail jan.devries@bedrijf.nl about Jan de Vries"),
            )
        })
        .collect();
    records.extend((12..15).map(|i| record(&q, i, "B", "only three of us")));
    let loaded = Dataset::from_records(&q, &records);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded.dataset
}

fn key(team: &str) -> CellKey {
    CellKey(vec![(Dimension::OrgUnit, format!("D/{team}"))])
}

#[test]
fn comments_are_redacted_sorted_and_only_for_large_enough_cells() {
    let ds = data();
    let release = ReleasePlan::new(&ds, Policy::default())
        .table(&[Dimension::OrgUnit])
        .unwrap()
        .decide();
    let redactor = Redactor::new(["Jan de Vries"]).unwrap();
    let comments = |k: &CellKey| {
        release
            .comments(&ds, k, "comment_leadership", &redactor, Lang::Nl)
            .unwrap()
    };
    // The division (15) is shown: margins come first. Team A (12) is above
    // the threshold of 10, but A next to the division would give team B
    // (3 people) by difference, so A's number and comments are withheld.
    let division = comments(&CellKey(vec![(Dimension::OrgUnit, "D".into())]))
        .expect("the division has 15 leavers");
    assert_eq!(comments(&key("A")), None);
    assert_eq!(comments(&key("B")), None);
    assert!(!release.cell(&key("A")).unwrap().comments);
    assert_eq!(
        release.cell(&key("A")).unwrap().withheld,
        Some(Withheld::Secondary)
    );
    assert_eq!(division.len(), 15);
    // Submitted z, y, x, ...; shown sorted, so the order tells nothing.
    assert_eq!(division[0], "o: mail [EMAIL] about [NAAM]");
    assert!(division[14].starts_with("z: "), "{division:?}");
    assert!(division.windows(2).all(|w| w[0] <= w[1]));
    // No dates travel with the comments.
    assert!(division.iter().all(|c| !c.contains("2024")));
}

#[test]
fn comments_refuse_foreign_data_unknown_cells_and_non_text_questions() {
    let ds = data();
    let release = ReleasePlan::new(&ds, Policy::default())
        .table(&[Dimension::OrgUnit])
        .unwrap()
        .decide();
    let r = Redactor::new(Vec::<String>::new()).unwrap();
    let q = Questionnaire::standard();
    let other = Dataset::from_records(&q, [record(&q, 0, "A", "x")]).dataset;
    let e = release
        .comments(&other, &key("A"), "comment_leadership", &r, Lang::En)
        .unwrap_err();
    assert_eq!(e.field(), Some("dataset"));
    let e = release
        .comments(&ds, &key("Z"), "comment_leadership", &r, Lang::En)
        .unwrap_err();
    assert!(e.to_string().contains("no cell org_unit=D/Z"), "{e}");
    let e = release
        .comments(&ds, &key("A"), "enps", &r, Lang::En)
        .unwrap_err();
    assert!(e.to_string().contains("not a free-text question"), "{e}");
    let e = release
        .comments(&ds, &key("A"), "nope", &r, Lang::En)
        .unwrap_err();
    assert_eq!(e.field(), Some("question"));
}

#[test]
fn a_team_of_k_minus_one_shows_no_comments_anywhere() {
    let q = Questionnaire::standard();
    let records: Vec<ExitRecord> = (0..4).map(|i| record(&q, i, "A", "hello")).collect();
    let ds = Dataset::from_records(&q, &records).dataset;
    let release = ReleasePlan::new(&ds, Policy::default())
        .table(&[Dimension::OrgUnit])
        .unwrap()
        .decide();
    let r = Redactor::new(Vec::<String>::new()).unwrap();
    for cell in &release.cells {
        assert_eq!(
            release
                .comments(&ds, &cell.key, "comment_leadership", &r, Lang::En)
                .unwrap(),
            None
        );
    }
}

#[test]
fn teams_above_the_threshold_show_their_own_comments() {
    let q = Questionnaire::standard();
    let records: Vec<ExitRecord> = (0..23)
        .map(|i| record(&q, i, if i < 12 { "A" } else { "B" }, &format!("c{i:02}")))
        .collect();
    let ds = Dataset::from_records(&q, &records).dataset;
    let release = ReleasePlan::new(&ds, Policy::default())
        .table(&[Dimension::OrgUnit])
        .unwrap()
        .decide();
    let r = Redactor::new(Vec::<String>::new()).unwrap();
    let b = release
        .comments(&ds, &key("B"), "comment_leadership", &r, Lang::En)
        .unwrap()
        .unwrap();
    let expected: Vec<String> = (12..23).map(|i| format!("c{i:02}")).collect();
    assert_eq!(b, expected);
}
