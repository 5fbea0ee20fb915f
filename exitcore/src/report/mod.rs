//! The report: renderings of an analysis (charts so far). Each rendering is a
//! pure function from plain data to markup for one self-contained HTML file,
//! readable on screen and in print, with no network, scripts or external
//! fonts; mapping an [`Analysis`](crate::analysis::Analysis) onto these inputs
//! is left to the report itself.

pub mod svg;
