//! The report document: one analysis of a data set under a policy, with the
//! labels a reader needs, serialised as versioned JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::{Analysis, AnalysisInputs, AnalysisSpec, Period, Stayer};
use crate::privacy::{Dimension, Policy, Redactor};
use crate::{Dataset, Error, Headcount, Lang, QuestionKind, Result, Theme};

/// The JSON schema id of [`Report::to_json`]; the number changes whenever a
/// field is renamed or removed (adding fields keeps it).
pub const SCHEMA: &str = "exitcore-report/1";

/// What goes into a report.
#[derive(Debug, Clone)]
pub struct ReportOptions<'a> {
    /// Language of every text.
    pub lang: Lang,
    /// The privacy policy.
    pub policy: Policy,
    /// Breakdowns; by default org unit, tenure band, job family and exit type.
    pub by: Vec<Vec<Dimension>>,
    /// Trends; by default per quarter.
    pub trend: Option<Period>,
    /// Headcount, for turnover rates.
    pub headcount: Option<&'a Headcount>,
    /// Current staff, for survival curves.
    pub stayers: Option<&'a [Stayer]>,
    /// Redacts names of the caller's roster from comments.
    pub redactor: Option<&'a Redactor>,
    /// The report's title; by default "Exit interviews" in `lang`.
    pub title: Option<String>,
}

impl Default for ReportOptions<'_> {
    fn default() -> Self {
        ReportOptions {
            lang: Lang::En,
            policy: Policy::default(),
            by: vec![
                vec![Dimension::OrgUnit],
                vec![Dimension::TenureBand],
                vec![Dimension::JobFamily],
                vec![Dimension::ExitType],
            ],
            trend: Some(Period::Quarter),
            headcount: None,
            stayers: None,
            redactor: None,
            title: None,
        }
    }
}

/// Texts of the questionnaire in the report's language, keyed by id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Labels {
    /// Questions.
    pub questions: BTreeMap<String, String>,
    /// Options of choice questions, keyed `question.option`.
    pub options: BTreeMap<String, String>,
    /// Themes.
    pub themes: BTreeMap<String, String>,
    /// Dimensions.
    pub dimensions: BTreeMap<String, String>,
}

/// A released analysis with everything needed to show it.
///
/// ```
/// use exitcore::report::{Report, ReportOptions};
/// use exitcore::{Dataset, Lang, synthetic::{OrgConfig, generate}};
/// let org = generate(&OrgConfig { exits: 2000, ..OrgConfig::default() }).unwrap();
/// let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
/// let report = Report::build(&ds, &ReportOptions { lang: Lang::Nl, ..ReportOptions::default() }).unwrap();
/// let json = report.to_json().unwrap();
/// assert!(json.contains("\"schema\": \"exitcore-report/1\""));
/// assert!(report.to_markdown().starts_with("# Exitgesprekken"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The library version that made it.
    pub generator: String,
    /// Language of the texts.
    pub lang: Lang,
    /// Title.
    pub title: String,
    /// The questionnaire's id and version.
    pub questionnaire: QuestionnaireRef,
    /// Texts for ids used in the analysis.
    pub labels: Labels,
    /// Whether headcount and current staff were given.
    pub inputs: InputsUsed,
    /// The analysis: released numbers only.
    pub analysis: Analysis,
    /// Id of the primary reason question, whose options the reasons are.
    #[serde(skip)]
    primary: Option<String>,
}

/// Which questionnaire the report is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionnaireRef {
    /// Id.
    pub id: String,
    /// Version.
    pub version: u32,
}

/// Which optional inputs the report had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(clippy::struct_excessive_bools)] // independent flags of the JSON schema
pub struct InputsUsed {
    /// Headcount (turnover rates).
    pub headcount: bool,
    /// Current staff (survival).
    pub stayers: bool,
    /// A roster of names for redaction.
    pub roster: bool,
    /// A ledger of earlier releases.
    pub ledger: bool,
}

impl Report {
    /// Runs the analysis and collects the labels.
    pub fn build(dataset: &Dataset, options: &ReportOptions<'_>) -> Result<Report> {
        let spec = AnalysisSpec {
            by: options.by.clone(),
            trend: options.trend,
            lang: options.lang,
            ..AnalysisSpec::default()
        };
        let inputs = AnalysisInputs {
            ledger: None,
            headcount: options.headcount,
            stayers: options.stayers,
            redactor: options.redactor,
        };
        let analysis = Analysis::run_with(dataset, options.policy, &spec, inputs)?;
        let q = dataset.questionnaire();
        let lang = options.lang;
        let mut labels = Labels {
            questions: BTreeMap::new(),
            options: BTreeMap::new(),
            themes: Theme::ALL
                .iter()
                .map(|t| (t.id().to_owned(), t.label(lang).to_owned()))
                .collect(),
            dimensions: Dimension::ALL
                .iter()
                .map(|&d| (d.id().to_owned(), dimension_label(d, lang).to_owned()))
                .collect(),
        };
        for question in &q.questions {
            labels
                .questions
                .insert(question.id.clone(), question.text.get(lang).to_owned());
            if let QuestionKind::SingleChoice { options: opts }
            | QuestionKind::MultipleChoice { options: opts, .. } = &question.kind
            {
                for o in opts {
                    labels.options.insert(
                        format!("{}.{}", question.id, o.id),
                        o.text.get(lang).to_owned(),
                    );
                }
            }
        }
        Ok(Report {
            schema: SCHEMA,
            generator: format!("exitcore {}", env!("CARGO_PKG_VERSION")),
            lang,
            title: options
                .title
                .clone()
                .unwrap_or_else(|| text(lang, "Exit interviews", "Exitgesprekken").to_owned()),
            questionnaire: QuestionnaireRef {
                id: q.id.clone(),
                version: q.version,
            },
            labels,
            inputs: InputsUsed {
                headcount: options.headcount.is_some(),
                stayers: options.stayers.is_some(),
                roster: options.redactor.is_some(),
                ledger: false,
            },
            primary: q
                .questions
                .iter()
                .find(|question| question.role == Some(crate::Role::PrimaryReason))
                .map(|question| question.id.clone()),
            analysis,
        })
    }

    /// The report as pretty-printed JSON (schema [`SCHEMA`]); `NaN` is
    /// written as `null`. The same data and options give the same bytes.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Json {
            path: String::new(),
            message: e.to_string(),
        })
    }

    /// The label of an option of the primary reason question.
    pub(crate) fn reason_label<'a>(&'a self, option: &'a str) -> &'a str {
        self.primary
            .as_ref()
            .and_then(|q| self.labels.options.get(&format!("{q}.{option}")))
            .map_or(option, String::as_str)
    }

    /// The text of a question.
    pub(crate) fn question_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.labels.questions.get(id).map_or(id, String::as_str)
    }
}

/// `en` or `nl` by language.
pub(crate) fn text(lang: Lang, en: &'static str, nl: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Nl => nl,
    }
}

pub(crate) fn dimension_label(d: Dimension, lang: Lang) -> &'static str {
    d.label(lang)
}
