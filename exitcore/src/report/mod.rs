//! The report: one analysis of a data set under a privacy policy, rendered
//! as versioned JSON, Markdown or one self-contained HTML file.

mod document;
mod markdown;

pub use document::{InputsUsed, Labels, QuestionnaireRef, Report, ReportOptions, SCHEMA};
