//! exitcore turns exit interviews (*exitgesprekken*) into comparable,
//! validated and anonymised evidence about why people leave.
//!
//! The pieces, each in a module named after its concept:
//! - [`Questionnaire`]: themes, questions, skip logic and versions, with the
//!   shipped [`Questionnaire::standard`] exit questionnaire (nl and en);
//! - [`ExitRecord`]: one departure with its context and answers;
//! - [`Dataset`]: validated records stored by column for fast analysis;
//! - [`import`]: real-world CSV exports through a declarative [`Mapping`];
//! - [`Pseudonymiser`]: keyed hashing of employee and manager ids;
//! - [`privacy`]: the minimum group size policy and redaction of free text;
//! - [`analysis`]: reasons, theme scores and eNPS per group, tests and findings, on released cells only;
//! - [`report`]: the analysis as versioned JSON, Markdown and self-contained HTML;
//! - [`stats`]: tests and estimates computed from counts (intervals, association, ranks, trends, survival);
//! - [`synthetic`]: a seeded synthetic organisation for examples, tests and benches.
//!
//! ```
//! use exitcore::{Dataset, Questionnaire, synthetic::{OrgConfig, generate}};
//! let org = generate(&OrgConfig { exits: 500, ..OrgConfig::default() }).unwrap();
//! let loaded = Dataset::from_records(&org.questionnaire, org.records);
//! assert!(loaded.problems.is_empty());
//! assert_eq!(loaded.dataset.len(), 500);
//! ```
#![forbid(unsafe_code)]

pub mod analysis;
mod dataset;
mod error;
mod headcount;
pub mod import;
mod parallel;
pub mod privacy;
mod pseudonym;
mod questionnaire;
mod record;
pub mod report;
pub mod stats;
pub mod synthetic;
mod tally;
mod text;
mod theme;

pub use dataset::{Dataset, DatasetSummary, Loaded};
pub use error::{Error, Problem, ProblemKind, Result};
pub use headcount::{Headcount, HeadcountRow};
pub use import::{ImportOptions, ImportOutcome, ImportSummary, Mapping};
pub use pseudonym::Pseudonymiser;

pub use questionnaire::{
    ChoiceOption, Condition, Question, QuestionKind, Questionnaire, Role, VersionMapping,
};
pub use record::{Answer, ExitContext, ExitRecord, ExitType, InterviewerType, PartialDate, Tenure};
pub use text::{Lang, Text};
pub use theme::Theme;

// The README's Rust examples run as doctests, so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
