//! Records are validated against the questionnaire; bulk loading keeps the
//! valid ones and reports every problem with row and field.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use exitcore::{Answer, Dataset, ExitRecord, ProblemKind, Questionnaire, Tenure};

fn valid(q: &Questionnaire, id: &str) -> ExitRecord {
    let mut r = ExitRecord::new(id, q, ["Operations", "Logistics"]);
    r.context.tenure = Some(Tenure::months(14));
    r.answers
        .insert("primary_reason".into(), Answer::text("workload"));
    r.answers.insert("enps".into(), Answer::Number(4));
    r.answers.insert("would_return".into(), Answer::Bool(true));
    r
}

fn kinds(q: &Questionnaire, r: &ExitRecord) -> Vec<(ProblemKind, String)> {
    q.problems(r)
        .into_iter()
        .map(|p| (p.kind, p.field))
        .collect()
}

#[test]
fn a_complete_record_is_valid() {
    let q = Questionnaire::standard();
    let mut r = valid(&q, "r1");
    r.answers.insert(
        "contributing_reasons".into(),
        Answer::choices(["pay", "recognition"]),
    );
    r.answers
        .insert("leadership_support".into(), Answer::Number(2));
    r.answers
        .insert("pay_fair".into(), Answer::not_applicable());
    r.answers
        .insert("comment_other".into(), Answer::text("Goede collega's."));
    r.answers
        .insert("new_job_start".into(), Answer::text("2025-02-01"));
    assert_eq!(q.problems(&r), vec![]);
}

#[test]
fn each_kind_of_problem_names_its_field() {
    use ProblemKind as K;
    let q = Questionnaire::standard();
    let mut r = valid(&q, "r1");
    r.answers.insert("shoe_size".into(), Answer::Number(44));
    r.answers.insert("enps".into(), Answer::Number(11));
    r.answers
        .insert("leadership_support".into(), Answer::text("agree"));
    r.answers.insert(
        "contributing_reasons".into(),
        Answer::choices(["pay", "pay"]),
    );
    r.answers
        .insert("new_job_start".into(), Answer::text("2025-02-30"));
    r.answers.remove("primary_reason");
    // return_conditions is only shown when would_return is false.
    r.answers
        .insert("return_conditions".into(), Answer::text("more pay"));
    r.context.org_unit.clear();
    assert_eq!(
        kinds(&q, &r),
        vec![
            (K::Missing, "context.org_unit".into()),
            (K::UnknownQuestion, "answers.shoe_size".into()),
            (K::Missing, "answers.primary_reason".into()),
            (K::OutOfRange, "answers.contributing_reasons".into()),
            (K::WrongType, "answers.leadership_support".into()),
            (K::OutOfRange, "answers.enps".into()),
            (K::NotShown, "answers.return_conditions".into()),
            (K::WrongType, "answers.new_job_start".into()),
        ]
    );
}

#[test]
fn skip_logic_follows_the_answer() {
    let q = Questionnaire::standard();
    let mut r = valid(&q, "r1");
    r.answers.insert("would_return".into(), Answer::Bool(false));
    r.answers
        .insert("return_conditions".into(), Answer::text("a better manager"));
    assert_eq!(q.problems(&r), vec![]);
}

#[test]
fn an_exclusive_option_cannot_be_combined() {
    let json = r#"{"id": "t", "version": 1, "title": {"nl": "T", "en": "T"}, "questions": [
        {"id": "why", "kind": "multiple_choice", "text": {"nl": "Waarom?", "en": "Why?"}, "options": [
            {"id": "pay", "text": {"nl": "Salaris", "en": "Pay"}, "theme": "pay"},
            {"id": "none", "text": {"nl": "Geen", "en": "None"}, "exclusive": true}]}]}"#;
    let q = Questionnaire::from_json(json).unwrap();
    let mut r = ExitRecord::new("r", &q, ["A"]);
    r.answers
        .insert("why".into(), Answer::choices(["pay", "none"]));
    let p = q.problems(&r);
    assert_eq!(p[0].message, "\"none\" excludes every other option");
}

#[test]
fn a_record_of_another_questionnaire_is_refused() {
    let q = Questionnaire::standard();
    let mut r = valid(&q, "r1");
    r.version = 7;
    assert_eq!(
        kinds(&q, &r),
        vec![(ProblemKind::WrongQuestionnaire, "questionnaire".into())]
    );
}

#[test]
fn bulk_loading_keeps_every_valid_row_and_reports_the_rest() {
    let q = Questionnaire::standard();
    let mut bad = valid(&q, "r2");
    bad.answers.insert("enps".into(), Answer::Number(-1));
    bad.answers
        .insert("would_return".into(), Answer::text("maybe"));
    let records = vec![
        valid(&q, "r1"),
        bad,
        valid(&q, "r3"),
        valid(&q, "r1"),
        valid(&q, "r4"),
    ];
    let loaded = Dataset::from_records(&q, &records);
    assert_eq!(loaded.dataset.len(), 3);
    assert_eq!(loaded.rejected, 2);
    let seen: Vec<(Option<u64>, Option<&str>, &str, ProblemKind)> = loaded
        .problems
        .iter()
        .map(|p| (p.row, p.respondent.as_deref(), p.field.as_str(), p.kind))
        .collect();
    assert_eq!(
        seen,
        vec![
            (Some(2), Some("r2"), "answers.enps", ProblemKind::OutOfRange),
            (
                Some(2),
                Some("r2"),
                "answers.would_return",
                ProblemKind::WrongType
            ),
            (
                Some(4),
                Some("r1"),
                "respondent",
                ProblemKind::DuplicateRespondent
            ),
        ]
    );
}

#[test]
fn json_values_that_are_not_records_become_problems() {
    let q = Questionnaire::standard();
    let good = serde_json::to_value(valid(&q, "r1")).unwrap();
    let values = vec![
        serde_json::json!("not a record"),
        good,
        serde_json::json!({"respondent": "r9", "questionnaire": "exitcore.standard", "version": 1,
                           "context": {"org_unit": ["A"], "exit_date": "2024-13"}}),
        serde_json::json!({"respondent": "r8", "questionnaire": "exitcore.standard", "version": 1,
                           "context": {"org_unit": ["A"], "team": "x"}}),
    ];
    let loaded = Dataset::from_json_values(&q, values);
    assert_eq!(loaded.dataset.len(), 1);
    let fields: Vec<(Option<u64>, &str)> = loaded
        .problems
        .iter()
        .map(|p| (p.row, p.field.as_str()))
        .collect();
    assert_eq!(
        fields,
        vec![
            (Some(1), "(record)"),
            (Some(3), "context.exit_date"),
            (Some(4), "context.team")
        ]
    );
    assert!(
        loaded.problems[1].message.contains("month 13"),
        "{}",
        loaded.problems[1].message
    );
    assert!(
        loaded.problems[2].message.contains("unknown field `team`"),
        "{}",
        loaded.problems[2].message
    );
}

/// A century of service is the limit: longer is a unit mistake (days read
/// as months), refused with the field named, and the rest of the load kept.
#[test]
fn a_tenure_over_a_hundred_years_is_refused() {
    let q = Questionnaire::standard();
    let with = |id: &str, t: Tenure| {
        let mut r = valid(&q, id);
        r.context.tenure = Some(t);
        r
    };
    for ok in [
        Tenure::months(1200),
        Tenure::between(0, 1201),
        Tenure::at_least(1200),
    ] {
        assert!(q.problems(&with("ok", ok)).is_empty(), "{ok:?}");
    }
    for (bad, message) in [
        (
            Tenure::months(1201),
            "min_months 1201 is over 1200 months (100 years)",
        ),
        (
            Tenure::at_least(36_500),
            "min_months 36500 is over 1200 months (100 years)",
        ),
        (
            Tenure::between(12, 1202),
            "max_months 1202 is over 1201 months (100 years and a month)",
        ),
        (
            Tenure::months(u32::MAX),
            "min_months 4294967295 is over 1200 months (100 years)",
        ),
    ] {
        let p = q.problems(&with("bad", bad));
        assert_eq!(p.len(), 1, "{bad:?}");
        assert_eq!(
            (p[0].kind, p[0].field.as_str()),
            (ProblemKind::OutOfRange, "context.tenure")
        );
        assert_eq!(p[0].message, message);
    }
    let loaded = Dataset::from_records(
        &q,
        [
            with("a", Tenure::months(1200)),
            with("b", Tenure::months(5000)),
            with("c", Tenure::months(3)),
        ],
    );
    assert_eq!((loaded.dataset.len(), loaded.rejected), (2, 1));
    assert!(
        loaded.problems[0]
            .to_string()
            .contains("record b, field context.tenure")
    );
}
