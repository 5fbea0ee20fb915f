//! The report: one analysis of a data set under a privacy policy, rendered
//! as versioned JSON, Markdown or one self-contained HTML file (inline CSS
//! and SVG, no scripts, fonts or network), readable on screen and in print.

mod document;
mod html;
mod markdown;
pub mod svg;

pub(crate) use document::value_label;
pub use document::{InputsUsed, Labels, QuestionnaireRef, Report, ReportOptions, SCHEMA};

/// `a / b` as a share (0 when `b` is 0).
pub(crate) fn share(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        crate::stats::f(a) / crate::stats::f(b)
    }
}
