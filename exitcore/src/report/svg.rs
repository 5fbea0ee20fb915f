//! Charts as inline SVG: pure functions from plain data to one `<svg>` string.
//!
//! The report is a single self-contained HTML file read on screen and on
//! paper, so every chart here:
//! - is a complete `<svg>` element with a `viewBox` and `width="100%"` (and a
//!   `max-width` at its natural size), to be pasted into HTML as is;
//! - uses no scripts, fonts or CSS rules: styling is by presentation
//!   attributes only, because a `<style>` inside inline SVG would apply to the
//!   whole page; text is set in `system-ui, sans-serif`;
//! - names itself for assistive technology with `role="img"`, an
//!   `aria-label` and a `<title>`, all the chart title;
//! - uses the Okabe–Ito colour-blind-safe palette, and tells series apart
//!   also by dash pattern and marker shape, so they read in black-and-white
//!   print;
//! - XML-escapes every text (labels come from user data, such as org unit
//!   names) and replaces characters XML cannot hold;
//! - writes every number with a fixed number of decimals, so the same input
//!   gives byte-identical output;
//! - draws a small chart saying "no data" for empty input instead of failing.
//!
//! A withheld value (a group below the minimum group size) is never drawn as
//! a value: a withheld bar has no bar but a muted note in its place, a
//! withheld heat-map cell is hatched rather than coloured, and a withheld
//! point leaves a gap in its line.
//!
//! Text widths are estimated from character counts (there are no font
//! metrics without a renderer), so long labels are cut with an ellipsis and
//! their full text kept in a `<title>` tooltip.
//!
//! ```
//! use exitcore::report::svg::{BarRow, Format, Scale, bars};
//! let rows = vec![
//!     BarRow::new("Sales", Some(0.25)).interval(0.18, 0.33),
//!     BarRow::withheld("R&D", "niet getoond"),
//! ];
//! let scale = Scale { decimal_comma: true, ..Scale::new(0.0, 1.0, Format::Percent(1)) };
//! let svg = bars("Vertrekredenen: werkdruk", &rows, scale);
//! assert!(svg.contains("25,0%") && svg.contains("R&amp;D") && svg.contains("niet getoond"));
//! ```

use std::fmt::Write as _;

use crate::stats::special::{log10, pow};

/// Writes formatted text to a `String`, which cannot fail.
macro_rules! put {
    ($buf:expr, $($arg:tt)*) => {{
        let _ = write!($buf, $($arg)*);
    }};
}

/// The width of every chart's `viewBox`, in user units (about pixels).
const WIDTH: f64 = 640.0;
/// Text and axes.
const INK: &str = "#1a1a1a";
/// Secondary text: notes, tick labels, "no data" (7:1 contrast on white).
const MUTED: &str = "#595959";
/// Grid lines.
const GRID: &str = "#d9d9d9";
/// The widest a chart is drawn: the report's column is 980 px, so a chart up
/// to this width is shown at its natural size (12 px text) rather than shrunk.
pub const MAX_WIDTH: f64 = 960.0;
/// The widest row-label column of a bar chart or heat map; a longer label
/// wraps onto a second line.
const LABEL_MAX: f64 = 260.0;
/// The widest row-label column of a bar chart, which has fewer columns to
/// leave room for than a heat map.
const BAR_LABEL_MAX: f64 = 320.0;
/// The height of one line of 12 px text.
const LINE_H: f64 = 14.0;
/// Advance widths of `DejaVu Sans` in thousandths of the font size, for ASCII
/// 32..=126. It is the widest of the common system sans-serifs (Arial,
/// Helvetica, Segoe UI and San Francisco are narrower), so widths estimated
/// from it err on the side of room.
const ADVANCE: [u16; 95] = [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];
/// [`ADVANCE`] for `DejaVu Sans Bold`.
const ADVANCE_BOLD: [u16; 95] = [
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683,
    683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771,
    724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665,
    343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
];
/// Where a chart's body starts, below its title.
const TOP: f64 = 34.0;
/// Okabe–Ito colours in the order series take them; yellow last, since it is
/// faint on white.
const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
];
/// Dash patterns in the order series take them, for black-and-white print.
const DASHES: [&str; 5] = ["none", "7 3", "2 2", "8 3 2 3", "1 3"];
/// Marker shapes in the order series take them, for black-and-white print.
const MARKERS: [Marker; 6] = [
    Marker::Circle,
    Marker::Square,
    Marker::Triangle,
    Marker::Diamond,
    Marker::Cross,
    Marker::TriangleDown,
];

/// How values on a [`Scale`] are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A share 0..1 written as a percentage with this many decimals
    /// (at most 6): 0.125 is `12.5%` with 1.
    Percent(usize),
    /// A number with this many decimals (at most 6): `3.40` with 2.
    Decimal(usize),
    /// A whole number: `-12`.
    Integer,
}

/// The value axis of a chart: its range and how its values are written.
///
/// Values outside `min..=max` are drawn at the nearest end. A range that is
/// empty or not finite is replaced by `0..=1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// The value at the start of the axis.
    pub min: f64,
    /// The value at the end of the axis.
    pub max: f64,
    /// How values and ticks are written.
    pub format: Format,
    /// Write a decimal comma (Dutch: `12,5%`) instead of a decimal point.
    pub decimal_comma: bool,
}

impl Scale {
    /// A scale from `min` to `max` written in `format` with a decimal point.
    ///
    /// ```
    /// use exitcore::report::svg::{Format, Scale};
    /// let enps = Scale::new(-100.0, 100.0, Format::Integer);
    /// assert_eq!(enps.format_value(-12.4), "-12");
    /// let share = Scale { decimal_comma: true, ..Scale::new(0.0, 1.0, Format::Percent(1)) };
    /// assert_eq!(share.format_value(0.125), "12,5%");
    /// ```
    pub fn new(min: f64, max: f64, format: Format) -> Self {
        Self {
            min,
            max,
            format,
            decimal_comma: false,
        }
    }

    /// `value` written in this scale's format; a value that is not finite is
    /// written as an en dash. Negative zero is written without its sign.
    ///
    /// ```
    /// use exitcore::report::svg::{Format, Scale};
    /// let likert = Scale::new(1.0, 5.0, Format::Decimal(2));
    /// assert_eq!(likert.format_value(3.456), "3.46");
    /// assert_eq!(likert.format_value(f64::NAN), "–");
    /// ```
    pub fn format_value(&self, value: f64) -> String {
        if !value.is_finite() {
            return "–".to_owned();
        }
        let (value, decimals, suffix) = match self.format {
            Format::Percent(d) => (value * 100.0, d.min(6), "%"),
            Format::Decimal(d) => (value, d.min(6), ""),
            Format::Integer => (value, 0, ""),
        };
        let mut text = format!("{value:.decimals$}");
        if text.starts_with('-') && text.bytes().all(|b| matches!(b, b'-' | b'0' | b'.')) {
            text.remove(0);
        }
        if self.decimal_comma {
            text = text.replace('.', ",");
        }
        text.push_str(suffix);
        text
    }

    /// The usable range: `min..max`, or `0..1` if that is empty or not finite.
    fn bounds(&self) -> (f64, f64) {
        if self.min.is_finite() && self.max.is_finite() && self.max > self.min {
            (self.min, self.max)
        } else {
            (0.0, 1.0)
        }
    }

    /// Where `value` lies between the positions `from` (at `min`) and `to`
    /// (at `max`), clamped to the axis.
    fn position(&self, value: f64, from: f64, to: f64) -> f64 {
        let (lo, hi) = self.bounds();
        let t = ((value - lo) / (hi - lo)).clamp(0.0, 1.0);
        from + t * (to - from)
    }

    /// A few round tick values within the range, and the scale to write them
    /// in.
    fn ticks(&self) -> (Vec<f64>, Self) {
        let (lo, hi) = self.bounds();
        let (ticks, step) = nice_ticks(lo, hi, 4.0);
        (ticks, self.tick_scale(step))
    }

    /// This scale writing no more decimals than ticks `step` apart need.
    fn tick_scale(&self, step: f64) -> Self {
        let format = match self.format {
            Format::Percent(d) => Format::Percent(decimals_for(step * 100.0).min(d)),
            Format::Decimal(d) => Format::Decimal(decimals_for(step).min(d)),
            Format::Integer => Format::Integer,
        };
        Self { format, ..*self }
    }
}

/// One row of a [`bars`] chart.
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    /// The row label, such as an org unit or a reason.
    pub label: String,
    /// The value, or `None` when the row is withheld: no bar is drawn and the
    /// note takes its place.
    pub value: Option<f64>,
    /// The lower end of the value's interval; a whisker is drawn when both
    /// ends are given.
    pub lower: Option<f64>,
    /// The upper end of the value's interval.
    pub upper: Option<f64>,
    /// For a withheld row, the text in the bar's place (`"withheld"` when
    /// `None`); for a shown row, a muted remark after the value.
    pub note: Option<String>,
}

impl BarRow {
    /// A row with a value (or `None`: withheld), no interval and no note.
    ///
    /// ```
    /// use exitcore::report::svg::BarRow;
    /// let row = BarRow::new("Sales", Some(0.25));
    /// assert_eq!((row.value, row.lower, row.note), (Some(0.25), None, None));
    /// ```
    pub fn new(label: impl Into<String>, value: Option<f64>) -> Self {
        Self {
            label: label.into(),
            value,
            lower: None,
            upper: None,
            note: None,
        }
    }

    /// A withheld row whose bar is replaced by `note`, such as `"niet getoond"`.
    ///
    /// ```
    /// use exitcore::report::svg::BarRow;
    /// let row = BarRow::withheld("R&D", "niet getoond");
    /// assert_eq!((row.value, row.note.as_deref()), (None, Some("niet getoond")));
    /// ```
    pub fn withheld(label: impl Into<String>, note: impl Into<String>) -> Self {
        Self {
            note: Some(note.into()),
            ..Self::new(label, None)
        }
    }

    /// This row with the interval `lower..=upper`.
    ///
    /// ```
    /// use exitcore::report::svg::BarRow;
    /// let row = BarRow::new("Sales", Some(0.25)).interval(0.18, 0.33);
    /// assert_eq!((row.lower, row.upper), (Some(0.18), Some(0.33)));
    /// ```
    #[must_use]
    pub fn interval(self, lower: f64, upper: f64) -> Self {
        Self {
            lower: Some(lower),
            upper: Some(upper),
            ..self
        }
    }
}

/// A horizontal bar chart: one bar per row from the baseline (zero, or the
/// scale end nearest to zero) to the value, with an interval whisker, the
/// value written at the bar's end, row labels on the left and an axis with a
/// few ticks below.
///
/// The label column is as wide as the longest label, up to 320 px; a longer
/// label wraps onto a second line, and only a label too long for two lines is
/// cut (its full text then in a tooltip). Cut labels never read alike: when
/// two would, each shows where its text departs from the other, usually its
/// end ("Een probleem op het werk werd / … door mijn leidinggevende").
///
/// A withheld row (`value: None`, or a value that is not finite) has no bar
/// and no value: its note is written in the bar's place in muted italics, so
/// it cannot be mistaken for a zero, which has a value label.
///
/// ```
/// use exitcore::report::svg::{BarRow, Format, Scale, bars};
/// let rows = [BarRow::new("Werkdruk", Some(0.31)), BarRow::new("Salaris", Some(0.0))];
/// let svg = bars("Reasons", &rows, Scale::new(0.0, 1.0, Format::Percent(0)));
/// assert!(svg.starts_with("<svg") && svg.contains("31%") && svg.contains(">0%<"));
/// ```
pub fn bars(title: &str, rows: &[BarRow], scale: Scale) -> String {
    if rows.is_empty() {
        return no_data(title);
    }
    let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
    let widest = labels
        .iter()
        .map(|l| text_width(&normalise(l)))
        .fold(0.0, f64::max);
    let label_w = widest.clamp(48.0, BAR_LABEL_MAX);
    let fitted = fit_labels(&labels, label_w, 2);
    let row_h = if fitted.iter().any(|f| f.lines.len() > 1) {
        36.0
    } else {
        24.0
    };
    let label_x = 8.0 + label_w;
    let x0 = label_x + 10.0;
    let x1 = x0 + 380.0;
    let width = (x1 + 84.0).max(title_room(title));
    let plot_top = TOP + 4.0;
    let axis_y = plot_top + count(rows.len()) * row_h;
    let height = axis_y + 28.0;
    let (lo, hi) = scale.bounds();
    let xb = scale.position(0.0_f64.clamp(lo, hi), x0, x1);

    let mut s = String::new();
    open(&mut s, width, height, title);
    value_axis_x(&mut s, &scale, x0, x1, plot_top, axis_y);
    put!(
        s,
        r#"<line x1="{b}" y1="{t}" x2="{b}" y2="{a}" stroke="{INK}"/>"#,
        b = num(xb),
        t = num(plot_top),
        a = num(axis_y)
    );
    for ((i, row), label) in rows.iter().enumerate().zip(&fitted) {
        let cy = plot_top + (count(i) + 0.5) * row_h;
        s.push_str("<g>");
        text_lines(
            &mut s,
            label_x,
            first_baseline(cy, label.lines.len()),
            "end",
            label,
            &row.label,
            "",
        );
        match row.value.filter(|v| v.is_finite()) {
            None => {
                let note = row.note.as_deref().unwrap_or("withheld");
                let (x, anchor, room) = if xb > x1 - 60.0 {
                    (xb - 6.0, "end", xb - 6.0 - x0)
                } else {
                    (xb + 6.0, "start", width - 8.0 - xb - 6.0)
                };
                text_label(
                    &mut s,
                    x,
                    cy + 4.0,
                    anchor,
                    note,
                    room,
                    &format!(r#" font-style="italic" fill="{MUTED}""#),
                );
            }
            Some(value) => bar(&mut s, row, value, &scale, (x0, x1, xb), cy),
        }
        s.push_str("</g>");
    }
    close(&mut s);
    s
}

/// One shown bar of [`bars`]: the rectangle, its whisker and its value label.
/// `xs` are the plot's left end, right end and baseline.
fn bar(s: &mut String, row: &BarRow, value: f64, scale: &Scale, xs: (f64, f64, f64), cy: f64) {
    let (x0, x1, xb) = xs;
    let xv = scale.position(value, x0, x1);
    put!(
        s,
        r#"<rect x="{}" y="{}" width="{}" height="14" fill="{}"/>"#,
        num(xv.min(xb)),
        num(cy - 7.0),
        num((xv - xb).abs()),
        PALETTE[0]
    );
    let mut reach = (xv, xv);
    if let (Some(l), Some(u)) = (
        row.lower.filter(|v| v.is_finite()),
        row.upper.filter(|v| v.is_finite()),
    ) {
        let (xl, xu) = (
            scale.position(l.min(u), x0, x1),
            scale.position(l.max(u), x0, x1),
        );
        put!(
            s,
            r#"<path d="M{l} {y}H{u}M{l} {a}V{b}M{u} {a}V{b}" stroke="{INK}" stroke-width="1.2" fill="none"/>"#,
            l = num(xl),
            u = num(xu),
            y = num(cy),
            a = num(cy - 4.0),
            b = num(cy + 4.0)
        );
        reach = (xl.min(xv), xu.max(xv));
    }
    let mut text = escape(&scale.format_value(value));
    if let Some(note) = &row.note {
        put!(text, r#"<tspan fill="{MUTED}"> {}</tspan>"#, escape(note));
    }
    // Outside the bar's end; a negative bar with no room on the left gets its
    // label on the right of the baseline instead.
    let (x, anchor) = if xv >= xb {
        (reach.1 + 4.0, "start")
    } else if reach.0 - 4.0 > x0 + 40.0 {
        (reach.0 - 4.0, "end")
    } else {
        (xb.max(reach.1) + 4.0, "start")
    };
    put!(
        s,
        r#"<text x="{}" y="{}" text-anchor="{anchor}">{text}</text>"#,
        num(x),
        num(cy + 4.0)
    );
}

/// One cell of a [`heatmap`].
#[derive(Debug, Clone, PartialEq)]
pub enum HeatCell {
    /// A released value, coloured on the legend's scale and labelled `text`.
    Value {
        /// The value that picks the colour.
        value: f64,
        /// The text written in the cell, such as `"12%"` or `"+2.4"`.
        text: String,
    },
    /// A withheld cell: hatched, with no colour from the scale and no text.
    Withheld,
}

/// The colour scale of a [`heatmap`] and the words of its legend.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatLegend {
    /// The value at the low end of the colour scale (values below are
    /// coloured as it).
    pub min: f64,
    /// The value at the high end of the colour scale.
    pub max: f64,
    /// `true` for a diverging scale (vermillion, light grey at the midpoint,
    /// blue), as for adjusted residuals from -4 to 4; `false` for a
    /// sequential one (light to blue), as for shares from 0 to 1.
    pub diverging: bool,
    /// The legend's words at the low end, such as `"fewer than expected"`.
    pub low_label: String,
    /// The legend's words at the high end.
    pub high_label: String,
    /// The legend's words beside the hatch, such as `"niet getoond (n < 5)"`.
    pub withheld_label: String,
}

/// A heat map: one coloured cell per row and column with its text, row labels
/// on the left, column labels above (rotated), and a legend below showing the
/// ends of the colour scale and the withheld hatch.
///
/// The chart is kept within [`MAX_WIDTH`], so its text is shown at full size
/// on the report's page: a heat map with too many columns is drawn
/// transposed (rows as columns) when that is narrower, and one still too
/// wide is split into panels of columns, stacked, each with its own column
/// labels. Row labels wrap onto two lines as in [`bars`]; labels are cut only
/// when they do not fit (full text in a tooltip), and cut labels never read
/// alike.
///
/// A withheld cell is filled with a hatch pattern, never with a colour from
/// the scale. The pattern is defined inside the chart with the id
/// `exitcore-{id}-hatch` (`id` reduced to ASCII letters, digits, `-` and
/// `_`): charts on one HTML page must have distinct `id`s, since element ids
/// are shared across a page. A row of `cells` shorter than `columns` leaves
/// its missing cells blank; extra cells are ignored. Each cell's tooltip
/// reads "row · column: text".
///
/// ```
/// use exitcore::report::svg::{HeatCell, HeatLegend, heatmap};
/// let legend = HeatLegend {
///     min: 0.0, max: 1.0, diverging: false,
///     low_label: "0%".into(), high_label: "100%".into(), withheld_label: "withheld".into(),
/// };
/// let cells = vec![vec![
///     HeatCell::Value { value: 0.4, text: "40%".into() },
///     HeatCell::Withheld,
/// ]];
/// let svg = heatmap("reasons", "Reasons by unit", &["Werkdruk".into()],
///     &["Sales".into(), "R&D".into()], &cells, &legend);
/// assert!(svg.contains(r#"fill="url(#exitcore-reasons-hatch)""#));
/// ```
pub fn heatmap(
    id: &str,
    title: &str,
    rows: &[String],
    columns: &[String],
    cells: &[Vec<HeatCell>],
    legend: &HeatLegend,
) -> String {
    if rows.is_empty() || columns.is_empty() {
        return no_data(title);
    }
    let grid: Vec<Vec<Option<&HeatCell>>> = (0..rows.len())
        .map(|i| {
            (0..columns.len())
                .map(|j| cells.get(i).and_then(|r| r.get(j)))
                .collect()
        })
        .collect();
    let plain = HeatLayout::new(rows, columns);
    let flipped = HeatLayout::new(columns, rows);
    if plain.width() > MAX_WIDTH && flipped.width() < plain.width() {
        let transposed: Vec<Vec<Option<&HeatCell>>> = (0..columns.len())
            .map(|j| grid.iter().map(|row| row[j]).collect())
            .collect();
        draw_heatmap(id, title, &flipped, &transposed, legend)
    } else {
        draw_heatmap(id, title, &plain, &grid, legend)
    }
}

/// Width of a heat-map cell.
const CELL_W: f64 = 56.0;
/// The widest a (rotated) column label of a heat map is drawn.
const COLUMN_LABEL_MAX: f64 = 220.0;

/// Where the labels of a heat map go and how wide it is.
struct HeatLayout<'a> {
    rows: &'a [String],
    columns: &'a [String],
    row_labels: Vec<Fitted>,
    column_labels: Vec<Fitted>,
    /// The estimated width of each shown column label.
    column_widths: Vec<f64>,
    /// Where the cells start.
    x0: f64,
    cell_h: f64,
}

impl<'a> HeatLayout<'a> {
    fn new(rows: &'a [String], columns: &'a [String]) -> Self {
        let row_texts: Vec<&str> = rows.iter().map(String::as_str).collect();
        let widest = row_texts
            .iter()
            .map(|l| text_width(&normalise(l)))
            .fold(0.0, f64::max);
        let label_w = widest.clamp(48.0, LABEL_MAX);
        let row_labels = fit_labels(&row_texts, label_w, 2);
        let column_texts: Vec<&str> = columns.iter().map(String::as_str).collect();
        let column_labels = fit_labels(&column_texts, COLUMN_LABEL_MAX, 1);
        let column_widths = column_labels
            .iter()
            .map(|f| text_width(&f.lines.concat()))
            .collect();
        let cell_h = if row_labels.iter().any(|f| f.lines.len() > 1) {
            34.0
        } else {
            26.0
        };
        HeatLayout {
            rows,
            columns,
            row_labels,
            column_labels,
            column_widths,
            x0: 8.0 + label_w + 10.0,
            cell_h,
        }
    }

    /// How far right of the cells' start the labels of `columns` reach
    /// (rotated 45°: a label's extent is its width / √2).
    fn reach(&self, columns: std::ops::Range<usize>) -> f64 {
        let start = columns.start;
        columns
            .map(|j| count(j - start) * CELL_W + CELL_W / 2.0 + self.slant(j))
            .fold(0.0, f64::max)
    }

    /// The extent of column `j`'s rotated label, across and up.
    fn slant(&self, j: usize) -> f64 {
        self.column_widths[j] * std::f64::consts::FRAC_1_SQRT_2
    }

    /// The width of the chart with all columns side by side.
    fn width(&self) -> f64 {
        let n = self.columns.len();
        self.x0 + (count(n) * CELL_W).max(self.reach(0..n)) + 8.0
    }

    /// The columns in panels that fit [`MAX_WIDTH`]: as few panels as
    /// possible, of about equal size.
    fn panels(&self) -> Vec<std::ops::Range<usize>> {
        let n = self.columns.len();
        let fits = |k: usize| {
            (0..n).step_by(k).all(|a| {
                let b = (a + k).min(n);
                self.x0 + (count(b - a) * CELL_W).max(self.reach(a..b)) + 8.0 <= MAX_WIDTH
            })
        };
        let per = (1..=n).rev().find(|&k| fits(k)).unwrap_or(1);
        let panels = n.div_ceil(per);
        let per = n.div_ceil(panels);
        (0..n).step_by(per).map(|a| a..(a + per).min(n)).collect()
    }
}

/// Draws a heat map laid out by `layout` with `grid[row][column]`.
fn draw_heatmap(
    id: &str,
    title: &str,
    layout: &HeatLayout<'_>,
    grid: &[Vec<Option<&HeatCell>>],
    legend: &HeatLegend,
) -> String {
    let hatch = format!("exitcore-{}-hatch", sanitise_id(id));
    let panels = layout.panels();
    let x0 = layout.x0;
    let cell_h = layout.cell_h;
    let swatches = if legend.diverging { 7 } else { 5 };
    let legend_w = text_width(&legend.low_label)
        + 8.0
        + count(swatches) * 22.0
        + 8.0
        + text_width(&legend.high_label)
        + 24.0
        + 22.0
        + 6.0
        + text_width(&legend.withheld_label);
    let grid_w = panels
        .iter()
        .map(|p| (count(p.len()) * CELL_W).max(layout.reach(p.clone())))
        .fold(0.0, f64::max);
    let width = (x0 + grid_w + 8.0)
        .max(8.0 + legend_w + 8.0)
        .max(title_room(title))
        .max(360.0);
    // Each panel: its column labels, then its rows.
    let mut tops = Vec::with_capacity(panels.len());
    let mut y = TOP;
    for p in &panels {
        let slant = p.clone().map(|j| layout.slant(j)).fold(0.0, f64::max);
        let grid_top = y + slant + 12.0;
        tops.push(grid_top);
        y = grid_top + count(layout.rows.len()) * cell_h + 16.0;
    }
    let legend_y = y + 2.0;
    let height = legend_y + 24.0;

    let mut s = String::new();
    open(&mut s, width, height, title);
    put!(
        s,
        concat!(
            r#"<defs><pattern id="{}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">"#,
            r##"<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8c8c8c" stroke-width="2.5"/>"##,
            "</pattern></defs>"
        ),
        hatch
    );
    for (p, grid_top) in panels.iter().zip(&tops) {
        for j in p.clone() {
            let x = x0 + (count(j - p.start) + 0.5) * CELL_W;
            let label = &layout.column_labels[j];
            put!(
                s,
                r#"<text transform="translate({} {}) rotate(-45)">"#,
                num(x - 2.0),
                num(grid_top - 6.0)
            );
            if label.cut {
                put!(s, "<title>{}</title>", escape(&layout.columns[j]));
            }
            put!(s, "{}</text>", escape(&label.lines.concat()));
        }
        for (i, row) in layout.rows.iter().enumerate() {
            let y = grid_top + count(i) * cell_h;
            let label = &layout.row_labels[i];
            text_lines(
                &mut s,
                x0 - 10.0,
                first_baseline(y + cell_h / 2.0, label.lines.len()),
                "end",
                label,
                row,
                "",
            );
            for j in p.clone() {
                let Some(cell) = grid[i][j] else {
                    continue;
                };
                let x = x0 + count(j - p.start) * CELL_W;
                heat_cell(
                    &mut s,
                    cell,
                    (x, y, cell_h),
                    &format!("{row} · {}", layout.columns[j]),
                    legend,
                    &hatch,
                );
            }
        }
    }
    heat_legend(&mut s, legend, swatches, legend_y, &hatch);
    close(&mut s);
    s
}

/// One cell of a heat map with its top left corner and height `at`, and its
/// tooltip `"{tip}: {text}"`.
fn heat_cell(
    s: &mut String,
    cell: &HeatCell,
    at: (f64, f64, f64),
    tip: &str,
    legend: &HeatLegend,
    hatch: &str,
) {
    let (left, top, height) = at;
    let (fill, text) = match cell {
        HeatCell::Withheld => (format!("url(#{hatch})"), None),
        HeatCell::Value { value, text } if value.is_finite() => {
            let t = ((value - legend.min) / (legend.max - legend.min)).clamp(0.0, 1.0);
            // An empty or non-finite range puts every value mid-scale.
            let t = if t.is_finite() { t } else { 0.5 };
            (heat_colour(t, legend.diverging), Some(text))
        }
        HeatCell::Value { text, .. } => ("#ffffff".to_owned(), Some(text)),
    };
    let shown = text.map_or(legend.withheld_label.as_str(), String::as_str);
    put!(
        s,
        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" stroke="#ffffff"><title>{}: {}</title></rect>"##,
        num(left),
        num(top),
        num(CELL_W),
        num(height),
        escape(tip),
        escape(shown)
    );
    if let Some(text) = text {
        let ink = if fill.starts_with('#') && dark(&fill) {
            "#ffffff"
        } else {
            INK
        };
        let (shown, _) = cut_end(text, CELL_W - 4.0, Font::Body);
        put!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{ink}">{}</text>"#,
            num(left + CELL_W / 2.0),
            num(top + height / 2.0 + 4.0),
            escape(&shown)
        );
    }
}

/// The legend of a heat map at `y`: low words, swatches along the scale,
/// high words, the hatch and its words.
fn heat_legend(s: &mut String, legend: &HeatLegend, swatches: usize, y: f64, hatch: &str) {
    let mut x = 8.0;
    let ty = num(y + 10.0);
    put!(
        s,
        r#"<text x="{}" y="{ty}">{}</text>"#,
        num(x),
        escape(&legend.low_label)
    );
    x += text_width(&legend.low_label) + 8.0;
    for k in 0..swatches {
        let t = count(k) / count(swatches - 1);
        put!(
            s,
            r#"<rect x="{}" y="{}" width="22" height="14" fill="{}"/>"#,
            num(x),
            num(y),
            heat_colour(t, legend.diverging)
        );
        x += 22.0;
    }
    x += 8.0;
    put!(
        s,
        r#"<text x="{}" y="{ty}">{}</text>"#,
        num(x),
        escape(&legend.high_label)
    );
    x += text_width(&legend.high_label) + 24.0;
    put!(
        s,
        r#"<rect x="{}" y="{}" width="22" height="14" fill="url(#{hatch})" stroke="{GRID}"/>"#,
        num(x),
        num(y)
    );
    x += 28.0;
    put!(
        s,
        r#"<text x="{}" y="{ty}">{}</text>"#,
        num(x),
        escape(&legend.withheld_label)
    );
}

/// One line of a [`lines`] chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The series name, shown in the legend.
    pub name: String,
    /// One value per x label; `None` (a withheld period) leaves a gap.
    pub points: Vec<Option<f64>>,
}

/// A line chart for trends: one line per series over evenly spaced x labels,
/// with a marker at each point, a legend above and a value axis on the left.
///
/// A `None` point (or one that is not finite) is a gap: the line stops before
/// it and starts again after it, and it has no marker. At most 12 x labels
/// are written, evenly thinned. Points beyond the x labels are ignored.
///
/// ```
/// use exitcore::report::svg::{Format, Scale, Series, lines};
/// let x: Vec<String> = ["2022", "2023", "2024"].map(String::from).to_vec();
/// let series = [Series { name: "Sales".into(), points: vec![Some(0.1), None, Some(0.14)] }];
/// let svg = lines("Turnover", &x, &series, Scale::new(0.0, 0.2, Format::Percent(0)));
/// assert!(svg.contains("Sales") && svg.contains("2024"));
/// ```
pub fn lines(title: &str, x_labels: &[String], series: &[Series], scale: Scale) -> String {
    if x_labels.is_empty() || series.is_empty() {
        return no_data(title);
    }
    let x0 = 64.0;
    let x1 = WIDTH - 24.0;
    let names: Vec<&str> = series.iter().map(|c| c.name.as_str()).collect();
    let legend_names = fit_labels(&names, LEGEND_NAME_MAX, 1);
    let (legend_at, legend_h) = legend_layout(&legend_names, x0, x1);
    let plot_top = TOP + legend_h + 10.0;
    let plot_bottom = plot_top + 220.0;
    let slots = x_labels.len();
    let x_at = |i: usize| {
        if slots == 1 {
            f64::midpoint(x0, x1)
        } else {
            x0 + count(i) * (x1 - x0) / count(slots - 1)
        }
    };
    let every = slots.div_ceil(12);
    let label_w = x_labels
        .iter()
        .map(|l| text_width(l))
        .fold(0.0, f64::max)
        .min(X_LABEL_MAX);
    let room = if slots == 1 {
        x1 - x0
    } else {
        count(every) * (x1 - x0) / count(slots - 1)
    };
    let rotate = label_w > room - 6.0;
    let height = plot_bottom
        + if rotate {
            // sin 35° of the longest label, below the ticks.
            label_w * 0.58 + 24.0
        } else {
            26.0
        };

    let mut s = String::new();
    open(&mut s, WIDTH.max(title_room(title)), height, title);
    legend(&mut s, &names, &legend_names, &legend_at, TOP);
    value_axis_y(&mut s, &scale, x0, x1, plot_top, plot_bottom);
    for (i, label) in x_labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let x = x_at(i);
        put!(
            s,
            r#"<line x1="{x}" y1="{b}" x2="{x}" y2="{t}" stroke="{INK}"/>"#,
            x = num(x),
            b = num(plot_bottom),
            t = num(plot_bottom + 4.0)
        );
        if rotate {
            let (shown, cut) = cut_end(label, X_LABEL_MAX, Font::Body);
            put!(
                s,
                r#"<text transform="translate({} {}) rotate(-35)" text-anchor="end" fill="{MUTED}">"#,
                num(x + 3.0),
                num(plot_bottom + 14.0)
            );
            if cut {
                put!(s, "<title>{}</title>", escape(label));
            }
            put!(s, "{}</text>", escape(&shown));
        } else {
            text_label(
                &mut s,
                x,
                plot_bottom + 17.0,
                "middle",
                label,
                room - 6.0,
                &format!(r#" fill="{MUTED}""#),
            );
        }
    }
    for (k, one) in series.iter().enumerate() {
        let points: Vec<Option<(f64, f64)>> = one
            .points
            .iter()
            .take(slots)
            .enumerate()
            .map(|(i, p)| {
                p.filter(|v| v.is_finite())
                    .map(|v| (x_at(i), scale.position(v, plot_bottom, plot_top)))
            })
            .collect();
        // One subpath per run of two or more points; a lone point between
        // gaps is its marker alone.
        let mut d = String::new();
        for run in points.split(Option::is_none).filter(|run| run.len() > 1) {
            for (i, (x, y)) in run.iter().flatten().enumerate() {
                put!(
                    d,
                    "{}{} {}",
                    if i == 0 { "M" } else { "L" },
                    num(*x),
                    num(*y)
                );
            }
        }
        s.push_str("<g>");
        put!(s, "<title>{}</title>", escape(&one.name));
        if !d.is_empty() {
            put!(
                s,
                r#"<path d="{d}" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="{}" stroke-linejoin="round"/>"#,
                PALETTE[k % PALETTE.len()],
                DASHES[k % DASHES.len()]
            );
        }
        for (x, y) in points.iter().flatten() {
            marker(&mut s, k, *x, *y);
        }
        s.push_str("</g>");
    }
    close(&mut s);
    s
}

/// One step curve of a [`steps`] chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// The curve name, shown in the legend.
    pub name: String,
    /// The steps: each point's `y` holds from its `x` to the next point's.
    pub points: Vec<CurvePoint>,
}

/// One step of a [`Curve`]: the estimate and its interval from `x` on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    /// Where the step starts, such as months of tenure.
    pub x: f64,
    /// The estimate, such as the share still employed.
    pub y: f64,
    /// The lower end of the estimate's interval.
    pub lower: f64,
    /// The upper end of the estimate's interval.
    pub upper: f64,
}

/// A step chart for survival curves: one step line per curve with its
/// interval as a shaded band, a legend above, the value axis on the left and
/// the x axis (from zero, or the smallest x if negative) titled `x_label`,
/// with a tick about every 50 px at round values.
///
/// Points are drawn in order of `x`; points with a non-finite `x` or `y` are
/// skipped, and a non-finite interval end is taken as `y`. Each curve ends in
/// its marker, which the legend repeats, and its name is written right of
/// the plot at the height where it ends; names that would overlap are moved
/// apart and joined to their curve's end by a thin line. With more than three
/// curves only the first one's band is drawn, so that overlapping bands do
/// not hide the lines.
///
/// ```
/// use exitcore::report::svg::{Curve, CurvePoint, Format, Scale, steps};
/// let p = |x, y| CurvePoint { x, y, lower: y - 0.05, upper: y + 0.05 };
/// let curves = [Curve { name: "Sales".into(), points: vec![p(0.0, 1.0), p(12.0, 0.8), p(24.0, 0.7)] }];
/// let svg = steps("Still employed", "months", &curves, Scale::new(0.0, 1.0, Format::Percent(0)));
/// assert!(svg.contains("months") && svg.contains("Sales"));
/// ```
pub fn steps(title: &str, x_label: &str, curves: &[Curve], scale: Scale) -> String {
    let cleaned: Vec<(&str, Vec<CurvePoint>)> = curves
        .iter()
        .map(|c| {
            let mut points: Vec<CurvePoint> = c
                .points
                .iter()
                .filter(|p| p.x.is_finite() && p.y.is_finite())
                .map(|p| {
                    let lower = if p.lower.is_finite() { p.lower } else { p.y };
                    let upper = if p.upper.is_finite() { p.upper } else { p.y };
                    CurvePoint {
                        lower: lower.min(upper),
                        upper: lower.max(upper),
                        ..*p
                    }
                })
                .collect();
            points.sort_by(|a, b| a.x.total_cmp(&b.x));
            (c.name.as_str(), points)
        })
        .collect();
    let all = cleaned.iter().flat_map(|(_, p)| p);
    let (lo, hi) = all.fold((0.0_f64, f64::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p.x), hi.max(p.x))
    });
    if !hi.is_finite() {
        return no_data(title);
    }
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let x0: f64 = 64.0;
    let x1 = x0 + 520.0;
    let (x_ticks, step) = nice_ticks(lo, hi, ((x1 - x0) / 50.0).floor());
    let x_scale = Scale {
        decimal_comma: scale.decimal_comma,
        ..Scale::new(lo, hi, Format::Decimal(decimals_for(step)))
    };
    let names: Vec<&str> = cleaned.iter().map(|(name, _)| *name).collect();
    let legend_names = fit_labels(&names, LEGEND_NAME_MAX, 1);
    let end_names = fit_labels(&names, END_NAME_MAX, 1);
    let end_w = end_names
        .iter()
        .map(|f| text_width(&f.lines.concat()))
        .fold(0.0, f64::max);
    let width = (x1 + 14.0 + end_w + 8.0).max(title_room(title));
    let (legend_at, legend_h) = legend_layout(&legend_names, x0, x1);
    let plot_top = TOP + legend_h + 10.0;
    let plot_bottom = plot_top + 220.0;
    let height = plot_bottom + 44.0;

    let mut s = String::new();
    open(&mut s, width, height, title);
    legend(&mut s, &names, &legend_names, &legend_at, TOP);
    value_axis_y(&mut s, &scale, x0, x1, plot_top, plot_bottom);
    for t in x_ticks {
        let x = x_scale.position(t, x0, x1);
        put!(
            s,
            r#"<line x1="{x}" y1="{b}" x2="{x}" y2="{t}" stroke="{INK}"/><text x="{x}" y="{l}" text-anchor="middle" fill="{MUTED}">{v}</text>"#,
            x = num(x),
            b = num(plot_bottom),
            t = num(plot_bottom + 4.0),
            l = num(plot_bottom + 17.0),
            v = escape(&x_scale.format_value(t))
        );
    }
    text_label(
        &mut s,
        f64::midpoint(x0, x1),
        plot_bottom + 36.0,
        "middle",
        x_label,
        x1 - x0,
        "",
    );
    let bands = if cleaned.len() > 3 { 1 } else { cleaned.len() };
    // Where each curve ends: (curve, x, y).
    let mut ends: Vec<(usize, f64, f64)> = Vec::new();
    for (k, (name, points)) in cleaned.iter().enumerate() {
        let Some(first) = points.first() else {
            continue;
        };
        let colour = PALETTE[k % PALETTE.len()];
        let px = |p: &CurvePoint| x_scale.position(p.x, x0, x1);
        let py = |v: f64| scale.position(v, plot_bottom, plot_top);
        let mut band = format!("M{} {}", num(px(first)), num(py(first.upper)));
        let mut line = format!("M{} {}", num(px(first)), num(py(first.y)));
        for p in &points[1..] {
            put!(band, "H{}V{}", num(px(p)), num(py(p.upper)));
            put!(line, "H{}V{}", num(px(p)), num(py(p.y)));
        }
        let last = points.last().unwrap_or(first);
        put!(band, "L{} {}", num(px(last)), num(py(last.lower)));
        for pair in points.windows(2).rev() {
            put!(band, "V{}H{}", num(py(pair[0].lower)), num(px(&pair[0])));
        }
        band.push('Z');
        put!(s, "<g><title>{}</title>", escape(name));
        if k < bands {
            put!(
                s,
                r#"<path d="{band}" fill="{colour}" fill-opacity="0.15" stroke="none"/>"#
            );
        }
        put!(
            s,
            r#"<path d="{line}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{}"/>"#,
            DASHES[k % DASHES.len()]
        );
        marker(&mut s, k, px(last), py(last.y));
        s.push_str("</g>");
        ends.push((k, px(last), py(last.y)));
    }
    let label_ys = spread(
        &ends.iter().map(|e| e.2).collect::<Vec<_>>(),
        14.0,
        plot_top,
        plot_bottom,
    );
    for (&(k, x, y), ly) in ends.iter().zip(label_ys) {
        if (ly - y).abs() > 0.5 || x < x1 - 1.0 {
            put!(
                s,
                r#"<path d="M{} {}L{} {}L{} {}" fill="none" stroke="{}" stroke-width="1"/>"#,
                num(x + 6.0),
                num(y),
                num(x1 + 4.0),
                num(y),
                num(x1 + 10.0),
                num(ly),
                PALETTE[k % PALETTE.len()]
            );
        }
        text_lines(
            &mut s,
            x1 + 14.0,
            ly + 4.0,
            "start",
            &end_names[k],
            names[k],
            "",
        );
    }
    close(&mut s);
    s
}

/// The widest a curve's name is written at its end in [`steps`].
const END_NAME_MAX: f64 = 180.0;

/// Positions near `wanted` (in their order) at least `gap` apart, moved as
/// little as the greedy way does, within `top..=bottom` where there is room.
fn spread(wanted: &[f64], gap: f64, top: f64, bottom: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by(|&a, &b| wanted[a].total_cmp(&wanted[b]).then(a.cmp(&b)));
    let mut placed: Vec<f64> = Vec::with_capacity(order.len());
    for &i in &order {
        let y = match placed.last() {
            Some(&above) => wanted[i].max(above + gap),
            None => wanted[i].max(top),
        };
        placed.push(y);
    }
    // Push back up what ran past the bottom.
    let mut limit = bottom;
    for y in placed.iter_mut().rev() {
        if *y > limit {
            *y = limit;
        }
        limit = *y - gap;
    }
    let mut out = vec![0.0; wanted.len()];
    for (&i, y) in order.iter().zip(placed) {
        out[i] = y;
    }
    out
}

/// The shapes that mark the points of a series.
#[derive(Debug, Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
    TriangleDown,
}

/// Draws series `k`'s marker centred on `(x, y)`.
fn marker(s: &mut String, k: usize, x: f64, y: f64) {
    let colour = PALETTE[k % PALETTE.len()];
    let filled = r##" stroke="#ffffff" stroke-width="1""##;
    let at = |dx: f64, dy: f64| format!("{} {}", num(x + dx), num(y + dy));
    match MARKERS[k % MARKERS.len()] {
        Marker::Circle => put!(
            s,
            r#"<circle cx="{}" cy="{}" r="4" fill="{colour}"{filled}/>"#,
            num(x),
            num(y)
        ),
        Marker::Square => put!(
            s,
            r#"<rect x="{}" y="{}" width="7" height="7" fill="{colour}"{filled}/>"#,
            num(x - 3.5),
            num(y - 3.5)
        ),
        Marker::Triangle => put!(
            s,
            r#"<path d="M{}L{}L{}Z" fill="{colour}"{filled}/>"#,
            at(0.0, -5.0),
            at(4.5, 3.5),
            at(-4.5, 3.5)
        ),
        Marker::Diamond => put!(
            s,
            r#"<path d="M{}L{}L{}L{}Z" fill="{colour}"{filled}/>"#,
            at(0.0, -5.0),
            at(5.0, 0.0),
            at(0.0, 5.0),
            at(-5.0, 0.0)
        ),
        Marker::Cross => put!(
            s,
            r#"<path d="M{}L{}M{}L{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            at(-4.0, -4.0),
            at(4.0, 4.0),
            at(-4.0, 4.0),
            at(4.0, -4.0)
        ),
        Marker::TriangleDown => put!(
            s,
            r#"<path d="M{}L{}L{}Z" fill="{colour}"{filled}/>"#,
            at(0.0, 5.0),
            at(4.5, -3.5),
            at(-4.5, -3.5)
        ),
    }
}

/// The widest a series name is written in a legend.
const LEGEND_NAME_MAX: f64 = 280.0;
/// The widest an x label of a [`lines`] chart is written.
const X_LABEL_MAX: f64 = 110.0;

/// Where each legend entry (names as fitted by [`fit_labels`]) goes, left
/// to right, wrapping at `x1`, relative to the legend's top, and the
/// legend's height.
fn legend_layout(names: &[Fitted], x0: f64, x1: f64) -> (Vec<(f64, f64)>, f64) {
    let mut at = Vec::with_capacity(names.len());
    let (mut x, mut y) = (x0, 0.0);
    for name in names {
        let w = 30.0 + text_width(&name.lines.concat()) + 16.0;
        if x > x0 && x + w > x1 {
            x = x0;
            y += 18.0;
        }
        at.push((x, y));
        x += w;
    }
    (at, y + 14.0)
}

/// Draws the legend laid out by [`legend_layout`] with its top at `top`: a
/// sample of each series' line and marker, then its name.
fn legend(s: &mut String, names: &[&str], fitted: &[Fitted], at: &[(f64, f64)], top: f64) {
    for (k, ((name, label), (x, y))) in names.iter().zip(fitted).zip(at).enumerate() {
        let cy = top + y + 7.0;
        put!(
            s,
            r#"<line x1="{}" y1="{c}" x2="{}" y2="{c}" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>"#,
            num(*x),
            num(x + 26.0),
            PALETTE[k % PALETTE.len()],
            DASHES[k % DASHES.len()],
            c = num(cy)
        );
        marker(s, k, x + 13.0, cy);
        text_lines(s, x + 30.0, cy + 4.0, "start", label, name, "");
    }
}

/// A horizontal value axis at `axis_y` from `x0` to `x1`, with vertical grid
/// lines up to `top` and tick labels below.
fn value_axis_x(s: &mut String, scale: &Scale, x0: f64, x1: f64, top: f64, axis_y: f64) {
    let (ticks, tick_scale) = scale.ticks();
    for t in ticks {
        let x = num(scale.position(t, x0, x1));
        put!(
            s,
            r#"<line x1="{x}" y1="{t}" x2="{x}" y2="{a}" stroke="{GRID}"/><line x1="{x}" y1="{a}" x2="{x}" y2="{b}" stroke="{INK}"/><text x="{x}" y="{l}" text-anchor="middle" fill="{MUTED}">{v}</text>"#,
            t = num(top),
            a = num(axis_y),
            b = num(axis_y + 4.0),
            l = num(axis_y + 17.0),
            v = escape(&tick_scale.format_value(t))
        );
    }
    put!(
        s,
        r#"<line x1="{}" y1="{a}" x2="{}" y2="{a}" stroke="{INK}"/>"#,
        num(x0),
        num(x1),
        a = num(axis_y)
    );
}

/// A vertical value axis at `x0` from `bottom` up to `top`, with horizontal
/// grid lines to `x1`, tick labels on the left and a baseline at `bottom`.
fn value_axis_y(s: &mut String, scale: &Scale, x0: f64, x1: f64, top: f64, bottom: f64) {
    let (ticks, tick_scale) = scale.ticks();
    for t in ticks {
        let y = num(scale.position(t, bottom, top));
        put!(
            s,
            r#"<line x1="{a}" y1="{y}" x2="{b}" y2="{y}" stroke="{GRID}"/><text x="{l}" y="{ty}" text-anchor="end" fill="{MUTED}">{v}</text>"#,
            a = num(x0),
            b = num(x1),
            l = num(x0 - 6.0),
            ty = num(scale.position(t, bottom, top) + 4.0),
            v = escape(&tick_scale.format_value(t))
        );
    }
    put!(
        s,
        r#"<path d="M{} {t}V{b}H{}" fill="none" stroke="{INK}"/>"#,
        num(x0),
        num(x1),
        t = num(top),
        b = num(bottom)
    );
}

/// The decimals that tick values `step` apart need (steps are 1, 2 or 5
/// times a power of ten).
fn decimals_for(step: f64) -> usize {
    [1.0, 0.1, 0.01, 0.001]
        .iter()
        .take_while(|unit| step < **unit * 0.999)
        .count()
}

/// Round tick values from `lo` to `hi`, about `parts` steps apart, and
/// their step.
fn nice_ticks(lo: f64, hi: f64, parts: f64) -> (Vec<f64>, f64) {
    let raw = (hi - lo) / parts.max(1.0);
    let magnitude = pow(10.0, log10(raw).floor());
    let norm = raw / magnitude;
    let step = magnitude
        * if norm < 1.5 {
            1.0
        } else if norm < 3.0 {
            2.0
        } else if norm < 7.0 {
            5.0
        } else {
            10.0
        };
    if !(step.is_finite() && step > 0.0) {
        return (vec![lo, hi], hi - lo);
    }
    let first = (lo / step - 1e-9).ceil() * step;
    let ticks = (0..24)
        .map(|i| first + count(i) * step)
        .take_while(|t| *t <= hi + step * 1e-9)
        .map(|t| if t.abs() < step * 1e-9 { 0.0 } else { t })
        .collect();
    (ticks, step)
}

/// A round upper end for an axis from zero that must reach `max`: the
/// smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 or 10 times a power of ten that
/// is at least `max` (1 when `max` is not positive and finite).
///
/// ```
/// use exitcore::report::svg::nice_max;
/// assert_eq!(nice_max(0.14), 0.15);
/// assert_eq!(nice_max(0.31), 0.4);
/// assert_eq!(nice_max(42.0), 50.0);
/// assert_eq!(nice_max(0.0), 1.0);
/// ```
pub fn nice_max(max: f64) -> f64 {
    if !(max.is_finite() && max > 0.0) {
        return 1.0;
    }
    let exponent = log10(max).floor();
    // Dividing by a power of ten keeps 0.15 exactly 0.15 (0.1 * 1.5 is not).
    let at = |m: f64| {
        if exponent < 0.0 {
            m / pow(10.0, -exponent)
        } else {
            m * pow(10.0, exponent)
        }
    };
    [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(at)
        .find(|v| *v >= max * (1.0 - 1e-9))
        .unwrap_or_else(|| at(10.0))
}

/// The opening of a chart: the `<svg>` element, its `<title>` and the
/// visible title.
fn open(s: &mut String, width: f64, height: f64, title: &str) {
    let title_text = escape(title);
    put!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px" role="img" aria-label="{title_text}" font-family="system-ui, sans-serif" font-size="12" fill="{INK}"><title>{title_text}</title>"#,
        w = num(width),
        h = num(height)
    );
    // The title is cut to the chart's width; the `<title>` keeps it whole.
    let (shown, _) = cut_end(title, width - 16.0, Font::Title);
    put!(
        s,
        r#"<text x="8" y="20" font-size="14" font-weight="bold">{}</text>"#,
        escape(&shown)
    );
}

/// The width a chart's title asks for, at most [`MAX_WIDTH`].
fn title_room(title: &str) -> f64 {
    (text_width_in(title, Font::Title) + 16.0).min(MAX_WIDTH)
}

/// The end of a chart.
fn close(s: &mut String) {
    s.push_str("</svg>");
}

/// The chart drawn for empty input: its title and "no data".
fn no_data(title: &str) -> String {
    let mut s = String::new();
    open(&mut s, WIDTH, 64.0, title);
    put!(
        s,
        r#"<text x="8" y="48" font-style="italic" fill="{MUTED}">no data</text>"#
    );
    close(&mut s);
    s
}

/// A one-line `<text>` at `(x, y)` with `anchor`, cut to `width` with an
/// ellipsis and the full text as a tooltip when cut; `attrs` are written into
/// the element as they are.
fn text_label(s: &mut String, x: f64, y: f64, anchor: &str, text: &str, width: f64, attrs: &str) {
    let (shown, cut) = cut_end(text, width, Font::Body);
    let fitted = Fitted {
        lines: vec![shown],
        cut,
    };
    text_lines(s, x, y, anchor, &fitted, text, attrs);
}

/// A label laid out as [`Fitted`] lines, with its first baseline at `y` and
/// the others below it; the full text is a tooltip when the label was cut.
fn text_lines(
    s: &mut String,
    x: f64,
    y: f64,
    anchor: &str,
    label: &Fitted,
    full: &str,
    attrs: &str,
) {
    put!(
        s,
        r#"<text x="{}" y="{}" text-anchor="{anchor}"{attrs}>"#,
        num(x),
        num(y)
    );
    if label.cut {
        put!(s, "<title>{}</title>", escape(full));
    }
    match label.lines.as_slice() {
        [one] => s.push_str(&escape(one)),
        lines => {
            for (i, line) in lines.iter().enumerate() {
                put!(
                    s,
                    r#"<tspan x="{}" dy="{}">{}</tspan>"#,
                    num(x),
                    num(if i == 0 { 0.0 } else { LINE_H }),
                    escape(line)
                );
            }
        }
    }
    s.push_str("</text>");
}

/// The first baseline of a label of `lines` lines centred on `cy`.
fn first_baseline(cy: f64, lines: usize) -> f64 {
    cy + 4.0 - count(lines.saturating_sub(1)) * LINE_H / 2.0
}

/// The two text styles of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    /// Labels, values and notes: 12 px regular.
    Body,
    /// The chart title: 14 px bold.
    Title,
}

/// The advance of `c` in `font`, in pixels.
fn char_width(c: char, font: Font) -> f64 {
    let (size, table) = match font {
        Font::Body => (12.0, &ADVANCE),
        Font::Title => (14.0, &ADVANCE_BOLD),
    };
    let code = u32::from(c);
    let per_mille = match c {
        ' '..='~' => usize::try_from(code - 32).map_or(700, |i| table[i]),
        '…' | '—' => 1000,
        '–' => 500,
        '·' | '\u{a0}' => 318,
        // Accented Latin letters: about as wide as their base letters.
        '\u{c0}'..='\u{24f}' if c.is_uppercase() => 780,
        '\u{c0}'..='\u{24f}' => 640,
        // Scripts beyond, such as CJK, set on a square.
        _ if code >= 0x1100 => 1000,
        _ => 700,
    };
    // 3% to spare over the metrics, for hinting and rounding.
    f64::from(per_mille) / 1000.0 * size * 1.03
}

/// The estimated width of `text` in `font`.
fn text_width_in(text: &str, font: Font) -> f64 {
    text.chars().map(|c| char_width(c, font)).sum()
}

/// The estimated width of `text` at font size 12.
fn text_width(text: &str) -> f64 {
    text_width_in(text, Font::Body)
}

/// `text` cut to fit `width` in `font`, ending in an ellipsis when cut
/// (at a word boundary when that keeps most of it), and whether it was cut.
fn cut_end(text: &str, width: f64, font: Font) -> (String, bool) {
    if text_width_in(text, font) <= width {
        return (text.to_owned(), false);
    }
    let room = width - char_width('…', font);
    let mut used = 0.0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        used += char_width(c, font);
        if used > room {
            break;
        }
        end = i + c.len_utf8();
    }
    let mut head = &text[..end];
    if !text[end..].starts_with(' ')
        && let Some(space) = head.rfind(' ')
        && space * 3 >= end * 2
    {
        head = &text[..space];
    }
    let mut cut = head.trim_end().to_owned();
    cut.push('…');
    (cut, true)
}

/// A label laid out for a chart: its lines, and whether text was left out
/// (the full text then goes in a tooltip).
#[derive(Debug, Clone, PartialEq)]
struct Fitted {
    lines: Vec<String>,
    cut: bool,
}

/// The longest start of `text` that fits `width` as one line, broken at a
/// space if there is one (else inside a word, at least one character), and
/// the rest after it.
fn take_line(text: &str, width: f64) -> (&str, &str) {
    let mut used = 0.0;
    let mut end = 0;
    let mut space = None;
    for (i, c) in text.char_indices() {
        used += char_width(c, Font::Body);
        if used > width {
            break;
        }
        if c == ' ' {
            space = Some(i);
        }
        end = i + c.len_utf8();
    }
    if end == text.len() {
        return (text, "");
    }
    if text[end..].starts_with(' ') {
        return (&text[..end], &text[end + 1..]);
    }
    match space {
        Some(i) if i > 0 => (&text[..i], &text[i + 1..]),
        _ => {
            let end = if end == 0 {
                text.chars().next().map_or(0, char::len_utf8)
            } else {
                end
            };
            (&text[..end], &text[end..])
        }
    }
}

/// `text` with runs of white space as single spaces, trimmed.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` (normalised) wrapped at spaces into at most `max_lines` lines of
/// `width`; what does not fit the last line is cut with an ellipsis. Text
/// that fits two lines is broken after its last " / " (org paths) if that
/// fits, else where the two lines are most even.
fn wrap(text: &str, width: f64, max_lines: usize) -> Fitted {
    if max_lines >= 2
        && text_width(text) > width
        && let Some((first, second)) = two_lines(text, width)
    {
        return Fitted {
            lines: vec![first.to_owned(), second.to_owned()],
            cut: false,
        };
    }
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if lines.len() + 1 >= max_lines {
            let (line, cut) = cut_end(rest, width, Font::Body);
            lines.push(line);
            return Fitted { lines, cut };
        }
        let (line, after) = take_line(rest, width);
        lines.push(line.to_owned());
        rest = after;
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    Fitted { lines, cut: false }
}

/// The best place to break `text` into two lines of `width`, if it fits in
/// two: after the last " / " where both lines fit, else at the space that
/// makes the longer line shortest.
fn two_lines(text: &str, width: f64) -> Option<(&str, &str)> {
    let splits: Vec<(&str, &str)> = text
        .match_indices(' ')
        .map(|(i, _)| (&text[..i], &text[i + 1..]))
        .filter(|(a, b)| text_width(a) <= width && text_width(b) <= width)
        .collect();
    if let Some(path) = splits.iter().rev().find(|(a, _)| a.ends_with(" /")) {
        return Some(*path);
    }
    splits.into_iter().min_by(|x, y| {
        let longer = |(a, b): &(&str, &str)| text_width(a).max(text_width(b));
        longer(x).total_cmp(&longer(y))
    })
}

/// The byte length of the longest common start of `a` and `b`, on a
/// character boundary.
fn common_start(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i)
}

/// `text` (normalised) in at most `max_lines` lines of `width`, its last
/// line showing the part of the text around byte `at`, where it departs from
/// a label that would otherwise read the same: "… end of the text", or for a
/// one-line label "Start… end of the text".
fn cut_around(text: &str, at: usize, width: f64, max_lines: usize) -> Fitted {
    let mut lines = Vec::new();
    let mut rest = text;
    while lines.len() + 1 < max_lines && !rest.is_empty() {
        let (line, after) = take_line(rest, width);
        lines.push(line.to_owned());
        rest = after;
    }
    let shown = text.len() - rest.len();
    // A one-line label keeps its start, in about the first third of the line
    // or its first word, if the rest from where it departs still fits.
    let lead = if lines.is_empty() {
        let word_at = |lead: &str| {
            let at = at.clamp(lead.len(), text.len());
            text[..at].rfind(' ').map_or(0, |i| i + 1).max(lead.len())
        };
        let fits = |lead: &str| {
            text_width(lead) + text_width("… ") + text_width(text[word_at(lead)..].trim_start())
                <= width
        };
        // Whole words only: the most that fits a third of the line, or the
        // first word if it fits half of it.
        let third = match take_line(text, width / 3.0) {
            (lead, rest) if rest.is_empty() || text[lead.len()..].starts_with(' ') => lead,
            (lead, _) => lead.rfind(' ').map_or("", |i| &lead[..i]),
        };
        let word = text.split(' ').next().unwrap_or("");
        [third, word]
            .into_iter()
            .filter(|lead| !lead.is_empty())
            .find(|lead| text_width(lead) <= width / 2.0 && fits(lead))
            .unwrap_or("")
    } else {
        ""
    };
    let floor = shown.max(lead.len());
    let joint = if lead.is_empty() {
        "… ".to_owned()
    } else {
        format!("{lead}… ")
    };
    let room = width - text_width(&joint);
    let at = at.clamp(floor, text.len());
    let mut start = text[..at].rfind(' ').map_or(0, |i| i + 1).max(floor);
    let tail = if text_width(&text[start..]) <= room {
        // Show as much of the end as fits, whole words first.
        while start > floor {
            let before = text[..start - 1].rfind(' ').map_or(0, |i| i + 1);
            if before < floor || text_width(&text[before..]) > room {
                break;
            }
            start = before;
        }
        text[start..].trim_start().to_owned()
    } else {
        cut_end(text[start..].trim_start(), room, Font::Body).0
    };
    lines.push(format!("{joint}{tail}"));
    Fitted { lines, cut: true }
}

/// [`wrap`] for all labels of one chart, such that different labels do not
/// read alike: a cut label that shares more than its first line (or, on one
/// line, more than its first third) with another label, and shows little
/// (under 8 characters) after the shared part, is cut again to show where
/// their texts differ, usually their ends.
fn fit_labels(texts: &[&str], width: f64, max_lines: usize) -> Vec<Fitted> {
    let texts: Vec<String> = texts.iter().map(|t| normalise(t)).collect();
    let first: Vec<Fitted> = texts.iter().map(|t| wrap(t, width, max_lines)).collect();
    let mut out = first.clone();
    for (i, text) in texts.iter().enumerate() {
        if !first[i].cut {
            continue;
        }
        let Some(departs) = texts
            .iter()
            .filter(|other| *other != text)
            .map(|other| common_start(text, other))
            .max()
        else {
            continue;
        };
        // What the label shows for sure before its last line.
        let head = if max_lines > 1 {
            take_line(text, width).0.len()
        } else {
            take_line(text, width / 3.0).0.len()
        };
        // How much of the text the plain cut shows (its lines, less the
        // ellipsis and the spaces between lines).
        let shown = first[i]
            .lines
            .iter()
            .map(|l| l.trim_end_matches('…').chars().count() + 1)
            .sum::<usize>();
        let shared = text[..departs].chars().count();
        let alike = first
            .iter()
            .zip(&texts)
            .any(|(other, t)| other.lines == first[i].lines && t != text);
        if departs >= head && (alike || shown < shared + 8) {
            out[i] = cut_around(text, departs, width, max_lines);
        }
    }
    out
}

/// `text` escaped for XML text and attribute values. Line breaks and tabs
/// become spaces; other characters XML 1.0 cannot hold become U+FFFD.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `id` reduced to the characters safe in an XML id and a `url(#…)`.
fn sanitise_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

/// A coordinate written with one decimal; anything not finite is written as
/// 0, and negative zero without its sign, so output is byte-stable.
fn num(x: f64) -> String {
    let text = format!("{:.1}", if x.is_finite() { x } else { 0.0 });
    if text == "-0.0" {
        "0.0".to_owned()
    } else {
        text
    }
}

/// A count as a coordinate factor.
// Counts of rows, columns and points are far below 2^52, so exact as f64.
#[allow(clippy::cast_precision_loss)]
fn count(n: usize) -> f64 {
    n as f64
}

/// The heat-map colour at `t` in 0..=1: light to Okabe–Ito blue, or (when
/// `diverging`) Okabe–Ito vermillion through light grey to blue.
fn heat_colour(t: f64, diverging: bool) -> String {
    const LIGHT: [f64; 3] = [247.0, 247.0, 247.0];
    const BLUE: [f64; 3] = [0.0, 114.0, 178.0];
    const VERMILLION: [f64; 3] = [213.0, 94.0, 0.0];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let (from, to, u) = if !diverging {
        (LIGHT, BLUE, t)
    } else if t < 0.5 {
        (VERMILLION, LIGHT, t * 2.0)
    } else {
        (LIGHT, BLUE, t * 2.0 - 1.0)
    };
    let channel = |i: usize| byte(from[i] + (to[i] - from[i]) * u);
    format!("#{:02x}{:02x}{:02x}", channel(0), channel(1), channel(2))
}

/// A colour channel 0..=255 as a byte.
// The value is clamped to 0..=255 and rounded first, so the cast is exact.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn byte(v: f64) -> u8 {
    v.clamp(0.0, 255.0).round() as u8
}

/// Whether `#rrggbb` is dark enough to need white text (relative luminance
/// below 0.179, where white and black text contrast equally).
fn dark(colour: &str) -> bool {
    let channel = |i: usize| {
        let c =
            f64::from(u8::from_str_radix(colour.get(i..i + 2).unwrap_or("ff"), 16).unwrap_or(255))
                / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            pow((c + 0.055) / 1.055, 2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5) < 0.179
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `svg` as XML and checks the common frame: an `<svg>` root with
    /// `role="img"`, `aria-label` and a first `<title>`, both `title`.
    fn parse<'a>(svg: &'a str, title: &str) -> roxmltree::Document<'a> {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}:\n{svg}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(root.attribute("aria-label"), Some(title));
        assert_eq!(root.attribute("width"), Some("100%"));
        assert!(root.attribute("viewBox").is_some());
        let first = root.first_element_child().unwrap();
        assert_eq!(first.tag_name().name(), "title");
        assert_eq!(first.text(), Some(title));
        doc
    }

    fn share() -> Scale {
        Scale::new(0.0, 1.0, Format::Percent(0))
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn sample_bars() -> Vec<BarRow> {
        vec![
            BarRow::new("Sales", Some(0.42)).interval(0.35, 0.5),
            BarRow::new("Zero", Some(0.0)),
            BarRow::withheld("Small team", "withheld"),
            BarRow::new(
                "A very long organisational unit name that goes on and on and on",
                Some(0.1),
            ),
        ]
    }

    fn legend(diverging: bool) -> HeatLegend {
        HeatLegend {
            min: if diverging { -4.0 } else { 0.0 },
            max: if diverging { 4.0 } else { 1.0 },
            diverging,
            low_label: "low".into(),
            high_label: "high".into(),
            withheld_label: "withheld".into(),
        }
    }

    fn sample_cells() -> Vec<Vec<HeatCell>> {
        vec![
            vec![
                HeatCell::Value {
                    value: 0.0,
                    text: "0%".into(),
                },
                HeatCell::Withheld,
                HeatCell::Value {
                    value: 1.0,
                    text: "100%".into(),
                },
            ],
            vec![HeatCell::Value {
                value: 0.5,
                text: "50%".into(),
            }],
        ]
    }

    fn sample_curves() -> Vec<Curve> {
        let p = |x, y: f64| CurvePoint {
            x,
            y,
            lower: y - 0.1,
            upper: (y + 0.1).min(1.0),
        };
        vec![
            Curve {
                name: "Sales".into(),
                points: vec![p(0.0, 1.0), p(6.0, 0.8), p(24.0, 0.5)],
            },
            Curve {
                name: "IT".into(),
                points: vec![p(12.0, 0.7), p(0.0, 1.0), p(36.0, 0.6)],
            },
        ]
    }

    fn all_charts(label: &str) -> Vec<String> {
        let rows = vec![
            BarRow::new(label, Some(0.3)),
            BarRow::withheld(label, label),
        ];
        let cells = vec![vec![
            HeatCell::Value {
                value: 0.2,
                text: label.into(),
            },
            HeatCell::Withheld,
        ]];
        let series = vec![Series {
            name: label.into(),
            points: vec![Some(0.1), None, Some(0.2)],
        }];
        let curves = vec![Curve {
            name: label.into(),
            points: vec![CurvePoint {
                x: 0.0,
                y: 1.0,
                lower: 1.0,
                upper: 1.0,
            }],
        }];
        let heat_legend = HeatLegend {
            low_label: label.into(),
            high_label: label.into(),
            withheld_label: label.into(),
            ..legend(false)
        };
        vec![
            bars(label, &rows, share()),
            heatmap(
                label,
                label,
                &strings(&[label]),
                &strings(&[label, label]),
                &cells,
                &heat_legend,
            ),
            lines(label, &strings(&[label, "b", "c"]), &series, share()),
            steps(label, label, &curves, share()),
        ]
    }

    #[test]
    fn every_chart_is_well_formed() {
        let x = strings(&["2022", "2023", "2024", "2025"]);
        let series = vec![
            Series {
                name: "Sales".into(),
                points: vec![Some(0.1), Some(0.12), None, Some(0.2)],
            },
            Series {
                name: "IT".into(),
                points: vec![None, Some(0.3), Some(0.25), Some(0.22)],
            },
        ];
        parse(&bars("Bars", &sample_bars(), share()), "Bars");
        let rows = strings(&["Werkdruk", "Salaris"]);
        let columns = strings(&["Sales", "IT", "Operations"]);
        let cells = sample_cells();
        parse(
            &heatmap("h", "Heat", &rows, &columns, &cells, &legend(false)),
            "Heat",
        );
        parse(
            &heatmap("d", "Div", &rows, &columns, &cells, &legend(true)),
            "Div",
        );
        parse(&lines("Lines", &x, &series, share()), "Lines");
        parse(
            &steps("Steps", "months", &sample_curves(), share()),
            "Steps",
        );
        let enps = Scale::new(-100.0, 100.0, Format::Integer);
        let signed = [
            BarRow::new("Low", Some(-90.0)).interval(-100.0, -70.0),
            BarRow::new("High", Some(35.0)),
        ];
        parse(&bars("eNPS", &signed, enps), "eNPS");
    }

    #[test]
    fn empty_input_says_no_data() {
        let charts = [
            bars("A", &[], share()),
            heatmap("h", "A", &[], &strings(&["x"]), &[], &legend(false)),
            heatmap("h", "A", &strings(&["x"]), &[], &[], &legend(false)),
            lines("A", &[], &[], share()),
            lines("A", &strings(&["x"]), &[], share()),
            steps("A", "months", &[], share()),
            steps(
                "A",
                "months",
                &[Curve {
                    name: "c".into(),
                    points: vec![],
                }],
                share(),
            ),
        ];
        for chart in &charts {
            parse(chart, "A");
            assert!(chart.contains(">no data<"), "{chart}");
        }
    }

    #[test]
    fn degenerate_numbers_do_not_break_the_chart() {
        let nan = f64::NAN;
        let odd = Scale::new(nan, f64::INFINITY, Format::Decimal(usize::MAX));
        let rows = [BarRow {
            lower: Some(nan),
            upper: Some(f64::INFINITY),
            ..BarRow::new("a", Some(f64::INFINITY))
        }];
        let svg = bars("Odd", &rows, odd);
        parse(&svg, "Odd");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        let cells = vec![vec![HeatCell::Value {
            value: nan,
            text: "?".into(),
        }]];
        let flat = HeatLegend {
            min: 1.0,
            max: 1.0,
            ..legend(true)
        };
        parse(
            &heatmap(
                "x",
                "Odd",
                &strings(&["r"]),
                &strings(&["c"]),
                &cells,
                &flat,
            ),
            "Odd",
        );
        let series = [Series {
            name: "s".into(),
            points: vec![Some(nan), Some(1e300)],
        }];
        parse(&lines("Odd", &strings(&["a"]), &series, odd), "Odd");
        let p = CurvePoint {
            x: 5.0,
            y: 0.5,
            lower: nan,
            upper: -1.0,
        };
        let curves = [Curve {
            name: "c".into(),
            points: vec![p, CurvePoint { x: nan, ..p }],
        }];
        parse(&steps("Odd", "m", &curves, odd), "Odd");
    }

    #[test]
    fn user_text_is_escaped() {
        let label = "R&D <Team> \"A\" 'b'\u{1}\n";
        for svg in all_charts(label) {
            let doc = parse(&svg, "R&D <Team> \"A\" 'b'\u{FFFD} ");
            assert!(svg.contains("R&amp;D &lt;Team&gt; &quot;A&quot; &#39;b&#39;"));
            assert!(!svg.contains("<Team>") && !svg.contains('\u{1}'));
            // The label is text, never markup: no element is named after it.
            assert!(doc.descendants().all(|n| n.tag_name().name() != "Team"));
        }
    }

    /// The text a reader sees in `node` (its lines joined by spaces), without
    /// its tooltip.
    fn shown(node: roxmltree::Node<'_, '_>) -> String {
        let mut parts = Vec::new();
        for child in node.children() {
            if child.is_text() {
                parts.push(child.text().unwrap().to_owned());
            } else if child.has_tag_name("tspan") {
                parts.push(child.text().unwrap_or("").to_owned());
            }
        }
        parts.join(" ")
    }

    /// The row labels of a bar chart, as shown.
    fn bar_labels(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("g"))
            .filter_map(|g| g.first_element_child())
            .map(shown)
            .collect()
    }

    #[test]
    fn long_labels_wrap_onto_two_lines_and_are_cut_only_beyond() {
        // Wider than the label column: two lines, every word shown, no cut.
        let long = "A very long organisational unit name that goes on and on and on";
        let svg = bars("Bars", &sample_bars(), share());
        let doc = parse(&svg, "Bars");
        let text = doc
            .descendants()
            .find(|n| n.has_tag_name("text") && n.children().any(|c| c.has_tag_name("tspan")))
            .unwrap();
        assert_eq!(shown(text), long);
        assert_eq!(
            text.children().filter(|c| c.has_tag_name("tspan")).count(),
            2
        );
        assert!(!text.children().any(|c| c.has_tag_name("title")));
        for tspan in text.children().filter(|c| c.has_tag_name("tspan")) {
            assert!(text_width(tspan.text().unwrap()) <= BAR_LABEL_MAX, "{svg}");
        }
        // Too long for two lines: cut, with the whole text as a tooltip.
        let longer = "Een probleem op het werk werd snel en naar tevredenheid opgelost door de leidinggevende van mijn afdeling";
        let svg = bars("Bars", &[BarRow::new(longer, Some(0.5))], share());
        let doc = parse(&svg, "Bars");
        let text = doc
            .descendants()
            .find(|n| n.has_tag_name("text") && n.children().any(|c| c.has_tag_name("title")))
            .unwrap();
        let tip = text.children().find(|c| c.has_tag_name("title")).unwrap();
        assert_eq!(tip.text(), Some(longer));
        let seen = shown(text);
        assert!(
            seen.ends_with('…') && seen.starts_with("Een probleem"),
            "{seen}"
        );
        // A title is cut to the chart's width, and kept whole in `<title>`.
        let title = "T".repeat(200);
        let svg = bars(&title, &sample_bars(), share());
        let doc = parse(&svg, &title);
        let shown_title = doc
            .descendants()
            .find(|n| n.attribute("font-weight") == Some("bold"))
            .unwrap()
            .text()
            .unwrap();
        assert!(shown_title.ends_with('…'));
        assert!(text_width_in(shown_title, Font::Title) <= MAX_WIDTH - 16.0);
        // Text widths follow DejaVu Sans: "W" is much wider than "i".
        assert!(text_width("WWWW") > 3.0 * text_width("iiii"));
        assert_eq!(cut_end("abc", 100.0, Font::Body), ("abc".to_owned(), false));
        let (cut, was_cut) = cut_end("ab cd efgh ijkl", text_width("ab cd efg"), Font::Body);
        assert!(was_cut && cut == "ab cd…", "{cut}");
    }

    #[test]
    fn cut_labels_never_read_alike() {
        let statements = [
            "Een probleem op het werk werd snel en naar tevredenheid opgelost, zonder dat ik daar zelf veel moeite voor hoefde te doen, door mijn directe leidinggevende",
            "Een probleem op het werk werd snel en naar tevredenheid opgelost, zonder dat ik daar zelf veel moeite voor hoefde te doen, door de afdeling personeelszaken",
            "Een probleem op het werk werd snel en naar tevredenheid opgelost, zonder dat ik daar zelf veel moeite voor hoefde te doen, door mijn collega's in het team",
            "Een kort label",
        ];
        let rows: Vec<BarRow> = statements
            .iter()
            .map(|s| BarRow::new(*s, Some(0.5)))
            .collect();
        let svg = bars("Stellingen", &rows, share());
        parse(&svg, "Stellingen");
        let labels = bar_labels(&svg);
        assert_eq!(labels.len(), 4);
        let mut unique = labels.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 4, "{labels:?}");
        // Each cut label keeps its distinguishing end.
        assert!(labels[0].contains("leidinggevende"), "{labels:?}");
        assert!(labels[1].contains("personeelszaken"), "{labels:?}");
        assert!(labels[2].contains("het team"), "{labels:?}");
        assert_eq!(labels[3], "Een kort label");
        // One-line labels (heat-map columns) keep their start and their end.
        let columns = [
            "Barrier Reef Institute of TAFE / Delivery (teaching)",
            "Barrier Reef Institute of TAFE / Non-Delivery (corporate)",
        ];
        let fitted = fit_labels(&columns, COLUMN_LABEL_MAX, 1);
        assert_ne!(fitted[0].lines, fitted[1].lines);
        for (f, full) in fitted.iter().zip(columns) {
            let line = &f.lines[0];
            assert!(f.cut && line.contains('…'), "{line}");
            assert!(line.ends_with(&full[full.len() - 6..]), "{line}");
            assert!(text_width(line) <= COLUMN_LABEL_MAX, "{line}");
        }
        // Labels that differ in the middle show the middle.
        let middle = [
            "The quarterly survey of the north region about workload and pay",
            "The quarterly survey of the south region about workload and pay",
        ];
        let fitted = fit_labels(&middle, 150.0, 1);
        assert_ne!(fitted[0].lines, fitted[1].lines, "{fitted:?}");
        // Identical labels stay identical (nothing tells them apart).
        let same = fit_labels(&[middle[0], middle[0]], 150.0, 1);
        assert_eq!(same[0], same[1]);
    }

    #[test]
    fn a_wide_heat_map_is_transposed_or_split_to_fit_the_page() {
        let reasons: Vec<String> = (0..10).map(|i| format!("Reason number {i}")).collect();
        let units: Vec<String> = (0..24)
            .map(|i| format!("Institute {} / Delivery (teaching)", i / 2))
            .collect();
        let value = HeatCell::Value {
            value: 0.1,
            text: "10%".into(),
        };
        let cells = vec![vec![value.clone(); units.len()]; reasons.len()];
        let svg = heatmap("w", "Wide", &reasons, &units, &cells, &legend(false));
        let doc = parse(&svg, "Wide");
        let width = |doc: &roxmltree::Document<'_>| -> f64 {
            let view = doc.root_element().attribute("viewBox").unwrap();
            view.split(' ').nth(2).unwrap().parse().unwrap()
        };
        assert!(width(&doc) <= MAX_WIDTH, "{}", width(&doc));
        // Transposed: units are rows now, and each cell says which is which.
        assert!(svg.contains("Institute 3 / Delivery (teaching) · Reason number 7: 10%"));
        assert_eq!(svg.matches("<rect x").count(), 240 + 5 + 1);
        // Too many columns either way: split into panels, each of them fitting.
        let many: Vec<String> = (0..40).map(|i| format!("Unit {i:02}")).collect();
        let cells = vec![vec![value; many.len()]; many.len()];
        let svg = heatmap("m", "Many", &many, &many, &cells, &legend(false));
        let doc = parse(&svg, "Many");
        assert!(width(&doc) <= MAX_WIDTH, "{}", width(&doc));
        assert_eq!(svg.matches("<rect x").count(), 1600 + 5 + 1);
        // Every column label appears once per panel it heads: 40 in all.
        let column_labels = doc
            .descendants()
            .filter(|n| {
                n.attribute("transform")
                    .is_some_and(|t| t.contains("rotate(-45)"))
            })
            .count();
        assert_eq!(column_labels, 40);
        // A small heat map keeps its orientation.
        let svg = heatmap(
            "s",
            "Small",
            &strings(&["Werkdruk"]),
            &strings(&["Sales", "IT"]),
            &sample_cells(),
            &legend(false),
        );
        assert!(svg.contains("Werkdruk · Sales: 0%"));
    }

    #[test]
    fn curve_ends_are_named_without_overlap() {
        let p = |x, y: f64| CurvePoint {
            x,
            y,
            lower: y - 0.05,
            upper: y + 0.05,
        };
        let curves: Vec<Curve> = (0..6)
            .map(|k| Curve {
                name: format!("Unit {k}"),
                points: vec![p(0.0, 1.0), p(5.0, 0.5), p(10.0, 0.3 + 0.001 * count(k))],
            })
            .collect();
        let svg = steps("S", "years", &curves, share());
        let doc = parse(&svg, "S");
        // Names at the ends, at least a line apart.
        let mut ys: Vec<f64> = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name("text")
                    && n.text().is_some_and(|t| t.starts_with("Unit "))
                    && n.attribute("x")
                        .is_some_and(|x| x.parse::<f64>().unwrap() > 584.0)
            })
            .map(|n| n.attribute("y").unwrap().parse().unwrap())
            .collect();
        assert_eq!(ys.len(), 6);
        ys.sort_by(f64::total_cmp);
        assert!(ys.windows(2).all(|w| w[1] - w[0] >= 13.9), "{ys:?}");
        // One band only, for more than three curves.
        let bands = doc
            .descendants()
            .filter(|n| n.attribute("fill-opacity") == Some("0.15"))
            .count();
        assert_eq!(bands, 1);
        // Ticks at whole years.
        for year in 0..=10 {
            assert!(svg.contains(&format!(">{year}</text>")), "{year}");
        }
        assert_eq!(
            spread(&[10.0, 10.0, 300.0], 14.0, 0.0, 100.0),
            vec![10.0, 24.0, 100.0]
        );
        assert_eq!(spread(&[99.0, 100.0], 14.0, 0.0, 100.0), vec![86.0, 100.0]);
    }

    #[test]
    fn nice_maxima_are_round() {
        let round = |x: f64| nice_max(x).to_string();
        assert_eq!(round(0.15), "0.15");
        assert_eq!(round(0.151), "0.2");
        assert_eq!(round(1.0), "1");
        assert_eq!(round(7.3), "8");
        assert_eq!(round(0.0042), "0.005");
        assert_eq!(round(f64::NAN), "1");
    }

    /// The `<g>` of a bar chart's row whose label is `label`.
    fn bar_row<'a>(doc: &'a roxmltree::Document<'a>, label: &str) -> roxmltree::Node<'a, 'a> {
        doc.descendants()
            .find(|n| {
                n.has_tag_name("g") && n.first_element_child().and_then(|t| t.text()) == Some(label)
            })
            .unwrap()
    }

    #[test]
    fn a_withheld_bar_has_its_note_and_no_bar_and_differs_from_zero() {
        let svg = bars("Bars", &sample_bars(), share());
        let doc = parse(&svg, "Bars");
        let withheld = bar_row(&doc, "Small team");
        assert!(withheld.descendants().all(|n| !n.has_tag_name("rect")));
        let texts: Vec<_> = withheld
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .collect();
        assert_eq!(texts.len(), 2);
        assert_eq!(texts[1].text(), Some("withheld"));
        assert_eq!(texts[1].attribute("font-style"), Some("italic"));
        assert_eq!(texts[1].attribute("fill"), Some(MUTED));

        let zero = bar_row(&doc, "Zero");
        let rect = zero.descendants().find(|n| n.has_tag_name("rect")).unwrap();
        assert_eq!(rect.attribute("width"), Some("0.0"));
        let value = zero
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .nth(1)
            .unwrap();
        assert_eq!(value.text(), Some("0%"));
        assert_eq!(value.attribute("font-style"), None);

        // Without a note, a withheld row still says so.
        let svg = bars("B", &[BarRow::new("x", None)], share());
        assert!(svg.contains(">withheld<"));
    }

    #[test]
    fn a_withheld_heat_cell_is_hatched_not_coloured() {
        let rows = strings(&["Werkdruk", "Salaris"]);
        let columns = strings(&["Sales", "IT", "Ops"]);
        let svg = heatmap(
            "reasons",
            "Heat",
            &rows,
            &columns,
            &sample_cells(),
            &legend(false),
        );
        let doc = parse(&svg, "Heat");
        let pattern = doc
            .descendants()
            .find(|n| n.has_tag_name("pattern"))
            .unwrap();
        assert_eq!(pattern.attribute("id"), Some("exitcore-reasons-hatch"));
        let cell = |tip: &str| {
            doc.descendants()
                .find(|n| {
                    n.has_tag_name("rect")
                        && n.first_element_child().and_then(|t| t.text()) == Some(tip)
                })
                .unwrap()
        };
        let withheld = cell("Werkdruk · IT: withheld");
        assert_eq!(
            withheld.attribute("fill"),
            Some("url(#exitcore-reasons-hatch)")
        );
        let zero = cell("Werkdruk · Sales: 0%");
        assert_eq!(zero.attribute("fill"), Some("#f7f7f7"));
        assert_eq!(
            cell("Werkdruk · Ops: 100%").attribute("fill"),
            Some("#0072b2")
        );
        // The withheld cell has no text; the zero cell has its own.
        assert!(
            doc.descendants()
                .any(|n| n.has_tag_name("text") && n.text() == Some("0%"))
        );
        // Cells missing from a short row are left blank.
        assert!(svg.contains("Salaris · Sales: 50%") && !svg.contains("Salaris · IT"));
        // The legend shows the hatch too: the withheld cell and its swatch.
        assert_eq!(svg.matches("url(#exitcore-reasons-hatch)").count(), 2);
        // Diverging: low end vermillion, midpoint light, high end blue.
        assert_eq!(heat_colour(0.0, true), "#d55e00");
        assert_eq!(heat_colour(0.5, true), "#f7f7f7");
        assert_eq!(heat_colour(1.0, true), "#0072b2");
        assert!(dark("#0072b2") && !dark("#f7f7f7"));
    }

    #[test]
    fn heat_maps_with_distinct_ids_have_distinct_patterns() {
        let rows = strings(&["r"]);
        let columns = strings(&["c"]);
        let cells = vec![vec![HeatCell::Withheld]];
        let a = heatmap(
            "reasons-2024",
            "Same",
            &rows,
            &columns,
            &cells,
            &legend(false),
        );
        let b = heatmap(
            "reasons-2025",
            "Same",
            &rows,
            &columns,
            &cells,
            &legend(false),
        );
        let id = |svg: &str| {
            let doc = parse(svg, "Same");
            let pattern = doc
                .descendants()
                .find(|n| n.has_tag_name("pattern"))
                .unwrap();
            pattern.attribute("id").unwrap().to_owned()
        };
        assert_ne!(id(&a), id(&b));
        // An id with characters unsafe in XML or url(#…) is reduced, not copied.
        let odd = heatmap(
            "a\"b) <c>#d",
            "Same",
            &rows,
            &columns,
            &cells,
            &legend(false),
        );
        assert_eq!(id(&odd), "exitcore-abcd-hatch");
    }

    #[test]
    fn output_is_deterministic() {
        let x = strings(&["q1", "q2", "q3"]);
        let series = vec![Series {
            name: "s".into(),
            points: vec![Some(0.1), None, Some(0.3)],
        }];
        let rows = strings(&["a", "b"]);
        let columns = strings(&["x", "y", "z"]);
        let make = || {
            [
                bars("B", &sample_bars(), share()),
                heatmap("h", "H", &rows, &columns, &sample_cells(), &legend(true)),
                lines("L", &x, &series, share()),
                steps("S", "months", &sample_curves(), share()),
            ]
        };
        assert_eq!(make(), make());
        for svg in make() {
            // Every coordinate is written with at most one decimal: no
            // floating-point noise such as 0.6000000000000001.
            let doc = parse(
                &svg,
                &svg[svg.find("<title>").unwrap() + 7..svg.find("</title>").unwrap()],
            );
            for node in doc.descendants() {
                for name in [
                    "x", "y", "x1", "y1", "x2", "y2", "width", "height", "cx", "cy",
                ] {
                    if let Some(v) = node.attribute(name).filter(|v| *v != "100%") {
                        assert!(v.parse::<f64>().is_ok(), "{name}={v}");
                        assert!(
                            v.split('.').nth(1).is_none_or(|d| d.len() == 1),
                            "{name}={v}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn missing_points_split_the_line() {
        let x = strings(&["a", "b", "c", "d", "e"]);
        let series = vec![Series {
            name: "s".into(),
            points: vec![Some(0.1), Some(0.2), None, Some(0.3), Some(0.4)],
        }];
        let svg = lines("L", &x, &series, share());
        let doc = parse(&svg, "L");
        let path = doc
            .descendants()
            .find(|n| n.has_tag_name("path") && n.attribute("stroke-width") == Some("2"))
            .unwrap();
        let d = path.attribute("d").unwrap();
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(d.matches('L').count(), 2, "{d}");
        // Four markers (circles for the first series), none for the gap.
        let markers = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count();
        assert_eq!(markers, 4 + 1, "four points and the legend's sample");
        // A point alone between gaps has its marker but no line.
        let lone = vec![Series {
            name: "s".into(),
            points: vec![None, Some(0.5), None],
        }];
        let svg = lines("L", &x[..3], &lone, share());
        assert!(!svg.contains(r#"stroke-linejoin="round""#));
        assert_eq!(svg.matches("<circle").count(), 2);
    }

    #[test]
    fn series_differ_by_colour_dash_and_marker() {
        let x = strings(&["a", "b"]);
        let series: Vec<Series> = (0..3)
            .map(|i| Series {
                name: format!("s{i}"),
                points: vec![Some(0.1), Some(0.2)],
            })
            .collect();
        let svg = lines("L", &x, &series, share());
        let doc = parse(&svg, "L");
        let paths: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("path") && n.attribute("stroke-linejoin").is_some())
            .collect();
        assert_eq!(paths.len(), 3);
        let styles: Vec<_> = paths
            .iter()
            .map(|p| (p.attribute("stroke"), p.attribute("stroke-dasharray")))
            .collect();
        assert_eq!(styles[0], (Some("#0072B2"), Some("none")));
        assert_eq!(styles[1], (Some("#D55E00"), Some("7 3")));
        assert_eq!(styles[2], (Some("#009E73"), Some("2 2")));
        assert!(
            svg.contains("<circle")
                && svg.contains("<rect x")
                && svg.contains("Z\" fill=\"#009E73\"")
        );
    }

    #[test]
    fn at_most_twelve_x_labels_are_written() {
        let x: Vec<String> = (0..30).map(|i| format!("m{i:02}")).collect();
        let series = vec![Series {
            name: "s".into(),
            points: vec![Some(0.5); 30],
        }];
        let svg = lines("L", &x, &series, share());
        let doc = parse(&svg, "L");
        let shown: Vec<_> = doc
            .descendants()
            .filter(roxmltree::Node::is_text)
            .filter_map(|n| n.text())
            .filter(|t| t.starts_with('m') && t.len() == 3)
            .collect();
        assert!(shown.len() <= 12 && shown.len() >= 10, "{shown:?}");
        assert_eq!(shown[0], "m00");
        // Every point still has its marker.
        assert_eq!(svg.matches("<circle").count(), 31);
    }

    #[test]
    fn steps_have_a_band_and_a_step_line_per_curve() {
        let svg = steps("S", "months", &sample_curves(), share());
        let doc = parse(&svg, "S");
        let bands = doc
            .descendants()
            .filter(|n| n.attribute("fill-opacity") == Some("0.15"))
            .count();
        assert_eq!(bands, 2);
        let lines: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("path") && n.attribute("stroke-dasharray").is_some())
            .map(|n| n.attribute("d").unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        // Steps are horizontal then vertical moves, in order of x.
        assert!(
            lines
                .iter()
                .all(|d| d.contains('H') && d.contains('V') && !d.contains('L'))
        );
        assert!(svg.contains(">months<") && svg.contains(">30<") && svg.contains(">100%<"));
    }

    #[test]
    fn values_are_formatted_with_the_chosen_separator() {
        let comma = |format| Scale {
            decimal_comma: true,
            ..Scale::new(0.0, 1.0, format)
        };
        assert_eq!(comma(Format::Percent(1)).format_value(0.125), "12,5%");
        assert_eq!(comma(Format::Decimal(2)).format_value(3.456), "3,46");
        assert_eq!(
            Scale::new(0.0, 1.0, Format::Percent(1)).format_value(0.125),
            "12.5%"
        );
        assert_eq!(
            Scale::new(0.0, 1.0, Format::Integer).format_value(-0.4),
            "0"
        );
        assert_eq!(
            Scale::new(0.0, 1.0, Format::Decimal(1)).format_value(-0.01),
            "0.0"
        );
        assert_eq!(
            Scale::new(0.0, 1.0, Format::Integer).format_value(-12.6),
            "-13"
        );
        let svg = bars(
            "B",
            &[BarRow::new("a", Some(0.125))],
            comma(Format::Percent(1)),
        );
        // Ticks take only the decimals their step needs.
        assert!(svg.contains(">12,5%<") && svg.contains(">20%<"));
        let likert = Scale::new(1.0, 5.0, Format::Decimal(2));
        assert_eq!(likert.tick_scale(0.5).format_value(1.5), "1.5");
        assert_eq!(likert.tick_scale(1.0).format_value(2.0), "2");
        assert_eq!(num(-0.01), "0.0");
        assert_eq!(num(f64::NAN), "0.0");
    }

    #[test]
    fn ticks_are_round() {
        let ticks = |lo, hi| {
            let (ticks, step) = nice_ticks(lo, hi, 4.0);
            ticks
                .iter()
                .map(|t| format!("{t:.3}"))
                .collect::<Vec<_>>()
                .join(" ")
                + &format!(" by {step}")
        };
        assert_eq!(
            ticks(0.0, 1.0),
            "0.000 0.200 0.400 0.600 0.800 1.000 by 0.2"
        );
        assert_eq!(ticks(1.0, 5.0), "1.000 2.000 3.000 4.000 5.000 by 1");
        assert_eq!(
            ticks(-100.0, 100.0),
            "-100.000 -50.000 0.000 50.000 100.000 by 50"
        );
        assert_eq!(ticks(0.0, 36.0), "0.000 10.000 20.000 30.000 by 10");
        assert_eq!(
            ticks(0.0, 0.25),
            "0.000 0.050 0.100 0.150 0.200 0.250 by 0.05"
        );
        assert_eq!(
            (
                decimals_for(10.0),
                decimals_for(1.0),
                decimals_for(0.2),
                decimals_for(0.05)
            ),
            (0, 0, 1, 2)
        );
    }

    /// Writes one of each chart to `/tmp/svg_sample.html` for looking at.
    #[test]
    #[ignore = "writes a sample page to /tmp for eyeballing"]
    fn sample_page() {
        let dutch = |format| Scale {
            decimal_comma: true,
            ..Scale::new(0.0, 1.0, format)
        };
        let reasons = vec![
            BarRow::new("Werkdruk", Some(0.31)).interval(0.26, 0.37),
            BarRow::new("Salaris & voorwaarden", Some(0.22)).interval(0.17, 0.28),
            BarRow::new("Leidinggevende", Some(0.0)).interval(0.0, 0.04),
            BarRow::withheld("R&D <Team> \"A\"", "niet getoond (n < 5)"),
            BarRow::new(
                "Doorgroeimogelijkheden binnen de eigen afdeling",
                Some(0.125),
            )
            .interval(0.09, 0.17),
        ];
        let enps = vec![
            BarRow::new("Sales", Some(-42.0)).interval(-60.0, -20.0),
            BarRow::new("IT", Some(12.0)).interval(-5.0, 30.0),
            BarRow::new("Zorg", Some(-95.0)).interval(-100.0, -80.0),
            BarRow::withheld("Klein team", "withheld"),
        ];
        let rows = strings(&["Werkdruk", "Salaris", "Leidinggevende", "Cultuur"]);
        let columns = strings(&[
            "Sales",
            "IT",
            "Operations & Logistics",
            "Zorg",
            "Financiën en control",
        ]);
        let residual = |v: f64| HeatCell::Value {
            value: v,
            text: format!("{v:+.1}").replace('.', ","),
        };
        let cells = vec![
            vec![
                residual(2.8),
                residual(-1.2),
                HeatCell::Withheld,
                residual(0.1),
                residual(-3.9),
            ],
            vec![
                residual(-0.4),
                residual(3.5),
                residual(1.1),
                HeatCell::Withheld,
                residual(0.0),
            ],
            vec![
                residual(-2.2),
                residual(0.6),
                residual(-0.9),
                residual(4.8),
                residual(1.9),
            ],
            vec![
                residual(0.3),
                HeatCell::Withheld,
                residual(-1.6),
                residual(2.1),
                residual(-0.2),
            ],
        ];
        let heat_legend = HeatLegend {
            min: -4.0,
            max: 4.0,
            diverging: true,
            low_label: "minder dan verwacht".into(),
            high_label: "meer dan verwacht".into(),
            withheld_label: "niet getoond".into(),
        };
        let shares = vec![
            vec![
                HeatCell::Value {
                    value: 0.05,
                    text: "5%".into(),
                },
                HeatCell::Value {
                    value: 0.5,
                    text: "50%".into(),
                },
                HeatCell::Withheld,
            ],
            vec![
                HeatCell::Value {
                    value: 0.8,
                    text: "80%".into(),
                },
                HeatCell::Value {
                    value: 0.0,
                    text: "0%".into(),
                },
                HeatCell::Value {
                    value: 0.3,
                    text: "30%".into(),
                },
            ],
        ];
        let months: Vec<String> = (0..24)
            .map(|i| format!("{}-{:02}", 2023 + i / 12, i % 12 + 1))
            .collect();
        let wave = |phase: f64, gap: usize| -> Vec<Option<f64>> {
            (0..24)
                .map(|i| {
                    (i != gap && i != gap + 1)
                        .then(|| 0.12 + 0.05 * crate::stats::special::sin(count(i) / 3.0 + phase))
                })
                .collect()
        };
        let series: Vec<Series> = ["Sales", "IT", "Zorg", "Operations"]
            .iter()
            .enumerate()
            .map(|(k, name)| Series {
                name: (*name).into(),
                points: wave(count(k), 5 + 4 * k),
            })
            .collect();
        let km = |rate: f64| -> Vec<CurvePoint> {
            let mut y: f64 = 1.0;
            (0..=12)
                .map(|i| {
                    let p = CurvePoint {
                        x: count(i) * 6.0,
                        y,
                        lower: (y - 0.04 - 0.01 * count(i)).max(0.0),
                        upper: (y + 0.04 + 0.01 * count(i)).min(1.0),
                    };
                    y *= 1.0 - rate;
                    p
                })
                .collect()
        };
        let curves = vec![
            Curve {
                name: "Sales".into(),
                points: km(0.06),
            },
            Curve {
                name: "IT".into(),
                points: km(0.03),
            },
            Curve {
                name: "Zorg".into(),
                points: km(0.09),
            },
        ];
        let charts = [
            bars(
                "Vertrekredenen (aandeel vertrekkers)",
                &reasons,
                dutch(Format::Percent(1)),
            ),
            bars(
                "eNPS per afdeling",
                &enps,
                Scale::new(-100.0, 100.0, Format::Integer),
            ),
            heatmap(
                "resid",
                "Redenen per afdeling (gecorrigeerde residuen)",
                &rows,
                &columns,
                &cells,
                &heat_legend,
            ),
            heatmap(
                "share",
                "Aandeel per afdeling",
                &rows[..2],
                &columns[..3],
                &shares,
                &HeatLegend {
                    min: 0.0,
                    max: 1.0,
                    diverging: false,
                    low_label: "0%".into(),
                    high_label: "100%".into(),
                    withheld_label: "niet getoond".into(),
                },
            ),
            lines(
                "Verloop per maand",
                &months,
                &series,
                Scale {
                    max: 0.25,
                    ..dutch(Format::Percent(0))
                },
            ),
            steps(
                "Nog in dienst",
                "maanden",
                &curves,
                dutch(Format::Percent(0)),
            ),
            bars("Leeg", &[], share()),
        ];
        let mut page = String::from(
            "<!doctype html><html lang=\"nl\"><meta charset=\"utf-8\"><title>svg sample</title><body style=\"font-family:system-ui,sans-serif;max-width:900px;margin:2em auto\">",
        );
        for chart in charts {
            page.push_str("<figure style=\"margin:1em 0\">");
            page.push_str(&chart);
            page.push_str("</figure>");
        }
        page.push_str("</body></html>");
        std::fs::write("/tmp/svg_sample.html", page).unwrap();
    }
}
