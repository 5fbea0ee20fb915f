//! Errors and problems.
//!
//! An [`Error`] stops an operation (a questionnaire that contradicts itself, a
//! mapping that points at nothing). A [`Problem`] is one bad spot in bulk input:
//! bulk operations collect every problem, keep every valid row and let the
//! caller decide whether the problems are fatal.

use serde::{Deserialize, Serialize};

/// Result alias used throughout exitcore.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop an exitcore operation.
///
/// Every variant names the spot that failed (a JSON path, a field, a file), so
/// a caller can show it to a person without further context.
///
/// ```
/// let err = exitcore::Questionnaire::from_json("{}").unwrap_err();
/// assert_eq!(err.code(), "questionnaire");
/// assert!(err.to_string().contains("missing field"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The questionnaire is malformed or inconsistent.
    #[error("invalid questionnaire at {path}: {message}")]
    Questionnaire {
        /// JSON-style path of the offending spot, e.g. `questions[3].show_if.question`.
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// A single record failed validation; bulk operations report [`Problem`]s instead.
    #[error("invalid record {respondent}: {}", summarize(problems))]
    InvalidRecord {
        /// The record's respondent id (possibly empty when the id itself is missing).
        respondent: String,
        /// Every problem found in the record.
        problems: Vec<Problem>,
    },
    /// The import mapping is malformed or does not fit the file or questionnaire.
    #[error("invalid mapping at {path}: {message}")]
    Mapping {
        /// JSON-style path into the mapping, or a column name.
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// The CSV file cannot be read as CSV at all (individual bad rows are [`Problem`]s).
    #[error("cannot read csv{}: {message}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    Csv {
        /// 1-based line number, when known.
        line: Option<u64>,
        /// What went wrong.
        message: String,
    },
    /// JSON input that is not one of exitcore's documents.
    #[error("invalid json at {path}: {message}")]
    Json {
        /// JSON-style path of the offending spot.
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file path.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An argument of a call is out of its allowed range.
    #[error("invalid argument {name}: {message}")]
    InvalidArgument {
        /// The argument's name.
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// A query would spend more of a data set's privacy budget (epsilon) than
    /// is left; nothing was charged.
    #[error(
        "privacy budget exhausted: spent {} of {}, this query needs {}",
        epsilon(*spent),
        epsilon(*total),
        epsilon(*requested)
    )]
    BudgetExhausted {
        /// Epsilon already spent on the data set.
        spent: f64,
        /// Epsilon the refused query asked for.
        requested: f64,
        /// The data set's total epsilon.
        total: f64,
    },
}

/// An epsilon for a message: sums of charges such as 0.1 carry binary rounding
/// (0.8999999999999999) that would only confuse a reader, so round to 12
/// decimals, well below any epsilon a person would choose.
fn epsilon(value: f64) -> String {
    let rounded = format!("{value:.12}");
    let trimmed = rounded.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

fn summarize(problems: &[Problem]) -> String {
    match problems {
        [] => "no details".to_owned(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

impl Error {
    /// A stable, machine-readable code for the kind of error, used by the
    /// Python exception classes and the `code` property of JS errors.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Questionnaire { .. } => "questionnaire",
            Error::InvalidRecord { .. } => "invalid_record",
            Error::Mapping { .. } => "mapping",
            Error::Csv { .. } => "csv",
            Error::Json { .. } => "json",
            Error::Io { .. } => "io",
            Error::InvalidArgument { .. } => "invalid_argument",
            Error::BudgetExhausted { .. } => "budget_exhausted",
        }
    }

    /// The field, path or argument that failed, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Questionnaire { path, .. }
            | Error::Mapping { path, .. }
            | Error::Json { path, .. }
            | Error::Io { path, .. } => Some(path),
            Error::InvalidRecord { problems, .. } => problems.first().map(|p| p.field.as_str()),
            Error::InvalidArgument { name, .. } => Some(name),
            Error::BudgetExhausted { .. } => Some("epsilon"),
            Error::Csv { .. } => None,
        }
    }

    /// The 1-based line of the input where a CSV error occurred, when known.
    pub fn line(&self) -> Option<u64> {
        match self {
            Error::Csv { line, .. } => *line,
            _ => None,
        }
    }

    /// The problems behind an [`Error::InvalidRecord`]; empty for other errors.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::InvalidRecord { problems, .. } => problems,
            _ => &[],
        }
    }

    pub(crate) fn questionnaire(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Questionnaire {
            path: path.into(),
            message: message.into(),
        }
    }

    pub(crate) fn mapping(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Mapping {
            path: path.into(),
            message: message.into(),
        }
    }

    pub(crate) fn argument(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            name: name.into(),
            message: message.into(),
        }
    }

    /// The same error, naming `path` as the argument when it is an
    /// invalid argument (so a nested check reports where in a spec it failed).
    pub(crate) fn at_argument(self, path: &str) -> Self {
        match self {
            Error::InvalidArgument { message, .. } => Error::InvalidArgument {
                name: path.to_owned(),
                message,
            },
            other => other,
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// What kind of problem a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// An answer to a question the questionnaire does not have.
    UnknownQuestion,
    /// An answer of the wrong type (text where a number belongs, ...).
    WrongType,
    /// A value outside the question's range or options.
    OutOfRange,
    /// A required answer or context field is missing.
    Missing,
    /// An answer to a question whose show-if condition is false.
    NotShown,
    /// The same respondent appears more than once.
    DuplicateRespondent,
    /// A record made for another questionnaire or version.
    WrongQuestionnaire,
    /// A CSV value the mapping does not recognise.
    UnrecognisedValue,
    /// A CSV row that cannot be read (wrong number of fields, bad encoding).
    MalformedRow,
}

impl ProblemKind {
    /// The snake-case name used in JSON, Python and JS.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::UnknownQuestion => "unknown_question",
            ProblemKind::WrongType => "wrong_type",
            ProblemKind::OutOfRange => "out_of_range",
            ProblemKind::Missing => "missing",
            ProblemKind::NotShown => "not_shown",
            ProblemKind::DuplicateRespondent => "duplicate_respondent",
            ProblemKind::WrongQuestionnaire => "wrong_questionnaire",
            ProblemKind::UnrecognisedValue => "unrecognised_value",
            ProblemKind::MalformedRow => "malformed_row",
        }
    }
}

/// One bad spot in bulk input: which row, which record, which field, what.
///
/// ```
/// use exitcore::{Problem, ProblemKind};
/// let p = Problem::new(ProblemKind::OutOfRange, "answers.enps", "12 is outside 0..=10")
///     .at_row(7)
///     .for_respondent("r-7");
/// assert_eq!(p.to_string(), "row 7, record r-7, field answers.enps: 12 is outside 0..=10");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// 1-based row (CSV line or position in the input list), when known.
    pub row: Option<u64>,
    /// Respondent id of the record, when known.
    pub respondent: Option<String>,
    /// The field: `answers.<question id>`, `context.<field>`, `respondent` or a CSV column name.
    pub field: String,
    /// The kind of problem.
    pub kind: ProblemKind,
    /// A lowercase, human-readable description.
    pub message: String,
}

impl Problem {
    /// A problem of `kind` in `field`.
    pub fn new(kind: ProblemKind, field: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            row: None,
            respondent: None,
            field: field.into(),
            kind,
            message: message.into(),
        }
    }

    /// The same problem, located at a 1-based row.
    #[must_use]
    pub fn at_row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }

    /// The same problem, attributed to a respondent.
    #[must_use]
    pub fn for_respondent(mut self, respondent: impl Into<String>) -> Self {
        self.respondent = Some(respondent.into());
        self
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(row) = self.row {
            write!(f, "row {row}, ")?;
        }
        if let Some(r) = &self.respondent {
            write!(f, "record {r}, ")?;
        }
        write!(f, "field {}: {}", self.field, self.message)
    }
}

/// Turns a `serde_path_to_error` failure into an error naming the JSON path.
pub(crate) fn json_error(
    err: &serde_path_to_error::Error<serde_json::Error>,
    make: fn(String, String) -> Error,
) -> Error {
    let path = err.path().to_string();
    let path = if path == "." {
        "(root)".to_owned()
    } else {
        path
    };
    make(path, err.inner().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_exhausted_reads_like_a_sentence() {
        let err = Error::BudgetExhausted {
            spent: 0.1 + 0.2 + 0.3 + 0.3,
            requested: 0.2,
            total: 1.0,
        };
        assert_eq!(
            err.to_string(),
            "privacy budget exhausted: spent 0.9 of 1, this query needs 0.2"
        );
        assert_eq!(err.code(), "budget_exhausted");
        assert_eq!(err.field(), Some("epsilon"));
        assert_eq!(err.line(), None);
        assert!(err.problems().is_empty());
        assert_eq!(epsilon(100.0), "100");
        assert_eq!(epsilon(1e-13), "0");
        assert_eq!(epsilon(2.5e-3), "0.0025");
    }
}
