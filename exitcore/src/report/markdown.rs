//! The report as Markdown: headings, the insights as sentences, and tables
//! in which a withheld group shows a dash, never a number.

use std::fmt::Write;

use super::document::{Report, dimension_label, key_order, text, value_label};
use crate::Lang;
use crate::analysis::GroupResult;
use crate::privacy::{CellKey, Dimension};
use crate::stats::Interval;

/// A number in the report's language (decimal comma in Dutch).
pub(crate) fn num(x: f64, decimals: usize, lang: Lang) -> String {
    if !x.is_finite() {
        return "–".to_owned();
    }
    let s = format!("{x:.decimals$}");
    match lang {
        Lang::Nl => s.replace('.', ","),
        Lang::En => s,
    }
}

/// A share as a percentage.
pub(crate) fn pct(x: f64, lang: Lang) -> String {
    if x.is_finite() {
        format!("{}%", num(100.0 * x, 0, lang))
    } else {
        "–".to_owned()
    }
}

pub(crate) fn interval_pct(i: &Interval, lang: Lang) -> String {
    format!("{}–{}", pct(i.lower, lang), pct(i.upper, lang))
}

/// A group's name for a reader: org paths with spaced slashes, other values
/// by their labels ([`value_label`]).
pub(crate) fn group_name(key: &CellKey, lang: Lang) -> String {
    if key.0.is_empty() {
        return text(lang, "Whole organisation", "Hele organisatie").to_owned();
    }
    key.0
        .iter()
        .map(|(d, v)| match d {
            Dimension::OrgUnit => v.replace('/', " / "),
            _ => value_label(*d, v, lang),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The mark of a withheld cell.
pub(crate) const WITHHELD: &str = "—";

/// The mark of a number a shown group has none of: nobody in it answered
/// the question.
pub(crate) const NO_ANSWERS: &str = "–";

/// What [`NO_ANSWERS`] means, after the mark.
pub(crate) fn no_answers_meaning(lang: Lang) -> &'static str {
    text(
        lang,
        "in a group that is shown means that nobody in it answered that question: there is no number, and it is not a zero.",
        "in een groep die wel wordt getoond betekent dat niemand in die groep de vraag heeft beantwoord: er is geen getal, en het is geen nul.",
    )
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

impl Report {
    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let a = &self.analysis;
        let mut out = String::new();
        let _ = writeln!(out, "# {}\n", escape(&self.title));
        match a.overall.n {
            Some(n) => {
                let _ = writeln!(
                    out,
                    "{} {n} {}; {} k = {}.\n",
                    t("Based on", "Gebaseerd op"),
                    t("exit interviews", "exitgesprekken"),
                    t("groups smaller than", "groepen kleiner dan"),
                    a.policy.k()
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "{}\n",
                    t(
                        "Too few exit interviews to report anything.",
                        "Te weinig exitgesprekken om iets te rapporteren."
                    )
                );
            }
        }
        let _ = writeln!(
            out,
            "{} {WITHHELD} {}\n",
            t("A", "Een"),
            t(
                "marks a group withheld to protect the people in it (fewer than k, or a number that would reveal such a group).",
                "betekent dat een groep niet wordt getoond om de mensen erin te beschermen (minder dan k, of een getal waaruit zo'n groep te herleiden is)."
            )
        );
        let _ = writeln!(
            out,
            "{} {NO_ANSWERS} {}\n",
            t("A", "Een"),
            no_answers_meaning(lang)
        );

        let _ = writeln!(
            out,
            "## {}\n",
            t("Key findings", "Belangrijkste bevindingen")
        );
        if a.insights.is_empty() {
            let _ = writeln!(
                out,
                "{}\n",
                t(
                    "No difference between groups is large enough to be more than chance.",
                    "Geen enkel verschil tussen groepen is groot genoeg om meer dan toeval te zijn."
                )
            );
        }
        for i in a.insights.iter().take(10) {
            let _ = writeln!(out, "- {}", escape(i.text(lang)));
        }
        out.push('\n');

        if a.overall.n.is_some() {
            self.reasons_md(&mut out, &a.overall);
            self.enps_md(&mut out);
            for b in &a.breakdowns {
                self.breakdown_md(&mut out, &b.by, &b.groups);
            }
            self.trends_md(&mut out);
            self.turnover_md(&mut out);
            self.survival_md(&mut out);
            self.comments_md(&mut out);
        }
        self.audit_md(&mut out);
        out
    }

    fn reasons_md(&self, out: &mut String, g: &GroupResult) {
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let _ = writeln!(out, "## {}\n", t("Reasons for leaving", "Vertrekredenen"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |\n|---|---:|---:|---|",
            t("Main reason", "Belangrijkste reden"),
            t("Leavers", "Vertrekkers"),
            t("Share", "Aandeel"),
            t("95% interval", "95%-interval")
        );
        let mut shares: Vec<_> = g.primary_reasons.iter().collect();
        shares.sort_by_key(|s| std::cmp::Reverse(s.count));
        for s in shares {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                escape(self.reason_label(&s.option)),
                s.count,
                pct(s.share, lang),
                interval_pct(&s.interval, lang)
            );
        }
        out.push('\n');
        if !g.items.is_empty() {
            let _ = writeln!(
                out,
                "| {} | {} | {} |\n|---|---:|---|",
                t("Statement (1-5)", "Stelling (1-5)"),
                t("Mean", "Gemiddelde"),
                t("95% interval", "95%-interval")
            );
            for item in &g.items {
                let _ = writeln!(
                    out,
                    "| {} | {} | {}–{} |",
                    escape(self.question_label(&item.question)),
                    num(item.mean.mean, 2, lang),
                    num(item.mean.interval.lower, 2, lang),
                    num(item.mean.interval.upper, 2, lang)
                );
            }
            out.push('\n');
        }
    }

    fn enps_md(&self, out: &mut String) {
        let lang = self.lang;
        if let Some(e) = &self.analysis.overall.enps {
            let _ = writeln!(
                out,
                "**eNPS**: {} ({} {}–{}; {} {})\n",
                num(e.score, 0, lang),
                text(lang, "95% interval", "95%-interval"),
                num(e.interval.lower, 0, lang),
                num(e.interval.upper, 0, lang),
                e.n,
                text(lang, "ratings", "scores")
            );
        }
    }

    fn breakdown_md(&self, out: &mut String, by: &[Dimension], groups: &[GroupResult]) {
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let name: Vec<&str> = by.iter().map(|&d| dimension_label(d, lang)).collect();
        let _ = writeln!(
            out,
            "## {} {}\n",
            t("By", "Per"),
            name.join(" × ").to_lowercase()
        );
        // The three most named reasons overall head the columns.
        let mut top: Vec<_> = self.analysis.overall.primary_reasons.iter().collect();
        top.sort_by_key(|s| std::cmp::Reverse(s.count));
        let top: Vec<&str> = top.iter().take(3).map(|s| s.option.as_str()).collect();
        // An eNPS column only when the questionnaire has the question and
        // some group has a released score.
        let enps = self.shows_enps();
        let _ = write!(out, "| {} | n |", name.join(" × "));
        for o in &top {
            let _ = write!(out, " {} |", escape(self.reason_label(o)));
        }
        if enps {
            let _ = write!(out, " eNPS |");
        }
        let _ = writeln!(
            out,
            "\n|---|---:|{}",
            "---:|".repeat(top.len() + usize::from(enps))
        );
        // Org units read as a tree (a unit before its parts), bands in order.
        let mut groups: Vec<&GroupResult> = groups.iter().collect();
        groups.sort_by(|a, b| key_order(&a.key, &b.key));
        for g in groups {
            let _ = write!(out, "| {} |", escape(&group_name(&g.key, lang)));
            match g.n {
                None => {
                    for _ in 0..1 + top.len() + usize::from(enps) {
                        let _ = write!(out, " {WITHHELD} |");
                    }
                }
                Some(n) => {
                    let _ = write!(out, " {n} |");
                    for o in &top {
                        let share = g
                            .primary_reasons
                            .iter()
                            .find(|s| s.option == *o)
                            .map(|s| s.share);
                        let _ = write!(
                            out,
                            " {} |",
                            share.map_or_else(|| NO_ANSWERS.to_owned(), |s| pct(s, lang))
                        );
                    }
                    if enps {
                        let e = g
                            .enps
                            .as_ref()
                            .map_or_else(|| NO_ANSWERS.to_owned(), |e| num(e.score, 0, lang));
                        let _ = write!(out, " {e} |");
                    }
                }
            }
            out.push('\n');
        }
        out.push('\n');
    }

    fn trends_md(&self, out: &mut String) {
        let lang = self.lang;
        let Some(tr) = &self.analysis.trends else {
            return;
        };
        let _ = writeln!(out, "## {}\n", text(lang, "Over time", "Door de tijd"));
        let _ = writeln!(
            out,
            "| {} | {} |\n|---|---:|",
            text(lang, "Period", "Periode"),
            text(lang, "Leavers", "Vertrekkers")
        );
        for p in &tr.periods {
            let n = p.n.map_or_else(|| WITHHELD.to_owned(), |n| n.to_string());
            let _ = writeln!(out, "| {} | {n} |", p.label);
        }
        out.push('\n');
    }

    fn turnover_md(&self, out: &mut String) {
        let lang = self.lang;
        let Some(all) = &self.analysis.overall.turnover else {
            return;
        };
        let _ = writeln!(out, "## {}\n", text(lang, "Turnover", "Verloop"));
        let _ = writeln!(
            out,
            "{}: {} {} ({}–{}).\n",
            text(lang, "Whole organisation", "Hele organisatie"),
            num(100.0 * all.rate, 1, lang),
            text(
                lang,
                "leavers per 100 employees per year",
                "vertrekkers per 100 medewerkers per jaar"
            ),
            num(100.0 * all.interval.lower, 1, lang),
            num(100.0 * all.interval.upper, 1, lang)
        );
    }

    fn survival_md(&self, out: &mut String) {
        let lang = self.lang;
        let Some(s) = &self.analysis.survival else {
            return;
        };
        let Some(all) = s.curves.first() else { return };
        let _ = writeln!(
            out,
            "## {}\n",
            text(lang, "How long people stay", "Hoe lang mensen blijven")
        );
        let _ = writeln!(
            out,
            "| {} | {} |\n|---:|---:|",
            text(lang, "Months", "Maanden"),
            text(lang, "Still employed", "Nog in dienst")
        );
        for p in &all.points {
            let _ = writeln!(out, "| {} | {} |", p.months, pct(p.survival, lang));
        }
        out.push('\n');
    }

    fn comments_md(&self, out: &mut String) {
        let lang = self.lang;
        let Some(all) = self.analysis.comments.iter().find(|c| c.key.0.is_empty()) else {
            return;
        };
        let _ = writeln!(
            out,
            "## {}\n",
            text(
                lang,
                "What comments are about",
                "Waar opmerkingen over gaan"
            )
        );
        let mut themes = all.themes.clone();
        themes.sort_by_key(|t| std::cmp::Reverse(t.comments));
        for th in themes.iter().take(8) {
            let _ = writeln!(out, "- {}: {}", th.theme.label(lang), th.comments);
        }
        out.push('\n');
    }

    fn audit_md(&self, out: &mut String) {
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let a = &self.analysis.audit;
        let _ = writeln!(out, "## {}\n", t("Privacy", "Privacy"));
        let _ = writeln!(
            out,
            "{} k = {}, {} {}. {} {} {} {}: {} {}, {} {}; {} {}.",
            t("Minimum group size", "Minimale groepsgrootte"),
            self.analysis.policy.k(),
            t(
                "comments from groups of at least",
                "opmerkingen vanaf groepen van"
            ),
            self.analysis.policy.comment_k(),
            a.cells,
            t("groups considered,", "groepen bekeken,"),
            a.released,
            t("shown; withheld", "getoond; niet getoond"),
            a.primary + a.homogeneous,
            t(
                "for their own protection",
                "ter bescherming van de groep zelf"
            ),
            a.secondary,
            t("to protect others", "om andere groepen te beschermen"),
            a.comments_withheld,
            t("shown without comments", "getoond zonder opmerkingen")
        );
    }
}
