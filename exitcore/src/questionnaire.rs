//! Questionnaires: themes, questions, skip logic, versions; and the checks
//! that a questionnaire is consistent and that a record fits it.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::json_error;
use crate::record::{Answer, ExitRecord, PartialDate};
use crate::{Error, Problem, ProblemKind, Result, Text, Theme};

/// A versioned questionnaire: the fixed frame that makes exits comparable.
///
/// Load one from JSON with [`Questionnaire::from_json`] (it is checked for
/// consistency) or take the shipped [`Questionnaire::standard`].
///
/// ```
/// use exitcore::Questionnaire;
/// let q = Questionnaire::standard();
/// assert_eq!(q.id, "exitcore.standard");
/// let again = Questionnaire::from_json(&q.to_json()).unwrap();
/// assert_eq!(again, q);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    /// Stable id of the questionnaire family; versions share it.
    pub id: String,
    /// Version number, from 1.
    pub version: u32,
    /// Title shown to respondents and readers.
    pub title: Text,
    /// Optional introduction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// The questions, in the order they are asked.
    pub questions: Vec<Question>,
    /// How answers to earlier versions carry over to this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_versions: Vec<VersionMapping>,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable id, unique in the questionnaire and kept across versions.
    pub id: String,
    /// The question as asked.
    pub text: Text,
    /// The theme the question measures, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// The part this question plays in the standard analyses, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Whether a respondent who is shown the question must answer it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Skip logic: the question is shown only when this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    /// The kind of answer expected.
    #[serde(flatten)]
    pub kind: QuestionKind,
}

/// The kind of answer a question takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Agreement on labelled points `1..=scale.len()`, optionally "not applicable".
    Likert {
        /// Labels of the points, from lowest (1) to highest.
        scale: Vec<Text>,
        /// Label of the not-applicable answer, when it is offered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_applicable: Option<Text>,
    },
    /// A whole-number rating `min..=max` (eNPS: 0-10).
    Rating {
        /// Lowest value.
        min: u8,
        /// Highest value.
        max: u8,
        /// Label of the lowest value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        low_label: Option<Text>,
        /// Label of the highest value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        high_label: Option<Text>,
    },
    /// One option.
    SingleChoice {
        /// The options.
        options: Vec<ChoiceOption>,
    },
    /// Any number of options.
    MultipleChoice {
        /// The options (at most 63).
        options: Vec<ChoiceOption>,
        /// Most options one respondent may tick.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_selected: Option<u32>,
    },
    /// Yes or no.
    YesNo,
    /// Open text.
    FreeText {
        /// Longest answer accepted, in characters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_length: Option<u32>,
    },
    /// A calendar date.
    Date,
}

impl QuestionKind {
    /// The snake-case name of the kind.
    pub fn name(&self) -> &'static str {
        match self {
            QuestionKind::Likert { .. } => "likert",
            QuestionKind::Rating { .. } => "rating",
            QuestionKind::SingleChoice { .. } => "single_choice",
            QuestionKind::MultipleChoice { .. } => "multiple_choice",
            QuestionKind::YesNo => "yes_no",
            QuestionKind::FreeText { .. } => "free_text",
            QuestionKind::Date => "date",
        }
    }

    /// The options of a choice question; empty for other kinds.
    pub fn options(&self) -> &[ChoiceOption] {
        match self {
            QuestionKind::SingleChoice { options }
            | QuestionKind::MultipleChoice { options, .. } => options,
            _ => &[],
        }
    }
}

/// An option of a choice question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// Stable id, unique within the question.
    pub id: String,
    /// The option as shown.
    pub text: Text,
    /// The theme this option (typically a reason for leaving) belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// On a multiple-choice question: this option excludes all others ("none of these").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclusive: bool,
}

/// The part a question plays in the standard analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The main reason for leaving (single choice).
    PrimaryReason,
    /// All contributing reasons (multiple choice).
    ContributingReasons,
    /// Employee net promoter score (rating 0-10).
    Enps,
    /// Would the person come back (yes/no).
    WouldReturn,
}

impl Role {
    fn fits(self, kind: &QuestionKind) -> bool {
        match self {
            Role::PrimaryReason => matches!(kind, QuestionKind::SingleChoice { .. }),
            Role::ContributingReasons => matches!(kind, QuestionKind::MultipleChoice { .. }),
            Role::Enps => matches!(
                kind,
                QuestionKind::Rating {
                    min: 0,
                    max: 10,
                    ..
                }
            ),
            Role::WouldReturn => matches!(
                kind,
                QuestionKind::YesNo | QuestionKind::Likert { .. } | QuestionKind::Rating { .. }
            ),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Role::PrimaryReason => "a single_choice question",
            Role::ContributingReasons => "a multiple_choice question",
            Role::Enps => "a rating question from 0 to 10",
            Role::WouldReturn => "a yes_no, likert or rating question",
        }
    }
}

/// Skip logic: show a question only when an earlier one was answered with
/// one of the given values (for a multiple-choice question: when one of the
/// given options was ticked).
///
/// ```
/// use exitcore::{Answer, Condition};
/// let c: Condition = serde_json::from_str(r#"{"question": "would_return", "equals": false}"#).unwrap();
/// assert_eq!(c.values(), &[Answer::Bool(false)]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, from = "RawCondition", into = "RawCondition")]
pub struct Condition {
    /// The earlier question the condition looks at.
    pub question: String,
    values: Vec<Answer>,
    single: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    question: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    equals: Option<Answer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    any_of: Option<Vec<Answer>>,
}

impl From<RawCondition> for Condition {
    fn from(raw: RawCondition) -> Self {
        let single = raw.equals.is_some() && raw.any_of.is_none();
        let mut values: Vec<Answer> = raw.equals.into_iter().collect();
        values.extend(raw.any_of.unwrap_or_default());
        Condition {
            question: raw.question,
            values,
            single,
        }
    }
}

impl From<Condition> for RawCondition {
    fn from(c: Condition) -> Self {
        if c.single && c.values.len() == 1 {
            RawCondition {
                question: c.question,
                equals: c.values.into_iter().next(),
                any_of: None,
            }
        } else {
            RawCondition {
                question: c.question,
                equals: None,
                any_of: Some(c.values),
            }
        }
    }
}

impl Condition {
    /// Show when `question` was answered with `value`.
    pub fn equals(question: impl Into<String>, value: impl Into<Answer>) -> Self {
        Condition {
            question: question.into(),
            values: vec![value.into()],
            single: true,
        }
    }

    /// Show when `question` was answered with any of `values`.
    pub fn any_of(question: impl Into<String>, values: Vec<Answer>) -> Self {
        Condition {
            question: question.into(),
            values,
            single: false,
        }
    }

    /// The values that make the condition true.
    pub fn values(&self) -> &[Answer] {
        &self.values
    }

    pub(crate) fn holds(&self, answer: Option<&Answer>) -> bool {
        match answer {
            None => false,
            Some(Answer::List(ticked)) => self
                .values
                .iter()
                .any(|v| matches!(v, Answer::Text(t) if ticked.contains(t))),
            Some(a) => self.values.contains(a),
        }
    }
}

/// How one earlier version's answers map onto this version.
///
/// Questions and options not listed keep their id; a question listed in
/// `dropped` has no counterpart and its answers are left out on migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionMapping {
    /// The earlier version.
    pub version: u32,
    /// Old question id to new question id, for renamed questions.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub questions: BTreeMap<String, String>,
    /// Per new question id: old option id to new option id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, BTreeMap<String, String>>,
    /// Old questions that have no counterpart in this version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<String>,
}

/// An answer checked against its question, in the compact form the dataset stores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Checked<'a> {
    /// Likert point `1..=n`, or 0 for not applicable.
    Likert(u8),
    Rating(u8),
    Choice(u16),
    Choices(u64),
    YesNo(bool),
    Text(&'a str),
    Date(chrono::NaiveDate),
}

const STANDARD_JSON: &str = include_str!("standard_questionnaire.json");

impl Questionnaire {
    /// The standard exit questionnaire shipped with exitcore (nl and en).
    #[allow(clippy::expect_used)]
    pub fn standard() -> Questionnaire {
        static STANDARD: std::sync::LazyLock<Questionnaire> = std::sync::LazyLock::new(|| {
            // The JSON is compiled into the library and checked by a unit test,
            // so no user input can make this fail.
            Questionnaire::from_json(STANDARD_JSON)
                .expect("the shipped standard questionnaire is valid")
        });
        STANDARD.clone()
    }

    /// Parses a questionnaire from JSON and checks it for consistency.
    ///
    /// ```
    /// use exitcore::Questionnaire;
    /// let bad = r#"{"id": "q", "version": 1, "title": {"nl": "T", "en": "T"},
    ///   "questions": [{"id": "a", "kind": "yes_no", "text": {"nl": "A?", "en": "A?"},
    ///                  "show_if": {"question": "nope", "equals": true}}]}"#;
    /// let err = Questionnaire::from_json(bad).unwrap_err();
    /// assert_eq!(err.to_string(),
    ///     "invalid questionnaire at questions[0].show_if.question: refers to unknown question \"nope\"");
    /// ```
    pub fn from_json(json: &str) -> Result<Self> {
        let de = &mut serde_json::Deserializer::from_str(json);
        let q: Questionnaire = serde_path_to_error::deserialize(de)
            .map_err(|e| json_error(&e, |path, message| Error::Questionnaire { path, message }))?;
        q.check()?;
        Ok(q)
    }

    /// Reads and checks a questionnaire from a JSON file.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_json(&json)
    }

    /// The questionnaire as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The question with id `id`.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// The question playing `role`, if the questionnaire has one.
    pub fn question_with_role(&self, role: Role) -> Option<&Question> {
        self.questions.iter().find(|q| q.role == Some(role))
    }

    /// Checks that the questionnaire is consistent: unique ids, known
    /// references, complete translations, sensible ranges.
    ///
    /// [`Questionnaire::from_json`] calls this; call it yourself after
    /// building or editing a questionnaire in code.
    pub fn check(&self) -> Result<()> {
        if self.id.trim().is_empty() {
            return Err(Error::questionnaire("id", "must not be empty"));
        }
        if self.version == 0 {
            return Err(Error::questionnaire("version", "must be 1 or higher"));
        }
        check_text(&self.title, "title")?;
        if let Some(d) = &self.description {
            check_text(d, "description")?;
        }
        if self.questions.is_empty() {
            return Err(Error::questionnaire(
                "questions",
                "a questionnaire needs at least one question",
            ));
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut roles: HashMap<Role, usize> = HashMap::new();
        for (i, q) in self.questions.iter().enumerate() {
            let at = format!("questions[{i}]");
            if q.id.trim().is_empty() || q.id.chars().any(char::is_whitespace) {
                return Err(Error::questionnaire(
                    format!("{at}.id"),
                    format!("{:?} is not a valid id (non-empty, no spaces)", q.id),
                ));
            }
            if let Some(first) = seen.insert(&q.id, i) {
                return Err(Error::questionnaire(
                    format!("{at}.id"),
                    format!("duplicate question id {:?} (also questions[{first}])", q.id),
                ));
            }
            check_text(&q.text, &format!("{at}.text"))?;
            check_kind(&q.kind, &at)?;
            if let Some(role) = q.role {
                if !role.fits(&q.kind) {
                    return Err(Error::questionnaire(
                        format!("{at}.role"),
                        format!("this role needs {}", role.expected()),
                    ));
                }
                if let Some(first) = roles.insert(role, i) {
                    return Err(Error::questionnaire(
                        format!("{at}.role"),
                        format!("role already taken by questions[{first}]"),
                    ));
                }
            }
            if let Some(c) = &q.show_if {
                self.check_condition(c, i, &format!("{at}.show_if"), &seen)?;
            }
        }
        for (i, m) in self.previous_versions.iter().enumerate() {
            self.check_version_mapping(m, &format!("previous_versions[{i}]"))?;
        }
        Ok(())
    }

    fn check_condition(
        &self,
        c: &Condition,
        index: usize,
        at: &str,
        earlier: &HashMap<&str, usize>,
    ) -> Result<()> {
        let target = match earlier.get(c.question.as_str()) {
            Some(&j) if j < index => &self.questions[j],
            Some(_) => {
                return Err(Error::questionnaire(
                    format!("{at}.question"),
                    "a question cannot depend on itself",
                ));
            }
            None if self.question(&c.question).is_some() => {
                return Err(Error::questionnaire(
                    format!("{at}.question"),
                    format!(
                        "refers to {:?}, which is asked later; conditions may only look back",
                        c.question
                    ),
                ));
            }
            None => {
                return Err(Error::questionnaire(
                    format!("{at}.question"),
                    format!("refers to unknown question {:?}", c.question),
                ));
            }
        };
        if c.values.is_empty() {
            return Err(Error::questionnaire(
                at,
                "give the value to compare with in \"equals\" or \"any_of\"",
            ));
        }
        for (k, v) in c.values.iter().enumerate() {
            // A condition value must be a possible answer; a multiple-choice
            // question is compared option by option.
            let probe = match (&target.kind, v) {
                (QuestionKind::MultipleChoice { .. }, Answer::Text(t)) => {
                    Answer::List(vec![t.clone()])
                }
                _ => v.clone(),
            };
            if let Err(message) = check_answer(target, &probe) {
                let spot = if c.single {
                    format!("{at}.equals")
                } else {
                    format!("{at}.any_of[{k}]")
                };
                return Err(Error::questionnaire(
                    spot,
                    format!("not a possible answer to {:?}: {}", target.id, message.1),
                ));
            }
        }
        Ok(())
    }

    fn check_version_mapping(&self, m: &VersionMapping, at: &str) -> Result<()> {
        if m.version >= self.version {
            return Err(Error::questionnaire(
                format!("{at}.version"),
                format!("version {} is not earlier than {}", m.version, self.version),
            ));
        }
        for (old, new) in &m.questions {
            if self.question(new).is_none() {
                return Err(Error::questionnaire(
                    format!("{at}.questions.{old}"),
                    format!("maps to unknown question {new:?}"),
                ));
            }
        }
        for (qid, opts) in &m.options {
            let Some(q) = self.question(qid) else {
                return Err(Error::questionnaire(
                    format!("{at}.options.{qid}"),
                    format!("unknown question {qid:?}"),
                ));
            };
            for (old, new) in opts {
                if !q.kind.options().iter().any(|o| &o.id == new) {
                    return Err(Error::questionnaire(
                        format!("{at}.options.{qid}.{old}"),
                        format!("maps to unknown option {new:?}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Checks one record against this questionnaire.
    ///
    /// Returns [`Error::InvalidRecord`] with every problem found: unknown
    /// question, wrong type, value out of range, a required answer missing,
    /// an answer to a question that was not shown, incomplete context.
    pub fn validate(&self, record: &ExitRecord) -> Result<()> {
        let problems = self.problems(record);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidRecord {
                respondent: record.respondent.clone(),
                problems,
            })
        }
    }

    /// Every problem of `record`, without location (row) information.
    pub fn problems(&self, record: &ExitRecord) -> Vec<Problem> {
        let mut out = Vec::new();
        self.check_record(record, |p| out.push(p), |_, _| {});
        let respondent = record.respondent.clone();
        out.into_iter()
            .map(|p| {
                if respondent.is_empty() {
                    p
                } else {
                    p.for_respondent(respondent.clone())
                }
            })
            .collect()
    }

    /// Walks a record once, reporting problems and handing each valid answer
    /// (by question index) to `accept`.
    pub(crate) fn check_record<'r>(
        &self,
        record: &'r ExitRecord,
        mut problem: impl FnMut(Problem),
        mut accept: impl FnMut(usize, Checked<'r>),
    ) {
        use ProblemKind as K;
        if record.respondent.trim().is_empty() {
            problem(Problem::new(
                K::Missing,
                "respondent",
                "respondent id is empty",
            ));
        }
        if record.questionnaire != self.id || record.version != self.version {
            problem(Problem::new(
                K::WrongQuestionnaire,
                "questionnaire",
                format!(
                    "record answers {}@{}, expected {}@{}",
                    record.questionnaire, record.version, self.id, self.version
                ),
            ));
        }
        check_context(&record.context, &mut problem);
        for (qid, _) in record
            .answers
            .iter()
            .filter(|(qid, _)| self.question(qid).is_none())
        {
            problem(Problem::new(
                K::UnknownQuestion,
                format!("answers.{qid}"),
                format!("the questionnaire has no question {qid:?}"),
            ));
        }
        for (i, q) in self.questions.iter().enumerate() {
            let field = || format!("answers.{}", q.id);
            let shown = self.is_shown(q, record);
            match record.answers.get(&q.id) {
                None if shown && q.required => {
                    problem(Problem::new(
                        K::Missing,
                        field(),
                        "required answer is missing",
                    ));
                }
                None => {}
                Some(_) if !shown => problem(Problem::new(
                    K::NotShown,
                    field(),
                    format!(
                        "answered, but the question is only shown when {:?} is answered with {}",
                        q.show_if.as_ref().map_or("", |c| c.question.as_str()),
                        q.show_if
                            .as_ref()
                            .map_or_else(String::new, |c| describe_values(c.values())),
                    ),
                )),
                Some(a) => match check_answer(q, a) {
                    Ok(v) => accept(i, v),
                    Err((kind, message)) => problem(Problem::new(kind, field(), message)),
                },
            }
        }
    }

    fn is_shown(&self, q: &Question, record: &ExitRecord) -> bool {
        match &q.show_if {
            None => true,
            Some(c) => {
                // A question hidden by its own condition hides its dependants too.
                let parent_shown = self
                    .question(&c.question)
                    .is_some_and(|p| self.is_shown(p, record));
                parent_shown && c.holds(record.answers.get(&c.question))
            }
        }
    }

    /// Carries a record of an earlier version over to this version, renaming
    /// questions and options as `previous_versions` says.
    ///
    /// ```
    /// use exitcore::{Answer, ExitRecord, Questionnaire};
    /// let v1 = Questionnaire::from_json(r#"{"id": "x", "version": 1, "title": {"nl": "X", "en": "X"},
    ///   "questions": [{"id": "recommend", "kind": "rating", "min": 0, "max": 10,
    ///                  "text": {"nl": "Aanraden?", "en": "Recommend?"}}]}"#).unwrap();
    /// let v2 = Questionnaire::from_json(r#"{"id": "x", "version": 2, "title": {"nl": "X", "en": "X"},
    ///   "questions": [{"id": "enps", "kind": "rating", "min": 0, "max": 10, "role": "enps",
    ///                  "text": {"nl": "Aanraden?", "en": "Recommend?"}}],
    ///   "previous_versions": [{"version": 1, "questions": {"recommend": "enps"}}]}"#).unwrap();
    /// let mut old = ExitRecord::new("r1", &v1, ["Sales"]);
    /// old.answers.insert("recommend".into(), Answer::Number(8));
    /// let new = v2.migrate(&old).unwrap();
    /// assert_eq!(new.answers["enps"], Answer::Number(8));
    /// v2.validate(&new).unwrap();
    /// ```
    pub fn migrate(&self, record: &ExitRecord) -> Result<ExitRecord> {
        if record.questionnaire != self.id {
            return Err(Error::argument(
                "record.questionnaire",
                format!(
                    "record answers {:?}, not {:?}",
                    record.questionnaire, self.id
                ),
            ));
        }
        if record.version == self.version {
            return Ok(record.clone());
        }
        let Some(m) = self
            .previous_versions
            .iter()
            .find(|m| m.version == record.version)
        else {
            return Err(Error::argument(
                "record.version",
                format!(
                    "{}@{} has no mapping from version {}",
                    self.id, self.version, record.version
                ),
            ));
        };
        let mut out = record.clone();
        out.version = self.version;
        out.answers = BTreeMap::new();
        for (old_id, answer) in &record.answers {
            if m.dropped.contains(old_id) {
                continue;
            }
            let new_id = m.questions.get(old_id).unwrap_or(old_id);
            let renamed = match (m.options.get(new_id), answer) {
                (Some(map), Answer::Text(t)) => Answer::Text(map.get(t).unwrap_or(t).clone()),
                (Some(map), Answer::List(l)) => {
                    Answer::List(l.iter().map(|t| map.get(t).unwrap_or(t).clone()).collect())
                }
                _ => answer.clone(),
            };
            out.answers.insert(new_id.clone(), renamed);
        }
        Ok(out)
    }
}

pub(crate) fn describe_values(values: &[Answer]) -> String {
    let parts: Vec<String> = values
        .iter()
        .map(|v| serde_json::to_string(v).unwrap_or_default())
        .collect();
    parts.join(" or ")
}

fn check_text(t: &Text, at: &str) -> Result<()> {
    match t.missing_languages().first() {
        None => Ok(()),
        Some(lang) => Err(Error::questionnaire(
            format!("{at}.{}", lang.code()),
            "missing translation",
        )),
    }
}

fn check_kind(kind: &QuestionKind, at: &str) -> Result<()> {
    match kind {
        QuestionKind::Likert {
            scale,
            not_applicable,
        } => {
            if !(2..=11).contains(&scale.len()) {
                return Err(Error::questionnaire(
                    format!("{at}.scale"),
                    format!("a likert scale needs 2 to 11 points, got {}", scale.len()),
                ));
            }
            for (k, t) in scale.iter().enumerate() {
                check_text(t, &format!("{at}.scale[{k}]"))?;
            }
            if let Some(t) = not_applicable {
                check_text(t, &format!("{at}.not_applicable"))?;
            }
        }
        QuestionKind::Rating {
            min,
            max,
            low_label,
            high_label,
        } => {
            if min >= max || *max > 100 {
                return Err(Error::questionnaire(
                    format!("{at}.max"),
                    format!("a rating needs min < max <= 100, got {min}..={max}"),
                ));
            }
            if let Some(t) = low_label {
                check_text(t, &format!("{at}.low_label"))?;
            }
            if let Some(t) = high_label {
                check_text(t, &format!("{at}.high_label"))?;
            }
        }
        QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options, .. } => {
            let multiple = matches!(kind, QuestionKind::MultipleChoice { .. });
            let limit = if multiple {
                64
            } else {
                usize::from(u16::MAX - 1)
            };
            if options.len() < 2 || options.len() > limit {
                return Err(Error::questionnaire(
                    format!("{at}.options"),
                    format!("needs 2 to {limit} options, got {}", options.len()),
                ));
            }
            let mut ids = HashSet::new();
            for (k, o) in options.iter().enumerate() {
                let spot = format!("{at}.options[{k}]");
                if o.id.trim().is_empty() {
                    return Err(Error::questionnaire(
                        format!("{spot}.id"),
                        "must not be empty",
                    ));
                }
                if !ids.insert(o.id.as_str()) {
                    return Err(Error::questionnaire(
                        format!("{spot}.id"),
                        format!("duplicate option id {:?}", o.id),
                    ));
                }
                if o.exclusive && !multiple {
                    return Err(Error::questionnaire(
                        format!("{spot}.exclusive"),
                        "only options of a multiple_choice question can be exclusive",
                    ));
                }
                check_text(&o.text, &format!("{spot}.text"))?;
            }
            if let QuestionKind::MultipleChoice {
                max_selected: Some(0),
                ..
            } = kind
            {
                return Err(Error::questionnaire(
                    format!("{at}.max_selected"),
                    "must be at least 1",
                ));
            }
        }
        QuestionKind::FreeText {
            max_length: Some(0),
        } => {
            return Err(Error::questionnaire(
                format!("{at}.max_length"),
                "must be at least 1",
            ));
        }
        QuestionKind::YesNo | QuestionKind::FreeText { .. } | QuestionKind::Date => {}
    }
    Ok(())
}

pub(crate) fn check_context(c: &crate::ExitContext, problem: &mut impl FnMut(Problem)) {
    use ProblemKind as K;
    if c.org_unit.is_empty() {
        problem(Problem::new(
            K::Missing,
            "context.org_unit",
            "org unit is missing",
        ));
    } else if let Some(k) = c.org_unit.iter().position(|s| s.trim().is_empty()) {
        problem(Problem::new(
            K::Missing,
            format!("context.org_unit[{k}]"),
            "org unit path has an empty level",
        ));
    }
    for (name, v) in [
        ("job_family", &c.job_family),
        ("manager", &c.manager),
        ("location", &c.location),
        ("age_band", &c.age_band),
    ] {
        if v.as_ref().is_some_and(|s| s.trim().is_empty()) {
            problem(Problem::new(
                K::Missing,
                format!("context.{name}"),
                "is empty; leave it out when unknown",
            ));
        }
    }
    if let Some(Err(m)) = c.tenure.as_ref().map(crate::Tenure::check) {
        problem(Problem::new(K::OutOfRange, "context.tenure", m));
    }
}

/// Checks one answer against its question, returning the compact value or
/// the kind of problem with a message.
pub(crate) fn check_answer<'a>(
    q: &Question,
    a: &'a Answer,
) -> std::result::Result<Checked<'a>, (ProblemKind, String)> {
    use ProblemKind as K;
    let wrong = |expected: &str| {
        (
            K::WrongType,
            format!("expected {expected}, got {}", a.type_name()),
        )
    };
    match (&q.kind, a) {
        (
            QuestionKind::Likert {
                scale,
                not_applicable,
            },
            Answer::Number(n),
        ) => {
            let n = *n;
            match u8::try_from(n) {
                Ok(p) if p >= 1 && usize::from(p) <= scale.len() => Ok(Checked::Likert(p)),
                _ => Err((
                    K::OutOfRange,
                    format!(
                        "{n} is not a point of the scale 1..={}{}",
                        scale.len(),
                        if not_applicable.is_some() {
                            " or \"n/a\""
                        } else {
                            ""
                        }
                    ),
                )),
            }
        }
        (QuestionKind::Likert { not_applicable, .. }, Answer::Text(t))
            if t == Answer::NOT_APPLICABLE =>
        {
            if not_applicable.is_some() {
                Ok(Checked::Likert(0))
            } else {
                Err((
                    K::OutOfRange,
                    "this question does not offer \"not applicable\"".to_owned(),
                ))
            }
        }
        (QuestionKind::Likert { .. }, _) => Err(wrong("a scale point (number)")),
        (QuestionKind::Rating { min, max, .. }, Answer::Number(n)) => match u8::try_from(*n) {
            Ok(v) if (*min..=*max).contains(&v) => Ok(Checked::Rating(v)),
            _ => Err((K::OutOfRange, format!("{n} is outside {min}..={max}"))),
        },
        (QuestionKind::Rating { .. }, _) => Err(wrong("a number")),
        (QuestionKind::SingleChoice { options }, Answer::Text(t)) => options
            .iter()
            .position(|o| &o.id == t)
            .and_then(|p| u16::try_from(p).ok())
            .map(Checked::Choice)
            .ok_or_else(|| {
                (
                    K::OutOfRange,
                    format!("{t:?} is not an option ({})", option_list(options)),
                )
            }),
        (QuestionKind::SingleChoice { .. }, _) => Err(wrong("an option id (text)")),
        (
            QuestionKind::MultipleChoice {
                options,
                max_selected,
            },
            Answer::List(ids),
        ) => {
            let mut mask = 0u64;
            for t in ids {
                let Some(p) = options.iter().position(|o| &o.id == t) else {
                    return Err((
                        K::OutOfRange,
                        format!("{t:?} is not an option ({})", option_list(options)),
                    ));
                };
                if mask & (1 << p) != 0 {
                    return Err((K::OutOfRange, format!("{t:?} is ticked twice")));
                }
                mask |= 1 << p;
            }
            if ids.len() > 1
                && let Some(o) = options.iter().find(|o| o.exclusive && ids.contains(&o.id))
            {
                return Err((
                    K::OutOfRange,
                    format!("{:?} excludes every other option", o.id),
                ));
            }
            match max_selected {
                Some(m) if ids.len() > *m as usize => Err((
                    K::OutOfRange,
                    format!("{} options ticked, at most {m} allowed", ids.len()),
                )),
                _ => Ok(Checked::Choices(mask)),
            }
        }
        (QuestionKind::MultipleChoice { .. }, _) => Err(wrong("a list of option ids")),
        (QuestionKind::YesNo, Answer::Bool(b)) => Ok(Checked::YesNo(*b)),
        (QuestionKind::YesNo, _) => Err(wrong("true or false")),
        (QuestionKind::FreeText { .. }, Answer::Text(t)) => {
            check_free_text(q, t).map(|()| Checked::Text(t))
        }
        (QuestionKind::FreeText { .. }, _) => Err(wrong("a text")),
        (QuestionKind::Date, Answer::Text(t)) => {
            match t.parse::<PartialDate>().ok().and_then(|d| d.to_naive()) {
                Some(d) => Ok(Checked::Date(d)),
                None => Err((K::WrongType, format!("{t:?} is not a date like 2024-03-01"))),
            }
        }
        (QuestionKind::Date, _) => Err(wrong("a date (text like 2024-03-01)")),
    }
}

/// The check of a text answer to a free-text question (its length), for
/// callers that hold the text borrowed rather than in an [`Answer`].
pub(crate) fn check_free_text(
    q: &Question,
    t: &str,
) -> std::result::Result<(), (ProblemKind, String)> {
    match &q.kind {
        // A text has no more characters than bytes: most are short enough
        // not to be counted.
        QuestionKind::FreeText {
            max_length: Some(m),
        } if t.len() > *m as usize && t.chars().count() > *m as usize => Err((
            ProblemKind::OutOfRange,
            format!("text is longer than {m} characters"),
        )),
        _ => Ok(()),
    }
}

fn option_list(options: &[ChoiceOption]) -> String {
    const SHOWN: usize = 8;
    let mut ids: Vec<&str> = options.iter().take(SHOWN).map(|o| o.id.as_str()).collect();
    if options.len() > SHOWN {
        ids.push("...");
    }
    ids.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_questionnaire_is_valid_and_covers_every_theme() {
        let q = Questionnaire::from_json(STANDARD_JSON).unwrap();
        for role in [
            Role::PrimaryReason,
            Role::ContributingReasons,
            Role::Enps,
            Role::WouldReturn,
        ] {
            assert!(q.question_with_role(role).is_some(), "{role:?}");
        }
        let reasons = q.question_with_role(Role::PrimaryReason).unwrap();
        for theme in Theme::ALL {
            assert!(
                reasons
                    .kind
                    .options()
                    .iter()
                    .any(|o| o.theme == Some(theme)),
                "no reason for {theme}"
            );
        }
    }
}
