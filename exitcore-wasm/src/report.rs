//! `dataset.report(options)`: the core's report, rendered as JSON,
//! Markdown or one self-contained HTML page.

use exitcore::privacy::Dimension;
use exitcore::report::{Report, ReportOptions};
use exitcore::{Dataset, Error, Lang};
use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::convert::arg_error;
use crate::inputs::Extra;
use crate::js::{JsResult, to_js_error};

/// The JS options, read with their JS names.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ReportArgs {
    lang: Option<Lang>,
    policy: Option<Value>,
    by: Option<Vec<Vec<Dimension>>>,
    headcount: Option<Value>,
    stayers: Option<Value>,
    roster: Option<Vec<String>>,
    title: Option<String>,
}

/// Builds the report from JSON-like options and the inputs already read
/// from them (host-testable).
pub(crate) fn build(
    dataset: &Dataset,
    options: Option<Value>,
    given: Extra,
) -> Result<Report, Error> {
    let args: ReportArgs = match options {
        None | Some(Value::Null) => ReportArgs::default(),
        Some(v) => serde_path_to_error::deserialize(v)
            .map_err(|e| arg_error(format!("options.{}", e.path()), e.inner().to_string()))?,
    };
    let policy = crate::privacy::policy_from_options(args.policy)?;
    let extra = given.or_read(args.headcount, args.stayers, args.roster)?;
    let defaults = ReportOptions::default();
    let options = ReportOptions {
        lang: args.lang.unwrap_or(defaults.lang),
        policy,
        by: args.by.unwrap_or_else(|| defaults.by.clone()),
        headcount: extra.headcount(),
        stayers: extra.stayers(),
        redactor: extra.redactor(),
        title: args.title,
        ..defaults
    };
    Report::build(dataset, &options)
}

/// A report: the analysis with its labels. Only `dataset.report` makes one.
#[wasm_bindgen(js_name = Report)]
pub struct JsReport {
    inner: Report,
}

impl JsReport {
    pub(crate) fn new(inner: Report) -> Self {
        JsReport { inner }
    }
}

#[wasm_bindgen(js_class = Report)]
impl JsReport {
    /// The report as JSON text (schema `exitcore-report/1`), the same bytes
    /// as from Rust and Python for the same data and options.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> JsResult<String> {
        self.inner.to_json().map_err(to_js_error)
    }

    /// The report as Markdown.
    #[wasm_bindgen(js_name = toMarkdown)]
    pub fn to_markdown(&self) -> String {
        self.inner.to_markdown()
    }

    /// The report as one self-contained HTML page.
    #[wasm_bindgen(js_name = toHtml)]
    pub fn to_html(&self) -> String {
        self.inner.to_html()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dataset() -> Dataset {
        let org = exitcore::synthetic::generate(&exitcore::synthetic::OrgConfig {
            exits: 300,
            ..Default::default()
        })
        .unwrap();
        Dataset::from_records(&org.questionnaire, &org.records).dataset
    }

    #[test]
    fn options_are_translated_and_errors_named() {
        let ds = dataset();
        let r = build(
            &ds,
            Some(json!({"lang": "nl", "by": [["tenure_band"]], "policy": {"k": 7}, "title": "T"})),
            Extra::default(),
        )
        .unwrap();
        assert_eq!(r.lang, Lang::Nl);
        assert_eq!(r.title, "T");
        assert_eq!(r.analysis.policy.k(), 7);
        let e = build(&ds, Some(json!({"language": "nl"})), Extra::default()).unwrap_err();
        assert!(e.field().is_some_and(|f| f.starts_with("options")), "{e}");
        let e = build(&ds, Some(json!({"by": [["nope"]]})), Extra::default()).unwrap_err();
        assert_eq!(e.code(), "invalid_argument");
    }
}
