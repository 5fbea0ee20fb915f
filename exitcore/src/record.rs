//! Exit records: one departure, its context and its answers.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, Result};

/// One answer as given, before it is checked against its question.
///
/// The meaning follows the question: a Likert point (`1..=points`) or
/// [`Answer::NOT_APPLICABLE`], a rating (`0..=10`), an option id, a list of
/// option ids, yes/no, free text, or an ISO date (`2024-03-01`).
///
/// ```
/// use exitcore::Answer;
/// let a: Answer = serde_json::from_str("4").unwrap();
/// assert_eq!(a, Answer::Number(4));
/// let b: Answer = serde_json::from_str(r#"["pay", "workload"]"#).unwrap();
/// assert_eq!(b, Answer::choices(["pay", "workload"]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Yes/no.
    Bool(bool),
    /// A Likert point or a rating.
    Number(i64),
    /// An option id, free text, a date or [`Answer::NOT_APPLICABLE`].
    Text(String),
    /// Option ids of a multiple-choice question.
    List(Vec<String>),
}

impl Answer {
    /// The answer "not applicable" on a Likert question that allows it.
    pub const NOT_APPLICABLE: &'static str = "n/a";

    /// A single option or text answer.
    pub fn text(s: impl Into<String>) -> Self {
        Answer::Text(s.into())
    }

    /// A multiple-choice answer.
    pub fn choices<I, S>(ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Answer::List(ids.into_iter().map(Into::into).collect())
    }

    /// "Not applicable" on a Likert question.
    pub fn not_applicable() -> Self {
        Answer::Text(Self::NOT_APPLICABLE.to_owned())
    }

    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Answer::Bool(_) => "a boolean",
            Answer::Number(_) => "a number",
            Answer::Text(_) => "a text",
            Answer::List(_) => "a list",
        }
    }
}

impl From<bool> for Answer {
    fn from(v: bool) -> Self {
        Answer::Bool(v)
    }
}

impl From<i64> for Answer {
    fn from(v: i64) -> Self {
        Answer::Number(v)
    }
}

impl From<&str> for Answer {
    fn from(v: &str) -> Self {
        Answer::Text(v.to_owned())
    }
}

impl Serialize for Answer {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Answer::Bool(b) => s.serialize_bool(*b),
            Answer::Number(n) => s.serialize_i64(*n),
            Answer::Text(t) => s.serialize_str(t),
            Answer::List(l) => l.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct AnswerVisitor;
        impl<'de> Visitor<'de> for AnswerVisitor {
            type Value = Answer;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean, an integer, a string or a list of strings")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Answer, E> {
                Ok(Answer::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Answer, E> {
                Ok(Answer::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Answer, E> {
                i64::try_from(v)
                    .map(Answer::Number)
                    .map_err(|_| E::custom(format!("number {v} is too large")))
            }
            #[allow(clippy::cast_possible_truncation)]
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Answer, E> {
                // Python and JS hand over whole numbers as floats (3.0); accept those only.
                if v.fract() == 0.0 && v.abs() < 9.0e15 {
                    Ok(Answer::Number(v as i64))
                } else {
                    Err(E::custom(format!("expected a whole number, got {v}")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Answer, E> {
                Ok(Answer::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Answer, E> {
                Ok(Answer::Text(v))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Answer, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<String>()? {
                    out.push(item);
                }
                Ok(Answer::List(out))
            }
        }
        d.deserialize_any(AnswerVisitor)
    }
}

/// A date known to the year, the month or the day (`2012`, `2012-08`, `2012-08-15`).
///
/// Exports often carry only a year or a month; analyses use what is known.
///
/// ```
/// use exitcore::PartialDate;
/// let d: PartialDate = "2012-08".parse().unwrap();
/// assert_eq!((d.year, d.month, d.day), (2012, Some(8), None));
/// assert_eq!(d.to_string(), "2012-08");
/// assert!("2012-13".parse::<PartialDate>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    /// The year.
    pub year: i32,
    /// The month, 1-12, when known.
    pub month: Option<u8>,
    /// The day of the month, when known (then the month is known too).
    pub day: Option<u8>,
}

impl PartialDate {
    /// A date known to the day; fails on an impossible date.
    pub fn ymd(year: i32, month: u8, day: u8) -> Result<Self> {
        Self::checked(year, Some(month), Some(day))
    }

    /// A date known to the month.
    pub fn ym(year: i32, month: u8) -> Result<Self> {
        Self::checked(year, Some(month), None)
    }

    /// A date known to the year.
    pub fn year(year: i32) -> Result<Self> {
        Self::checked(year, None, None)
    }

    fn checked(year: i32, month: Option<u8>, day: Option<u8>) -> Result<Self> {
        let bad = |m: String| Error::argument("date", m);
        if !(1900..=2200).contains(&year) {
            return Err(bad(format!("year {year} is outside 1900..=2200")));
        }
        match (month, day) {
            (None, Some(_)) => return Err(bad("a day needs a month".into())),
            (Some(m), _) if !(1..=12).contains(&m) => {
                return Err(bad(format!("month {m} is outside 1..=12")));
            }
            (Some(m), Some(d))
                if chrono::NaiveDate::from_ymd_opt(year, u32::from(m), u32::from(d)).is_none() =>
            {
                return Err(bad(format!("{year}-{m:02}-{d:02} is not a calendar date")));
            }
            _ => {}
        }
        Ok(PartialDate { year, month, day })
    }

    /// Months since year 0 (`year * 12 + month - 1`), when the month is known.
    pub fn month_index(&self) -> Option<i32> {
        self.month.map(|m| self.year * 12 + i32::from(m) - 1)
    }

    /// The full date, when known to the day.
    pub fn to_naive(&self) -> Option<chrono::NaiveDate> {
        chrono::NaiveDate::from_ymd_opt(self.year, u32::from(self.month?), u32::from(self.day?))
    }
}

impl From<chrono::NaiveDate> for PartialDate {
    #[allow(clippy::cast_possible_truncation)]
    fn from(d: chrono::NaiveDate) -> Self {
        use chrono::Datelike;
        PartialDate {
            year: d.year(),
            month: Some(d.month() as u8),
            day: Some(d.day() as u8),
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for PartialDate {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::argument(
                "date",
                format!("{s:?} is not a date like 2012, 2012-08 or 2012-08-15"),
            )
        };
        let mut parts = s.trim().split('-');
        let year = parts.next().filter(|p| p.len() == 4).ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let mut next = || -> Result<Option<u8>> {
            parts
                .next()
                .map(|p| {
                    if p.len() == 2 {
                        p.parse::<u8>().map_err(|_| bad())
                    } else {
                        Err(bad())
                    }
                })
                .transpose()
        };
        let month = next()?;
        let day = next()?;
        if next()?.is_some() {
            return Err(bad());
        }
        Self::checked(year, month, day)
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

/// Time in service at exit, in months: exact or a band. A record's tenure
/// may reach 100 years (1,200 months; an upper bound of 1,201 for an exact
/// 1,200): longer is refused as a unit mistake (days or hours read as months).
///
/// ```
/// use exitcore::Tenure;
/// assert_eq!(Tenure::months(30).band_label(), "2-5y");
/// assert_eq!(Tenure::between(0, 12).band_label(), "<1y");
/// assert_eq!(Tenure::between(36, 60).band_label(), "2-5y");
/// assert_eq!(Tenure::at_least(240).band_label(), "10y+");
/// assert_eq!(Tenure::between(12, 36).band_label(), "12-36m");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tenure {
    /// At least this many whole months.
    pub min_months: u32,
    /// Fewer than this many months (`None`: no upper bound). Equal to
    /// `min_months + 1` for an exact value.
    pub max_months: Option<u32>,
}

/// The longest tenure a record may give, in months (100 years).
pub(crate) const TENURE_MAX_MONTHS: u32 = 1200;

/// Standard tenure bands: (label, from month, to month exclusive).
const TENURE_BANDS: [(&str, u32, Option<u32>); 5] = [
    ("<1y", 0, Some(12)),
    ("1-2y", 12, Some(24)),
    ("2-5y", 24, Some(60)),
    ("5-10y", 60, Some(120)),
    ("10y+", 120, None),
];

impl Tenure {
    /// An exact number of months.
    pub fn months(m: u32) -> Self {
        Tenure {
            min_months: m,
            max_months: Some(m.saturating_add(1)),
        }
    }

    /// A band `[min, max)` in months.
    pub fn between(min: u32, max: u32) -> Self {
        Tenure {
            min_months: min,
            max_months: Some(max),
        }
    }

    /// At least `min` months.
    pub fn at_least(min: u32) -> Self {
        Tenure {
            min_months: min,
            max_months: None,
        }
    }

    /// Whether the whole band lies below twelve months (an early leaver).
    pub fn is_early(&self) -> Option<bool> {
        if self.max_months.is_some_and(|m| m <= 12) {
            Some(true)
        } else if self.min_months >= 12 {
            Some(false)
        } else {
            None
        }
    }

    /// The standard band this tenure falls in (`<1y`, `1-2y`, `2-5y`,
    /// `5-10y`, `10y+`), or its own range in months when it spans several.
    pub fn band_label(&self) -> String {
        for (label, lo, hi) in TENURE_BANDS {
            let upper_ok = match (hi, self.max_months) {
                (None, _) => true,
                (Some(h), Some(m)) => m <= h,
                (Some(_), None) => false,
            };
            if self.min_months >= lo && upper_ok {
                return label.to_owned();
            }
        }
        match self.max_months {
            Some(m) => format!("{}-{m}m", self.min_months),
            None => format!("{}m+", self.min_months),
        }
    }

    pub(crate) fn check(&self) -> std::result::Result<(), String> {
        match self.max_months {
            // Over a century of service is a unit mistake (days or hours
            // read as months), not a tenure; refusing it also lets the
            // dataset keep months in two bytes.
            _ if self.min_months > TENURE_MAX_MONTHS => Err(format!(
                "min_months {} is over {TENURE_MAX_MONTHS} months (100 years)",
                self.min_months
            )),
            Some(m) if m <= self.min_months => Err(format!(
                "max_months {m} must be above min_months {}",
                self.min_months
            )),
            Some(m) if m > TENURE_MAX_MONTHS + 1 => Err(format!(
                "max_months {m} is over {} months (100 years and a month)",
                TENURE_MAX_MONTHS + 1
            )),
            _ => Ok(()),
        }
    }
}

/// How an employment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitType {
    /// The employee resigned.
    Voluntary,
    /// The employer ended it (dismissal, redundancy).
    Involuntary,
    /// A fixed-term contract ran out.
    EndOfContract,
    /// Retirement.
    Retirement,
    /// Anything else (transfer, death, ...).
    Other,
}

impl ExitType {
    /// Every exit type.
    pub const ALL: [ExitType; 5] = [
        ExitType::Voluntary,
        ExitType::Involuntary,
        ExitType::EndOfContract,
        ExitType::Retirement,
        ExitType::Other,
    ];

    /// The snake-case id used in JSON.
    pub fn id(self) -> &'static str {
        match self {
            ExitType::Voluntary => "voluntary",
            ExitType::Involuntary => "involuntary",
            ExitType::EndOfContract => "end_of_contract",
            ExitType::Retirement => "retirement",
            ExitType::Other => "other",
        }
    }
}

/// Who held the exit interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterviewerType {
    /// Someone from HR.
    Hr,
    /// An independent party.
    Independent,
    /// The (former) manager.
    Manager,
    /// A self-service form, no interviewer.
    SelfService,
}

impl InterviewerType {
    /// Every interviewer type.
    pub const ALL: [InterviewerType; 4] = [
        InterviewerType::Hr,
        InterviewerType::Independent,
        InterviewerType::Manager,
        InterviewerType::SelfService,
    ];

    /// The snake-case id used in JSON.
    pub fn id(self) -> &'static str {
        match self {
            InterviewerType::Hr => "hr",
            InterviewerType::Independent => "independent",
            InterviewerType::Manager => "manager",
            InterviewerType::SelfService => "self_service",
        }
    }
}

/// The context of a departure: where, who, how long, how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExitContext {
    /// Path in the org tree from the top, e.g. `["Operations", "Logistics", "Team 3"]`.
    pub org_unit: Vec<String>,
    /// Job family or role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_family: Option<String>,
    /// Pseudonymous manager id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// Work location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Time in service at exit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenure: Option<Tenure>,
    /// Age band as recorded, e.g. `26-30`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<String>,
    /// Date of exit (year, month or day precision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_date: Option<PartialDate>,
    /// How the employment ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_type: Option<ExitType>,
    /// Whether the organisation regrets losing this person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regrettable: Option<bool>,
    /// Who held the interview.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interviewer: Option<InterviewerType>,
}

/// One exit interview: a pseudonymous respondent, the questionnaire it answers,
/// the context and the answers keyed by question id.
///
/// ```
/// use exitcore::{Answer, ExitRecord, Questionnaire};
/// let q = Questionnaire::standard();
/// let mut r = ExitRecord::new("r-1", &q, ["Sales", "North"]);
/// r.answers.insert("primary_reason".into(), Answer::text("pay"));
/// r.answers.insert("enps".into(), Answer::Number(3));
/// r.answers.insert("would_return".into(), Answer::Bool(false));
/// q.validate(&r).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExitRecord {
    /// Pseudonymous respondent id, unique within a dataset.
    pub respondent: String,
    /// Id of the questionnaire answered.
    pub questionnaire: String,
    /// Version of the questionnaire answered.
    pub version: u32,
    /// Where and how the person left.
    pub context: ExitContext,
    /// Answers by question id; unanswered questions are absent.
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
}

impl ExitRecord {
    /// An empty record for `questionnaire` in org unit `org_unit`.
    pub fn new<I, S>(
        respondent: impl Into<String>,
        questionnaire: &crate::Questionnaire,
        org_unit: I,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ExitRecord {
            respondent: respondent.into(),
            questionnaire: questionnaire.id.clone(),
            version: questionnaire.version,
            context: ExitContext {
                org_unit: org_unit.into_iter().map(Into::into).collect(),
                ..ExitContext::default()
            },
            answers: BTreeMap::new(),
        }
    }

    /// Parses one record from JSON, naming the path of any error.
    pub fn from_json(json: &str) -> Result<Self> {
        let de = &mut serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(de).map_err(|e| {
            crate::error::json_error(&e, |path, message| Error::Json { path, message })
        })
    }

    /// Converts one JSON value (a Python dict or JS object as it arrives)
    /// into a record, naming the path of any error.
    ///
    /// ```
    /// let v = serde_json::json!({"respondent": "r1", "questionnaire": "q", "version": 1,
    ///                            "context": {"org_unit": ["A"], "regrettable": "very"}});
    /// let err = exitcore::ExitRecord::from_json_value(v).unwrap_err();
    /// assert_eq!(err.field(), Some("context.regrettable"));
    /// ```
    pub fn from_json_value(value: serde_json::Value) -> Result<Self> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            Error::Json {
                path: if path == "." {
                    "(root)".to_owned()
                } else {
                    path
                },
                message: e.inner().to_string(),
            }
        })
    }
}
