//! The synthetic organisation as a flat CSV export with the mapping that
//! reads it back, so benchmarks can time a CSV import of any size and feed
//! pandas or polars the same rows without a loop over Python objects.
//!
//! Columns: `respondent`; `division`, `department`, `team` (the org path,
//! one level per column); `job_family`, `manager`, `location`,
//! `tenure_months`, `age_band`, `exit_date` (`YYYY-MM-DD`), `exit_type`,
//! `regrettable` (`yes`/`no`), `interviewer`; then one column per question
//! of the questionnaire, named by its id: Likert points as numbers (the
//! English not-applicable label for "not applicable"), ratings as numbers,
//! option ids, ticked option ids joined by `;`, `yes`/`no`, free text and
//! dates as written. An absent value is an empty field.

use std::fmt::Write as _;

use super::SyntheticOrg;
use crate::{Answer, Error, Lang, Mapping, QuestionKind, Result};

/// The context columns of [`SyntheticOrg::to_csv`], in order.
pub const CONTEXT_COLUMNS: [&str; 13] = [
    "respondent",
    "division",
    "department",
    "team",
    "job_family",
    "manager",
    "location",
    "tenure_months",
    "age_band",
    "exit_date",
    "exit_type",
    "regrettable",
    "interviewer",
];

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

impl SyntheticOrg {
    /// The exit records as CSV text (header and one row per record), in
    /// the layout that [`SyntheticOrg::csv_mapping`] reads back into the
    /// same data set as [`crate::Dataset::from_records`] gives.
    ///
    /// ```
    /// use exitcore::{Dataset, ImportOptions};
    /// use exitcore::synthetic::{OrgConfig, generate};
    /// let org = generate(&OrgConfig { exits: 200, ..OrgConfig::default() }).unwrap();
    /// let csv = org.to_csv().unwrap();
    /// assert!(csv.starts_with("respondent,division,department,team,"));
    /// let out = org.csv_mapping().unwrap().import_csv(csv.as_bytes(), &ImportOptions::default()).unwrap();
    /// assert_eq!((out.summary.imported, out.summary.rejected), (200, 0));
    /// assert_eq!(out.loaded.dataset.summary(), Dataset::from_records(&org.questionnaire, &org.records).dataset.summary());
    /// ```
    ///
    /// Fails only if a record's org path is deeper than three levels or its
    /// tenure is a band rather than a whole number of months (the generator
    /// makes neither).
    pub fn to_csv(&self) -> Result<String> {
        let questions = &self.questionnaire.questions;
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::with_capacity(self.records.len() * 256));
        let csv_err = |e: csv::Error| Error::Csv {
            line: None,
            message: e.to_string(),
        };
        let header = CONTEXT_COLUMNS
            .iter()
            .copied()
            .chain(questions.iter().map(|q| q.id.as_str()));
        w.write_record(header).map_err(csv_err)?;
        let mut row: Vec<String> = vec![String::new(); CONTEXT_COLUMNS.len() + questions.len()];
        for r in &self.records {
            for f in &mut row {
                f.clear();
            }
            let c = &r.context;
            row[0].push_str(&r.respondent);
            if c.org_unit.len() > 3 {
                return Err(Error::argument(
                    "org_unit",
                    format!("{}: the CSV export has three org levels", r.respondent),
                ));
            }
            for (level, name) in c.org_unit.iter().enumerate() {
                row[1 + level].push_str(name);
            }
            let text = |f: &mut String, v: Option<&String>| {
                if let Some(v) = v {
                    f.push_str(v);
                }
            };
            text(&mut row[4], c.job_family.as_ref());
            text(&mut row[5], c.manager.as_ref());
            text(&mut row[6], c.location.as_ref());
            if let Some(t) = c.tenure {
                if t.max_months != Some(t.min_months + 1) {
                    return Err(Error::argument(
                        "tenure",
                        format!("{}: the CSV export writes whole months only", r.respondent),
                    ));
                }
                let _ = write!(row[7], "{}", t.min_months);
            }
            text(&mut row[8], c.age_band.as_ref());
            if let Some(d) = c.exit_date {
                let _ = write!(row[9], "{d}");
            }
            if let Some(t) = c.exit_type {
                row[10].push_str(t.id());
            }
            if let Some(b) = c.regrettable {
                row[11].push_str(yes_no(b));
            }
            if let Some(i) = c.interviewer {
                row[12].push_str(i.id());
            }
            for (q, f) in questions.iter().zip(&mut row[CONTEXT_COLUMNS.len()..]) {
                let Some(a) = r.answers.get(&q.id) else {
                    continue;
                };
                match (a, &q.kind) {
                    (Answer::Bool(b), _) => f.push_str(yes_no(*b)),
                    (Answer::Number(n), _) => {
                        let _ = write!(f, "{n}");
                    }
                    (Answer::Text(t), QuestionKind::Likert { not_applicable, .. })
                        if t == Answer::NOT_APPLICABLE =>
                    {
                        f.push_str(
                            not_applicable
                                .as_ref()
                                .map_or(t.as_str(), |l| l.get(Lang::En)),
                        );
                    }
                    (Answer::Text(t), _) => f.push_str(t),
                    (Answer::List(ids), _) => f.push_str(&ids.join(";")),
                }
            }
            w.write_record(&row).map_err(csv_err)?;
        }
        let bytes = w.into_inner().map_err(|e| Error::Csv {
            line: None,
            message: e.to_string(),
        })?;
        String::from_utf8(bytes).map_err(|e| Error::Csv {
            line: None,
            message: e.to_string(),
        })
    }

    /// The import mapping (JSON) that reads [`SyntheticOrg::to_csv`].
    pub fn csv_mapping_json(&self) -> String {
        let answers: serde_json::Map<String, serde_json::Value> = self
            .questionnaire
            .questions
            .iter()
            .map(|q| {
                let mut spec = serde_json::json!({ "column": q.id });
                if matches!(q.kind, QuestionKind::MultipleChoice { .. }) {
                    spec["separator"] = ";".into();
                }
                (q.id.clone(), spec)
            })
            .collect();
        let mapping = serde_json::json!({
            "questionnaire": { "inline": self.questionnaire },
            "respondent": { "column": "respondent" },
            "context": {
                "org_unit": { "columns": ["division", "department", "team"] },
                "job_family": { "column": "job_family" },
                "manager": { "column": "manager" },
                "location": { "column": "location" },
                "tenure": { "column": "tenure_months", "unit": "months" },
                "age_band": { "column": "age_band" },
                "exit_date": { "column": "exit_date", "formats": ["%Y-%m-%d"] },
                "exit_type": { "column": "exit_type" },
                "regrettable": { "column": "regrettable" },
                "interviewer": { "column": "interviewer" }
            },
            "answers": answers
        });
        mapping.to_string()
    }

    /// The import mapping that reads [`SyntheticOrg::to_csv`] back.
    pub fn csv_mapping(&self) -> Result<Mapping> {
        Mapping::from_json_with_questionnaire(&self.csv_mapping_json(), self.questionnaire.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::{Analysis, AnalysisSpec, Period};
    use crate::privacy::{Dimension, Policy};
    use crate::synthetic::{OrgConfig, generate};
    use crate::{Dataset, ImportOptions};

    /// The CSV and its mapping give the data set the records give: same
    /// summary and the same analysis, comments included.
    #[test]
    fn csv_round_trip_gives_the_same_dataset() {
        let org = generate(&OrgConfig {
            exits: 3_000,
            seed: 7,
            ..OrgConfig::default()
        })
        .unwrap();
        let csv = org.to_csv().unwrap();
        let out = org
            .csv_mapping()
            .unwrap()
            .import_csv(csv.as_bytes(), &ImportOptions::default())
            .unwrap();
        assert!(
            out.loaded.problems.is_empty(),
            "{:?}",
            &out.loaded.problems[..1]
        );
        let direct = Dataset::from_records(&org.questionnaire, &org.records).dataset;
        let imported = out.loaded.dataset;
        assert_eq!(imported.summary(), direct.summary());
        let spec = AnalysisSpec {
            trend: Some(Period::Quarter),
            ..AnalysisSpec::by(&[&[Dimension::OrgUnit], &[Dimension::TenureBand]])
        };
        let run = |ds: &Dataset| {
            serde_json::to_string(&Analysis::run(ds, Policy::default(), &spec).unwrap()).unwrap()
        };
        assert_eq!(run(&imported), run(&direct));
    }

    #[test]
    fn mapping_json_is_a_valid_mapping() {
        let org = generate(&OrgConfig {
            exits: 10,
            ..OrgConfig::default()
        })
        .unwrap();
        let json = org.csv_mapping_json();
        crate::Mapping::from_json(&json).unwrap();
    }
}
