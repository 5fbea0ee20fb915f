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
//! Arguments: records (default 100,000) and calls (default 1).

use std::borrow::Cow;
use std::collections::HashMap;

use exitcore::import::{Cell, Columns, Dictionary, ImportOptions};
use exitcore::synthetic::{OrgConfig, generate};

/// Batches a frame is imported in (as the Python binding cuts one).
const BATCHES: usize = 8;

enum Column {
    Labels { values: Vec<String>, keys: Vec<u32> },
    Texts(Vec<String>),
    Integers(Vec<Option<i64>>),
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

/// One batch's column, as pandas holds it after `read_csv`.
fn column(name: &str, cells: &[&str]) -> Column {
    match name {
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
                    column(name, &cells)
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
