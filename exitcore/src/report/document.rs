//! The report document: one analysis of a data set under a policy, with the
//! labels a reader needs, serialised as versioned JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::{Analysis, AnalysisInputs, AnalysisSpec, GroupResult, Period, Stayer};
use crate::privacy::{CellKey, Dimension, Policy, Redactor};
use crate::{
    Dataset, Error, ExitType, Headcount, InterviewerType, Lang, QuestionKind, Result, Theme,
};

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

    /// Every group of the report: the whole organisation and each breakdown's.
    fn all_groups(&self) -> impl Iterator<Item = &GroupResult> {
        std::iter::once(&self.analysis.overall)
            .chain(self.analysis.breakdowns.iter().flat_map(|b| &b.groups))
    }

    /// Whether the report shows eNPS: only when the questionnaire has the
    /// question and some group has a released score (a chart or column of
    /// nothing but dashes says nothing).
    pub(crate) fn shows_enps(&self) -> bool {
        self.all_groups().any(|g| g.enps.is_some())
    }

    /// Whether the report shows the share of early leavers: only when some
    /// group has one (tenure is known).
    pub(crate) fn shows_early_leavers(&self) -> bool {
        self.all_groups().any(|g| g.early_leavers.is_some())
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

/// A value of dimension `d` as a reader says it: exit types and interviewer
/// types by their names rather than their ids (`end_of_contract`: "End of
/// contract", "Einde contract"), tenure bands in words ("1-2y": "1-2 years",
/// "1-2 jaar"; "12-36m": "1-3 years"); anything else as it is.
pub(crate) fn value_label(d: Dimension, value: &str, lang: Lang) -> String {
    let named = match d {
        Dimension::ExitType => ExitType::ALL
            .iter()
            .find(|t| t.id() == value)
            .map(|t| exit_type_label(*t, lang).to_owned()),
        Dimension::Interviewer => InterviewerType::ALL
            .iter()
            .find(|t| t.id() == value)
            .map(|t| interviewer_label(*t, lang).to_owned()),
        Dimension::TenureBand => tenure_label(value, lang),
        _ => None,
    };
    named.unwrap_or_else(|| value.to_owned())
}

fn exit_type_label(t: ExitType, lang: Lang) -> &'static str {
    match t {
        ExitType::Voluntary => text(lang, "Voluntary", "Vrijwillig"),
        ExitType::Involuntary => text(lang, "Involuntary", "Onvrijwillig"),
        ExitType::EndOfContract => text(lang, "End of contract", "Einde contract"),
        ExitType::Retirement => text(lang, "Retirement", "Pensioen"),
        ExitType::Other => text(lang, "Other", "Overig"),
    }
}

fn interviewer_label(t: InterviewerType, lang: Lang) -> &'static str {
    match t {
        InterviewerType::Hr => "HR",
        InterviewerType::Independent => text(lang, "Independent party", "Onafhankelijke partij"),
        InterviewerType::Manager => text(lang, "Manager", "Leidinggevende"),
        InterviewerType::SelfService => text(lang, "Self-service form", "Zelf ingevuld formulier"),
    }
}

/// A band label that reads as a range: `<N`, `A-B` or `N+`, each number
/// optionally followed by a unit `y` (years) or `m` (months), as
/// [`crate::Tenure::band_label`] and import mappings write them. With a
/// unit the bounds are in months. `None` bounds are open: `<N` has no lower
/// bound, `N+` no upper one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Band {
    lower: Option<u32>,
    upper: Option<u32>,
    /// Whether a unit was given (and the bounds are months).
    months: bool,
}

impl Band {
    pub(crate) fn parse(label: &str) -> Option<Band> {
        let label = label.trim();
        let (body, per, months) = if let Some(b) = label.strip_suffix("y+") {
            (format!("{b}+"), 12, true)
        } else if let Some(b) = label.strip_suffix("m+") {
            (format!("{b}+"), 1, true)
        } else if let Some(b) = label.strip_suffix('y') {
            (b.to_owned(), 12, true)
        } else if let Some(b) = label.strip_suffix('m') {
            (b.to_owned(), 1, true)
        } else {
            (label.to_owned(), 1, false)
        };
        let number = |s: &str| -> Option<u32> {
            let s = s.trim();
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse::<u32>().ok()?.checked_mul(per)
        };
        let (lower, upper) = if let Some(n) = body.strip_prefix('<') {
            (None, Some(number(n)?))
        } else if let Some(n) = body.strip_suffix('+') {
            (Some(number(n)?), None)
        } else {
            let (a, b) = body.split_once('-')?;
            let (lower, upper) = (number(a)?, number(b)?);
            if upper < lower {
                return None;
            }
            (Some(lower), Some(upper))
        };
        Some(Band {
            lower,
            upper,
            months,
        })
    }

    /// Orders bands by lower bound, then upper bound.
    pub(crate) fn cmp(&self, other: &Band) -> std::cmp::Ordering {
        let key = |b: &Band| {
            (
                b.lower.map_or(-1, i64::from),
                b.upper.map_or(i64::MAX, i64::from),
            )
        };
        key(self).cmp(&key(other))
    }
}

/// A tenure band label in words, in whole years where the bounds are.
fn tenure_label(value: &str, lang: Lang) -> Option<String> {
    let band = Band::parse(value).filter(|b| b.months)?;
    let (one_year, years, months) = match lang {
        Lang::En => ("year", "years", "months"),
        Lang::Nl => ("jaar", "jaar", "maanden"),
    };
    let in_years = |m: u32| m.is_multiple_of(12).then_some(m / 12);
    Some(match (band.lower, band.upper) {
        (None, Some(12)) => format!("< 1 {one_year}"),
        (None, Some(hi)) => match in_years(hi) {
            Some(y) => format!("< {y} {years}"),
            None => format!("< {hi} {months}"),
        },
        (Some(lo), None) => match in_years(lo) {
            Some(y) => format!("{y}+ {years}"),
            None => format!("{lo}+ {months}"),
        },
        (Some(lo), Some(hi)) => match (in_years(lo), in_years(hi)) {
            (Some(a), Some(b)) => format!("{a}-{b} {years}"),
            _ => format!("{lo}-{hi} {months}"),
        },
        (None, None) => return None,
    })
}

/// The order of groups in a table: by dimension, then by value, where values
/// that read as bands ([`Band`]) go by their bounds ("<1y", "1-2y",
/// "12-36m", "10y+") and come before any others, which go alphabetically.
/// Org units keep their path order, so a unit comes before its parts; exit
/// and interviewer types go in the order of their enums (voluntary first).
pub(crate) fn key_order(a: &CellKey, b: &CellKey) -> std::cmp::Ordering {
    for ((da, va), (db, vb)) in a.0.iter().zip(&b.0) {
        let named = |v: &str| match da {
            Dimension::ExitType => ExitType::ALL.iter().position(|t| t.id() == v),
            Dimension::Interviewer => InterviewerType::ALL.iter().position(|t| t.id() == v),
            _ => None,
        };
        let by_value = if *da == Dimension::OrgUnit {
            va.cmp(vb)
        } else if let (Some(x), Some(y)) = (named(va), named(vb)) {
            x.cmp(&y)
        } else {
            match (Band::parse(va), Band::parse(vb)) {
                (Some(x), Some(y)) => x.cmp(&y).then_with(|| va.cmp(vb)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => va.cmp(vb),
            }
        };
        let order = da.cmp(db).then(by_value);
        if order.is_ne() {
            return order;
        }
    }
    a.0.len().cmp(&b.0.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_words() {
        let en = |d, v| value_label(d, v, Lang::En);
        let nl = |d, v| value_label(d, v, Lang::Nl);
        assert_eq!(
            en(Dimension::ExitType, "end_of_contract"),
            "End of contract"
        );
        assert_eq!(nl(Dimension::ExitType, "end_of_contract"), "Einde contract");
        assert_eq!(
            nl(Dimension::Interviewer, "self_service"),
            "Zelf ingevuld formulier"
        );
        assert_eq!(en(Dimension::TenureBand, "<1y"), "< 1 year");
        assert_eq!(nl(Dimension::TenureBand, "1-2y"), "1-2 jaar");
        assert_eq!(en(Dimension::TenureBand, "12-36m"), "1-3 years");
        assert_eq!(en(Dimension::TenureBand, "6-18m"), "6-18 months");
        assert_eq!(nl(Dimension::TenureBand, "10y+"), "10+ jaar");
        assert_eq!(en(Dimension::TenureBand, "30m+"), "30+ months");
        // Anything else, and values that are not ids, as they are.
        assert_eq!(en(Dimension::ExitType, "sabbatical"), "sabbatical");
        assert_eq!(
            en(Dimension::JobFamily, "end_of_contract"),
            "end_of_contract"
        );
        assert_eq!(en(Dimension::TenureBand, "long"), "long");
    }

    #[test]
    fn bands_sort_by_their_bounds() {
        let key = |v: &str| CellKey(vec![(Dimension::TenureBand, v.to_owned())]);
        let mut tenure = [
            "10y+", "12-36m", "1-2y", "2-5y", "5-10y", "84-132m", "<1y", "unknown",
        ]
        .map(key);
        tenure.sort_by(key_order);
        let order: Vec<&str> = tenure.iter().map(|k| k.0[0].1.as_str()).collect();
        assert_eq!(
            order,
            [
                "<1y", "1-2y", "12-36m", "2-5y", "5-10y", "84-132m", "10y+", "unknown"
            ]
        );
        let age = |v: &str| CellKey(vec![(Dimension::AgeBand, v.to_owned())]);
        let mut ages = ["56+", "21-25", "<21", "26-30"].map(age);
        ages.sort_by(key_order);
        let order: Vec<&str> = ages.iter().map(|k| k.0[0].1.as_str()).collect();
        assert_eq!(order, ["<21", "21-25", "26-30", "56+"]);
        let exit = |v: &str| CellKey(vec![(Dimension::ExitType, v.to_owned())]);
        let mut exits = ["other", "end_of_contract", "voluntary"].map(exit);
        exits.sort_by(key_order);
        let order: Vec<&str> = exits.iter().map(|k| k.0[0].1.as_str()).collect();
        assert_eq!(order, ["voluntary", "end_of_contract", "other"]);
        // Org units keep their path order; months of exit are not bands.
        assert!(Band::parse("2024-05").is_none() && Band::parse("Team 01").is_none());
        let org = |v: &str| CellKey(vec![(Dimension::OrgUnit, v.to_owned())]);
        assert_eq!(key_order(&org("A"), &org("A/B")), std::cmp::Ordering::Less);
    }
}
