//! Insights: the significant findings of an analysis, ranked by effect size
//! and told as plain sentences in Dutch and English.

use std::fmt::{self, Write as _};

use serde::Serialize;

use super::{Finding, FindingKind};
use crate::privacy::{CellKey, Dimension};
use crate::report::value_label;
use crate::stats::special::{ln, sin};
use crate::stats::total_order;
use crate::{Dataset, Lang, QuestionKind, Result};

/// A significant finding as a person would say it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Insight {
    /// The finding behind it.
    pub finding: Finding,
    /// Effect size on a common scale (Cohen's d equivalent), so reason and
    /// score findings rank together: ln(odds ratio) x sqrt(3) / pi for
    /// reasons (Chinn 2000), 2r / sqrt(1 - r^2) from the rank-biserial r for
    /// scores. Its sign says whether the group is above (+) or below (-) the rest.
    pub effect: f64,
    /// The sentence in Dutch.
    pub nl: String,
    /// The sentence in English.
    pub en: String,
}

impl Insight {
    /// The sentence in `lang`.
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.nl,
            Lang::En => &self.en,
        }
    }
}

/// The significant findings of `findings`, strongest effect first. From
/// [`crate::parallel::FROM_RECORDS`] records (thousands of significant
/// findings) the sentences are written on the machine's threads.
pub(crate) fn insights(dataset: &Dataset, findings: &[Finding]) -> Result<Vec<Insight>> {
    let significant: Vec<(&Finding, f64)> = findings
        .iter()
        .filter(|f| f.significant)
        .filter_map(|f| Some((f, effect(&f.kind)?)))
        .collect();
    let threaded = dataset.len >= crate::parallel::FROM_RECORDS;
    let mut out = crate::parallel::map("insights", &significant, threaded, &|&(f, effect)| {
        Ok(Insight {
            finding: f.clone(),
            effect,
            nl: sentence(dataset, f, Lang::Nl),
            en: sentence(dataset, f, Lang::En),
        })
    })?;
    out.sort_by_cached_key(|i| {
        (
            std::cmp::Reverse(total_order(i.effect.abs())),
            total_order(i.finding.p_value),
        )
    });
    Ok(out)
}

fn effect(kind: &FindingKind) -> Option<f64> {
    let e = match kind {
        FindingKind::Reason { odds_ratio, .. } => {
            ln(*odds_ratio) * 3f64.sqrt() / std::f64::consts::PI
        }
        // The rank-biserial is positive when the rest scores higher.
        FindingKind::Item { rank_biserial, .. } => d_from_r(-rank_biserial),
        // The odds of the reason in the second half of the periods against the first.
        FindingKind::ReasonTrend {
            first_share,
            second_share,
            ..
        } => {
            let odds = |p: f64| p / (1.0 - p);
            ln(odds(*second_share) / odds(*first_share)) * 3f64.sqrt() / std::f64::consts::PI
        }
        // A rate ratio is an odds ratio for rare events: same conversion.
        FindingKind::Turnover { ratio, .. } => ln(*ratio) * 3f64.sqrt() / std::f64::consts::PI,
        // Kendall's tau as a Pearson r (Greiner's relation r = sin(pi tau / 2)).
        FindingKind::ItemTrend { tau, .. } => d_from_r(sin(std::f64::consts::FRAC_PI_2 * tau)),
    };
    // An odds ratio of 0 or infinity (nobody, or everybody, in the group
    // named the reason) has no finite size; rank it by its sign at the top.
    Some(if e.is_finite() {
        e
    } else if e.is_nan() {
        return None;
    } else {
        e.signum() * f64::MAX
    })
}

fn d_from_r(r: f64) -> f64 {
    2.0 * r / (1.0 - r * r).sqrt()
}

/// Who a finding is about: "Leavers from Sales", "Leavers with tenure < 1
/// year", "Leavers from Sales with exit type end of contract" (values by
/// their labels, not their ids). Written into the sentence as it is made:
/// an insight's sentences are thousands at a million records, and each
/// piece made apart was an allocation.
struct Who<'a> {
    key: &'a CellKey,
    lang: Lang,
}

impl fmt::Display for Who<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lang = self.lang;
        out.write_str(match lang {
            Lang::Nl => "Vertrekkers",
            Lang::En => "Leavers",
        })?;
        for (d, v) in &self.key.0 {
            if *d == Dimension::OrgUnit {
                let from = if lang == Lang::Nl { "uit" } else { "from" };
                write!(out, " {from} ")?;
                for (i, level) in v.split('/').enumerate() {
                    if i > 0 {
                        out.write_str(" / ")?;
                    }
                    out.write_str(level)?;
                }
            }
        }
        let mut others = self
            .key
            .0
            .iter()
            .filter(|(d, _)| *d != Dimension::OrgUnit)
            .peekable();
        if others.peek().is_some() {
            out.write_str(if lang == Lang::Nl { " met " } else { " with " })?;
        }
        for (i, (d, v)) in others.enumerate() {
            if i > 0 {
                out.write_str(if lang == Lang::Nl { " en " } else { " and " })?;
            }
            let value = value_label(*d, v, lang);
            // Named values are words inside the sentence ("end of
            // contract"), but not acronyms ("HR"); others, such as job
            // titles, keep their case.
            let acronym = value.chars().take(2).all(char::is_uppercase);
            write!(out, "{} ", d.label(lang).to_lowercase())?;
            if matches!(d, Dimension::ExitType | Dimension::Interviewer) && !acronym {
                write!(out, "{}", LowerFirst(&value))?;
            } else {
                out.write_str(&value)?;
            }
        }
        Ok(())
    }
}

fn who(key: &CellKey, lang: Lang) -> Who<'_> {
    Who { key, lang }
}

/// A text with its first letter in lower case.
struct LowerFirst<'a>(&'a str);

impl fmt::Display for LowerFirst<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut c = self.0.chars();
        if let Some(first) = c.next() {
            for l in first.to_lowercase() {
                out.write_char(l)?;
            }
        }
        out.write_str(c.as_str())
    }
}

/// A number with `decimals` places, with a decimal comma in Dutch.
struct Number {
    x: f64,
    decimals: usize,
    lang: Lang,
}

impl fmt::Display for Number {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((whole, part)) = fixed(self.x, self.decimals) {
            if self.x.is_sign_negative() {
                out.write_char('-')?;
            }
            write!(out, "{whole}")?;
            if self.decimals > 0 {
                out.write_char(if self.lang == Lang::Nl { ',' } else { '.' })?;
                write!(out, "{part:0width$}", width = self.decimals)?;
            }
            return Ok(());
        }
        match self.lang {
            Lang::En => write!(out, "{:.*}", self.decimals, self.x),
            Lang::Nl => write!(DecimalComma(out), "{:.*}", self.decimals, self.x),
        }
    }
}

/// `|x|` rounded to `decimals` places as its whole part and its decimals
/// (an integer below `10^decimals`), when integer arithmetic gives what
/// `{:.*}` would write; `None` otherwise (the caller then formats the
/// float). A sentence holds two or three numbers, and formatting a float
/// exactly took a third of an insight's time (thousands at 100,000 records).
///
/// `|x| * 10^decimals` is within `2^-53` of the exact product, so below
/// 10^9 it is off by under 1.2e-7: unless it lies within 1e-6 of a half,
/// where that error could move it across, it rounds to the integer that
/// the exact decimal value of `x` rounds to.
fn fixed(x: f64, decimals: usize) -> Option<(u64, u64)> {
    let scale: u32 = match decimals {
        0 => 1,
        1 => 10,
        2 => 100,
        _ => return None,
    };
    let scaled = x.abs() * f64::from(scale);
    // Not finite, too large, or near a tie.
    if !scaled.is_finite() || scaled >= 1e9 || (scaled - scaled.floor() - 0.5).abs() < 1e-6 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // in 0..1e9
    let n = scaled.round() as u64;
    let scale = u64::from(scale);
    Some((n / scale, n % scale))
}

/// Writes on, each decimal point a comma.
struct DecimalComma<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for DecimalComma<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for (i, part) in s.split('.').enumerate() {
            if i > 0 {
                self.0.write_char(',')?;
            }
            self.0.write_str(part)?;
        }
        Ok(())
    }
}

fn number(x: f64, decimals: usize, lang: Lang) -> Number {
    Number { x, decimals, lang }
}

/// A share as a whole percentage.
struct Percent(Number);

impl fmt::Display for Percent {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(out, "{}%", self.0)
    }
}

fn percent(x: f64, lang: Lang) -> Percent {
    Percent(number(100.0 * x, 0, lang))
}

/// An option of the primary reason question as a sentence names it.
enum OptionText<'a> {
    /// Its text, lower-cased for use inside a sentence.
    Text(LowerFirst<'a>),
    /// Its id, for an option the questionnaire does not hold.
    Id(&'a str),
}

impl fmt::Display for OptionText<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionText::Text(t) => t.fmt(out),
            OptionText::Id(id) => out.write_str(id),
        }
    }
}

/// The text of an option of the primary reason question (the one reason
/// findings are about).
fn option_text<'a>(dataset: &'a Dataset, option: &'a str, lang: Lang) -> OptionText<'a> {
    dataset
        .questionnaire
        .questions
        .iter()
        .find(|q| q.role == Some(crate::Role::PrimaryReason))
        .and_then(|q| match &q.kind {
            QuestionKind::SingleChoice { options } => options
                .iter()
                .find(|o| o.id == option)
                .map(|o| OptionText::Text(LowerFirst(o.text.get(lang)))),
            _ => None,
        })
        .unwrap_or(OptionText::Id(option))
}

fn question_text<'a>(dataset: &'a Dataset, question: &'a str, lang: Lang) -> &'a str {
    dataset
        .questionnaire
        .questions
        .iter()
        .find(|q| q.id == question)
        .map_or(question, |q| q.text.get(lang))
}

fn sentence(dataset: &Dataset, f: &Finding, lang: Lang) -> String {
    let group = who(&f.key, lang);
    match &f.kind {
        FindingKind::Reason {
            option,
            share,
            rest_share,
            ..
        } => {
            let reason = option_text(dataset, option, lang);
            let (s, r) = (percent(*share, lang), percent(*rest_share, lang));
            let ratio = share / rest_share;
            match (lang, share > rest_share) {
                (Lang::Nl, true) if ratio.is_finite() => format!(
                    "{group} noemen {reason} {}x zo vaak als de rest van de organisatie ({s} vs {r})",
                    number(ratio, 1, lang)
                ),
                (Lang::En, true) if ratio.is_finite() => format!(
                    "{group} name {reason} {}x as often as the rest of the organisation ({s} vs {r})",
                    number(ratio, 1, lang)
                ),
                (Lang::Nl, true) => format!(
                    "{group} noemen {reason} vaker dan de rest van de organisatie ({s} vs {r})"
                ),
                (Lang::En, true) => format!(
                    "{group} name {reason} more often than the rest of the organisation ({s} vs {r})"
                ),
                (Lang::Nl, false) => format!(
                    "{group} noemen {reason} minder vaak dan de rest van de organisatie ({s} vs {r})"
                ),
                (Lang::En, false) => format!(
                    "{group} name {reason} less often than the rest of the organisation ({s} vs {r})"
                ),
            }
        }
        FindingKind::ReasonTrend {
            option,
            first_share,
            second_share,
            z,
        } => {
            let reason = option_text(dataset, option, lang);
            let (a, b) = (percent(*first_share, lang), percent(*second_share, lang));
            match (lang, *z > 0.0) {
                (Lang::Nl, true) => format!(
                    "Vertrekkers noemen {reason} steeds vaker: {a} in de eerste helft van de periode, {b} in de tweede"
                ),
                (Lang::Nl, false) => format!(
                    "Vertrekkers noemen {reason} steeds minder vaak: {a} in de eerste helft van de periode, {b} in de tweede"
                ),
                (Lang::En, true) => format!(
                    "Leavers name {reason} more and more often: {a} in the first half of the period, {b} in the second"
                ),
                (Lang::En, false) => format!(
                    "Leavers name {reason} less and less often: {a} in the first half of the period, {b} in the second"
                ),
            }
        }
        FindingKind::Turnover {
            rate,
            rest_rate,
            ratio,
        } => {
            let (a, b) = (
                number(100.0 * rate, 1, lang),
                number(100.0 * rest_rate, 1, lang),
            );
            let x = number(*ratio, 1, lang);
            let group: String = f
                .key
                .0
                .iter()
                .map(|(d, v)| match d {
                    Dimension::OrgUnit => v.replace('/', " / "),
                    _ => value_label(*d, v, lang),
                })
                .collect::<Vec<_>>()
                .join(", ");
            match (lang, *ratio > 1.0) {
                (Lang::Nl, true) => format!(
                    "Het verloop in {group} is {x}x zo hoog als in de rest van de organisatie ({a} vs {b} vertrekkers per 100 medewerkers per jaar)"
                ),
                (Lang::Nl, false) => format!(
                    "Het verloop in {group} is lager dan in de rest van de organisatie ({a} vs {b} vertrekkers per 100 medewerkers per jaar)"
                ),
                (Lang::En, true) => format!(
                    "Turnover in {group} is {x}x that of the rest of the organisation ({a} vs {b} leavers per 100 employees per year)"
                ),
                (Lang::En, false) => format!(
                    "Turnover in {group} is lower than in the rest of the organisation ({a} vs {b} leavers per 100 employees per year)"
                ),
            }
        }
        FindingKind::ItemTrend {
            question,
            first_mean,
            second_mean,
            tau,
        } => {
            let q = question_text(dataset, question, lang);
            let (a, b) = (number(*first_mean, 1, lang), number(*second_mean, 1, lang));
            match (lang, *tau > 0.0) {
                (Lang::Nl, true) => format!(
                    "De score op \u{201c}{q}\u{201d} stijgt over de tijd (gemiddeld {a} in de eerste helft van de periode, {b} in de tweede)"
                ),
                (Lang::Nl, false) => format!(
                    "De score op \u{201c}{q}\u{201d} daalt over de tijd (gemiddeld {a} in de eerste helft van de periode, {b} in de tweede)"
                ),
                (Lang::En, true) => format!(
                    "Scores on \u{201c}{q}\u{201d} rise over time (mean {a} in the first half of the period, {b} in the second)"
                ),
                (Lang::En, false) => format!(
                    "Scores on \u{201c}{q}\u{201d} fall over time (mean {a} in the first half of the period, {b} in the second)"
                ),
            }
        }
        FindingKind::Item {
            question,
            mean,
            rest_mean,
            ..
        } => {
            let q = question_text(dataset, question, lang);
            let (m, r) = (number(*mean, 1, lang), number(*rest_mean, 1, lang));
            match (lang, mean > rest_mean) {
                (Lang::Nl, true) => format!(
                    "{group} scoren hoger op \u{201c}{q}\u{201d} dan de rest van de organisatie (gemiddeld {m} vs {r})"
                ),
                (Lang::En, true) => format!(
                    "{group} score higher on \u{201c}{q}\u{201d} than the rest of the organisation (mean {m} vs {r})"
                ),
                (Lang::Nl, false) => format!(
                    "{group} scoren lager op \u{201c}{q}\u{201d} dan de rest van de organisatie (gemiddeld {m} vs {r})"
                ),
                (Lang::En, false) => format!(
                    "{group} score lower on \u{201c}{q}\u{201d} than the rest of the organisation (mean {m} vs {r})"
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{OrgConfig, generate};

    fn finding(key: Vec<(Dimension, &str)>, kind: FindingKind) -> Finding {
        Finding {
            key: CellKey(key.into_iter().map(|(d, v)| (d, v.to_owned())).collect()),
            n: 40,
            kind,
            test: "fisher_exact",
            p_value: 0.001,
            q_value: 0.01,
            significant: true,
        }
    }

    /// Sentences as the templates write them, by hand: the org path's
    /// levels spaced out, an exit type's label in lower case but an
    /// acronym kept, a reason's text lower-cased at its first letter,
    /// one decimal (a comma in Dutch) and whole percentages.
    /// Numbers come out as the float formatter writes them, with a comma
    /// in Dutch: ties (which it rounds to even on the exact binary value),
    /// values just either side of them, signs, zeros, large values and
    /// values that are no number.
    #[test]
    fn numbers_read_as_the_float_formatter_writes_them() {
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            0.05,
            0.15,
            0.25,
            0.35,
            1.15,
            2.675,
            0.045,
            12.345,
            99.95,
            99.949_999_999_999_99,
            -0.04,
            -0.05,
            -1.25,
            999_999_999.4,
            1e9,
            2e9,
            1e-12,
            123_456_789_012.34,
            4.503_599_627_370_497e15,
            1e20,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
        ];
        // Shares, ratios and means as the sentences have them, and their
        // neighbours one unit in the last place away.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            #[allow(clippy::cast_precision_loss)]
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            let x = [u, 100.0 * u, 10.0 * u - 5.0, u * 1e6][(state % 4) as usize];
            xs.extend([
                x,
                f64::from_bits(x.to_bits() + 1),
                f64::from_bits(x.to_bits().wrapping_sub(1)),
            ]);
        }
        for k in 0..2000 {
            // Exact decimal ties and their neighbours.
            let x = f64::from(k) / 20.0;
            xs.extend([
                x,
                f64::from_bits(x.to_bits() + 1),
                f64::from_bits(x.to_bits().wrapping_sub(1)),
            ]);
        }
        for x in xs {
            for decimals in 0..=3 {
                let en = format!("{x:.decimals$}");
                assert_eq!(
                    number(x, decimals, Lang::En).to_string(),
                    en,
                    "{x:e} to {decimals}"
                );
                assert_eq!(
                    number(x, decimals, Lang::Nl).to_string(),
                    en.replace('.', ","),
                    "{x:e} to {decimals}"
                );
            }
        }
    }

    #[test]
    fn sentences_read_as_the_templates_write_them() {
        let org = generate(&OrgConfig {
            exits: 30,
            ..OrgConfig::default()
        })
        .unwrap();
        let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
        let reason = finding(
            vec![
                (Dimension::OrgUnit, "Sales/Team 1"),
                (Dimension::ExitType, "end_of_contract"),
            ],
            FindingKind::Reason {
                option: "leadership".into(),
                share: 0.25,
                rest_share: 0.1,
                odds_ratio: 3.0,
            },
        );
        assert_eq!(
            sentence(&ds, &reason, Lang::Nl),
            "Vertrekkers uit Sales / Team 1 met soort vertrek einde contract noemen mijn \
             leidinggevende of het leiderschap 2,5x zo vaak als de rest van de organisatie \
             (25% vs 10%)"
        );
        assert_eq!(
            sentence(&ds, &reason, Lang::En),
            "Leavers from Sales / Team 1 with exit type end of contract name my manager or \
             leadership 2.5x as often as the rest of the organisation (25% vs 10%)"
        );
        let item = finding(
            vec![(Dimension::Interviewer, "hr")],
            FindingKind::Item {
                question: "recognition_valued".into(),
                mean: 2.25,
                rest_mean: 3.04,
                rank_biserial: 0.3,
            },
        );
        assert_eq!(
            sentence(&ds, &item, Lang::Nl),
            "Vertrekkers met interviewer HR scoren lager op \u{201c}Mijn werk werd \
             gewaardeerd.\u{201d} dan de rest van de organisatie (gemiddeld 2,2 vs 3,0)"
        );
        // An option the questionnaire does not hold is named by its id, as is.
        let unknown = finding(
            vec![],
            FindingKind::Reason {
                option: "Other_Reason".into(),
                share: 0.05,
                rest_share: 0.2,
                odds_ratio: 0.2,
            },
        );
        assert_eq!(
            sentence(&ds, &unknown, Lang::En),
            "Leavers name Other_Reason less often than the rest of the organisation (5% vs 20%)"
        );
    }
}
