//! The record path the import engine replaced, kept to test that the
//! engine gives the same data set, problems and summary on every file.

use std::collections::{BTreeMap, HashSet};

use super::{
    ColumnReport, ColumnStatus, FieldPlan, ImportOptions, ImportOutcome, ImportSummary,
    LineCounter, Mapping, Plan, Source, decode, match_option, norm, parse_bool, parse_date,
    parse_number, parse_tenure, whole_months,
};
use crate::dataset::Builder;
use crate::record::{ExitContext, ExitType, InterviewerType, Tenure};
use crate::{Answer, ExitRecord, Problem, ProblemKind, QuestionKind, Result};

impl Mapping {
    /// [`Mapping::import_csv`] as it was: an `ExitRecord` per row, checked by the builder.
    pub(crate) fn import_csv_by_records(
        &self,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<ImportOutcome> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let (mut reader, headers) = self.csv_reader(bytes)?;
        let plan = Plan::new(self, &headers)?;
        let mut stats: Vec<ColumnReport> = plan.column_reports(&headers);
        let mut builder = Builder::new(&self.questionnaire);
        let mut rows = 0usize;
        let mut imported = 0usize;
        let mut skipped = 0usize;
        let mut record = csv::ByteRecord::new();
        // csv's own line numbers are off by one on CRLF files, so count
        // newlines up to each record's byte offset instead.
        let mut lines = LineCounter::default();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    rows += 1;
                    let line = e
                        .position()
                        .map_or(rows as u64 + 1, |p| lines.line_at(bytes, p.byte()));
                    builder.reject([Problem::new(
                        ProblemKind::MalformedRow,
                        "(row)",
                        e.to_string(),
                    )
                    .at_row(line)]);
                    continue;
                }
            }
            rows += 1;
            let line = record
                .position()
                .map_or(rows as u64 + 1, |p| lines.line_at(bytes, p.byte()));
            if record.len() != headers.len() {
                builder.reject([Problem::new(
                    ProblemKind::MalformedRow,
                    "(row)",
                    format!(
                        "has {} fields, the header has {}",
                        record.len(),
                        headers.len()
                    ),
                )
                .at_row(line)]);
                continue;
            }
            let fields: Vec<std::borrow::Cow<'_, str>> = record.iter().map(decode).collect();
            if let Some((col, keep)) = &plan.keep
                && !keep.contains(&norm(&fields[*col]))
            {
                skipped += 1;
                continue;
            }
            for (i, f) in fields.iter().enumerate() {
                if plan.status[i] != ColumnStatus::Mapped {
                    if plan.is_missing(f, None) {
                        stats[i].missing += 1;
                    } else {
                        stats[i].filled += 1;
                    }
                }
            }
            let mut row = RowCtx {
                fields: &fields,
                headers: &headers,
                stats: &mut stats,
                problems: Vec::new(),
            };
            let rec = plan.record(self, &mut row, line, options);
            let mut problems = row.problems;
            // Report a row's problems in column order, as a person reads the row.
            problems.sort_by_key(|p| {
                headers
                    .iter()
                    .position(|h| *h == p.field)
                    .unwrap_or(usize::MAX)
            });
            if problems.is_empty() {
                if builder.push(line, &rec) {
                    imported += 1;
                }
            } else {
                let who = rec.respondent;
                builder.reject(
                    problems
                        .into_iter()
                        .map(|p| {
                            let p = p.at_row(line);
                            if who.is_empty() {
                                p
                            } else {
                                p.for_respondent(who.clone())
                            }
                        })
                        .collect::<Vec<_>>(),
                );
            }
        }
        let loaded = builder.finish();
        Ok(ImportOutcome {
            summary: ImportSummary {
                rows,
                imported,
                rejected: rows - imported - skipped,
                skipped,
                columns: stats,
            },
            loaded,
        })
    }
}

pub(super) struct RowCtx<'a, 'f> {
    fields: &'a [std::borrow::Cow<'f, str>],
    headers: &'a [String],
    stats: &'a mut [ColumnReport],
    problems: Vec<Problem>,
}

impl RowCtx<'_, '_> {
    fn unrecognised(&mut self, col: usize, target: &str, value: &str, expected: &str) {
        self.stats[col].unrecognised += 1;
        self.stats[col].filled = self.stats[col].filled.saturating_sub(1);
        self.problems.push(Problem::new(
            ProblemKind::UnrecognisedValue,
            self.headers[col].clone(),
            format!("{value:?} is not a recognised value for {target} (expected {expected})"),
        ));
    }
}

impl Plan {
    /// The field's single value: `None` when missing (counted), else the trimmed text.
    fn single(&self, f: &FieldPlan, row: &mut RowCtx<'_, '_>) -> Option<(Option<usize>, String)> {
        match &f.source {
            Source::Column(i) => {
                let v = row.fields[*i].trim();
                if self.is_missing(v, Some(f)) {
                    row.stats[*i].missing += 1;
                    None
                } else {
                    row.stats[*i].filled += 1;
                    Some((Some(*i), v.to_owned()))
                }
            }
            Source::Constant(serde_json::Value::String(s)) => Some((None, s.clone())),
            Source::Constant(v) if !v.is_null() => Some((None, v.to_string())),
            Source::Constant(_) | Source::Columns(_) | Source::Flags(_) => None,
        }
    }
    fn record(
        &self,
        m: &Mapping,
        row: &mut RowCtx<'_, '_>,
        line: u64,
        options: &ImportOptions,
    ) -> ExitRecord {
        let respondent = match &self.respondent {
            None => format!("row-{line}"),
            Some(f) => {
                if let Some((_, v)) = self.single(f, row) {
                    v
                } else {
                    row.problems.push(Problem::new(
                        ProblemKind::Missing,
                        "respondent",
                        "respondent id is missing",
                    ));
                    String::new()
                }
            }
        };
        let mut ctx = ExitContext::default();
        for (name, f) in &self.context {
            self.context_field(name, f, row, &mut ctx);
        }
        let mut rec = ExitRecord {
            respondent,
            questionnaire: m.questionnaire.id.clone(),
            version: m.questionnaire.version,
            context: ctx,
            answers: BTreeMap::new(),
        };
        for (qid, f) in &self.answers {
            let Some(q) = m.questionnaire.question(qid) else {
                continue;
            };
            if let Some(a) = self.answer(&q.kind, f, row) {
                rec.answers.insert(qid.clone(), a);
            }
        }
        if let Some(p) = &options.pseudonymiser
            && !rec.respondent.is_empty()
        {
            p.apply(&mut rec);
        }
        rec
    }

    fn context_field(
        &self,
        name: &str,
        f: &FieldPlan,
        row: &mut RowCtx<'_, '_>,
        ctx: &mut ExitContext,
    ) {
        if name == "org_unit" {
            ctx.org_unit = self.org_unit(f, row);
            return;
        }
        let Some((col, raw)) = self.single(f, row) else {
            return;
        };
        // A `values` table renames labels; unlisted labels pass through as written.
        let mapped = f.values.get(&norm(&raw)).cloned();
        let text = match &mapped {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) => return,
            Some(v) => v.to_string(),
            None => raw.clone(),
        };
        let bad = |row: &mut RowCtx<'_, '_>, expected: &str| match col {
            Some(c) => row.unrecognised(c, &f.target, &raw, expected),
            None => row.problems.push(Problem::new(
                ProblemKind::UnrecognisedValue,
                f.target.clone(),
                format!("constant {raw:?}: expected {expected}"),
            )),
        };
        match name {
            "job_family" => ctx.job_family = Some(text),
            "manager" => ctx.manager = Some(text),
            "location" => ctx.location = Some(text),
            "age_band" => ctx.age_band = Some(text),
            "tenure" if f.spec.formats.is_some() => {
                // The column holds the start date; tenure runs to the exit date.
                let formats = f.spec.formats.as_deref().unwrap_or_default();
                let start = parse_date(&text, formats).and_then(|d| d.to_naive());
                match (start, ctx.exit_date.and_then(|d| d.to_naive())) {
                    (Some(start), Some(end)) if start <= end => {
                        ctx.tenure = Some(Tenure::months(whole_months(start, end)));
                    }
                    (Some(_), Some(_)) => bad(row, "a start date before the exit date"),
                    (Some(_), None) => {}
                    (None, _) => bad(
                        row,
                        &format!(
                            "a full start date in one of the formats {}",
                            formats.join(", ")
                        ),
                    ),
                }
            }
            "tenure" => match parse_tenure(&text, &f.spec) {
                Some(t) => ctx.tenure = Some(t),
                None => bad(row, "a number or a listed band"),
            },
            "exit_date" => {
                let formats = f
                    .spec
                    .formats
                    .clone()
                    .unwrap_or_else(|| vec!["%Y-%m-%d".into(), "%Y-%m".into(), "%Y".into()]);
                match parse_date(&text, &formats) {
                    Some(d) => ctx.exit_date = Some(d),
                    None => bad(
                        row,
                        &format!("a date in one of the formats {}", formats.join(", ")),
                    ),
                }
            }
            "exit_type" => match ExitType::ALL
                .into_iter()
                .find(|t| t.id() == norm(&text).replace(' ', "_"))
            {
                Some(t) => ctx.exit_type = Some(t),
                None => bad(
                    row,
                    "a label listed in values, or voluntary, involuntary, end_of_contract, retirement, other",
                ),
            },
            "interviewer" => match InterviewerType::ALL
                .into_iter()
                .find(|t| t.id() == norm(&text).replace(' ', "_"))
            {
                Some(t) => ctx.interviewer = Some(t),
                None => bad(
                    row,
                    "a label listed in values, or hr, independent, manager, self_service",
                ),
            },
            "regrettable" => match parse_bool(&text) {
                Some(b) => ctx.regrettable = Some(b),
                None => bad(row, "yes or no"),
            },
            _ => {}
        }
    }

    fn org_unit(&self, f: &FieldPlan, row: &mut RowCtx<'_, '_>) -> Vec<String> {
        let rename = |v: &str| match f.values.get(&norm(v)) {
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => v.to_owned(),
        };
        match &f.source {
            Source::Columns(cols) => {
                let mut path = Vec::new();
                for &c in cols {
                    let v = row.fields[c].trim();
                    if self.is_missing(v, Some(f)) {
                        row.stats[c].missing += 1;
                        // A missing level ends the path: the record belongs to the level above.
                        break;
                    }
                    row.stats[c].filled += 1;
                    path.push(rename(v));
                }
                path
            }
            Source::Constant(serde_json::Value::Array(levels)) => levels
                .iter()
                .filter_map(|l| l.as_str().map(str::to_owned))
                .collect(),
            _ => match self.single(f, row) {
                None => Vec::new(),
                Some((_, v)) => match &f.spec.separator {
                    Some(sep) => v
                        .split(sep.as_str())
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(rename)
                        .collect(),
                    None => vec![rename(&v)],
                },
            },
        }
    }

    fn answer(
        &self,
        kind: &QuestionKind,
        f: &FieldPlan,
        row: &mut RowCtx<'_, '_>,
    ) -> Option<Answer> {
        if let Source::Flags(cols) = &f.source {
            return self.flags(f, cols, row);
        }
        let (col, raw) = self.single(f, row)?;
        let report = |row: &mut RowCtx<'_, '_>, expected: &str| {
            match col {
                Some(c) => row.unrecognised(c, &f.target, &raw, expected),
                None => row.problems.push(Problem::new(
                    ProblemKind::UnrecognisedValue,
                    f.target.clone(),
                    format!("constant {raw:?}: expected {expected}"),
                )),
            }
            None
        };
        if let QuestionKind::MultipleChoice { options, .. } = kind {
            let parts: Vec<&str> = match &f.spec.separator {
                Some(sep) => raw
                    .split(sep.as_str())
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect(),
                None => vec![raw.as_str()],
            };
            let mut ids = Vec::new();
            for p in parts {
                match f.values.get(&norm(p)) {
                    Some(serde_json::Value::String(s)) => ids.push(s.clone()),
                    Some(serde_json::Value::Null) => {}
                    Some(_) => return report(row, "an option id in values"),
                    None => match match_option(options, p) {
                        Some(id) => ids.push(id),
                        None => {
                            return report(
                                row,
                                "an option id or label of the question, or a label listed in values",
                            );
                        }
                    },
                }
            }
            return Some(Answer::List(ids));
        }
        if let Some(v) = f.values.get(&norm(&raw)) {
            if v.is_null() {
                return None;
            }
            return serde_json::from_value::<Answer>(v.clone())
                .ok()
                .or_else(|| report(row, "a valid answer in values"));
        }
        match kind {
            QuestionKind::Likert {
                scale,
                not_applicable,
            } => {
                if let Ok(n) = raw.parse::<i64>() {
                    return Some(Answer::Number(n));
                }
                let n = norm(&raw);
                if let Some(p) = scale
                    .iter()
                    .position(|t| t.translations().values().any(|l| norm(l) == n))
                {
                    return Some(Answer::Number(i64::try_from(p + 1).unwrap_or(i64::MAX)));
                }
                if not_applicable
                    .as_ref()
                    .is_some_and(|t| t.translations().values().any(|l| norm(l) == n))
                {
                    return Some(Answer::not_applicable());
                }
                report(
                    row,
                    "a scale point, a scale label, or a label listed in values/scale",
                )
            }
            QuestionKind::Rating { .. } => match parse_number(&raw) {
                // Within ±2^53 an integral f64 converts to i64 exactly.
                #[allow(clippy::cast_possible_truncation)]
                Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(Answer::Number(x as i64)),
                _ => report(row, "a whole number"),
            },
            QuestionKind::SingleChoice { options } => match match_option(options, &raw) {
                Some(id) => Some(Answer::Text(id)),
                None => report(
                    row,
                    "an option id or label of the question, or a label listed in values",
                ),
            },
            QuestionKind::YesNo => match parse_bool(&raw) {
                Some(b) => Some(Answer::Bool(b)),
                None => report(row, "yes or no"),
            },
            QuestionKind::FreeText { .. } => Some(Answer::Text(raw)),
            QuestionKind::Date => {
                let formats = f
                    .spec
                    .formats
                    .clone()
                    .unwrap_or_else(|| vec!["%Y-%m-%d".into()]);
                match parse_date(&raw, &formats) {
                    Some(d) if d.day.is_some() => Some(Answer::Text(d.to_string())),
                    _ => report(
                        row,
                        &format!("a full date in one of the formats {}", formats.join(", ")),
                    ),
                }
            }
            QuestionKind::MultipleChoice { .. } => None,
        }
    }

    fn flags(
        &self,
        f: &FieldPlan,
        cols: &[(usize, Option<String>)],
        row: &mut RowCtx<'_, '_>,
    ) -> Option<Answer> {
        let ticked: Option<HashSet<String>> = f
            .spec
            .ticked
            .as_ref()
            .map(|v| v.iter().map(|s| norm(s)).collect());
        let unticked: HashSet<String> = f.spec.unticked.iter().flatten().map(|s| norm(s)).collect();
        let mut answered = false;
        let mut ids = Vec::new();
        for (c, opt) in cols {
            let v = row.fields[*c].trim();
            let n = norm(v);
            if unticked.contains(&n) {
                row.stats[*c].filled += 1;
                answered = true;
                continue;
            }
            if self.is_missing(v, Some(f)) {
                row.stats[*c].missing += 1;
                continue;
            }
            row.stats[*c].filled += 1;
            match &ticked {
                Some(t) if !t.contains(&n) => {
                    row.unrecognised(*c, &f.target, v, "a ticked or unticked marker");
                }
                _ => {
                    answered = true;
                    if let Some(o) = opt {
                        ids.push(o.clone());
                    }
                }
            }
        }
        answered.then_some(Answer::List(ids))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::analysis::{Analysis, AnalysisSpec, Period};
    use crate::privacy::{Dimension, Policy};
    use crate::synthetic::{OrgConfig, generate};
    use crate::{ImportOptions, Mapping, Pseudonymiser};

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    /// The engine and the record path agree on everything an import gives:
    /// the summary, every problem, and the data set column by column (its
    /// debug form holds every code, dictionary and org node), plus an analysis.
    fn assert_same(mapping: &Mapping, csv: &[u8], options: &ImportOptions) {
        let fast = mapping.import_csv(csv, options).unwrap();
        let slow = mapping.import_csv_by_records(csv, options).unwrap();
        assert_eq!(fast.summary, slow.summary);
        assert_eq!(fast.loaded.rejected, slow.loaded.rejected);
        assert_eq!(fast.loaded.problems.len(), slow.loaded.problems.len());
        for (f, s) in fast.loaded.problems.iter().zip(&slow.loaded.problems) {
            assert_eq!(f, s);
        }
        let (f, s) = (&fast.loaded.dataset, &slow.loaded.dataset);
        assert_eq!(f.summary(), s.summary());
        assert_eq!(format!("{f:?}"), format!("{s:?}"));
        let spec = AnalysisSpec {
            trend: Some(Period::Quarter),
            ..AnalysisSpec::by(&[&[Dimension::OrgUnit], &[Dimension::TenureBand]])
        };
        let run = |ds| {
            Analysis::run(ds, Policy::default(), &spec)
                .map(|a| serde_json::to_string(&a).unwrap())
                .map_err(|e| e.to_string())
        };
        assert_eq!(run(f), run(s));
    }

    fn keyed() -> ImportOptions {
        ImportOptions {
            pseudonymiser: Some(Pseudonymiser::new(b"a key of sixteen bytes or more").unwrap()),
        }
    }

    /// Replaces field `col` of data line `line` (1-based, after the header).
    fn set(csv: &mut [Vec<String>], line: usize, col: &str, value: &str) {
        let c = csv[0].iter().position(|h| h == col).unwrap();
        csv[line][c] = value.to_owned();
    }

    fn write(rows: &[Vec<String>]) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        for r in rows {
            w.write_record(r).unwrap();
        }
        w.into_inner().unwrap()
    }

    #[test]
    fn the_synthetic_csv_gives_the_same_import_clean_and_damaged() {
        let org = generate(&OrgConfig {
            exits: 3_000,
            seed: 11,
            ..OrgConfig::default()
        })
        .unwrap();
        let csv = org.to_csv().unwrap();
        let mapping = org.csv_mapping().unwrap();
        assert_same(&mapping, csv.as_bytes(), &ImportOptions::default());
        let mut rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let header = csv::Reader::from_reader(csv.as_bytes())
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        rows.insert(0, header);
        for (line, col, value) in [
            (3, "enps", "11"),
            (4, "enps", "seven"),
            (5, "exit_date", "2020-13-01"),
            (6, "division", ""),
            (7, "department", ""),
            (8, "manager", " "),
            (9, "tenure_months", "abc"),
            (10, "exit_type", "fired"),
            (11, "regrettable", "maybe"),
            (12, "interviewer", "Self Service"),
            (13, "primary_reason", ""),
            (14, "contributing_reasons", "pay;nonsense"),
            (15, "respondent", ""),
            (16, "respondent", "N/A"),
            (17, "enps", "7.0"),
            (18, "exit_type", " Voluntary "),
            (19, "regrettable", "JA"),
            (20, "enps", "7.5"),
            (21, "primary_reason", "Pay"),
            (22, "enps", "-1"),
            (23, "location", "n.v.t."),
            (24, "job_family", "null"),
            (25, "tenure_months", "2,5"),
            (26, "exit_date", "2019"),
            (27, "enps", "11"),
            (27, "exit_type", "fired"),
            (27, "division", ""),
        ] {
            set(&mut rows, line, col, value);
        }
        // Duplicates (a later row with an earlier id), a short row, a free
        // text answer and every Likert item blanked.
        let first = rows[1][0].clone();
        set(&mut rows, 30, "respondent", &first);
        rows[31].truncate(5);
        for c in rows[0].clone().iter().skip(15).take(6) {
            set(&mut rows, 32, c, "");
        }
        for line in [33, 34] {
            set(&mut rows, line, "return_conditions", "Minder werkdruk.");
        }
        set(&mut rows, 33, "would_return", "yes");
        set(&mut rows, 34, "would_return", "");
        let damaged = write(&rows);
        assert_same(&mapping, &damaged, &ImportOptions::default());
        assert_same(&mapping, &damaged, &keyed());
    }

    #[test]
    fn the_real_files_give_the_same_import() {
        let tafe = std::fs::read(root().join("../shared/data/tafe_survey.csv")).unwrap();
        let tafe_map = Mapping::from_path(root().join("examples/mappings/tafe.json")).unwrap();
        assert_same(&tafe_map, &tafe, &ImportOptions::default());
        assert_same(&tafe_map, &tafe, &keyed());
        // Damaged labels, a doubled file (every id again), a cut-off line.
        let text = String::from_utf8_lossy(&tafe).into_owned();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        for l in lines.iter_mut().skip(5).step_by(37) {
            *l = l.replacen("Agree", "Agreed", 1).replacen('-', "maybe", 1);
        }
        lines[9].truncate(40);
        let mut damaged = lines.join("\n");
        damaged.push('\n');
        damaged.push_str(&lines[1..].join("\n"));
        assert_same(&tafe_map, damaged.as_bytes(), &ImportOptions::default());
        let hr = std::fs::read(root().join("../shared/data/HRDataset_v14.csv")).unwrap();
        let hr_map = Mapping::from_path(root().join("examples/mappings/hrdataset.json")).unwrap();
        assert_same(&hr_map, &hr, &ImportOptions::default());
        assert_same(&hr_map, &hr, &keyed());
    }
}
