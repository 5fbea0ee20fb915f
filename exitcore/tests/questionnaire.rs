//! A questionnaire that contradicts itself is rejected with the spot named.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use exitcore::{Error, Questionnaire};

/// A one-question questionnaire with `extra` spliced into the question list.
fn with_questions(questions: &str) -> String {
    format!(
        r#"{{"id": "t", "version": 1, "title": {{"nl": "T", "en": "T"}}, "questions": [{questions}]}}"#
    )
}

const YES_NO: &str = r#"{"id": "a", "kind": "yes_no", "text": {"nl": "A?", "en": "A?"}}"#;

fn rejected(json: &str) -> (String, String) {
    match Questionnaire::from_json(json) {
        Err(Error::Questionnaire { path, message }) => (path, message),
        other => panic!("expected a questionnaire error, got {other:?}"),
    }
}

#[test]
fn duplicate_question_ids_are_named() {
    let (path, message) = rejected(&with_questions(&format!("{YES_NO}, {YES_NO}")));
    assert_eq!(path, "questions[1].id");
    assert_eq!(message, "duplicate question id \"a\" (also questions[0])");
}

#[test]
fn a_condition_on_an_unknown_question_is_named() {
    let q = r#"{"id": "b", "kind": "yes_no", "text": {"nl": "B?", "en": "B?"},
                "show_if": {"question": "zz", "equals": true}}"#;
    let (path, message) = rejected(&with_questions(&format!("{YES_NO}, {q}")));
    assert_eq!(path, "questions[1].show_if.question");
    assert_eq!(message, "refers to unknown question \"zz\"");
}

#[test]
fn a_condition_may_only_look_back() {
    let q = r#"{"id": "b", "kind": "yes_no", "text": {"nl": "B?", "en": "B?"},
                "show_if": {"question": "a", "equals": true}}"#;
    let (path, message) = rejected(&with_questions(&format!("{q}, {YES_NO}")));
    assert_eq!(path, "questions[0].show_if.question");
    assert!(message.contains("asked later"), "{message}");
}

#[test]
fn a_condition_value_must_be_a_possible_answer() {
    let q = r#"{"id": "b", "kind": "yes_no", "text": {"nl": "B?", "en": "B?"},
                "show_if": {"question": "a", "equals": 3}}"#;
    let (path, message) = rejected(&with_questions(&format!("{YES_NO}, {q}")));
    assert_eq!(path, "questions[1].show_if.equals");
    assert!(message.contains("expected true or false"), "{message}");
}

#[test]
fn an_unknown_theme_is_named() {
    let q =
        r#"{"id": "a", "kind": "yes_no", "theme": "happiness", "text": {"nl": "A?", "en": "A?"}}"#;
    let (path, message) = rejected(&with_questions(q));
    assert_eq!(path, "questions[0].theme");
    assert!(message.contains("unknown variant `happiness`"), "{message}");
}

#[test]
fn a_missing_translation_is_named() {
    let q = r#"{"id": "a", "kind": "single_choice", "text": {"nl": "A?", "en": "A?"},
                "options": [{"id": "x", "text": {"nl": "X", "en": "X"}},
                            {"id": "y", "text": {"nl": "Y", "en": " "}}]}"#;
    let (path, message) = rejected(&with_questions(q));
    assert_eq!(path, "questions[0].options[1].text.en");
    assert_eq!(message, "missing translation");
    let (path, _) = rejected(
        r#"{"id": "t", "version": 1, "title": {"en": "T"}, "questions": [{"id": "a", "kind": "yes_no", "text": {"nl": "A", "en": "A"}}]}"#,
    );
    assert_eq!(path, "title.nl");
}

#[test]
fn a_role_needs_the_right_kind_and_only_one_question() {
    let q = r#"{"id": "a", "kind": "yes_no", "role": "enps", "text": {"nl": "A?", "en": "A?"}}"#;
    let (path, message) = rejected(&with_questions(q));
    assert_eq!(path, "questions[0].role");
    assert_eq!(message, "this role needs a rating question from 0 to 10");
}

#[test]
fn scales_and_options_are_checked() {
    let q = r#"{"id": "a", "kind": "likert", "text": {"nl": "A", "en": "A"}, "scale": [{"nl": "x", "en": "x"}]}"#;
    assert_eq!(rejected(&with_questions(q)).0, "questions[0].scale");
    let q = r#"{"id": "a", "kind": "multiple_choice", "text": {"nl": "A", "en": "A"},
                "options": [{"id": "x", "text": {"nl": "X", "en": "X"}}, {"id": "x", "text": {"nl": "X", "en": "X"}}]}"#;
    assert_eq!(rejected(&with_questions(q)).0, "questions[0].options[1].id");
    let q = r#"{"id": "a", "kind": "rating", "min": 5, "max": 5, "text": {"nl": "A", "en": "A"}}"#;
    assert_eq!(rejected(&with_questions(q)).0, "questions[0].max");
}

#[test]
fn malformed_json_names_line_and_column() {
    let err = Questionnaire::from_json("{\"id\": \"t\",\n \"version\": \"one\"}").unwrap_err();
    assert_eq!(err.code(), "questionnaire");
    assert_eq!(err.field(), Some("version"));
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn version_mappings_must_point_at_this_version() {
    let json = r#"{"id": "t", "version": 2, "title": {"nl": "T", "en": "T"},
        "questions": [{"id": "a", "kind": "yes_no", "text": {"nl": "A", "en": "A"}}],
        "previous_versions": [{"version": 1, "questions": {"old": "gone"}}]}"#;
    let (path, message) = rejected(json);
    assert_eq!(path, "previous_versions[0].questions.old");
    assert_eq!(message, "maps to unknown question \"gone\"");
}

#[test]
fn the_standard_questionnaire_round_trips_through_json() {
    let q = Questionnaire::standard();
    assert_eq!(Questionnaire::from_json(&q.to_json()).unwrap(), q);
    assert!(q.questions.len() >= 15);
}
