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
/// Average advance of one character at font size 12 in a system sans-serif.
const CHAR_W: f64 = 6.5;
/// Average advance of one character of the title (bold, font size 14).
const TITLE_CHAR_W: f64 = 8.2;
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
        let (ticks, step) = nice_ticks(lo, hi);
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
    let label_x = 186.0;
    let x0 = 196.0;
    let x1 = WIDTH - 84.0;
    let row_h = 24.0;
    let plot_top = TOP + 4.0;
    let axis_y = plot_top + count(rows.len()) * row_h;
    let height = axis_y + 28.0;
    let (lo, hi) = scale.bounds();
    let xb = scale.position(0.0_f64.clamp(lo, hi), x0, x1);

    let mut s = String::new();
    open(&mut s, WIDTH, height, title);
    value_axis_x(&mut s, &scale, x0, x1, plot_top, axis_y);
    put!(
        s,
        r#"<line x1="{b}" y1="{t}" x2="{b}" y2="{a}" stroke="{INK}"/>"#,
        b = num(xb),
        t = num(plot_top),
        a = num(axis_y)
    );
    for (i, row) in rows.iter().enumerate() {
        let cy = plot_top + (count(i) + 0.5) * row_h;
        s.push_str("<g>");
        text_label(&mut s, label_x, cy + 4.0, "end", &row.label, 28, "");
        match row.value.filter(|v| v.is_finite()) {
            None => {
                let note = row.note.as_deref().unwrap_or("withheld");
                let (x, anchor) = if xb > x1 - 60.0 {
                    (xb - 6.0, "end")
                } else {
                    (xb + 6.0, "start")
                };
                text_label(
                    &mut s,
                    x,
                    cy + 4.0,
                    anchor,
                    note,
                    40,
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
/// A withheld cell is filled with a hatch pattern, never with a colour from
/// the scale. The pattern is defined inside the chart with the id
/// `exitcore-{id}-hatch` (`id` reduced to ASCII letters, digits, `-` and
/// `_`): charts on one HTML page must have distinct `id`s, since element ids
/// are shared across a page. A row of `cells` shorter than `columns` leaves
/// its missing cells blank; extra cells are ignored.
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
    let hatch = format!("exitcore-{}-hatch", sanitise_id(id));
    let label_x = 166.0;
    let x0 = 176.0;
    let cell_w = 60.0;
    let cell_h = 26.0;
    let column_chars = columns
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0)
        .min(22);
    // Column labels are rotated 45°: their extent is the text width / √2.
    let slant = count(column_chars) * CHAR_W * std::f64::consts::FRAC_1_SQRT_2;
    let grid_top = TOP + slant + 12.0;
    let grid_w = count(columns.len()) * cell_w;
    let grid_bottom = grid_top + count(rows.len()) * cell_h;
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
    let title_w = count(title.chars().count()) * TITLE_CHAR_W + 16.0;
    let width = (x0 + grid_w + slant + 8.0)
        .max(8.0 + legend_w + 8.0)
        .max(title_w.min(WIDTH))
        .max(360.0);
    let legend_y = grid_bottom + 18.0;
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
    for (j, column) in columns.iter().enumerate() {
        let x = x0 + (count(j) + 0.5) * cell_w;
        let (shown, cut) = truncate(column, 22);
        put!(
            s,
            r#"<text transform="translate({} {}) rotate(-45)">"#,
            num(x - 2.0),
            num(grid_top - 6.0)
        );
        if cut {
            put!(s, "<title>{}</title>", escape(column));
        }
        put!(s, "{}</text>", escape(&shown));
    }
    for (i, row) in rows.iter().enumerate() {
        let y = grid_top + count(i) * cell_h;
        text_label(&mut s, label_x, y + cell_h / 2.0 + 4.0, "end", row, 26, "");
        let cells_of_row = cells.get(i).map_or(&[][..], Vec::as_slice);
        for (j, (column, cell)) in columns.iter().zip(cells_of_row).enumerate() {
            let x = x0 + count(j) * cell_w;
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
            let tip = match text {
                Some(text) => text.as_str(),
                None => legend.withheld_label.as_str(),
            };
            put!(
                s,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" stroke="#ffffff"><title>{} · {}: {}</title></rect>"##,
                num(x),
                num(y),
                num(cell_w),
                num(cell_h),
                escape(row),
                escape(column),
                escape(tip)
            );
            if let Some(text) = text {
                let ink = if fill.starts_with('#') && dark(&fill) {
                    "#ffffff"
                } else {
                    INK
                };
                let (shown, _) = truncate(text, 9);
                put!(
                    s,
                    r#"<text x="{}" y="{}" text-anchor="middle" fill="{ink}">{}</text>"#,
                    num(x + cell_w / 2.0),
                    num(y + cell_h / 2.0 + 4.0),
                    escape(&shown)
                );
            }
        }
    }
    // The legend: low words, swatches along the scale, high words, the hatch.
    let mut x = 8.0;
    let ty = num(legend_y + 10.0);
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
            num(legend_y),
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
        num(legend_y)
    );
    x += 28.0;
    put!(
        s,
        r#"<text x="{}" y="{ty}">{}</text>"#,
        num(x),
        escape(&legend.withheld_label)
    );
    close(&mut s);
    s
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
    let (legend_at, legend_h) = legend_layout(&names, x0, x1);
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
    let label_chars = x_labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .min(16);
    let room = if slots == 1 {
        x1 - x0
    } else {
        count(every) * (x1 - x0) / count(slots - 1)
    };
    let rotate = count(label_chars) * CHAR_W > room - 6.0;
    let height = plot_bottom
        + if rotate {
            count(label_chars) * CHAR_W * 0.6 + 24.0
        } else {
            26.0
        };

    let mut s = String::new();
    open(&mut s, WIDTH, height, title);
    legend(&mut s, &names, &legend_at, TOP);
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
            let (shown, cut) = truncate(label, 16);
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
                16,
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
/// the x axis (from zero, or the smallest x if negative) titled `x_label`.
///
/// Points are drawn in order of `x`; points with a non-finite `x` or `y` are
/// skipped, and a non-finite interval end is taken as `y`. Each curve ends in
/// its marker, which the legend repeats.
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
    let (x_ticks, step) = nice_ticks(lo, hi);
    let x_scale = Scale {
        decimal_comma: scale.decimal_comma,
        ..Scale::new(lo, hi, Format::Decimal(decimals_for(step)))
    };

    let x0 = 64.0;
    let x1 = WIDTH - 24.0;
    let names: Vec<&str> = cleaned.iter().map(|(name, _)| *name).collect();
    let (legend_at, legend_h) = legend_layout(&names, x0, x1);
    let plot_top = TOP + legend_h + 10.0;
    let plot_bottom = plot_top + 220.0;
    let height = plot_bottom + 44.0;

    let mut s = String::new();
    open(&mut s, WIDTH, height, title);
    legend(&mut s, &names, &legend_at, TOP);
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
        60,
        "",
    );
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
        put!(
            s,
            r#"<g><title>{}</title><path d="{band}" fill="{colour}" fill-opacity="0.15" stroke="none"/><path d="{line}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{}"/>"#,
            escape(name),
            DASHES[k % DASHES.len()]
        );
        marker(&mut s, k, px(last), py(last.y));
        s.push_str("</g>");
    }
    close(&mut s);
    s
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

/// Where each legend entry goes (left to right, wrapping at `x1`), relative
/// to the legend's top, and the legend's height.
fn legend_layout(names: &[&str], x0: f64, x1: f64) -> (Vec<(f64, f64)>, f64) {
    let mut at = Vec::with_capacity(names.len());
    let (mut x, mut y) = (x0, 0.0);
    for name in names {
        let w = 30.0 + text_width(&truncate(name, 30).0) + 16.0;
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
fn legend(s: &mut String, names: &[&str], at: &[(f64, f64)], top: f64) {
    for (k, (name, (x, y))) in names.iter().zip(at).enumerate() {
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
        text_label(s, x + 30.0, cy + 4.0, "start", name, 30, "");
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

/// Round tick values from `lo` to `hi` (about five) and their step.
fn nice_ticks(lo: f64, hi: f64) -> (Vec<f64>, f64) {
    let raw = (hi - lo) / 4.0;
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
    let ticks = (0..12)
        .map(|i| first + count(i) * step)
        .take_while(|t| *t <= hi + step * 1e-9)
        .map(|t| if t.abs() < step * 1e-9 { 0.0 } else { t })
        .collect();
    (ticks, step)
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
    let (shown, _) = truncate(title, fitting(width - 16.0, TITLE_CHAR_W));
    put!(
        s,
        r#"<text x="8" y="20" font-size="14" font-weight="bold">{}</text>"#,
        escape(&shown)
    );
}

/// How many characters `char_w` wide fit in `width` (at least 8).
// The quotient is clamped to 8..=10 000 first, so the cast is exact.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn fitting(width: f64, char_w: f64) -> usize {
    let chars = (width / char_w).floor();
    if chars.is_finite() {
        chars.clamp(8.0, 10_000.0) as usize
    } else {
        8
    }
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

/// A `<text>` at `(x, y)` with `anchor`, cut to `max` characters with an
/// ellipsis and the full text as a tooltip when cut; `attrs` are written into
/// the element as they are.
fn text_label(s: &mut String, x: f64, y: f64, anchor: &str, text: &str, max: usize, attrs: &str) {
    let (shown, cut) = truncate(text, max);
    put!(
        s,
        r#"<text x="{}" y="{}" text-anchor="{anchor}"{attrs}>"#,
        num(x),
        num(y)
    );
    if cut {
        put!(s, "<title>{}</title>", escape(text));
    }
    put!(s, "{}</text>", escape(&shown));
}

/// `text` cut to at most `max` characters, ending in an ellipsis when cut,
/// and whether it was cut.
fn truncate(text: &str, max: usize) -> (String, bool) {
    if text.chars().count() <= max {
        return (text.to_owned(), false);
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    (cut, true)
}

/// The estimated width of `text` at font size 12.
fn text_width(text: &str) -> f64 {
    count(text.chars().count()) * CHAR_W
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
                "A very long organisational unit name that goes on",
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

    #[test]
    fn long_labels_are_cut_with_the_full_text_as_a_tooltip() {
        let long = "A very long organisational unit name that goes on";
        let svg = bars("Bars", &sample_bars(), share());
        let doc = parse(&svg, "Bars");
        let text = doc
            .descendants()
            .find(|n| n.has_tag_name("text") && n.children().any(|c| c.has_tag_name("title")))
            .unwrap();
        let tip = text.children().find(|c| c.has_tag_name("title")).unwrap();
        assert_eq!(tip.text(), Some(long));
        let shown = text
            .children()
            .filter(roxmltree::Node::is_text)
            .map(|c| c.text().unwrap())
            .collect::<String>();
        assert!(
            shown.ends_with('…') && shown.chars().count() <= 28,
            "{shown}"
        );
        assert_eq!(truncate("abc", 3), ("abc".to_owned(), false));
        assert_eq!(truncate("ab cd", 4), ("ab…".to_owned(), true));
        // A title is cut to the chart's width, and kept whole in `<title>`.
        let title = "T".repeat(200);
        let svg = bars(&title, &sample_bars(), share());
        let doc = parse(&svg, &title);
        let shown = doc
            .descendants()
            .find(|n| n.attribute("font-weight") == Some("bold"))
            .unwrap();
        assert_eq!(
            shown.text().unwrap().chars().count(),
            fitting(WIDTH - 16.0, TITLE_CHAR_W)
        );
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
            let (ticks, step) = nice_ticks(lo, hi);
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
