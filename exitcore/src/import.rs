//! Real-world CSV import through a declarative mapping.
//!
//! An organisation's own export is rarely the standard questionnaire. A
//! [`Mapping`] (JSON) says which column is which question or context field,
//! how labels map to values (`Strongly Agree`, `SA`, ...), which strings mean
//! missing (`Not Stated`, `N/A`, `-`), how a multiple-choice question is
//! spread over columns, and which date formats occur. It points at the
//! questionnaire the answers belong to: the standard one, a JSON file next to
//! the mapping, or one given inline.
//!
//! Import never stops at a bad row: every problem is collected with its line
//! and column, every valid row is kept, and a per-column summary says what
//! was mapped, ignored or left unmapped.
//!
//! ```
//! use exitcore::{ImportOptions, Mapping};
//! let mapping = Mapping::from_json(r#"{
//!   "questionnaire": "standard",
//!   "respondent": {"column": "ID"},
//!   "context": {"org_unit": {"columns": ["Division", "Team"]},
//!               "exit_date": {"column": "Left", "formats": ["%m/%Y", "%Y"]}},
//!   "answers": {
//!     "primary_reason": {"column": "Reason", "values": {"Salary": "pay", "Boss": "leadership"}},
//!     "enps": {"column": "Recommend"},
//!     "would_return": {"column": "Return"}
//!   }
//! }"#).unwrap();
//! let csv = "\u{feff}ID,Division ,Team,Left,Reason,Recommend,Return\r\n\
//!            1,Sales,North,08/2012,Salary,7,Yes\r\n\
//!            2,Sales,North,2013,Boss,11,No\r\n";
//! let out = mapping.import_csv(csv.as_bytes(), &ImportOptions::default()).unwrap();
//! assert_eq!(out.loaded.dataset.len(), 1);
//! assert_eq!(out.loaded.problems[0].to_string(), "row 3, record 2, field answers.enps: 11 is outside 0..=10");
//! assert_eq!(out.summary.rows, 2);
//! ```

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

mod columnar;
mod engine;
#[cfg(test)]
mod reference;

use crate::dataset::Loaded;
use crate::error::json_error;
use crate::record::{PartialDate, Tenure};
use crate::{Answer, Error, Pseudonymiser, QuestionKind, Questionnaire, Result};

/// One column's (or group of columns') mapping onto a field.
///
/// Which keys apply depends on the target; unknown keys are rejected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The column holding the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Several columns, one per level (org unit from the top down).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
    /// Splits one column: org-unit levels (`Sales/North`) or ticked options (`pay; workload`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separator: Option<String>,
    /// A fixed value for every row instead of a column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant: Option<serde_json::Value>,
    /// Label in the file to value (matched ignoring case and extra spaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, serde_json::Value>>,
    /// Name of a shared label table in the mapping's `scales`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<String>,
    /// chrono formats the dates come in, tried in order (`%Y`, `%m/%Y`, `%d-%m-%Y`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formats: Option<Vec<String>>,
    /// Tenure unit of a numeric column: `months` (default), `years` or `days`.
    /// (For tenure, `formats` instead means the column holds the start date.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Tenure bands: label to `[min, max)` in months, `null` max for open-ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands: Option<BTreeMap<String, (u32, Option<u32>)>>,
    /// A multiple-choice question spread over columns: column to option id
    /// (`null`: a "none of these" column that ticks nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<BTreeMap<String, Option<String>>>,
    /// Values that mean "ticked" in flag columns; by default any value that
    /// is neither missing nor `unticked` (covers a box holding its own name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticked: Option<Vec<String>>,
    /// Values that mean "not ticked" in flag columns (`FALSE`, `0`, `-`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unticked: Option<Vec<String>>,
    /// Extra strings that mean missing in this field only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<String>>,
}

/// Context fields a mapping can fill.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextSpec {
    /// Org unit path (`columns` from the top, one `column` with a `separator`, or a `constant`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_unit: Option<FieldSpec>,
    /// Job family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_family: Option<FieldSpec>,
    /// Manager id (pseudonymised when a key is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<FieldSpec>,
    /// Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<FieldSpec>,
    /// Tenure (number with `unit`, or `bands`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenure: Option<FieldSpec>,
    /// Age band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<FieldSpec>,
    /// Exit date (with `formats`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_date: Option<FieldSpec>,
    /// Exit type (`values` onto voluntary, involuntary, `end_of_contract`, retirement, other).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_type: Option<FieldSpec>,
    /// Regrettable loss (yes/no).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regrettable: Option<FieldSpec>,
    /// Interviewer type (hr, independent, manager, `self_service`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interviewer: Option<FieldSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    questionnaire: serde_json::Value,
    #[serde(default)]
    delimiter: Option<char>,
    #[serde(default = "default_missing")]
    missing: Vec<String>,
    #[serde(default)]
    respondent: Option<FieldSpec>,
    #[serde(default)]
    context: ContextSpec,
    #[serde(default)]
    scales: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    answers: BTreeMap<String, FieldSpec>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    keep: Option<RowFilter>,
}

/// Which rows are exits: a file of all staff keeps only the leavers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowFilter {
    /// The column to look at.
    pub column: String,
    /// Values that keep a row (matched ignoring case and extra spaces); other rows are skipped and counted.
    pub equals: Vec<String>,
}

fn default_missing() -> Vec<String> {
    ["", "N/A", "NA", "n.v.t.", "-", "Not Stated", "null", "NULL"]
        .map(String::from)
        .to_vec()
}

/// A checked import mapping together with the questionnaire it maps onto.
///
/// See the [module documentation](self) for the format.
#[derive(Debug, Clone)]
pub struct Mapping {
    questionnaire: Questionnaire,
    raw: RawMapping,
}

/// Options of one import run.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Replace respondent and manager ids by keyed hashes (HMAC-SHA256).
    pub pseudonymiser: Option<Pseudonymiser>,
}

/// How one column of the file was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnStatus {
    /// Read into a field.
    Mapped,
    /// Listed in the mapping's `ignore`.
    Ignored,
    /// Not mentioned by the mapping: its data is not imported.
    Unmapped,
}

/// What happened to one column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnReport {
    /// The header as in the file, trimmed.
    pub column: String,
    /// Mapped, ignored or unmapped.
    pub status: ColumnStatus,
    /// The field it fills (`respondent`, `context.org_unit`, `answers.<id>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Rows with a value.
    pub filled: usize,
    /// Rows with an empty or missing-marker value.
    pub missing: usize,
    /// Rows whose value the mapping did not recognise (each is a problem).
    pub unrecognised: usize,
}

/// Per-file and per-column account of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Data rows in the file.
    pub rows: usize,
    /// Rows that became records in the dataset.
    pub imported: usize,
    /// Rows rejected, each with at least one problem.
    pub rejected: usize,
    /// Rows left out by the mapping's `keep` filter (not exits).
    pub skipped: usize,
    /// Every column of the file.
    pub columns: Vec<ColumnReport>,
}

/// The dataset, the problems and the summary of one import.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    /// Valid records and every problem.
    pub loaded: Loaded,
    /// What happened per column.
    pub summary: ImportSummary,
}

/// Lowercase, trimmed, inner whitespace collapsed: how labels and headers are compared.
fn norm(s: &str) -> String {
    normalised(s).into_owned()
}

/// [`norm`]`(s)`, borrowing `s` when it is already so: ASCII without
/// capitals or whitespace but single spaces between words, as ids,
/// numbers and dates are (most distinct values an import resolves).
pub(crate) fn normalised(s: &str) -> std::borrow::Cow<'_, str> {
    let b = s.as_bytes();
    let plain = b.iter().all(|&c| {
        c.is_ascii() && !c.is_ascii_uppercase() && (c == b' ' || !char::from(c).is_whitespace())
    }) && b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && !s.contains("  ");
    if plain {
        std::borrow::Cow::Borrowed(s)
    } else {
        let mut out = String::with_capacity(s.len());
        out.extend(norm_chars(s));
        std::borrow::Cow::Owned(out)
    }
}

/// The characters of [`norm`]`(s)`, for comparing without a `String`.
fn norm_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.split_whitespace().enumerate().flat_map(|(i, w)| {
        (i > 0)
            .then_some(' ')
            .into_iter()
            .chain(w.chars().flat_map(char::to_lowercase))
    })
}

impl Mapping {
    /// Reads a mapping file; a questionnaire given as `{"path": ...}` is read
    /// relative to the mapping file's folder.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let raw = parse_raw(&json)?;
        let q = match &raw.questionnaire {
            serde_json::Value::Object(o) if o.contains_key("path") => {
                let rel = o.get("path").and_then(|p| p.as_str()).unwrap_or_default();
                let base = path.parent().unwrap_or(Path::new("."));
                Questionnaire::from_path(base.join(rel))?
            }
            other => inline_questionnaire(other)?,
        };
        Self::build(raw, q)
    }

    /// Parses a mapping whose questionnaire is `"standard"` or inline.
    pub fn from_json(json: &str) -> Result<Self> {
        let raw = parse_raw(json)?;
        let q = inline_questionnaire(&raw.questionnaire)?;
        Self::build(raw, q)
    }

    /// Parses a mapping and uses `questionnaire` for it, whatever the mapping
    /// refers to (for hosts without a file system, such as a browser).
    pub fn from_json_with_questionnaire(json: &str, questionnaire: Questionnaire) -> Result<Self> {
        let raw = parse_raw(json)?;
        Self::build(raw, questionnaire)
    }

    /// The questionnaire the mapping fills.
    pub fn questionnaire(&self) -> &Questionnaire {
        &self.questionnaire
    }

    fn build(raw: RawMapping, questionnaire: Questionnaire) -> Result<Self> {
        let m = Mapping { questionnaire, raw };
        m.check()?;
        Ok(m)
    }

    /// Checks everything that can be checked without the file.
    fn check(&self) -> Result<()> {
        let raw = &self.raw;
        let ctx = raw.context.org_unit.as_ref().ok_or_else(|| {
            Error::mapping(
                "context.org_unit",
                "every record needs an org unit: map a column, columns or a constant",
            )
        })?;
        if ctx.column.is_none() && ctx.columns.is_none() && ctx.constant.is_none() {
            return Err(Error::mapping(
                "context.org_unit",
                "give \"column\", \"columns\" or \"constant\"",
            ));
        }
        for (name, scale) in &raw.scales {
            for (label, v) in scale {
                serde_json::from_value::<Answer>(v.clone())
                    .map_err(|e| Error::mapping(format!("scales.{name}.{label}"), e.to_string()))?;
            }
        }
        for (qid, spec) in &raw.answers {
            let at = format!("answers.{qid}");
            let Some(q) = self.questionnaire.question(qid) else {
                return Err(Error::mapping(
                    at,
                    format!(
                        "the questionnaire {:?} has no question {qid:?}",
                        self.questionnaire.id
                    ),
                ));
            };
            if let Some(s) = &spec.scale
                && !raw.scales.contains_key(s)
            {
                return Err(Error::mapping(
                    format!("{at}.scale"),
                    format!("unknown scale {s:?}"),
                ));
            }
            if let Some(flags) = &spec.flags {
                if !matches!(q.kind, QuestionKind::MultipleChoice { .. }) {
                    return Err(Error::mapping(
                        format!("{at}.flags"),
                        "flag columns need a multiple_choice question",
                    ));
                }
                for (col, opt) in flags {
                    if let Some(o) = opt
                        && !q.kind.options().iter().any(|x| &x.id == o)
                    {
                        return Err(Error::mapping(
                            format!("{at}.flags.{col}"),
                            format!("{o:?} is not an option of {qid:?}"),
                        ));
                    }
                }
            } else if spec.column.is_none() && spec.constant.is_none() {
                return Err(Error::mapping(
                    &at,
                    "give \"column\", \"flags\" or \"constant\"",
                ));
            }
            if let Some(values) = &spec.values {
                for (label, v) in values {
                    serde_json::from_value::<Answer>(v.clone()).map_err(|e| {
                        Error::mapping(format!("{at}.values.{label}"), e.to_string())
                    })?;
                }
            }
        }
        for fmt in self
            .raw
            .context
            .exit_date
            .iter()
            .flat_map(|s| s.formats.iter().flatten())
        {
            if DatePrecision::of(fmt).is_none() {
                return Err(Error::mapping(
                    "context.exit_date.formats",
                    format!("{fmt:?} has no %Y or %y"),
                ));
            }
        }
        Ok(())
    }

    /// Reads a CSV file and imports it (see [`Mapping::import_csv`]).
    pub fn import_path(
        &self,
        path: impl AsRef<Path>,
        options: &ImportOptions,
    ) -> Result<ImportOutcome> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        self.import_csv(&bytes, options)
    }

    /// Imports CSV bytes: UTF-8 (with or without BOM; Latin-1 is accepted
    /// field by field), LF or CRLF, padded headers and values.
    ///
    /// Fails only when the file cannot be used at all (no header, a mapped
    /// column that is not in the file); row-level trouble becomes problems.
    pub fn import_csv(&self, bytes: &[u8], options: &ImportOptions) -> Result<ImportOutcome> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let (reader, headers) = self.csv_reader(bytes)?;
        if headers.iter().all(String::is_empty) {
            return Err(Error::Csv {
                line: Some(1),
                message: "the file has no header row".into(),
            });
        }
        let plan = Plan::new(self, &headers)?;
        let mut engine = engine::Engine::new(self, &plan, &headers, options);
        let uncached = engine.uncached_columns();
        let mut current = columnar::Batch::default();
        let mut line = 0u64;
        // Reading and numbering the records is independent of importing
        // them: the next chunk is read while this one is imported. (The
        // pipeline wants a record count; a record is rarely under 64 bytes.)
        crate::parallel::pipeline(
            "import_csv",
            bytes.len() / 64,
            |sink| columnar::read_csv(reader, bytes, headers.len(), &uncached, sink),
            |item| match item {
                columnar::CsvItem::Chunk(chunk) => {
                    engine.restart(&chunk.restart);
                    let (start, end) = current.take(chunk);
                    engine.chunk(&current, start, end, &mut line);
                }
                columnar::CsvItem::Malformed { line, message } => engine.malformed(line, message),
                columnar::CsvItem::Ragged { line, record } => engine.row(&record, line),
            },
        )?;
        Ok(engine.finish())
    }
}

/// One cell of a column handed to [`Mapping::import_columns`].
///
/// A cell that is not text is read as the text it would be in a CSV file
/// (`7`, `7.5`, `true`, `2024-03-01`), so a table and a CSV export of it
/// import alike and give the same problems.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// No value (missing).
    Null,
    /// Text.
    Text(&'a str),
    /// A whole number.
    Int(i64),
    /// A floating-point number (`7.0` reads as `7`).
    Float(f64),
    /// A boolean (`true` / `false`).
    Bool(bool),
    /// A date: days since 1970-01-01 (Arrow's `date32`).
    Date(i32),
}

/// A column held as its distinct values and, per row, the index of the
/// value it holds (an Arrow dictionary array, a pandas categorical, a
/// polars enum): see [`Columns::dictionary`].
#[derive(Debug, Clone, PartialEq)]
pub struct Dictionary<'a> {
    /// The values (repeats allowed).
    pub values: Vec<Cell<'a>>,
    /// One index into `values` per row of the batch; [`Dictionary::NULL`]
    /// (or any index past the values) is a missing value.
    pub keys: std::borrow::Cow<'a, [u32]>,
}

impl Dictionary<'_> {
    /// The key of a missing value.
    pub const NULL: u32 = u32::MAX;
}

/// A column of texts as Arrow lays out a string array, borrowed as it is:
/// see [`Columns::texts`].
///
/// ```
/// use exitcore::import::{TextColumn, TextLayout, Validity};
/// // "pay", null, "workload": the null row's bit is clear.
/// let column = TextColumn {
///     layout: TextLayout::Offsets32 { offsets: &[0, 3, 3, 11], bytes: b"payworkload" },
///     validity: Some(Validity { bits: &[0b101], offset: 0 }),
/// };
/// assert_eq!(column.get(0), Some(&b"pay"[..]));
/// assert_eq!(column.get(1), None);
/// assert_eq!(column.get(2), Some(&b"workload"[..]));
/// ```
#[derive(Debug, Clone)]
pub struct TextColumn<'a> {
    /// The rows' texts (UTF-8; a text that is not is read as a CSV
    /// field of the same bytes would be).
    pub layout: TextLayout<'a>,
    /// Which rows are null (`None`: none is).
    pub validity: Option<Validity<'a>>,
}

/// The texts of a [`TextColumn`], in one of Arrow's string layouts.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TextLayout<'a> {
    /// `utf8`: row `i` is `bytes[offsets[i]..offsets[i + 1]]`.
    Offsets32 {
        /// One more than the rows.
        offsets: &'a [i32],
        /// The texts one after another.
        bytes: &'a [u8],
    },
    /// `large_utf8`: as [`TextLayout::Offsets32`] with 64-bit offsets.
    Offsets64 {
        /// One more than the rows.
        offsets: &'a [i64],
        /// The texts one after another.
        bytes: &'a [u8],
    },
    /// `utf8_view`: per row a view of 16 bytes (little-endian words): the
    /// length in the first four, then a text of at most 12 bytes itself,
    /// or a longer one's first four bytes, its buffer's index and its
    /// offset there.
    Views {
        /// The views, one after another.
        views: &'a [u8],
        /// The buffers longer texts lie in.
        buffers: Vec<&'a [u8]>,
    },
}

/// Arrow's validity bitmap: row `i` is null unless bit `offset + i` is set
/// (least significant bit first); a row past the bits is null.
#[derive(Debug, Clone, Copy)]
pub struct Validity<'a> {
    /// The bitmap.
    pub bits: &'a [u8],
    /// The bit of the first row.
    pub offset: usize,
}

impl Validity<'_> {
    /// Whether row `row` holds a value.
    #[inline]
    #[must_use]
    pub fn is_valid(&self, row: usize) -> bool {
        let bit = self.offset + row;
        self.bits
            .get(bit / 8)
            .is_some_and(|b| b >> (bit % 8) & 1 == 1)
    }
}

impl<'a> TextColumn<'a> {
    /// Row `row`'s text, `None` when it is null (or the layout has no such
    /// row, or points outside its bytes).
    #[must_use]
    pub fn get(&self, row: usize) -> Option<&'a [u8]> {
        if self.validity.is_some_and(|v| !v.is_valid(row)) {
            return None;
        }
        self.layout.get(row)
    }
}

impl<'a> TextLayout<'a> {
    /// Row `row`'s text, whether null or not (see [`TextColumn::get`]).
    #[must_use]
    pub fn get(&self, row: usize) -> Option<&'a [u8]> {
        match self {
            TextLayout::Offsets32 { offsets, bytes } => {
                let (s, e) = offset_span(offsets, row)?;
                bytes.get(s..e)
            }
            TextLayout::Offsets64 { offsets, bytes } => {
                let (s, e) = offset_span(offsets, row)?;
                bytes.get(s..e)
            }
            TextLayout::Views { views, buffers } => {
                let view = views.get(row.checked_mul(16)?..)?.get(..16)?;
                let word = |at: usize| {
                    view.get(at..at + 4)
                        .and_then(|w| w.try_into().ok())
                        .map(u32::from_le_bytes)
                        .and_then(|w| usize::try_from(w).ok())
                };
                let len = word(0)?;
                if len <= 12 {
                    return view.get(4..4 + len);
                }
                let buffer = buffers.get(word(8)?)?;
                let start = word(12)?;
                buffer.get(start..start.checked_add(len)?)
            }
        }
    }
}

/// Where row `row`'s text starts and ends in an Arrow offsets array
/// (`None` past its end, or for an offset that is no index).
#[inline]
pub(crate) fn offset_span<O: Copy + TryInto<usize>>(
    offsets: &[O],
    row: usize,
) -> Option<(usize, usize)> {
    let at = |i: usize| offsets.get(i).and_then(|&o| o.try_into().ok());
    Some((at(row)?, at(row.checked_add(1)?)?))
}

/// A batch of rows, by column: what [`Mapping::import_columns`] reads.
///
/// Bindings implement it over their own column types (Arrow arrays in
/// Python, JS arrays in the browser), so the core sees cells and never a
/// binding's types. The import reads a column a chunk of rows at a time
/// and resolves each distinct value once; a binding that already holds a
/// column as a dictionary says so with [`Columns::dictionary`], and its
/// rows are then never looked at one cell at a time. It is `Sync`
/// because the next chunk is read on a thread of its own while the one
/// before is imported (a binding holding handles that cannot be shared
/// copies its columns into Rust values first, as the JS one does).
pub trait Columns: Sync {
    /// Number of rows in the batch.
    fn rows(&self) -> usize;
    /// The cell in column `column` (in the order of the names given) at `row`.
    fn cell(&self, column: usize, row: usize) -> Cell<'_>;
    /// Column `column` as a dictionary, when it is held as one (`None`,
    /// the default: it is read through [`Columns::cell`]). The values and
    /// keys must give the same cells as [`Columns::cell`] would. Every
    /// value is read once per batch, so a dictionary larger than its batch
    /// (one shared by many small batches) is better left as cells.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use exitcore::import::{Cell, Columns, Dictionary};
    /// struct Units { values: Vec<&'static str>, keys: Vec<u32> }
    /// impl Columns for Units {
    ///     fn rows(&self) -> usize { self.keys.len() }
    ///     fn cell(&self, _: usize, row: usize) -> Cell<'_> {
    ///         self.values.get(self.keys[row] as usize).map_or(Cell::Null, |v| Cell::Text(v))
    ///     }
    ///     fn dictionary(&self, _: usize) -> Option<Dictionary<'_>> {
    ///         Some(Dictionary {
    ///             values: self.values.iter().map(|v| Cell::Text(v)).collect(),
    ///             keys: Cow::Borrowed(&self.keys),
    ///         })
    ///     }
    /// }
    /// let units = Units { values: vec!["Sales", "IT"], keys: vec![1, 0, Dictionary::NULL] };
    /// assert_eq!(units.dictionary(0).unwrap().keys.len(), units.rows());
    /// assert_eq!(units.cell(0, 2), Cell::Null);
    /// ```
    fn dictionary(&self, column: usize) -> Option<Dictionary<'_>> {
        let _ = column;
        None
    }

    /// Column `column` as texts in one of Arrow's layouts, when it is held
    /// so (`None`, the default: it is read through [`Columns::cell`]); the
    /// import then reads its rows' bytes where they lie, without a call
    /// per cell. Its rows must give the same texts (and nulls) as
    /// [`Columns::cell`] would. [`Columns::dictionary`] comes first.
    ///
    /// ```
    /// use exitcore::import::{Cell, Columns, TextColumn, TextLayout};
    /// struct Reasons { offsets: Vec<i32>, bytes: String }
    /// impl Columns for Reasons {
    ///     fn rows(&self) -> usize { self.offsets.len() - 1 }
    ///     fn cell(&self, column: usize, row: usize) -> Cell<'_> {
    ///         self.texts(column)
    ///             .and_then(|t| t.get(row))
    ///             .and_then(|b| std::str::from_utf8(b).ok())
    ///             .map_or(Cell::Null, Cell::Text)
    ///     }
    ///     fn texts(&self, _: usize) -> Option<TextColumn<'_>> {
    ///         Some(TextColumn {
    ///             layout: TextLayout::Offsets32 { offsets: &self.offsets, bytes: self.bytes.as_bytes() },
    ///             validity: None,
    ///         })
    ///     }
    /// }
    /// let reasons = Reasons { offsets: vec![0, 3, 11], bytes: "payworkload".into() };
    /// assert_eq!(reasons.cell(0, 1), Cell::Text("workload"));
    /// ```
    fn texts(&self, column: usize) -> Option<TextColumn<'_>> {
        let _ = column;
        None
    }

    /// Column `column` as numbers or dates in Arrow's primitive layout,
    /// when it is held so (`None`, the default: it is read through
    /// [`Columns::cell`]); the import then reads its rows where they lie.
    /// Its rows must give the same cells as [`Columns::cell`] would.
    ///
    /// ```
    /// use exitcore::import::{Cell, Columns, NumberColumn, Numbers};
    /// struct Scores(Vec<i64>);
    /// impl Columns for Scores {
    ///     fn rows(&self) -> usize { self.0.len() }
    ///     fn cell(&self, column: usize, row: usize) -> Cell<'_> {
    ///         self.numbers(column).map_or(Cell::Null, |n| n.get(row))
    ///     }
    ///     fn numbers(&self, _: usize) -> Option<NumberColumn<'_>> {
    ///         Some(NumberColumn { values: Numbers::Int64(&self.0), validity: None })
    ///     }
    /// }
    /// assert_eq!(Scores(vec![7, 9]).cell(0, 1), Cell::Int(9));
    /// ```
    fn numbers(&self, column: usize) -> Option<NumberColumn<'_>> {
        let _ = column;
        None
    }
}

/// A column of numbers or dates as Arrow lays out a primitive array,
/// borrowed as it is: see [`Columns::numbers`].
///
/// ```
/// use exitcore::import::{Cell, NumberColumn, Numbers, Validity};
/// // 2024-01-01, null, 1970-01-02 as days since 1970-01-01.
/// let column = NumberColumn {
///     values: Numbers::Date32(&[19_723, 0, 1]),
///     validity: Some(Validity { bits: &[0b101], offset: 0 }),
/// };
/// assert_eq!(column.get(0), Cell::Date(19_723));
/// assert_eq!(column.get(1), Cell::Null);
/// assert_eq!(column.get(3), Cell::Null);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct NumberColumn<'a> {
    /// The rows' values (a null row's is any).
    pub values: Numbers<'a>,
    /// Which rows are null (`None`: none is).
    pub validity: Option<Validity<'a>>,
}

/// The values of a [`NumberColumn`], by Arrow type.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Numbers<'a> {
    /// `int64`: [`Cell::Int`].
    Int64(&'a [i64]),
    /// `int32`: [`Cell::Int`].
    Int32(&'a [i32]),
    /// `double`: [`Cell::Float`].
    Float64(&'a [f64]),
    /// `date32`, days since 1970-01-01: [`Cell::Date`].
    Date32(&'a [i32]),
}

impl NumberColumn<'_> {
    /// Row `row`'s cell: [`Cell::Null`] when it is null or past the values.
    #[inline]
    #[must_use]
    pub fn get(&self, row: usize) -> Cell<'static> {
        if self.validity.is_some_and(|v| !v.is_valid(row)) {
            return Cell::Null;
        }
        let cell = match self.values {
            Numbers::Int64(v) => v.get(row).map(|&n| Cell::Int(n)),
            Numbers::Int32(v) => v.get(row).map(|&n| Cell::Int(i64::from(n))),
            Numbers::Float64(v) => v.get(row).map(|&x| Cell::Float(x)),
            Numbers::Date32(v) => v.get(row).map(|&d| Cell::Date(d)),
        };
        cell.unwrap_or(Cell::Null)
    }
}

/// The cells of one table row written as text, for the engine: the
/// row-by-row path the columnar one must agree with.
#[cfg(test)]
#[derive(Debug, Default)]
struct RowText {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

#[cfg(test)]
impl RowText {
    fn fill(&mut self, batch: &dyn Columns, width: usize, row: usize) {
        self.bytes.clear();
        self.ends.clear();
        for c in 0..width {
            columnar::write_cell(&mut self.bytes, batch.cell(c, row));
            self.ends.push(self.bytes.len());
        }
    }
}

#[cfg(test)]
impl engine::Fields for RowText {
    fn count(&self) -> usize {
        self.ends.len()
    }

    fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.ends
            .get(i)
            .and_then(|&end| self.bytes.get(start..end))
            .unwrap_or_default()
    }
}

impl Mapping {
    /// Imports a table given by column (a data frame, Arrow record
    /// batches): the same rules, problems and summary as
    /// [`Mapping::import_csv`], with `names` as the header. Rows are
    /// numbered from 1 across the batches, in order.
    ///
    /// ```
    /// use exitcore::import::{Cell, Columns};
    /// use exitcore::{ImportOptions, Mapping, Questionnaire};
    /// struct Table(Vec<Vec<Cell<'static>>>);
    /// impl Columns for Table {
    ///     fn rows(&self) -> usize { self.0[0].len() }
    ///     fn cell(&self, column: usize, row: usize) -> Cell<'_> { self.0[column][row] }
    /// }
    /// let names = ["respondent", "org_unit", "primary_reason", "enps", "would_return"].map(String::from);
    /// let mapping = Mapping::identity(Questionnaire::standard(), &names).unwrap();
    /// let table = Table(vec![
    ///     vec![Cell::Text("a"), Cell::Text("b")],
    ///     vec![Cell::Text("Sales/North"), Cell::Text("Sales")],
    ///     vec![Cell::Text("pay"), Cell::Text("workload")],
    ///     vec![Cell::Int(7), Cell::Float(11.0)],
    ///     vec![Cell::Bool(true), Cell::Null],
    /// ]);
    /// let out = mapping.import_columns(&names, [&table as &dyn Columns], &ImportOptions::default()).unwrap();
    /// assert_eq!(out.loaded.dataset.len(), 1);
    /// assert_eq!(out.loaded.problems[0].to_string(), "row 2, record b, field answers.enps: 11 is outside 0..=10");
    /// ```
    pub fn import_columns<'t>(
        &self,
        names: &[String],
        batches: impl IntoIterator<Item = &'t dyn Columns>,
        options: &ImportOptions,
    ) -> Result<ImportOutcome> {
        let headers: Vec<String> = names.iter().map(|h| h.trim().to_owned()).collect();
        if headers.iter().all(String::is_empty) {
            return Err(Error::argument("columns", "the table has no named columns"));
        }
        let plan = Plan::new(self, &headers)?;
        let mut engine = engine::Engine::new(self, &plan, &headers, options);
        let uncached = engine.uncached_columns();
        let batches: Vec<&dyn Columns> = batches.into_iter().collect();
        let records = batches.iter().map(|b| b.rows()).sum();
        engine.reserve(records);
        let mut current = columnar::Batch::default();
        let mut line = 0u64;
        // Reading (numbering each column's values) is independent of the
        // import, so the next chunk is read while this one is imported.
        crate::parallel::pipeline(
            "import_columns",
            records,
            |sink| columnar::read(&batches, headers.len(), &uncached, sink),
            |chunk| {
                engine.restart(&chunk.restart);
                let (start, end) = current.take(chunk);
                engine.chunk(&current, start, end, &mut line);
            },
        )?;
        Ok(engine.finish())
    }

    /// [`Mapping::import_columns`] one row at a time, every cell written
    /// as text and looked up by its bytes: what the columnar path must
    /// agree with.
    #[cfg(test)]
    fn import_columns_by_rows<'t>(
        &self,
        names: &[String],
        batches: impl IntoIterator<Item = &'t dyn Columns>,
        options: &ImportOptions,
    ) -> Result<ImportOutcome> {
        let headers: Vec<String> = names.iter().map(|h| h.trim().to_owned()).collect();
        let plan = Plan::new(self, &headers)?;
        let mut engine = engine::Engine::new(self, &plan, &headers, options);
        let mut row = RowText::default();
        let mut line = 0u64;
        for batch in batches {
            for r in 0..batch.rows() {
                line += 1;
                row.fill(batch, headers.len(), r);
                engine.row(&row, line);
            }
        }
        Ok(engine.finish())
    }

    /// The mapping of a table whose columns are named after the record's
    /// fields, holding canonical values: `respondent`, `org_unit` (levels
    /// from the top joined by `/`, so a unit's name cannot hold a `/`;
    /// map level columns with `columns` otherwise), `job_family`,
    /// `manager`, `location`, `tenure_months`, `age_band`, `exit_date`
    /// (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`), `exit_type`, `regrettable`,
    /// `interviewer`, and one column per question named by its id (option
    /// ids, several joined by `;`; Likert points as numbers or `n/a`;
    /// `yes`/`no` or booleans). Only an empty cell is missing. Columns of
    /// `columns` that are none of these are reported as unmapped.
    ///
    /// ```
    /// use exitcore::{Mapping, Questionnaire};
    /// let names = ["respondent", "org_unit", "enps", "notes"].map(String::from);
    /// let m = Mapping::identity(Questionnaire::standard(), &names).unwrap();
    /// assert_eq!(m.questionnaire().id, "exitcore.standard");
    /// assert!(Mapping::identity(Questionnaire::standard(), &["respondent".to_owned()]).is_err());
    /// ```
    pub fn identity(questionnaire: Questionnaire, columns: &[String]) -> Result<Self> {
        use serde_json::json;
        let has = |name: &str| columns.iter().any(|c| norm(c) == name);
        let mut context = serde_json::Map::new();
        for (field, column) in [
            ("job_family", "job_family"),
            ("manager", "manager"),
            ("location", "location"),
            ("age_band", "age_band"),
            ("exit_date", "exit_date"),
            ("exit_type", "exit_type"),
            ("regrettable", "regrettable"),
            ("interviewer", "interviewer"),
        ] {
            if has(column) {
                context.insert(field.into(), json!({ "column": column }));
            }
        }
        if has("org_unit") {
            context.insert(
                "org_unit".into(),
                json!({ "column": "org_unit", "separator": "/" }),
            );
        }
        if has("tenure_months") {
            context.insert(
                "tenure".into(),
                json!({ "column": "tenure_months", "unit": "months" }),
            );
        }
        let mut answers = serde_json::Map::new();
        for q in questionnaire.questions.iter().filter(|q| has(&norm(&q.id))) {
            let mut spec = json!({ "column": q.id });
            match &q.kind {
                QuestionKind::MultipleChoice { .. } => spec["separator"] = ";".into(),
                QuestionKind::Likert {
                    not_applicable: Some(_),
                    ..
                } => spec["values"] = json!({ "n/a": Answer::NOT_APPLICABLE }),
                _ => {}
            }
            answers.insert(q.id.clone(), spec);
        }
        let mut mapping = json!({
            "questionnaire": "standard",
            "missing": [],
            "context": context,
            "answers": answers,
        });
        if has("respondent") {
            mapping["respondent"] = json!({ "column": "respondent" });
        }
        Self::from_json_with_questionnaire(&mapping.to_string(), questionnaire)
    }
}

/// Maps byte offsets to 1-based line numbers, scanning forward only.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, bytes: &[u8], offset: u64) -> u64 {
        let mut offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        // On CRLF files csv may place a record at the '\n' that ends the previous line.
        while offset < bytes.len() && matches!(bytes[offset], b'\r' | b'\n') {
            offset += 1;
        }
        if offset > self.offset {
            self.newlines += memchr::memchr_iter(b'\n', &bytes[self.offset..offset]).count() as u64;
            self.offset = offset;
        }
        self.newlines + 1
    }
}

fn parse_raw(json: &str) -> Result<RawMapping> {
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de)
        .map_err(|e| json_error(&e, |path, message| Error::Mapping { path, message }))
}

fn inline_questionnaire(v: &serde_json::Value) -> Result<Questionnaire> {
    match v {
        serde_json::Value::String(s) if s == "standard" => Ok(Questionnaire::standard()),
        serde_json::Value::Object(o) if o.contains_key("path") => Err(Error::mapping(
            "questionnaire.path",
            "the mapping refers to a questionnaire file; read it with Mapping::from_path or pass the questionnaire along",
        )),
        serde_json::Value::Object(o) if o.contains_key("inline") => {
            let json = o.get("inline").map(ToString::to_string).unwrap_or_default();
            Questionnaire::from_json(&json).map_err(|e| match e {
                Error::Questionnaire { path, message } => {
                    Error::mapping(format!("questionnaire.inline.{path}"), message)
                }
                other => other,
            })
        }
        _ => Err(Error::mapping(
            "questionnaire",
            "expected \"standard\", {\"path\": \"file.json\"} or {\"inline\": {...}}",
        )),
    }
}

fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        // Spreadsheet exports are often Windows-1252/Latin-1; map bytes to
        // code points rather than dropping the value.
        Err(_) => std::borrow::Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

#[derive(Debug, Clone, Copy)]
enum DatePrecision {
    Year,
    Month,
    Day,
}

impl DatePrecision {
    fn of(fmt: &str) -> Option<Self> {
        if !(fmt.contains("%Y") || fmt.contains("%y")) {
            return None;
        }
        Some(if fmt.contains("%d") || fmt.contains("%e") {
            DatePrecision::Day
        } else if fmt.contains("%m") || fmt.contains("%b") || fmt.contains("%B") {
            DatePrecision::Month
        } else {
            DatePrecision::Year
        })
    }
}

fn parse_date(s: &str, formats: &[String]) -> Option<PartialDate> {
    use chrono::NaiveDate;
    for f in formats {
        // chrono needs a full date; complete partial formats with a fixed day/month.
        let parsed = match DatePrecision::of(f)? {
            DatePrecision::Day if f == "%Y-%m-%d" => iso_date(s)
                .or_else(|| NaiveDate::parse_from_str(s, f).ok())
                .map(PartialDate::from),
            DatePrecision::Day => NaiveDate::parse_from_str(s, f).ok().map(PartialDate::from),
            DatePrecision::Month => {
                NaiveDate::parse_from_str(&format!("{s}|1"), &format!("{f}|%d"))
                    .ok()
                    .map(|d| PartialDate {
                        day: None,
                        ..PartialDate::from(d)
                    })
            }
            DatePrecision::Year => {
                NaiveDate::parse_from_str(&format!("{s}|1|1"), &format!("{f}|%m|%d"))
                    .ok()
                    .map(|d| PartialDate {
                        day: None,
                        month: None,
                        ..PartialDate::from(d)
                    })
            }
        };
        if let Some(d) = parsed.and_then(|d| {
            PartialDate::ymd(d.year, d.month.unwrap_or(1), d.day.unwrap_or(1))
                .ok()
                .map(|_| d)
        }) {
            return Some(d);
        }
    }
    None
}

/// A date written `YYYY-MM-DD` exactly, as chrono reads it with
/// `%Y-%m-%d`, without parsing the format (an import reads thousands of
/// distinct dates); `None` for anything else, which chrono then reads.
fn iso_date(s: &str) -> Option<chrono::NaiveDate> {
    let b: &[u8; 10] = s.as_bytes().try_into().ok()?;
    let digits = |r: std::ops::Range<usize>| {
        b.get(r)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    chrono::NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)
}

/// How one field is read from a row.
#[derive(Debug)]
enum Source {
    Column(usize),
    Columns(Vec<usize>),
    Constant(serde_json::Value),
    Flags(Vec<(usize, Option<String>)>),
}

#[derive(Debug)]
struct FieldPlan {
    target: String,
    source: Source,
    values: BTreeMap<String, serde_json::Value>,
    missing: HashSet<String>,
    /// The ASCII characters `missing`'s markers start with.
    starts: u128,
    spec: FieldSpec,
    /// The option ids of the question the field answers by their ids and
    /// labels, normalised ([`option_index`]), made at the first choice
    /// looked up.
    choices: std::sync::OnceLock<rustc_hash::FxHashMap<String, String>>,
}

impl FieldPlan {
    /// [`match_option`] of a value already normalised ([`norm`]), through
    /// the field's index of `options` (those of the question it answers).
    fn choice(&self, options: &[crate::ChoiceOption], normalised: &str) -> Option<String> {
        self.choices
            .get_or_init(|| option_index(options))
            .get(normalised)
            .cloned()
    }
}

/// Each option's id and labels, normalised, with the id of the first option
/// (in the question's order) that has it: what [`match_option`] finds by
/// going through the options, found by one look-up (a multiple-choice
/// column holds hundreds of distinct combinations of a few options).
fn option_index(options: &[crate::ChoiceOption]) -> rustc_hash::FxHashMap<String, String> {
    let mut index = rustc_hash::FxHashMap::default();
    for o in options {
        let labels = std::iter::once(o.id.as_str())
            .chain(o.text.translations().values().map(String::as_str));
        for label in labels {
            index.entry(norm(label)).or_insert_with(|| o.id.clone());
        }
    }
    index
}

/// A bit per ASCII character some marker starts with: most values (ids,
/// comments) start with a character no marker does, which this answers
/// without walking the markers.
fn marker_starts(markers: &HashSet<String>) -> u128 {
    markers
        .iter()
        .filter_map(|m| m.chars().next())
        .filter(char::is_ascii)
        .fold(0, |bits, c| bits | (1u128 << (c as u32)))
}

impl Mapping {
    /// A CSV reader on `bytes` in the mapping's delimiter, and the file's
    /// trimmed headers. The caller strips a byte order mark first, since
    /// the reader's byte offsets (line numbers) count from what it is given.
    fn csv_reader<'b>(&self, bytes: &'b [u8]) -> Result<(csv::Reader<&'b [u8]>, Vec<String>)> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .delimiter(
                u8::try_from(self.raw.delimiter.unwrap_or(','))
                    .map_err(|_| Error::mapping("delimiter", "must be a single-byte character"))?,
            )
            .from_reader(bytes);
        let headers: Vec<String> = reader
            .byte_headers()
            .map_err(|e| Error::Csv {
                line: Some(1),
                message: e.to_string(),
            })?
            .iter()
            .map(|h| decode(h).trim().to_owned())
            .collect();
        Ok((reader, headers))
    }
}

#[derive(Debug)]
struct Plan {
    status: Vec<ColumnStatus>,
    targets: Vec<Option<String>>,
    missing: HashSet<String>,
    /// The ASCII characters `missing`'s markers start with (see [`marker_starts`]).
    starts: u128,
    respondent: Option<FieldPlan>,
    context: Vec<(&'static str, FieldPlan)>,
    answers: Vec<(String, FieldPlan)>,
    keep: Option<(usize, HashSet<String>)>,
}

impl Plan {
    /// One empty report per column of `headers`, as this plan reads it.
    fn column_reports(&self, headers: &[String]) -> Vec<ColumnReport> {
        headers
            .iter()
            .enumerate()
            .map(|(i, h)| ColumnReport {
                column: h.clone(),
                status: self.status[i],
                target: self.targets[i].clone(),
                filled: 0,
                missing: 0,
                unrecognised: 0,
            })
            .collect()
    }

    fn new(m: &Mapping, headers: &[String]) -> Result<Self> {
        let index: BTreeMap<String, usize> = headers
            .iter()
            .enumerate()
            .rev()
            .map(|(i, h)| (norm(h), i))
            .collect();
        let mut status = vec![ColumnStatus::Unmapped; headers.len()];
        let mut targets: Vec<Option<String>> = vec![None; headers.len()];
        let global_missing: HashSet<String> = m.raw.missing.iter().map(|s| norm(s)).collect();
        for name in &m.raw.ignore {
            let i = *index.get(&norm(name)).ok_or_else(|| {
                Error::mapping(format!("ignore.{name}"), "no such column in the file")
            })?;
            status[i] = ColumnStatus::Ignored;
        }
        let keep = match &m.raw.keep {
            None => None,
            Some(f) => {
                let i = *index.get(&norm(&f.column)).ok_or_else(|| {
                    Error::mapping(
                        "keep.column",
                        format!("column {:?} is not in the file", f.column),
                    )
                })?;
                status[i] = ColumnStatus::Mapped;
                targets[i] = Some("keep".into());
                Some((i, f.equals.iter().map(|v| norm(v)).collect()))
            }
        };
        let mut plan_field = |target: String,
                              spec: &FieldSpec,
                              scales: Option<
            &BTreeMap<String, BTreeMap<String, serde_json::Value>>,
        >|
         -> Result<FieldPlan> {
            let find = |name: &str, at: &str| -> Result<usize> {
                index.get(&norm(name)).copied().ok_or_else(|| {
                    Error::mapping(at, format!("column {name:?} is not in the file"))
                })
            };
            let source = if let Some(flags) = &spec.flags {
                let mut cols = Vec::new();
                for (col, opt) in flags {
                    cols.push((find(col, &format!("{target}.flags.{col}"))?, opt.clone()));
                }
                Source::Flags(cols)
            } else if let Some(cols) = &spec.columns {
                let mut idx = Vec::new();
                for c in cols {
                    idx.push(find(c, &format!("{target}.columns"))?);
                }
                Source::Columns(idx)
            } else if let Some(c) = &spec.column {
                Source::Column(find(c, &format!("{target}.column"))?)
            } else if let Some(v) = &spec.constant {
                Source::Constant(v.clone())
            } else {
                return Err(Error::mapping(
                    &target,
                    "give \"column\", \"columns\", \"flags\" or \"constant\"",
                ));
            };
            let used: Vec<usize> = match &source {
                Source::Column(i) => vec![*i],
                Source::Columns(v) => v.clone(),
                Source::Flags(v) => v.iter().map(|(i, _)| *i).collect(),
                Source::Constant(_) => vec![],
            };
            for i in used {
                status[i] = ColumnStatus::Mapped;
                targets[i] = Some(target.clone());
            }
            let mut values = BTreeMap::new();
            if let (Some(name), Some(scales)) = (&spec.scale, scales) {
                for (k, v) in scales.get(name).into_iter().flatten() {
                    values.insert(norm(k), v.clone());
                }
            }
            for (k, v) in spec.values.iter().flatten() {
                values.insert(norm(k), v.clone());
            }
            let missing: HashSet<String> = spec.missing.iter().flatten().map(|s| norm(s)).collect();
            Ok(FieldPlan {
                target,
                source,
                values,
                starts: marker_starts(&missing),
                missing,
                spec: spec.clone(),
                choices: std::sync::OnceLock::new(),
            })
        };
        let respondent = m
            .raw
            .respondent
            .as_ref()
            .map(|s| plan_field("respondent".into(), s, None))
            .transpose()?;
        let c = &m.raw.context;
        let mut context = Vec::new();
        for (name, spec) in [
            ("org_unit", &c.org_unit),
            ("job_family", &c.job_family),
            ("manager", &c.manager),
            ("location", &c.location),
            ("exit_date", &c.exit_date),
            ("tenure", &c.tenure),
            ("age_band", &c.age_band),
            ("exit_type", &c.exit_type),
            ("regrettable", &c.regrettable),
            ("interviewer", &c.interviewer),
        ] {
            if let Some(spec) = spec {
                context.push((name, plan_field(format!("context.{name}"), spec, None)?));
            }
        }
        let mut answers = Vec::new();
        for (qid, spec) in &m.raw.answers {
            answers.push((
                qid.clone(),
                plan_field(format!("answers.{qid}"), spec, Some(&m.raw.scales))?,
            ));
        }
        Ok(Plan {
            status,
            targets,
            starts: marker_starts(&global_missing),
            missing: global_missing,
            respondent,
            context,
            answers,
            keep,
        })
    }

    fn is_missing(&self, value: &str, field: Option<&FieldPlan>) -> bool {
        let n = norm(value);
        n.is_empty() || self.missing.contains(&n) || field.is_some_and(|f| f.missing.contains(&n))
    }
}

fn parse_tenure(text: &str, spec: &FieldSpec) -> Option<Tenure> {
    let n = norm(text);
    if let Some((_, &(lo, hi))) = spec
        .bands
        .iter()
        .flatten()
        .find(|(k, _)| norm_chars(k).eq(n.chars()))
    {
        return Some(Tenure {
            min_months: lo,
            max_months: hi,
        });
    }
    let x = parse_number(text)?;
    let factor = match spec.unit.as_deref().unwrap_or("months") {
        "years" => 12.0,
        "days" => 12.0 / 365.25,
        _ => 1.0,
    };
    let months = (x * factor).floor();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (months.is_finite() && (0.0..1.0e6).contains(&months)).then(|| Tenure::months(months as u32))
}

/// The tenure of someone who started on `start` and left on `end`, in
/// whole months; `None` when the start is after the exit.
fn tenure_between(start: chrono::NaiveDate, end: chrono::NaiveDate) -> Option<Tenure> {
    (start <= end).then(|| Tenure::months(whole_months(start, end)))
}

/// Whole months from `start` to `end` (the day of the month counts: 15 Jan to 14 Feb is 0).
fn whole_months(start: chrono::NaiveDate, end: chrono::NaiveDate) -> u32 {
    use chrono::Datelike;
    let mut months = (end.year() - start.year()) * 12 + i32::try_from(end.month()).unwrap_or(0)
        - i32::try_from(start.month()).unwrap_or(0);
    if end.day() < start.day() {
        months -= 1;
    }
    u32::try_from(months.max(0)).unwrap_or(0)
}

fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    t.parse::<f64>()
        .ok()
        .or_else(|| t.replace(',', ".").parse().ok())
        .filter(|x: &f64| x.is_finite())
}

fn parse_bool(s: &str) -> Option<bool> {
    match norm(s).as_str() {
        "yes" | "y" | "ja" | "j" | "true" | "waar" | "1" => Some(true),
        "no" | "n" | "nee" | "false" | "onwaar" | "0" => Some(false),
        _ => None,
    }
}

/// The id of the first option whose id or a label is `value`, with case
/// and runs of spaces ignored: the record path's matching, which the
/// engine's [`option_index`] must agree with.
#[cfg(test)]
fn match_option(options: &[crate::ChoiceOption], value: &str) -> Option<String> {
    let n = norm(value);
    let is = |label: &str| norm_chars(label).eq(n.chars());
    options
        .iter()
        .find(|o| is(&o.id) || o.text.translations().values().any(|t| is(t)))
        .map(|o| o.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn whole_months_counts_completed_months_only() {
        // 2015-03-30 to 2016-06-16: 14 full months (to 2016-05-30), not 15.
        assert_eq!(whole_months(d(2015, 3, 30), d(2016, 6, 16)), 14);
        assert_eq!(whole_months(d(2015, 3, 30), d(2016, 6, 30)), 15);
        assert_eq!(whole_months(d(2020, 1, 15), d(2020, 2, 14)), 0);
        assert_eq!(whole_months(d(2020, 1, 15), d(2020, 1, 15)), 0);
    }

    /// `YYYY-MM-DD` read without chrono gives what chrono gives, and
    /// what it does not read goes to chrono.
    #[test]
    fn iso_dates_read_as_chrono_reads_them() {
        let f = "%Y-%m-%d".to_owned();
        let mut cases: Vec<String> = [
            "2019-03-14",
            "2020-02-29",
            "2019-02-29",
            "2019-13-01",
            "2019-00-10",
            "2019-04-31",
            "0000-01-01",
            "9999-12-31",
            "2019-3-14",
            "2019-03-4",
            "19-03-14",
            " 2019-03-14",
            "2019-03-14 ",
            "2019/03/14",
            "2019-03-1a",
            "+2019-03-14",
            "2019-0314-",
            "",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let mut day = NaiveDate::from_ymd_opt(2015, 12, 25).unwrap();
        for _ in 0..800 {
            cases.push(day.format("%Y-%m-%d").to_string());
            day += chrono::Duration::days(3);
        }
        for s in &cases {
            let chrono = NaiveDate::parse_from_str(s, &f)
                .ok()
                .map(PartialDate::from)
                .filter(|d| {
                    PartialDate::ymd(d.year, d.month.unwrap_or(1), d.day.unwrap_or(1)).is_ok()
                });
            assert_eq!(parse_date(s, std::slice::from_ref(&f)), chrono, "{s}");
        }
        assert_eq!(iso_date("2019-03-4"), None);
        assert_eq!(iso_date("2019-03-14"), NaiveDate::from_ymd_opt(2019, 3, 14));
    }

    #[test]
    fn partial_date_formats_keep_their_precision() {
        let f = |s: &str| parse_date(s, &["%d-%m-%Y".into(), "%m/%Y".into(), "%Y".into()]);
        assert_eq!(f("2012"), Some(PartialDate::year(2012).unwrap()));
        assert_eq!(f("08/2012"), Some(PartialDate::ym(2012, 8).unwrap()));
        assert_eq!(
            f("31-12-2012"),
            Some(PartialDate::ymd(2012, 12, 31).unwrap())
        );
        assert_eq!(f("31-02-2012"), None);
        assert_eq!(f("13/2012"), None);
    }

    #[test]
    fn labels_compare_without_case_or_extra_spaces() {
        assert_eq!(norm("  Strongly   Agree "), "strongly agree");
        assert_eq!(norm("26  30"), "26 30");
        assert_eq!(norm("ÉÉN İ"), "één i\u{307}");
        assert_eq!(norm(" \t "), "");
    }

    fn option(id: &str, nl: &str, en: &str) -> crate::ChoiceOption {
        crate::ChoiceOption {
            id: id.into(),
            text: crate::Text::new(nl, en),
            theme: None,
            exclusive: false,
        }
    }

    /// An option is found by its id or a label in either language, with
    /// case and runs of spaces ignored on both sides, and by nothing less.
    #[test]
    fn options_match_by_id_or_label_in_any_language() {
        let options = [
            option("pay", "Salaris", "Pay"),
            option("work_life", "Werk  en privé", "Work-life balance"),
        ];
        let found = |v: &str| match_option(&options, v);
        assert_eq!(found("PAY").as_deref(), Some("pay"));
        assert_eq!(found(" salaris ").as_deref(), Some("pay"));
        assert_eq!(found("werk en\tPRIVÉ").as_deref(), Some("work_life"));
        assert_eq!(found("work-life  BALANCE").as_deref(), Some("work_life"));
        assert_eq!(found("WORK_LIFE").as_deref(), Some("work_life"));
        assert_eq!(found("work life"), None);
        assert_eq!(found("salari"), None);
        assert_eq!(found("salariss"), None);
        assert_eq!(found(""), None);
    }

    /// Borrowed or not, the normal form is the one written character by
    /// character.
    #[test]
    fn normalised_is_norm() {
        for s in [
            "",
            "pay",
            "Pay",
            "work life",
            "work  life",
            " work",
            "work ",
            "a\tb",
            "a\u{b}b",
            "a\u{c}b",
            "a\rb",
            "2019-03-14",
            "mgr-0042",
            "werk en PRIVÉ",
            "straße",
            "İstanbul",
            "a\u{a0}b",
            "n/a",
            "-",
            "NOT APPLICABLE",
            "x\n",
        ] {
            let by_chars: String = norm_chars(s).collect();
            assert_eq!(normalised(s), by_chars, "{s:?}");
        }
        // Ids, numbers and dates as they are: nothing made.
        for s in [
            "",
            "pay",
            "work life",
            "2019-03-14",
            "mgr-0042",
            "n/a",
            "-",
            "4",
        ] {
            assert!(
                matches!(normalised(s), std::borrow::Cow::Borrowed(_)),
                "{s:?}"
            );
        }
    }

    /// The index finds what going through the options finds, the first
    /// option in order winning where labels are shared: here one option's
    /// label is a later option's id, and two options share a label.
    #[test]
    fn the_option_index_finds_what_matching_each_option_finds() {
        let options = [
            option("pay", "Salaris", "Workload"),
            option("workload", "Werkdruk", "Too much  work"),
            option("hours", "Werkdruk", "Hours"),
            option("other", "Anders", "Other"),
        ];
        let plan = FieldPlan {
            target: "answers.reason".into(),
            source: Source::Column(0),
            values: BTreeMap::new(),
            missing: HashSet::new(),
            starts: 0,
            spec: FieldSpec::default(),
            choices: std::sync::OnceLock::new(),
        };
        for value in [
            "pay",
            "PAY",
            "salaris",
            "workload",
            "Workload",
            "werkdruk",
            "WERKDRUK",
            "too much work",
            "hours",
            "Hours",
            " other ",
            "anders",
            "nothing",
            "",
        ] {
            let expected = match_option(&options, value);
            assert_eq!(plan.choice(&options, &norm(value)), expected, "{value}");
        }
        // The shared labels go to the first option that has them.
        assert_eq!(plan.choice(&options, "workload").as_deref(), Some("pay"));
        assert_eq!(
            plan.choice(&options, "werkdruk").as_deref(),
            Some("workload")
        );
    }
}
