//! Imports the synthetic organisation from columns in memory, as
//! `exitcore.from_pandas` hands a `read_csv` frame to the core: eight
//! batches, every label column a dictionary of its own per batch, the ids
//! as text and the two integer columns as numbers. It prints each call's
//! wall time; its use is counting the import's instructions, which this
//! VM's noise does not move:
//!
//! ```text
//! cargo build --release --example import_columns
//! valgrind --tool=callgrind --separate-threads=yes \
//!   --toggle-collect='exitcore::import::Mapping::import_columns*' \
//!   --toggle-collect='exitcore::import::columnar::read*' \
//!   target/release/examples/import_columns 100000 2
//! ```
//!
//! Arguments: records (default 100,000), calls (default 1), and `polars`
//! to hand every text column over as polars does, in Arrow string views
//! with empty cells null (its reader, the bound of `from_polars`, is
//! then the second thread in callgrind's output).

use std::borrow::Cow;
use std::collections::HashMap;

use exitcore::import::{
    Cell, Columns, Dictionary, ImportOptions, TextColumn, TextLayout, Validity,
};
use exitcore::synthetic::{OrgConfig, generate};

/// Batches a frame is imported in (as the Python binding cuts one).
const BATCHES: usize = 8;

enum Column {
    Labels {
        values: Vec<String>,
        keys: Vec<u32>,
    },
    Texts(Vec<String>),
    Integers(Vec<Option<i64>>),
    /// Text as polars hands it over: Arrow string views, texts of more
    /// than 12 bytes in a buffer, empty cells null.
    Views {
        cells: Vec<String>,
        views: Vec<u8>,
        buffer: Vec<u8>,
        validity: Vec<u8>,
    },
}

/// `cells` as Arrow string views (empty cells null).
fn views(cells: &[&str]) -> Column {
    let (mut views, mut buffer) = (Vec::new(), Vec::new());
    let mut validity = vec![0u8; cells.len().div_ceil(8)];
    for (i, c) in cells.iter().enumerate() {
        let len = u32::try_from(c.len()).unwrap_or(u32::MAX);
        let mut view = [0u8; 16];
        view[..4].copy_from_slice(&len.to_le_bytes());
        if c.len() <= 12 {
            view[4..4 + c.len()].copy_from_slice(c.as_bytes());
        } else {
            view[4..8].copy_from_slice(&c.as_bytes()[..4]);
            // Buffer 0, at the text's offset in it.
            let at = u32::try_from(buffer.len()).unwrap_or(u32::MAX);
            view[12..16].copy_from_slice(&at.to_le_bytes());
            buffer.extend_from_slice(c.as_bytes());
        }
        views.extend_from_slice(&view);
        if !c.is_empty() {
            validity[i / 8] |= 1 << (i % 8);
        }
    }
    Column::Views {
        cells: cells.iter().map(|&c| c.to_owned()).collect(),
        views,
        buffer,
        validity,
    }
}

struct Batch {
    rows: usize,
    columns: Vec<Column>,
}

impl Columns for Batch {
    fn rows(&self) -> usize {
        self.rows
    }

    fn cell(&self, column: usize, row: usize) -> Cell<'_> {
        match &self.columns[column] {
            Column::Labels { values, keys } => values
                .get(keys[row] as usize)
                .map_or(Cell::Null, |v| Cell::Text(v)),
            Column::Texts(texts) => Cell::Text(&texts[row]),
            Column::Integers(numbers) => numbers[row].map_or(Cell::Null, Cell::Int),
            Column::Views { cells, .. } => {
                let c = &cells[row];
                if c.is_empty() {
                    Cell::Null
                } else {
                    Cell::Text(c)
                }
            }
        }
    }

    fn texts(&self, column: usize) -> Option<TextColumn<'_>> {
        match &self.columns[column] {
            Column::Views {
                views,
                buffer,
                validity,
                ..
            } => Some(TextColumn {
                layout: TextLayout::Views {
                    views,
                    buffers: vec![buffer.as_slice()],
                },
                validity: Some(Validity {
                    bits: validity,
                    offset: 0,
                }),
            }),
            _ => None,
        }
    }

    fn dictionary(&self, column: usize) -> Option<Dictionary<'_>> {
        match &self.columns[column] {
            Column::Labels { values, keys } => Some(Dictionary {
                values: values.iter().map(|v| Cell::Text(v)).collect(),
                keys: Cow::Borrowed(keys),
            }),
            _ => None,
        }
    }
}

/// One batch's column, as pandas holds it after `read_csv` (or, with
/// `polars`, as polars does: text as string views).
fn column(name: &str, cells: &[&str], polars: bool) -> Column {
    match name {
        "enps" | "tenure_months" if polars => {
            Column::Integers(cells.iter().map(|c| c.parse().ok()).collect())
        }
        _ if polars => views(cells),
        "respondent" => Column::Texts(cells.iter().map(|&c| c.to_owned()).collect()),
        "enps" | "tenure_months" => {
            Column::Integers(cells.iter().map(|c| c.parse().ok()).collect())
        }
        _ => {
            let mut values = Vec::new();
            let mut index = HashMap::new();
            let keys = cells
                .iter()
                .map(|&c| {
                    if c.is_empty() {
                        return Dictionary::NULL;
                    }
                    *index.entry(c).or_insert_with(|| {
                        values.push(c.to_owned());
                        u32::try_from(values.len() - 1).unwrap_or(Dictionary::NULL)
                    })
                })
                .collect();
            Column::Labels { values, keys }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let records: usize = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let repeats: usize = args.next().map_or(Ok(1), |a| a.parse())?;
    let polars = args.next().as_deref() == Some("polars");
    let org = generate(&OrgConfig {
        exits: records,
        seed: 42,
        ..OrgConfig::default()
    })?;
    let csv = org.to_csv()?;
    let mapping = org.csv_mapping()?;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let names: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let rows = reader
        .records()
        .collect::<Result<Vec<csv::StringRecord>, _>>()?;
    let batches: Vec<Batch> = rows
        .chunks(records.div_ceil(BATCHES).max(1))
        .map(|part| Batch {
            rows: part.len(),
            columns: names
                .iter()
                .enumerate()
                .map(|(c, name)| {
                    let cells: Vec<&str> = part.iter().map(|r| r.get(c).unwrap_or("")).collect();
                    column(name, &cells, polars)
                })
                .collect(),
        })
        .collect();
    for _ in 0..repeats {
        let start = std::time::Instant::now();
        let outcome = mapping.import_columns(
            &names,
            batches.iter().map(|b| b as &dyn Columns),
            &ImportOptions::default(),
        )?;
        println!(
            "{:.1} ms, {} imported",
            start.elapsed().as_secs_f64() * 1e3,
            outcome.summary.imported
        );
    }
    Ok(())
}
