//! Table columns for the import engine, a chunk of rows at a time.
//!
//! The engine resolves each distinct value of a field once and finds it
//! again by the value's bytes. A table column can do better than hashing
//! every row's bytes: the binding may already hold it as a dictionary
//! (Arrow dictionary arrays, pandas categoricals, polars enums), and any
//! other column is numbered here, one column at a time, by its cells
//! (integers, dates and booleans by value, text by the borrowed string),
//! without writing a row's cells as text. Each distinct value is written
//! as text once, exactly as [`write_cell`] writes it for the row-by-row
//! path, so the engine sees the same bytes and gives the same outcome.
//!
//! Reading ([`read`]) and importing ([`Batch`], the engine's side) meet
//! only through [`Chunk`]s, which own their keys and new texts: the two
//! can run on two threads, the reader a chunk or two ahead.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::engine::Fields;
use super::{Cell, Columns, Dictionary, TextColumn, TextLayout};

/// Rows numbered per step: their keys (4 bytes per cell) stay in cache.
/// (Small in tests, so that they cross chunk boundaries.)
pub(crate) const CHUNK: usize = if cfg!(test) { 500 } else { 8192 };

/// Distinct values a column numbers before it falls back to writing each
/// row's text (a column of unique values gains nothing from numbering).
/// (Small in tests, so that the manager column crosses it.)
const DISTINCT_CAP: usize = if cfg!(test) { 600 } else { 1 << 16 };

/// A cell's value as a map key: floats by their bits, so every distinct
/// text they write is told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Null,
    /// A text of at most 16 bytes held in two words ([`short`]) and its
    /// length: most labels, codes and names are, and two words hash and
    /// compare in a few instructions where a text needs a loop and a call.
    Short(u64, u64, u8),
    Text(&'a [u8]),
    Int(i64),
    Float(u64),
    Bool(bool),
    Date(i32),
}

/// The bytes of a text of at most 16 bytes as two words, which with its
/// length tell it apart from every other such text: its first and its
/// next eight bytes, zero after its end.
fn short(b: &[u8]) -> (u64, u64) {
    let mut w = [0u8; 16];
    if let Some(head) = w.get_mut(..b.len()) {
        head.copy_from_slice(b);
    }
    split(u128::from_le_bytes(w))
}

fn split(w: u128) -> (u64, u64) {
    let low = u64::try_from(w & u128::from(u64::MAX)).unwrap_or(0);
    let high = u64::try_from(w >> 64).unwrap_or(0);
    (low, high)
}

impl<'a> Key<'a> {
    /// The key of a text of at most 16 bytes ([`Key::Short`]).
    fn short(bytes: &[u8]) -> Option<Key<'static>> {
        let len = u8::try_from(bytes.len()).ok().filter(|&n| n <= 16)?;
        let (low, high) = short(bytes);
        Some(Key::Short(low, high, len))
    }

    fn text(bytes: &'a [u8]) -> Key<'a> {
        Key::short(bytes).unwrap_or(Key::Text(bytes))
    }

    /// The short key of the text that is the first `len` (at most 16)
    /// bytes of `w` read little-endian: [`Key::short`] without a copy.
    #[inline]
    fn masked(w: u128, len: usize) -> Key<'static> {
        let keep = u32::try_from(128 - 8 * len)
            .ok()
            .and_then(|drop| u128::MAX.checked_shr(drop))
            .unwrap_or(0);
        let (low, high) = split(w & keep);
        Key::Short(low, high, u8::try_from(len).unwrap_or(u8::MAX))
    }

    /// Writes the value as its cell would be written ([`write_cell`]).
    fn write(self, out: &mut Vec<u8>) {
        match self {
            Key::Null => {}
            Key::Short(low, high, len) => {
                let w = (u128::from(high) << 64 | u128::from(low)).to_le_bytes();
                out.extend_from_slice(w.get(..usize::from(len)).unwrap_or_default());
            }
            Key::Text(t) => out.extend_from_slice(t),
            Key::Int(n) => write_cell(out, Cell::Int(n)),
            Key::Float(bits) => write_cell(out, Cell::Float(f64::from_bits(bits))),
            Key::Bool(b) => write_cell(out, Cell::Bool(b)),
            Key::Date(d) => write_cell(out, Cell::Date(d)),
        }
    }

    /// A hash for [`Front`]'s slots, a few instructions inlined (the
    /// map's hasher goes through a call per field).
    #[inline]
    fn quick_hash(&self) -> u64 {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let mix = |a: u64, b: u64| (a.rotate_left(29) ^ b).wrapping_mul(K);
        match *self {
            Key::Null => K,
            Key::Short(low, high, len) => mix(mix(low, high), u64::from(len)),
            // In 64-bit words on every target: `FxHasher` hashes in `usize`,
            // which on wasm32 left the top bits (the slot) zero.
            Key::Text(t) => {
                let mut words = t.chunks_exact(8);
                let mut h = mix(5, t.len() as u64);
                for word in &mut words {
                    let mut w = [0u8; 8];
                    w.copy_from_slice(word);
                    h = mix(h, u64::from_le_bytes(w));
                }
                let mut w = [0u8; 8];
                w[..words.remainder().len()].copy_from_slice(words.remainder());
                mix(h, u64::from_le_bytes(w))
            }
            Key::Int(n) => mix(1, n.cast_unsigned()),
            Key::Float(bits) => mix(2, bits),
            Key::Bool(b) => mix(3, u64::from(b)),
            Key::Date(d) => mix(4, u64::from(d.cast_unsigned())),
        }
    }
}

impl<'a> From<Cell<'a>> for Key<'a> {
    fn from(c: Cell<'a>) -> Self {
        match c {
            Cell::Null => Key::Null,
            Cell::Text(t) => Key::text(t.as_bytes()),
            Cell::Int(n) => Key::Int(n),
            Cell::Float(x) => Key::Float(x.to_bits()),
            Cell::Bool(b) => Key::Bool(b),
            Cell::Date(d) => Key::Date(d),
        }
    }
}

/// Row `row`'s key in a text column held in Arrow's layout: the text's 16
/// bytes read where they lie and masked to its length when it is short and
/// they lie within the buffer, so that a column's rows are keyed without
/// a branch on their lengths.
#[inline]
fn text_key<'a>(column: &TextColumn<'a>, row: usize) -> Key<'a> {
    if column.validity.is_some_and(|v| !v.is_valid(row)) {
        return Key::Null;
    }
    let words = |bytes: &[u8], at: usize| -> Option<u128> {
        let w: [u8; 16] = bytes.get(at..at.checked_add(16)?)?.try_into().ok()?;
        Some(u128::from_le_bytes(w))
    };
    let fast = match column.layout {
        TextLayout::Offsets32 { offsets, bytes } => offsets_key(offsets, bytes, row, words),
        TextLayout::Offsets64 { offsets, bytes } => offsets_key(offsets, bytes, row, words),
        TextLayout::Views { views, .. } => row
            .checked_mul(16)
            .and_then(|at| words(views, at))
            .and_then(|view| {
                // The length in the low word, a short text after it.
                let len = usize::try_from(view & u128::from(u32::MAX)).ok()?;
                (len <= 12).then(|| Key::masked(view >> 32, len))
            }),
    };
    fast.unwrap_or_else(|| column.layout.get(row).map_or(Key::Null, Key::text))
}

#[inline]
fn offsets_key<O: Copy + TryInto<usize>>(
    offsets: &[O],
    bytes: &[u8],
    row: usize,
    words: impl Fn(&[u8], usize) -> Option<u128>,
) -> Option<Key<'static>> {
    let (start, end) = super::offset_span(offsets, row)?;
    let len = end.checked_sub(start).filter(|&n| n <= 16)?;
    Some(Key::masked(words(bytes, start)?, len))
}

/// Writes a cell as the text it would be in a CSV export (nothing for a
/// null): the one rule both the row-by-row and the columnar path follow.
pub(crate) fn write_cell(out: &mut Vec<u8>, cell: Cell<'_>) {
    use std::io::Write as _;
    // Writing into a Vec cannot fail.
    let _ = match cell {
        Cell::Null => Ok(()),
        Cell::Text(t) => out.write_all(t.as_bytes()),
        Cell::Int(n) => write!(out, "{n}"),
        Cell::Float(x) => write!(out, "{x}"),
        Cell::Bool(b) => write!(out, "{b}"),
        Cell::Date(days) => match chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(i64::from(days))))
        {
            Some(d) => write!(out, "{}", d.format("%Y-%m-%d")),
            None => write!(out, "{days}"),
        },
    };
}

/// The distinct values of one column, written as text.
#[derive(Debug, Default)]
struct Texts {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Texts {
    fn push_bytes(&mut self, bytes: &[u8]) -> u32 {
        self.bytes.extend_from_slice(bytes);
        self.ends.push(self.bytes.len());
        u32::try_from(self.ends.len() - 1).unwrap_or(u32::MAX)
    }

    fn push(&mut self, cell: Cell<'_>) -> u32 {
        write_cell(&mut self.bytes, cell);
        self.ends.push(self.bytes.len());
        u32::try_from(self.ends.len() - 1).unwrap_or(u32::MAX)
    }

    fn get(&self, k: u32) -> &[u8] {
        span(&self.ends, k as usize)
            .and_then(|at| self.bytes.get(at))
            .unwrap_or_default()
    }

    /// Adds `other`'s texts after these.
    fn append(&mut self, other: &Texts) {
        let base = self.bytes.len();
        self.bytes.extend_from_slice(&other.bytes);
        self.ends.extend(other.ends.iter().map(|e| e + base));
    }
}

/// How the reader numbers one column of the batch it is in.
enum State<'a> {
    /// Row text written per row (unique values, or past [`DISTINCT_CAP`]).
    Rows,
    /// Numbered here, value by value; `count` values so far.
    Numbered {
        index: FxHashMap<Key<'a>, u32>,
        count: usize,
        /// The last value seen in each slot of a direct-mapped table in
        /// front of `index` (see [`Front`]).
        front: Front<'a>,
    },
    /// The binding's own dictionary of `null` values; `null` is also the
    /// key of a null row.
    Native { keys: Cow<'a, [u32]>, null: u32 },
}

impl State<'_> {
    fn numbered() -> Self {
        State::Numbered {
            index: FxHashMap::default(),
            count: 0,
            front: Front::default(),
        }
    }
}

/// A direct-mapped table of values already numbered, looked at before the
/// map: a column's few values keep their slots, so the lookup's one branch
/// nearly always goes the same way, where a hash map's probe branches on
/// where in its group the value sits, which changes from row to row (a
/// mispredicted branch a cell). Sixteen slots a value (few values share
/// a slot and take turns in it), from 256 up to 8,192 slots.
#[derive(Default)]
struct Front<'a> {
    /// `(value, key)`; `u32::MAX`: empty.
    slots: Vec<(Key<'a>, u32)>,
}

impl<'a> Front<'a> {
    const MAX_SLOTS: usize = 8192;

    #[inline]
    fn slot(&self, hash: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        if bits == 0 {
            return 0;
        }
        usize::try_from(hash >> (64 - bits)).unwrap_or(0)
    }

    /// The key of `value` (whose hash is `hash`), when it holds its slot.
    #[inline]
    fn get(&self, value: &Key<'a>, hash: u64) -> Option<u32> {
        match self.slots.get(self.slot(hash)) {
            Some((v, k)) if *k != u32::MAX && v == value => Some(*k),
            _ => None,
        }
    }

    /// The key of `value` in `index` (which this table fronts), given
    /// `next` there when new.
    #[inline]
    fn key_of(&mut self, index: &mut FxHashMap<Key<'a>, u32>, value: Key<'a>, next: u32) -> u32 {
        let hash = value.quick_hash();
        if let Some(k) = self.get(&value, hash) {
            return k;
        }
        self.miss(index, value, hash, next)
    }

    /// [`Front::key_of`] past the table: kept out of the loops it is
    /// inlined into, which then hold only the lookup that nearly always
    /// hits.
    #[inline(never)]
    fn miss(
        &mut self,
        index: &mut FxHashMap<Key<'a>, u32>,
        value: Key<'a>,
        hash: u64,
        next: u32,
    ) -> u32 {
        let k = *index.entry(value).or_insert(next);
        self.put(value, hash, k, index.len());
        k
    }

    /// Gives `value`'s slot to it (a column of `values` values so far),
    /// growing the table while values outnumber a sixteenth of its slots.
    fn put(&mut self, value: Key<'a>, hash: u64, key: u32, values: usize) {
        if self.slots.len() < Self::MAX_SLOTS && values * 16 > self.slots.len() {
            let size = (values * 16)
                .next_power_of_two()
                .clamp(256, Self::MAX_SLOTS);
            self.slots.clear();
            self.slots.resize(size, (Key::Null, u32::MAX));
        }
        let slot = self.slot(hash);
        if let Some(s) = self.slots.get_mut(slot) {
            *s = (value, key);
        }
    }
}

/// One column of a chunk: its rows' keys, or their text when unnumbered
/// (checked to be UTF-8 by the reader, off the importing thread, unless
/// some row is not).
#[derive(Debug)]
enum Part {
    Keys(Vec<u32>),
    Rows(Texts),
    Text(Strs),
}

/// Rows' texts, one after another, known to be UTF-8.
#[derive(Debug)]
struct Strs {
    text: String,
    ends: Vec<usize>,
}

impl Strs {
    fn get(&self, k: usize) -> &str {
        span(&self.ends, k)
            .and_then(|at| self.text.get(at))
            .unwrap_or_default()
    }
}

/// Where text `k` lies among texts one after another that end at `ends`.
fn span(ends: &[usize], k: usize) -> Option<std::ops::Range<usize>> {
    let start = match k.checked_sub(1) {
        Some(before) => *ends.get(before)?,
        None => 0,
    };
    Some(start..*ends.get(k)?)
}

impl Texts {
    /// The rows' texts as a chunk's column: checked once here, so that
    /// the engine need not check each row's.
    fn into_part(self) -> Part {
        match String::from_utf8(self.bytes) {
            Ok(text) => Part::Text(Strs {
                text,
                ends: self.ends,
            }),
            Err(e) => Part::Rows(Texts {
                bytes: e.into_bytes(),
                ends: self.ends,
            }),
        }
    }
}

/// A chunk of one batch as the reader hands it over: what
/// [`Batch::take`] makes the current chunk.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// Per column: whether its keys start afresh with this chunk (the
    /// first chunk read, or a batch's own dictionary).
    pub(crate) restart: Vec<bool>,
    start: usize,
    end: usize,
    columns: Vec<Part>,
    /// Per column: the texts of the values first numbered in this chunk.
    added: Vec<Texts>,
    /// Each row's input line, when not one after the other (CSV records
    /// can span lines); empty: the line after the previous row's.
    lines: Vec<u64>,
}

/// Reads the columns of `batches` a chunk at a time, numbering every
/// column's values (except the `uncached` ones, written per row), and
/// hands each chunk to `sink` in order; stops early when `sink` says so.
/// Chunks own their keys and texts, so the reading can run on a thread
/// of its own while the engine imports the chunk before.
pub(crate) fn read<'a>(
    batches: &[&'a dyn Columns],
    width: usize,
    uncached: &[bool],
    sink: &mut dyn FnMut(Chunk) -> bool,
) {
    // Values are numbered across batches (the cells they borrow live as
    // long as the batches), so a value keeps its key, and the engine its
    // entry, from one batch to the next: a table read from a file comes in
    // batches of a few thousand rows. Only a batch's own dictionary
    // numbers its column afresh.
    let mut states: Vec<State<'a>> = (0..width)
        .map(|c| {
            if uncached.get(c).copied().unwrap_or(false) {
                State::Rows
            } else {
                State::numbered()
            }
        })
        .collect();
    let mut started = false;
    for &batch in batches {
        let rows = batch.rows();
        let mut added: Vec<Texts> = (0..width).map(|_| Texts::default()).collect();
        let mut restart = vec![!started; width];
        for (c, state) in states.iter_mut().enumerate() {
            if matches!(state, State::Rows) {
                continue;
            }
            if let Some(Dictionary { values, keys }) = batch.dictionary(c) {
                let texts = &mut added[c];
                for v in values {
                    texts.push(v);
                }
                let null = texts.push(Cell::Null);
                *state = State::Native { keys, null };
                restart[c] = true;
            } else if matches!(state, State::Native { .. }) {
                *state = State::numbered();
                restart[c] = true;
            }
        }
        // The columns written per row that hold a dictionary: their values
        // written once a batch, each row then a copy of its value's bytes.
        let row_values: Vec<Option<(Texts, Cow<'_, [u32]>)>> = states
            .iter()
            .enumerate()
            .map(|(c, state)| {
                let Dictionary { values, keys } = batch
                    .dictionary(c)
                    .filter(|_| matches!(state, State::Rows))?;
                let mut texts = Texts::default();
                for v in values {
                    texts.push(v);
                }
                Some((texts, keys))
            })
            .collect();
        let mut start = 0;
        while start < rows {
            let end = rows.min(start + CHUNK);
            let columns = states
                .iter_mut()
                .zip(&mut added)
                .enumerate()
                .map(|(c, (state, texts))| {
                    let values = row_values.get(c).and_then(Option::as_ref);
                    number(batch, c, start, end, state, texts, values)
                })
                .collect();
            let chunk = Chunk {
                restart: std::mem::replace(&mut restart, vec![false; width]),
                start,
                end,
                columns,
                added: std::mem::replace(
                    &mut added,
                    (0..width).map(|_| Texts::default()).collect(),
                ),
                lines: Vec::new(),
            };
            started = true;
            if !sink(chunk) {
                return;
            }
            start = end;
        }
    }
}

/// Column `c`'s rows `start..end`: keyed, with new values' texts added to
/// `added`, or written as text when the column is not (or no longer)
/// numbered.
fn number<'a>(
    batch: &'a dyn Columns,
    c: usize,
    start: usize,
    end: usize,
    state: &mut State<'a>,
    added: &mut Texts,
    values: Option<&(Texts, Cow<'_, [u32]>)>,
) -> Part {
    let texts = batch.texts(c);
    let numbers = if texts.is_none() {
        batch.numbers(c)
    } else {
        None
    };
    match state {
        State::Rows => {}
        State::Native { keys: native, null } => {
            let null = *null;
            // A key past the values (a binding's slip) reads as null, never
            // panics; so does a row past the keys. `min` rather than a
            // look-up and a test a row, so that the copy is vectorised (a
            // pandas frame has 31 such columns of a million keys).
            let rows = native.get(start.min(native.len())..end.min(native.len()));
            let mut keys: Vec<u32> = rows
                .unwrap_or_default()
                .iter()
                .map(|&k| k.min(null))
                .collect();
            keys.resize(end.saturating_sub(start), null);
            return Part::Keys(keys);
        }
        State::Numbered {
            index,
            count,
            front,
        } => {
            // One loop per way of reading a key, so that each is a loop
            // of its own without a call or a branch on the column's kind.
            let keys = match (&texts, numbers) {
                (Some(t), _) => {
                    number_rows(start..end, |r| text_key(t, r), index, count, front, added)
                }
                (None, Some(n)) => number_rows(
                    start..end,
                    |r| Key::from(n.get(r)),
                    index,
                    count,
                    front,
                    added,
                ),
                (None, None) => number_rows(
                    start..end,
                    |r| Key::from(batch.cell(c, r)),
                    index,
                    count,
                    front,
                    added,
                ),
            };
            if *count <= DISTINCT_CAP {
                return Part::Keys(keys);
            }
            // Too many values to be worth remembering: from here on, and
            // for this chunk, the rows are written as text.
            *state = State::Rows;
        }
    }
    let mut rows = Texts::default();
    match &texts {
        Some(t) => {
            if !copy_texts(t, start..end, &mut rows) {
                for r in start..end {
                    rows.push_bytes(t.get(r).unwrap_or_default());
                }
            }
        }
        None => match values {
            // A key past the values (the null key among them) is empty, as
            // a null cell is written.
            Some((texts, keys)) => {
                for r in start..end {
                    let key = keys.get(r).copied().unwrap_or(Dictionary::NULL);
                    rows.push_bytes(texts.get(key));
                }
            }
            None => {
                for r in start..end {
                    rows.push(numbers.map_or_else(|| batch.cell(c, r), |n| n.get(r)));
                }
            }
        },
    }
    rows.into_part()
}

/// Rows `rows` of a text column without nulls in Arrow's offsets layout,
/// copied to `out` in one go: their bytes as they lie, their ends shifted.
/// False, with nothing copied, for any other column or for offsets that do
/// not run forward within the bytes (the rows are then copied one by one,
/// as [`TextColumn::get`] reads them).
fn copy_texts(column: &TextColumn<'_>, rows: std::ops::Range<usize>, out: &mut Texts) -> bool {
    fn spans<O: Copy + TryInto<usize>>(
        offsets: &[O],
        bytes: &[u8],
        rows: std::ops::Range<usize>,
        out: &mut Texts,
    ) -> bool {
        let at = |o: &O| (*o).try_into().ok();
        let Some(offsets) = offsets.get(rows.start..rows.end.saturating_add(1)) else {
            return false;
        };
        let (Some(first), Some(last)) = (offsets.first().and_then(at), offsets.last().and_then(at))
        else {
            return false;
        };
        let Some(text) = bytes.get(first..last) else {
            return false;
        };
        let (base, before) = (out.bytes.len(), out.ends.len());
        let mut previous = first;
        for end in offsets.iter().skip(1).map(at) {
            let Some(e) = end.filter(|&e| e >= previous && e <= last) else {
                out.ends.truncate(before);
                return false;
            };
            out.ends.push(base + (e - first));
            previous = e;
        }
        out.bytes.extend_from_slice(text);
        true
    }
    if column.validity.is_some() {
        return false;
    }
    match column.layout {
        TextLayout::Offsets32 { offsets, bytes } => spans(offsets, bytes, rows, out),
        TextLayout::Offsets64 { offsets, bytes } => spans(offsets, bytes, rows, out),
        TextLayout::Views { .. } => false,
    }
}

/// The keys of rows `rows`, each read by `key_at` and numbered in
/// `index` (behind `front`) in order of first sight, new values' texts
/// added to `added`.
#[inline]
fn number_rows<'a>(
    rows: std::ops::Range<usize>,
    key_at: impl Fn(usize) -> Key<'a>,
    index: &mut FxHashMap<Key<'a>, u32>,
    count: &mut usize,
    front: &mut Front<'a>,
    added: &mut Texts,
) -> Vec<u32> {
    let mut keys = Vec::with_capacity(rows.len());
    for r in rows {
        let key = key_at(r);
        let next = u32::try_from(*count).unwrap_or(u32::MAX);
        let k = front.key_of(index, key, next);
        if k == next {
            key.write(&mut added.bytes);
            added.ends.push(added.bytes.len());
            *count += 1;
        }
        keys.push(k);
    }
    keys
}

/// What the reader of a CSV file hands over, in file order.
#[derive(Debug)]
pub(crate) enum CsvItem {
    /// Records with as many fields as the header.
    Chunk(Chunk),
    /// A record the CSV reader could not read.
    Malformed { line: u64, message: String },
    /// A record with too few or too many fields (the row path says so).
    Ragged { line: u64, record: csv::ByteRecord },
}

/// How the CSV reader numbers one column: by its bytes, exactly (values
/// of at most 16 bytes by their short key, as [`Key::Short`], with a
/// [`Front`] before the map).
enum ByteState {
    Rows,
    Numbered {
        index: FxHashMap<Box<[u8]>, u32>,
        short: FxHashMap<Key<'static>, u32>,
        front: Front<'static>,
        count: usize,
    },
}

/// Reads CSV records a chunk at a time and numbers each column's values
/// by their bytes (except the `uncached` columns, written per row), as
/// [`read`] does for table columns; `bytes` is the file, for line numbers.
/// A record that cannot be read or has the wrong number of fields ends
/// its chunk and is handed over by itself, so everything stays in order.
pub(crate) fn read_csv(
    mut reader: csv::Reader<&[u8]>,
    bytes: &[u8],
    width: usize,
    uncached: &[bool],
    sink: &mut dyn FnMut(CsvItem) -> bool,
) {
    let mut states: Vec<ByteState> = (0..width)
        .map(|c| {
            if uncached.get(c).copied().unwrap_or(false) {
                ByteState::Rows
            } else {
                ByteState::Numbered {
                    index: FxHashMap::default(),
                    short: FxHashMap::default(),
                    front: Front::default(),
                    count: 0,
                }
            }
        })
        .collect();
    let mut records: Vec<csv::ByteRecord> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut counter = super::LineCounter::default();
    let (mut read, mut start) = (0u64, 0usize);
    let mut send = |chunk: Option<Chunk>, item: Option<CsvItem>| {
        chunk.is_none_or(|c| sink(CsvItem::Chunk(c))) && item.is_none_or(&mut *sink)
    };
    loop {
        let n = lines.len();
        if records.len() <= n {
            records.push(csv::ByteRecord::new());
        }
        let record = &mut records[n];
        let outcome = reader.read_byte_record(record);
        read += 1;
        // The rows read before this one, plus the header: the line when
        // the reader gives no position.
        let fallback = read + 1;
        let item = match outcome {
            Ok(false) => break,
            Ok(true) => {
                let line = record
                    .position()
                    .map_or(fallback, |p| counter.line_at(bytes, p.byte()));
                if record.len() == width {
                    lines.push(line);
                    if lines.len() < CHUNK {
                        continue;
                    }
                    if !send(
                        csv_chunk(&records, &mut lines, &mut start, &mut states),
                        None,
                    ) {
                        return;
                    }
                    continue;
                }
                CsvItem::Ragged {
                    line,
                    record: record.clone(),
                }
            }
            Err(e) => CsvItem::Malformed {
                line: e
                    .position()
                    .map_or(fallback, |p| counter.line_at(bytes, p.byte())),
                message: e.to_string(),
            },
        };
        if !send(
            csv_chunk(&records, &mut lines, &mut start, &mut states),
            Some(item),
        ) {
            return;
        }
    }
    send(
        csv_chunk(&records, &mut lines, &mut start, &mut states),
        None,
    );
}

/// The records read so far (one per line in `lines`) as a chunk starting
/// at row `*start`, numbered; `None` when there are none.
fn csv_chunk(
    records: &[csv::ByteRecord],
    lines: &mut Vec<u64>,
    start: &mut usize,
    states: &mut [ByteState],
) -> Option<Chunk> {
    let n = lines.len();
    let records = records.get(..n)?;
    if n == 0 {
        return None;
    }
    let mut added: Vec<Texts> = states.iter().map(|_| Texts::default()).collect();
    let columns = states
        .iter_mut()
        .zip(&mut added)
        .enumerate()
        .map(|(c, (state, texts))| number_bytes(records, c, state, texts))
        .collect();
    let chunk = Chunk {
        restart: vec![*start == 0; states.len()],
        start: *start,
        end: *start + n,
        columns,
        added,
        lines: std::mem::take(lines),
    };
    *start += n;
    Some(chunk)
}

/// Column `c` of `records`, as [`number`] does it for table columns.
fn number_bytes<'r>(
    records: &'r [csv::ByteRecord],
    c: usize,
    state: &mut ByteState,
    added: &mut Texts,
) -> Part {
    let field = |r: &'r csv::ByteRecord| r.get(c).unwrap_or_default();
    if let ByteState::Numbered {
        index,
        short,
        front,
        count,
    } = state
    {
        let mut keys = Vec::with_capacity(records.len());
        for record in records {
            let bytes = field(record);
            let next = u32::try_from(*count).unwrap_or(u32::MAX);
            let k = if let Some(value) = Key::short(bytes) {
                front.key_of(short, value, next)
            } else if let Some(&k) = index.get(bytes) {
                k
            } else {
                index.insert(bytes.into(), next);
                next
            };
            if k == next {
                added.push_bytes(bytes);
                *count += 1;
            }
            keys.push(k);
        }
        if *count <= DISTINCT_CAP {
            return Part::Keys(keys);
        }
        // Too many values to be worth remembering: from here on, and for
        // this chunk, the rows are written as text.
        *state = ByteState::Rows;
    }
    let mut rows = Texts::default();
    for record in records {
        rows.push_bytes(field(record));
    }
    rows.into_part()
}

/// The chunk the engine is importing, with every numbered column's texts
/// so far in its batch.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    columns: Vec<Part>,
    texts: Vec<Texts>,
    lines: Vec<u64>,
    /// First row of the current chunk.
    start: usize,
}

impl Batch {
    /// Makes `chunk` the current one; its rows' range in its batch.
    pub(crate) fn take(&mut self, chunk: Chunk) -> (usize, usize) {
        self.texts
            .resize_with(chunk.added.len().max(self.texts.len()), Texts::default);
        for ((texts, added), &restart) in
            self.texts.iter_mut().zip(&chunk.added).zip(&chunk.restart)
        {
            if restart {
                *texts = Texts::default();
            }
            texts.append(added);
        }
        self.columns = chunk.columns;
        self.lines = chunk.lines;
        self.start = chunk.start;
        (chunk.start, chunk.end)
    }

    /// The input line of row `row` of the current chunk, when the chunk
    /// says (a CSV record's); otherwise the line after the previous row's.
    pub(crate) fn line(&self, row: usize) -> Option<u64> {
        self.lines.get(row.checked_sub(self.start)?).copied()
    }

    /// Column `c`'s key per row of the current chunk (empty when its rows
    /// are written as text).
    pub(crate) fn keys(&self, c: usize) -> &[u32] {
        match self.columns.get(c) {
            Some(Part::Keys(keys)) => keys,
            _ => &[],
        }
    }

    /// How many values column `c` has numbered in the current batch
    /// (every key of its current chunk is below this).
    pub(crate) fn key_count(&self, c: usize) -> usize {
        self.texts.get(c).map_or(0, |t| t.ends.len())
    }

    /// The text of column `c`'s value with key `k`.
    pub(crate) fn key_text(&self, c: usize, k: u32) -> &[u8] {
        self.texts.get(c).map_or(&[], |t| t.get(k))
    }

    /// Column `c`'s rows' texts in the current chunk when the reader
    /// wrote them out (and found them UTF-8): one after another, and where
    /// each ends.
    pub(crate) fn strs(&self, c: usize) -> Option<(&str, &[usize])> {
        match self.columns.get(c)? {
            Part::Text(rows) => Some((&rows.text, &rows.ends)),
            Part::Keys(_) | Part::Rows(_) => None,
        }
    }

    /// Column `c`'s text in row `at` of the current chunk (counted from
    /// its start) as [`BatchRow::text`] reads it, when it is UTF-8 as it
    /// lies (`None`: the row's text would be decoded, an owned copy).
    pub(crate) fn row_str(&self, c: usize, at: usize) -> Option<&str> {
        match self.columns.get(c) {
            Some(Part::Text(rows)) => Some(rows.get(at)),
            Some(Part::Keys(keys)) => keys
                .get(at)
                .map_or(Some(""), |&k| std::str::from_utf8(self.key_text(c, k)).ok()),
            Some(Part::Rows(rows)) => {
                std::str::from_utf8(rows.get(u32::try_from(at).unwrap_or(u32::MAX))).ok()
            }
            None => Some(""),
        }
    }

    /// Row `row` of the current chunk, for the engine.
    pub(crate) fn row(&self, row: usize) -> BatchRow<'_> {
        BatchRow {
            batch: self,
            at: row - self.start,
        }
    }
}

/// One row of a [`Batch`], as the engine reads it.
pub(crate) struct BatchRow<'b> {
    batch: &'b Batch,
    at: usize,
}

impl Fields for BatchRow<'_> {
    fn count(&self) -> usize {
        self.batch.columns.len()
    }

    fn field(&self, i: usize) -> &[u8] {
        let at = u32::try_from(self.at).unwrap_or(u32::MAX);
        match self.batch.columns.get(i) {
            Some(Part::Keys(keys)) => keys
                .get(self.at)
                .map_or(&[], |&k| self.batch.key_text(i, k)),
            Some(Part::Rows(rows)) => rows.get(at),
            Some(Part::Text(rows)) => rows.get(self.at).as_bytes(),
            None => &[],
        }
    }

    fn text(&self, i: usize) -> Cow<'_, str> {
        match self.batch.columns.get(i) {
            Some(Part::Text(rows)) => Cow::Borrowed(rows.get(self.at)),
            _ => super::decode(self.field(i)),
        }
    }

    fn key(&self, i: usize) -> Option<u32> {
        match self.batch.columns.get(i)? {
            Part::Keys(keys) => keys.get(self.at).copied(),
            Part::Rows(_) | Part::Text(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::synthetic::{OrgConfig, generate};
    use crate::{ImportOptions, ImportOutcome, Mapping, Pseudonymiser};

    /// A front table's slot is a key hash's top bits, so long texts must
    /// mix into them on every target (`FxHasher`'s are zero on wasm32): 4,096
    /// texts over 4,096 buckets hit about 4096 * (1 - 1/e) = 2,589 of them
    /// when uniform.
    #[test]
    fn text_key_hashes_spread_over_the_top_bits() {
        let texts: Vec<String> = (0..4096)
            .map(|i| format!("a comment long enough to be text {i:05}"))
            .collect();
        let tops: std::collections::HashSet<u64> = texts
            .iter()
            .map(|t| {
                let key = Key::text(t.as_bytes());
                assert!(matches!(key, Key::Text(_)));
                key.quick_hash() >> 52
            })
            .collect();
        assert!(tops.len() > 2400, "{} buckets", tops.len());
        // Texts that differ only past a word boundary, or only in length
        // (trailing zero bytes), hash apart.
        assert_ne!(
            Key::Text(b"0123456789abcdefX").quick_hash(),
            Key::Text(b"0123456789abcdefY").quick_hash()
        );
        assert_ne!(
            Key::Text(b"0123456789abcdef\0").quick_hash(),
            Key::Text(b"0123456789abcdef").quick_hash()
        );
    }

    /// A column as a test builds it: cells, or a dictionary of them.
    enum Col {
        Cells(Vec<Cell<'static>>),
        Dict(Vec<Cell<'static>>, Vec<u32>),
        /// Text cells also held in one of Arrow's layouts.
        Arrow(Vec<Cell<'static>>, Arrow),
        /// Number or date cells also held as an Arrow primitive array.
        Primitive(Vec<Cell<'static>>, Primitive),
    }

    /// Arrow's validity bitmap of `cells`: a bit set for each that is not null.
    fn validity_bits(cells: &[Cell<'_>]) -> Vec<u8> {
        let mut bits = vec![0u8; cells.len().div_ceil(8)];
        for (i, c) in cells.iter().enumerate() {
            if *c != Cell::Null {
                bits[i / 8] |= 1 << (i % 8);
            }
        }
        bits
    }

    /// A number or date column as an Arrow primitive array, owned.
    enum Primitive {
        Int64(Vec<i64>, Vec<u8>),
        Int32(Vec<i32>, Vec<u8>),
        Float64(Vec<f64>, Vec<u8>),
        Date32(Vec<i32>, Vec<u8>),
    }

    impl Primitive {
        /// `cells` as a primitive array when each is a null or of one kind
        /// (integers as 64-bit, or as 32-bit when `narrow`); a null row's
        /// value is 7, which a reader that misses the validity bit reads.
        fn new(cells: &[Cell<'_>], narrow: bool) -> Option<Primitive> {
            let bits = validity_bits(cells);
            let all = |f: fn(&Cell<'_>) -> bool| {
                cells.iter().all(|c| *c == Cell::Null || f(c)) && cells.iter().any(f)
            };
            Some(
                if all(|c| matches!(c, Cell::Int(n) if i32::try_from(*n).is_ok())) && narrow {
                    let v = cells.iter().map(|c| match c {
                        Cell::Int(n) => i32::try_from(*n).unwrap(),
                        _ => 7,
                    });
                    Primitive::Int32(v.collect(), bits)
                } else if all(|c| matches!(c, Cell::Int(_))) {
                    let v = cells
                        .iter()
                        .map(|c| if let Cell::Int(n) = c { *n } else { 7 });
                    Primitive::Int64(v.collect(), bits)
                } else if all(|c| matches!(c, Cell::Float(_))) {
                    let v = cells
                        .iter()
                        .map(|c| if let Cell::Float(x) = c { *x } else { 7.0 });
                    Primitive::Float64(v.collect(), bits)
                } else if all(|c| matches!(c, Cell::Date(_))) {
                    let v = cells
                        .iter()
                        .map(|c| if let Cell::Date(d) = c { *d } else { 7 });
                    Primitive::Date32(v.collect(), bits)
                } else {
                    return None;
                },
            )
        }

        fn column(&self) -> crate::import::NumberColumn<'_> {
            use crate::import::{NumberColumn, Numbers, Validity};
            let (values, bits) = match self {
                Primitive::Int64(v, b) => (Numbers::Int64(v), b),
                Primitive::Int32(v, b) => (Numbers::Int32(v), b),
                Primitive::Float64(v, b) => (Numbers::Float64(v), b),
                Primitive::Date32(v, b) => (Numbers::Date32(v), b),
            };
            NumberColumn {
                values,
                validity: Some(Validity { bits, offset: 0 }),
            }
        }
    }

    /// A text column in one of Arrow's layouts, owned.
    struct Arrow {
        layout: Layout,
        validity: Option<Vec<u8>>,
    }

    enum Layout {
        O32(Vec<i32>, Vec<u8>),
        O64(Vec<i64>, Vec<u8>),
        Views(Vec<u8>, Vec<Vec<u8>>),
    }

    impl Arrow {
        /// `cells` (text or null) laid out as `kind` says (0: 32-bit
        /// offsets, 1: 64-bit, 2: views with longer texts in two buffers
        /// taking turns). A null row's span holds bytes of its own, so a
        /// reader that misses the validity bit reads them.
        fn new(cells: &[Cell<'_>], kind: usize) -> Arrow {
            let texts: Vec<&[u8]> = cells
                .iter()
                .map(|c| match c {
                    Cell::Text(t) => t.as_bytes(),
                    _ => b"junk!".as_slice(),
                })
                .collect();
            let validity = cells.contains(&Cell::Null).then(|| validity_bits(cells));
            let layout = match kind {
                0 | 1 => {
                    let mut bytes = Vec::new();
                    let mut ends = vec![0usize];
                    for t in &texts {
                        bytes.extend_from_slice(t);
                        ends.push(bytes.len());
                    }
                    if kind == 0 {
                        Layout::O32(
                            ends.iter().map(|&e| i32::try_from(e).unwrap()).collect(),
                            bytes,
                        )
                    } else {
                        Layout::O64(
                            ends.iter().map(|&e| i64::try_from(e).unwrap()).collect(),
                            bytes,
                        )
                    }
                }
                _ => {
                    let mut buffers = vec![Vec::new(), Vec::new()];
                    let mut views = Vec::new();
                    for (i, t) in texts.iter().enumerate() {
                        let len = u32::try_from(t.len()).unwrap();
                        views.extend_from_slice(&len.to_le_bytes());
                        if t.len() <= 12 {
                            let mut inline = [0u8; 12];
                            inline[..t.len()].copy_from_slice(t);
                            views.extend_from_slice(&inline);
                        } else {
                            let b = i % 2;
                            views.extend_from_slice(&t[..4]);
                            views.extend_from_slice(&u32::try_from(b).unwrap().to_le_bytes());
                            let at = u32::try_from(buffers[b].len()).unwrap();
                            views.extend_from_slice(&at.to_le_bytes());
                            buffers[b].extend_from_slice(t);
                        }
                    }
                    Layout::Views(views, buffers)
                }
            };
            Arrow { layout, validity }
        }

        fn column(&self) -> TextColumn<'_> {
            TextColumn {
                layout: match &self.layout {
                    Layout::O32(offsets, bytes) => TextLayout::Offsets32 { offsets, bytes },
                    Layout::O64(offsets, bytes) => TextLayout::Offsets64 { offsets, bytes },
                    Layout::Views(views, buffers) => TextLayout::Views {
                        views,
                        buffers: buffers.iter().map(Vec::as_slice).collect(),
                    },
                },
                validity: self
                    .validity
                    .as_deref()
                    .map(|bits| crate::import::Validity { bits, offset: 0 }),
            }
        }
    }

    struct Table {
        rows: usize,
        cols: Vec<Col>,
    }

    impl Columns for Table {
        fn rows(&self) -> usize {
            self.rows
        }

        fn cell(&self, column: usize, row: usize) -> Cell<'_> {
            match &self.cols[column] {
                Col::Cells(c) | Col::Arrow(c, _) | Col::Primitive(c, _) => c[row],
                Col::Dict(v, k) => v.get(k[row] as usize).copied().unwrap_or(Cell::Null),
            }
        }

        fn dictionary(&self, column: usize) -> Option<Dictionary<'_>> {
            match &self.cols[column] {
                Col::Cells(_) | Col::Arrow(..) | Col::Primitive(..) => None,
                Col::Dict(v, k) => Some(Dictionary {
                    values: v.clone(),
                    keys: Cow::Borrowed(k),
                }),
            }
        }

        fn texts(&self, column: usize) -> Option<TextColumn<'_>> {
            match &self.cols[column] {
                Col::Arrow(_, a) => Some(a.column()),
                _ => None,
            }
        }

        fn numbers(&self, column: usize) -> Option<crate::import::NumberColumn<'_>> {
            match &self.cols[column] {
                Col::Primitive(_, p) => Some(p.column()),
                _ => None,
            }
        }
    }

    fn leak(s: &str) -> &'static str {
        Box::leak(s.to_owned().into_boxed_str())
    }

    /// Text rows (header first) as one table per slice of `cuts`: every
    /// column of text cells, or typed the way a data frame holds them
    /// (numbers, dates, booleans, nulls for empty cells; labels as
    /// dictionaries with a repeated value and an unused one).
    fn tables(rows: &[Vec<String>], cuts: &[usize], typed: bool) -> Vec<Table> {
        let header = &rows[0];
        let body = &rows[1..];
        let mut bounds = vec![0];
        bounds.extend(cuts.iter().copied().filter(|&c| c < body.len()));
        bounds.push(body.len());
        bounds
            .windows(2)
            .map(|w| {
                let part = &body[w[0]..w[1]];
                let cols = (0..header.len())
                    .map(|c| {
                        let texts: Vec<&'static str> = part
                            .iter()
                            .map(|r| leak(r.get(c).map_or("", String::as_str)))
                            .collect();
                        column(&header[c], &texts, typed)
                    })
                    .collect();
                Table {
                    rows: part.len(),
                    cols,
                }
            })
            .collect()
    }

    fn column(name: &str, texts: &[&'static str], typed: bool) -> Col {
        if !typed {
            return Col::Cells(texts.iter().map(|t| Cell::Text(t)).collect());
        }
        let typed_cell = |t: &'static str| -> Cell<'static> {
            if t.is_empty() {
                return Cell::Null;
            }
            match name {
                "enps" | "tenure_months" => t.parse().map_or(Cell::Text(t), Cell::Int),
                "leadership_support" => t.parse().map_or(Cell::Text(t), Cell::Float),
                "exit_date" | "new_job_start" => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| {
                        i32::try_from((d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?).num_days())
                            .ok()
                    })
                    .map_or(Cell::Text(t), Cell::Date),
                "regrettable" | "would_return" => match t {
                    "yes" => Cell::Bool(true),
                    "no" => Cell::Bool(false),
                    _ => Cell::Text(t),
                },
                _ => Cell::Text(t),
            }
        };
        let cells: Vec<Cell<'static>> = texts.iter().map(|t| typed_cell(t)).collect();
        // Free text both ways: as cells, and (the other comments and the
        // return conditions) as a dictionary, which the reader writes per
        // row from its values.
        if name == "respondent" || name == "comment_other" {
            return Col::Cells(cells);
        }
        // An unused value first and one value twice: keys need not be dense or unique.
        let mut values = vec![Cell::Text("unused")];
        let mut keys = Vec::new();
        for (i, c) in cells.iter().enumerate() {
            if *c == Cell::Null {
                keys.push(if i % 2 == 0 {
                    Dictionary::NULL
                } else {
                    1_000_000
                });
                continue;
            }
            let k = match values.iter().position(|v| v == c) {
                Some(k) if i % 5 != 0 => k,
                _ => {
                    values.push(*c);
                    values.len() - 1
                }
            };
            keys.push(u32::try_from(k).unwrap());
        }
        Col::Dict(values, keys)
    }

    fn assert_same(fast: &ImportOutcome, slow: &ImportOutcome) {
        assert_eq!(fast.summary, slow.summary);
        assert_eq!(fast.loaded.rejected, slow.loaded.rejected);
        assert_eq!(fast.loaded.problems.len(), slow.loaded.problems.len());
        for (f, s) in fast.loaded.problems.iter().zip(&slow.loaded.problems) {
            assert_eq!(f, s);
        }
        let (f, s) = (&fast.loaded.dataset, &slow.loaded.dataset);
        assert_eq!(format!("{f:?}"), format!("{s:?}"));
    }

    fn synthetic_rows() -> (Mapping, String, Vec<Vec<String>>) {
        let org = generate(&OrgConfig {
            exits: 2_500,
            seed: 5,
            ..OrgConfig::default()
        })
        .unwrap();
        let csv = org.to_csv().unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let mut rows = vec![
            reader
                .headers()
                .unwrap()
                .iter()
                .map(str::to_owned)
                .collect(),
        ];
        rows.extend(
            reader
                .records()
                .map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>()),
        );
        (org.csv_mapping().unwrap(), csv, rows)
    }

    fn damage(rows: &mut [Vec<String>]) {
        fn set(rows: &mut [Vec<String>], line: usize, col: &str, value: &str) {
            let c = rows[0].iter().position(|h| h == col).unwrap();
            rows[line][c] = value.to_owned();
        }
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
            (25, "tenure_months", "-3"),
            (26, "exit_date", "2019"),
            (27, "enps", "11"),
            (27, "exit_type", "fired"),
            (27, "division", ""),
            (28, "leadership_support", "9"),
            (29, "leadership_support", "2.5"),
            (1500, "enps", "12"),
            (2400, "exit_date", ""),
        ] {
            set(rows, line, col, value);
        }
        let first = rows[1][0].clone();
        set(rows, 30, "respondent", &first);
        set(rows, 2000, "respondent", &first);
        // A repeat with no problem row between them: both in one waiting run.
        let earlier = rows[1580][0].clone();
        set(rows, 1600, "respondent", &earlier);
        // Ids padded: stored trimmed, so one repeats the id it pads.
        let padded = format!(" \t{}  ", rows[40][0]);
        set(rows, 45, "respondent", &padded);
        let own = format!("  {}\u{a0}", rows[46][0]);
        set(rows, 46, "respondent", &own);
        for c in rows[0].clone().iter().skip(15).take(6) {
            set(rows, 32, c, "");
        }
        set(rows, 33, "return_conditions", "Minder werkdruk.");
        set(rows, 33, "would_return", "yes");
        // Free text padded (stored trimmed), a missing marker, one past
        // its question's 4,000 characters (counted in characters, not bytes).
        set(rows, 34, "comment_leadership", "  Goed leiderschap.\t ");
        set(rows, 35, "comment_collaboration", "n.v.t.");
        set(rows, 36, "comment_other", &"é".repeat(4_001));
        set(rows, 37, "comment_other", &"é".repeat(4_000));
    }

    fn keyed() -> ImportOptions {
        ImportOptions {
            pseudonymiser: Some(Pseudonymiser::new(b"a key of sixteen bytes or more").unwrap()),
        }
    }

    /// No two texts of at most 16 bytes share a short key: every text of
    /// up to 11 letters from two, and texts of 12 to 16 bytes that differ
    /// in one byte anywhere (the words overlap there).
    #[test]
    fn short_keys_tell_every_short_text_apart() {
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=11 {
            for bits in 0..1u32 << len {
                texts.push(
                    (0..len)
                        .map(|i| b'a' + u8::from(bits >> i & 1 == 1))
                        .collect(),
                );
            }
        }
        for len in 12..=16 {
            let base: Vec<u8> = (0..len).map(|i| b'k' + u8::try_from(i).unwrap()).collect();
            for at in 0..len {
                let mut t = base.clone();
                t[at] = b'#';
                texts.push(t);
            }
            texts.push(base);
        }
        let mut seen = std::collections::HashMap::new();
        for t in &texts {
            let key = Key::from(Cell::Text(std::str::from_utf8(t).unwrap()));
            assert!(matches!(key, Key::Short(..)));
            if let Some(other) = seen.insert(key, t) {
                panic!("{other:?} and {t:?} share a key");
            }
        }
        assert_eq!(seen.len(), texts.len());
        assert!(matches!(
            Key::from(Cell::Text("seventeen letters")),
            Key::Text(_)
        ));
    }

    /// A text column's key read in place is the key of its cell, for every
    /// length around the short keys' limit and the views' inline limit, at
    /// every distance from the end of its bytes, in each layout; a null
    /// row's is null whatever its span holds.
    #[test]
    fn text_keys_read_in_place_are_the_keys_of_their_cells() {
        let texts: Vec<String> = (0..=20)
            .flat_map(|len| {
                (0..3).map(move |v| {
                    (0..len)
                        .map(|i| {
                            char::from(b'a' + u8::try_from((i * 7 + v * 3 + len) % 26).unwrap())
                        })
                        .collect()
                })
            })
            .collect();
        let mut cells: Vec<Cell<'_>> = texts.iter().map(|t| Cell::Text(t)).collect();
        for i in (5..cells.len()).step_by(11) {
            cells[i] = Cell::Null;
        }
        // Also the texts in reverse, so that each length ends its bytes.
        let reversed: Vec<Cell<'_>> = cells.iter().rev().copied().collect();
        for cells in [&cells, &reversed] {
            for kind in 0..3 {
                let arrow = Arrow::new(cells, kind);
                let column = arrow.column();
                for (r, cell) in cells.iter().enumerate() {
                    assert_eq!(
                        text_key(&column, r),
                        Key::from(*cell),
                        "layout {kind}, row {r}"
                    );
                    let text = match cell {
                        Cell::Text(t) => Some(t.as_bytes()),
                        _ => None,
                    };
                    assert_eq!(column.get(r), text, "layout {kind}, row {r}");
                }
                assert_eq!(text_key(&column, cells.len()), Key::Null);
                // The same validity three bits into its bitmap.
                let bits = arrow.validity.as_ref().unwrap();
                let mut shifted = vec![0u8; bits.len() + 1];
                for i in (0..cells.len()).filter(|i| bits[i / 8] >> (i % 8) & 1 == 1) {
                    shifted[(i + 3) / 8] |= 1 << ((i + 3) % 8);
                }
                let mut column = arrow.column();
                column.validity = Some(crate::import::Validity {
                    bits: &shifted,
                    offset: 3,
                });
                for (r, cell) in cells.iter().enumerate() {
                    assert_eq!(text_key(&column, r), Key::from(*cell), "shifted, row {r}");
                }
                let mut written = Vec::new();
                let others = [
                    Cell::Int(-7),
                    Cell::Float(7.5),
                    Cell::Float(7.0),
                    Cell::Bool(true),
                    Cell::Date(19_000),
                ];
                for cell in cells.iter().chain(&others) {
                    written.clear();
                    Key::from(*cell).write(&mut written);
                    let mut expected = Vec::new();
                    write_cell(&mut expected, *cell);
                    assert_eq!(written, expected);
                }
            }
        }
    }

    /// The columnar path (dictionaries, numbered columns, chunks, batches)
    /// against the row-by-row text path on the same tables, clean and
    /// damaged, text and typed; with text cells also against the CSV file.
    #[test]
    fn columns_import_as_row_by_row_and_as_the_csv() {
        let (mapping, csv, mut rows) = synthetic_rows();
        for damaged in [false, true] {
            if damaged {
                damage(&mut rows);
            }
            each_way(&mapping, &rows, |fast, typed, options| {
                if damaged {
                    assert!(
                        fast.loaded.problems.len() > 15,
                        "{}",
                        fast.loaded.problems.len()
                    );
                    let repeats: Vec<Option<u64>> = fast
                        .loaded
                        .problems
                        .iter()
                        .filter(|p| p.kind == crate::ProblemKind::DuplicateRespondent)
                        .map(|p| p.row)
                        .collect();
                    // Row 45 repeats row 40's id, padded.
                    assert_eq!(repeats, [Some(30), Some(45), Some(1600), Some(2000)]);
                }
                if !typed && !damaged {
                    let file = mapping.import_csv(csv.as_bytes(), options).unwrap();
                    assert_same(fast, &file);
                }
            });
        }
    }

    /// Without its 2,000 managers and with exit dates to the month, every
    /// column of the synthetic table is numbered in every chunk (the
    /// tests' cap is 600 values), so each
    /// chunk after a batch's first reads its plain fields' values from
    /// their keys, which a batch's own dictionary numbers afresh (in its
    /// rows' order, so a key means another value in the next batch): the
    /// values remembered by key must go with the keys.
    #[test]
    fn chunks_read_by_key_import_as_row_by_row() {
        let (_, _, rows) = synthetic_rows();
        let org = generate(&OrgConfig {
            exits: 2_500,
            seed: 5,
            ..OrgConfig::default()
        })
        .unwrap();
        let mut json: serde_json::Value = serde_json::from_str(&org.csv_mapping_json()).unwrap();
        json["context"]
            .as_object_mut()
            .unwrap()
            .remove("manager")
            .unwrap();
        // A required date shown only to who would return: rows
        // answering it unasked, or asked and not answering, take the row
        // path, which only the question's entries per row can tell.
        let mut questionnaire: serde_json::Value =
            serde_json::from_str(&org.questionnaire.to_json()).unwrap();
        let new_job = questionnaire["questions"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|q| q["id"] == "new_job_start")
            .unwrap();
        new_job["required"] = true.into();
        new_job["show_if"] = serde_json::json!({ "question": "would_return", "equals": true });
        let questionnaire = crate::Questionnaire::from_json(&questionnaire.to_string()).unwrap();
        let mapping =
            Mapping::from_json_with_questionnaire(&json.to_string(), questionnaire).unwrap();
        let at = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
        let (manager, exit, tenure) = (at("manager"), at("exit_date"), at("tenure_months"));
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .enumerate()
            .map(|(i, mut r)| {
                // Months rather than days, so that 120 values at most.
                if i > 0 && r[exit].len() == 10 {
                    r[exit].replace_range(8.., "01");
                }
                // Some exit dates and tenures missing, on rows that stay
                // clean: their fields, not keyed, are counted apart.
                if i % 11 == 0 && i > 0 {
                    r[exit].clear();
                }
                if i % 17 == 0 && i > 0 {
                    r[tenure].clear();
                }
                r.remove(manager);
                r
            })
            .collect();
        each_way(&mapping, &rows, |fast, _, _| {
            let refused = fast
                .loaded
                .problems
                .iter()
                .filter(|p| p.field == "answers.new_job_start")
                .count();
            assert!(refused > 100, "{refused}");
            assert!(fast.summary.imported > 1_000, "{}", fast.summary.imported);
        });
    }

    /// A chunk's accepted rows that all repeat earlier respondents (each
    /// then reported by the row path), and the chunks after it: the run
    /// must start afresh. It once kept those rows' ids, so the next run's
    /// repeats were looked up at the wrong rows (or past the end: a panic).
    #[test]
    fn a_run_of_nothing_but_repeated_respondents_starts_the_next_afresh() {
        let (mapping, _, mut rows) = synthetic_rows();
        let id = rows[0].iter().position(|h| h == "respondent").unwrap();
        // Rows 501 to 1000 (the second chunk) repeat rows 1 to 500, and
        // some rows of the chunks after repeat their neighbours.
        for i in 501..=1000 {
            rows[i][id] = rows[i - 500][id].clone();
        }
        for i in (1003..rows.len()).step_by(7) {
            rows[i][id] = rows[i - 1][id].clone();
        }
        each_way(&mapping, &rows, |fast, _, _| {
            let repeats = fast
                .loaded
                .problems
                .iter()
                .filter(|p| p.field == "respondent")
                .count();
            assert_eq!(repeats, 500 + (1003..rows.len()).step_by(7).count());
        });
    }

    /// Imports `rows` (header first) as tables, text and typed, in one
    /// batch and in four, with and without a pseudonymiser; asserts that
    /// the columnar path gives what the row-by-row one gives, and hands
    /// its outcome to `check` with whether the table was typed.
    fn each_way(
        mapping: &Mapping,
        rows: &[Vec<String>],
        mut check: impl FnMut(&ImportOutcome, bool, &ImportOptions),
    ) {
        let names = &rows[0];
        for (typed, mixed, arrow) in [
            (false, false, false),
            (true, false, false),
            (true, true, false),
            (false, false, true),
            (true, false, true),
        ] {
            for cuts in [&[][..], &[700, 701, 1800][..]] {
                let mut t = tables(rows, cuts, typed);
                if arrow {
                    // Text columns in Arrow's layouts, a layout per column
                    // and batch; every other column's empty texts null.
                    for (i, table) in t.iter_mut().enumerate() {
                        for (c, col) in table.cols.iter_mut().enumerate() {
                            // Numbers and dates as primitive arrays (some
                            // integers 32-bit), a typed column mixing kinds
                            // as it was.
                            if let Col::Dict(values, keys) = col {
                                let cells: Vec<Cell<'static>> = keys
                                    .iter()
                                    .map(|&k| values.get(k as usize).copied().unwrap_or(Cell::Null))
                                    .collect();
                                if let Some(p) = Primitive::new(&cells, (c + i) % 2 == 0) {
                                    *col = Col::Primitive(cells, p);
                                }
                                continue;
                            }
                            let Col::Cells(cells) = col else { continue };
                            if typed {
                                if let Some(p) = Primitive::new(cells, (c + i) % 2 == 0) {
                                    *col = Col::Primitive(std::mem::take(cells), p);
                                    continue;
                                }
                                if !cells
                                    .iter()
                                    .all(|c| matches!(c, Cell::Text(_) | Cell::Null))
                                {
                                    continue;
                                }
                            }
                            if c % 2 == 0 {
                                for cell in cells.iter_mut() {
                                    if *cell == Cell::Text("") {
                                        *cell = Cell::Null;
                                    }
                                }
                            }
                            let layout = Arrow::new(cells, (c + i) % 3);
                            *col = Col::Arrow(std::mem::take(cells), layout);
                        }
                    }
                }
                if mixed {
                    // A column held as a dictionary in one batch and as
                    // cells in the next, and back: its keys start afresh
                    // each time, the others' run on.
                    for (i, table) in t.iter_mut().enumerate().filter(|(i, _)| i % 2 == 1) {
                        for (c, col) in table.cols.iter_mut().enumerate() {
                            if let Col::Dict(values, keys) = col
                                && (c + i) % 3 != 0
                            {
                                *col = Col::Cells(
                                    keys.iter()
                                        .map(|&k| {
                                            values.get(k as usize).copied().unwrap_or(Cell::Null)
                                        })
                                        .collect(),
                                );
                            }
                        }
                    }
                }
                let batches = || t.iter().map(|b| b as &dyn Columns);
                for options in [ImportOptions::default(), keyed()] {
                    let fast = mapping.import_columns(names, batches(), &options).unwrap();
                    let slow = mapping
                        .import_columns_by_rows(names, batches(), &options)
                        .unwrap();
                    assert_same(&fast, &slow);
                    check(&fast, typed, &options);
                }
            }
        }
    }

    /// The chunked path against the row-by-row one on a mapping with what
    /// the synthetic one lacks: no respondent column (rows named by line),
    /// the org path from one column with a separator (some with no level
    /// left), a constant context
    /// field and a constant answer (so every free-text reason for
    /// returning is shown), a label mapped to null, one mapped to an option
    /// the question lacks, and tenure from a start date, some after the
    /// exit date or not a date at all.
    #[test]
    fn every_kind_of_field_imports_as_row_by_row() {
        let (synthetic, _, mut rows) = synthetic_rows();
        damage(&mut rows);
        let at = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
        let (div, dep, team, exit, family, reason, development) = (
            at("division"),
            at("department"),
            at("team"),
            at("exit_date"),
            at("job_family"),
            at("primary_reason"),
            at("comment_development"),
        );
        let (null_family, bad_reason) = (rows[1][family].clone(), rows[2][reason].clone());
        rows[0].push("unit".into());
        rows[0].push("hired".into());
        for (i, row) in rows.iter_mut().enumerate().skip(1) {
            let unit = if i % 97 == 0 {
                " / ".to_owned()
            } else {
                format!("{} / {}/{}", row[div], row[dep], row[team])
            };
            let years = i32::try_from(i % 7).unwrap();
            let hired = match row[exit].get(..4).and_then(|y| y.parse::<i32>().ok()) {
                Some(y) if i % 50 == 0 => format!("{}{}", y + 1, &row[exit][4..]),
                Some(y) => format!("{}{}", y - years, &row[exit][4..]),
                None => String::new(),
            };
            row.push(unit);
            row.push(hired);
            // Made required below: most rows answer it, some leave it blank.
            if i % 10 != 0 && row[development].is_empty() {
                row[development] = format!("Meer opleiding ({}).", i % 13);
            }
        }
        let mut json: serde_json::Value =
            serde_json::from_str(&generate(&OrgConfig::default()).unwrap().csv_mapping_json())
                .unwrap();
        json.as_object_mut().unwrap().remove("respondent");
        let context = &mut json["context"];
        context["org_unit"] = serde_json::json!({ "column": "unit", "separator": "/" });
        context["interviewer"] = serde_json::json!({ "constant": "hr" });
        context["tenure"] = serde_json::json!({ "column": "hired", "formats": ["%Y-%m-%d"] });
        context["job_family"]["values"] = serde_json::json!({ null_family: null });
        let answers = &mut json["answers"];
        answers["would_return"] = serde_json::json!({ "constant": "no" });
        answers["primary_reason"]["values"] = serde_json::json!({ bad_reason: "no such option" });
        // A required free text: the rows without it take the row path.
        let mut questionnaire = synthetic.questionnaire().clone();
        let development = questionnaire
            .questions
            .iter_mut()
            .find(|q| q.id == "comment_development")
            .unwrap();
        development.required = true;
        let mapping =
            Mapping::from_json_with_questionnaire(&json.to_string(), questionnaire).unwrap();
        each_way(&mapping, &rows, |fast, _, _| {
            let problems = &fast.loaded.problems;
            for field in [
                "hired",
                "context.org_unit",
                "answers.primary_reason",
                "answers.comment_development",
            ] {
                assert!(
                    problems.iter().any(|p| p.field == field),
                    "no problem for {field}"
                );
            }
            assert!(
                fast.loaded.dataset.len() > 1_000,
                "{}",
                fast.loaded.dataset.len()
            );
        });
    }
}
