//! The report as one self-contained HTML file: inline CSS and SVG charts,
//! no scripts, no fonts, no network.

use std::fmt::Write;

use super::document::{Report, key_order, text};
use super::markdown::{
    NO_ANSWERS, WITHHELD, group_name, interval_pct, no_answers_meaning, num, pct,
};
use super::svg::escape as esc;
use super::svg::{
    BarRow, Curve, CurvePoint, Format, HeatCell, HeatLegend, Scale, Series, bars, heatmap, lines,
    nice_max, steps,
};
use crate::Lang;
use crate::analysis::{Breakdown, GroupResult};
use crate::privacy::Dimension;

const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}\
h1{font-size:1.8rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}\
.lead{color:#444}.note{color:#555;font-size:.9rem}\
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:right}\
th:first-child,td:first-child{text-align:left;min-width:8rem}td.none{color:#595959}td.withheld{color:#888;background:repeating-linear-gradient(45deg,#f3f3f3,#f3f3f3 4px,#e2e2e2 4px,#e2e2e2 8px)}\
ul.insights li{margin:.4rem 0}figure{margin:1rem 0}svg{max-width:100%;height:auto;overflow:visible}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}figure,table{break-inside:avoid}}";

fn scale(min: f64, max: f64, format: Format, lang: Lang) -> Scale {
    Scale {
        min,
        max,
        format,
        decimal_comma: lang == Lang::Nl,
    }
}

/// The org unit breakdown's groups at the deepest level with at most `max`
/// groups (top level when none fits), in key order.
fn org_level(b: &Breakdown, max: usize) -> Vec<&GroupResult> {
    let depth = |g: &GroupResult| g.key.0.first().map_or(0, |(_, v)| v.matches('/').count());
    let deepest = b.groups.iter().map(depth).max().unwrap_or(0);
    let mut level = 0;
    for d in 0..=deepest {
        if b.groups.iter().filter(|g| depth(g) == d).count() <= max {
            level = d;
        }
    }
    let mut out: Vec<&GroupResult> = b.groups.iter().filter(|g| depth(g) == level).collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

impl Report {
    /// The report as one self-contained HTML page.
    pub fn to_html(&self) -> String {
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let a = &self.analysis;
        let mut h = String::new();
        let _ = write!(
            h,
            "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body>",
            lang.code(),
            esc(&self.title)
        );
        let _ = write!(h, "<h1>{}</h1>", esc(&self.title));
        match a.overall.n {
            Some(n) => {
                let _ = write!(
                    h,
                    "<p class=\"lead\">{} {n} {}. {} k = {}.</p>",
                    t("Based on", "Gebaseerd op"),
                    t("exit interviews", "exitgesprekken"),
                    t(
                        "No number describes fewer than",
                        "Geen getal gaat over minder dan"
                    ),
                    a.policy.k()
                );
            }
            None => {
                let _ = write!(
                    h,
                    "<p class=\"lead\">{}</p>",
                    t(
                        "Too few exit interviews to report anything.",
                        "Te weinig exitgesprekken om iets te rapporteren."
                    )
                );
            }
        }
        let _ = write!(
            h,
            "<p class=\"note\">{} {} {NO_ANSWERS} {}</p>",
            esc(t(
                "Hatched cells and \u{2014} mark groups withheld to protect the people in them: fewer than k, or a number from which such a group could be worked out. A withheld group is not a zero.",
                "Gearceerde cellen en \u{2014} zijn groepen die niet worden getoond om de mensen erin te beschermen: minder dan k, of een getal waaruit zo'n groep te herleiden is. Een verborgen groep is geen nul."
            )),
            t("A plain", "Een los"),
            esc(no_answers_meaning(lang))
        );
        let _ = write!(
            h,
            "<h2>{}</h2>",
            t("Key findings", "Belangrijkste bevindingen")
        );
        if a.insights.is_empty() {
            let _ = write!(
                h,
                "<p>{}</p>",
                t(
                    "No difference between groups is large enough to be more than chance.",
                    "Geen enkel verschil tussen groepen is groot genoeg om meer dan toeval te zijn."
                )
            );
        } else {
            h.push_str("<ul class=\"insights\">");
            for i in a.insights.iter().take(12) {
                let _ = write!(h, "<li>{}</li>", esc(i.text(lang)));
            }
            h.push_str("</ul>");
        }
        if a.overall.n.is_some() {
            self.reasons_html(&mut h);
            self.scores_html(&mut h);
            for b in &a.breakdowns {
                self.breakdown_html(&mut h, b);
            }
            self.trends_html(&mut h);
            self.turnover_html(&mut h);
            self.survival_html(&mut h);
            self.comments_html(&mut h);
        }
        self.audit_html(&mut h);
        let _ = write!(
            h,
            "<p class=\"note\">{}</p></body></html>",
            esc(&self.generator)
        );
        h
    }

    fn reasons_html(&self, h: &mut String) {
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let mut shares: Vec<_> = self.analysis.overall.primary_reasons.iter().collect();
        if shares.is_empty() {
            return;
        }
        let _ = write!(h, "<h2>{}</h2>", t("Reasons for leaving", "Vertrekredenen"));
        shares.sort_by_key(|s| std::cmp::Reverse(s.count));
        let rows: Vec<BarRow> = shares
            .iter()
            .map(|s| BarRow {
                label: self.reason_label(&s.option).to_owned(),
                value: Some(s.share),
                lower: Some(s.interval.lower),
                upper: Some(s.interval.upper),
                note: None,
            })
            .collect();
        let top = shares
            .iter()
            .map(|s| s.interval.upper)
            .filter(|u| u.is_finite())
            .fold(0.0, f64::max);
        let max = nice_max(top).min(1.0);
        let title = t(
            "Main reason for leaving (share of leavers, 95% interval)",
            "Belangrijkste vertrekreden (aandeel vertrekkers, 95%-interval)",
        );
        let _ = write!(
            h,
            "<figure>{}</figure>",
            bars(title, &rows, scale(0.0, max, Format::Percent(0), lang))
        );
        // Reasons by org unit, withheld units hatched.
        if let Some(org) = self
            .analysis
            .breakdowns
            .iter()
            .find(|b| b.by == [Dimension::OrgUnit])
        {
            let groups = org_level(org, 24);
            if groups.len() >= 2 {
                let reasons: Vec<&str> =
                    shares.iter().take(10).map(|s| s.option.as_str()).collect();
                let cells: Vec<Vec<HeatCell>> = reasons
                    .iter()
                    .map(|o| {
                        groups
                            .iter()
                            .map(|g| match g.n {
                                None => HeatCell::Withheld,
                                Some(_) => g
                                    .primary_reasons
                                    .iter()
                                    .find(|s| s.option == *o)
                                    .map_or(HeatCell::Withheld, |s| HeatCell::Value {
                                        value: s.share,
                                        text: pct(s.share, lang),
                                    }),
                            })
                            .collect()
                    })
                    .collect();
                let legend = HeatLegend {
                    min: 0.0,
                    max: 0.3,
                    diverging: false,
                    low_label: "0%".into(),
                    high_label: "30%+".into(),
                    withheld_label: t(
                        "withheld to protect a small group",
                        "niet getoond ter bescherming van een kleine groep",
                    )
                    .into(),
                };
                let rows: Vec<String> = reasons
                    .iter()
                    .map(|o| self.reason_label(o).to_owned())
                    .collect();
                let columns: Vec<String> =
                    groups.iter().map(|g| group_name(&g.key, lang)).collect();
                let title = t(
                    "Main reason by org unit (share of leavers)",
                    "Belangrijkste reden per organisatie-eenheid (aandeel vertrekkers)",
                );
                let _ = write!(
                    h,
                    "<figure>{}</figure>",
                    heatmap("reasons-org", title, &rows, &columns, &cells, &legend)
                );
            }
        }
    }

    fn scores_html(&self, h: &mut String) {
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let g = &self.analysis.overall;
        let enps = self.shows_enps();
        if g.items.is_empty() && !enps {
            return;
        }
        let _ = write!(
            h,
            "<h2>{}</h2>",
            t(
                "How leavers rate their work",
                "Hoe vertrekkers hun werk beoordelen"
            )
        );
        if !g.items.is_empty() {
            let rows: Vec<BarRow> = g
                .items
                .iter()
                .map(|i| BarRow {
                    label: self.question_label(&i.question).to_owned(),
                    value: Some(i.mean.mean),
                    lower: Some(i.mean.interval.lower),
                    upper: Some(i.mean.interval.upper),
                    note: None,
                })
                .collect();
            let title = t(
                "Mean score per statement (1 = disagree, 5 = agree; 95% interval)",
                "Gemiddelde score per stelling (1 = oneens, 5 = eens; 95%-interval)",
            );
            let _ = write!(
                h,
                "<figure>{}</figure>",
                bars(title, &rows, scale(1.0, 5.0, Format::Decimal(1), lang))
            );
        }
        if !enps {
            return;
        }
        if let Some(org) = self
            .analysis
            .breakdowns
            .iter()
            .find(|b| b.by == [Dimension::OrgUnit])
        {
            let groups = org_level(org, 12);
            let rows: Vec<BarRow> = std::iter::once(g)
                .chain(groups.iter().copied())
                .map(|g| BarRow {
                    label: group_name(&g.key, lang),
                    value: g.enps.as_ref().map(|e| e.score),
                    lower: g.enps.as_ref().map(|e| e.interval.lower),
                    upper: g.enps.as_ref().map(|e| e.interval.upper),
                    note: Some(self.missing_note(g).to_owned()),
                })
                .map(|row| BarRow {
                    note: row.value.is_none().then_some(row.note).flatten(),
                    ..row
                })
                .collect();
            let title = t(
                "eNPS by org unit (95% interval)",
                "eNPS per organisatie-eenheid (95%-interval)",
            );
            let _ = write!(
                h,
                "<figure>{}</figure>",
                bars(title, &rows, scale(-100.0, 100.0, Format::Integer, lang))
            );
        }
    }

    /// What a chart writes in place of a group's missing value: withheld, or
    /// (for a shown group) no answers.
    fn missing_note(&self, g: &GroupResult) -> &'static str {
        if g.n.is_none() {
            text(self.lang, "withheld", "niet getoond")
        } else {
            text(self.lang, "no answers", "geen antwoorden")
        }
    }

    fn breakdown_html(&self, h: &mut String, breakdown: &Breakdown) {
        let b = breakdown;
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let name: Vec<&str> = b.by.iter().map(|d| d.label(lang)).collect();
        let _ = write!(
            h,
            "<h2>{} {}</h2>",
            t("By", "Per"),
            esc(&name.join(" × ").to_lowercase())
        );
        for r in b.reasons.iter().filter(|r| !r.chi_square.p_value.is_nan()) {
            let _ = write!(
                h,
                "<p class=\"note\">{}{}: χ² = {}, df = {}, {}, Cramér's V = {}.</p>",
                t(
                    "Reasons differ between groups",
                    "Redenen verschillen tussen groepen"
                ),
                r.level.map_or_else(String::new, |l| format!(
                    " ({} {})",
                    t("level", "niveau"),
                    l + 1
                )),
                num(r.chi_square.statistic, 1, lang),
                r.chi_square.dof,
                p_value(r.chi_square.p_value, lang),
                num(r.chi_square.cramers_v, 2, lang)
            );
        }
        let mut top: Vec<_> = self.analysis.overall.primary_reasons.iter().collect();
        top.sort_by_key(|s| std::cmp::Reverse(s.count));
        let top: Vec<&str> = top.iter().take(3).map(|s| s.option.as_str()).collect();
        // Columns only for what the report has: no eNPS column without an
        // eNPS question (or without a single released score).
        let enps = self.shows_enps();
        let early = self.shows_early_leavers();
        let columns = top.len() + usize::from(enps) + usize::from(early);
        let _ = write!(
            h,
            "<table><thead><tr><th>{}</th><th>n</th>",
            esc(&name.join(" × "))
        );
        for o in &top {
            let _ = write!(h, "<th>{}</th>", esc(self.reason_label(o)));
        }
        if enps {
            h.push_str("<th>eNPS</th>");
        }
        if early {
            let _ = write!(h, "<th>{}</th>", t("Early leavers", "Vroege vertrekkers"));
        }
        h.push_str("</tr></thead><tbody>");
        let mut groups: Vec<&GroupResult> = b.groups.iter().collect();
        groups.sort_by(|x, y| key_order(&x.key, &y.key));
        let mut dashes = false;
        let mut cell =
            |h: &mut String, value: Option<String>, tip: Option<String>| match (value, tip) {
                (Some(v), Some(tip)) => {
                    let _ = write!(h, "<td title=\"{}\">{v}</td>", esc(&tip));
                }
                (Some(v), None) => {
                    let _ = write!(h, "<td>{v}</td>");
                }
                (None, _) => {
                    dashes = true;
                    let _ = write!(h, "<td class=\"none\">{NO_ANSWERS}</td>");
                }
            };
        for g in groups {
            let _ = write!(h, "<tr><td>{}</td>", esc(&group_name(&g.key, lang)));
            match g.n {
                None => {
                    for _ in 0..=columns {
                        let _ = write!(h, "<td class=\"withheld\">{WITHHELD}</td>");
                    }
                }
                Some(size) => {
                    let _ = write!(h, "<td>{size}</td>");
                    for o in &top {
                        let s = g
                            .primary_reasons
                            .iter()
                            .find(|s| s.option == *o && s.share.is_finite());
                        cell(
                            h,
                            s.map(|s| pct(s.share, lang)),
                            s.map(|s| interval_pct(&s.interval, lang)),
                        );
                    }
                    if enps {
                        cell(h, g.enps.as_ref().map(|e| num(e.score, 0, lang)), None);
                    }
                    if early {
                        cell(
                            h,
                            g.early_leavers.as_ref().map(|p| pct(p.share, lang)),
                            None,
                        );
                    }
                }
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table>");
        if dashes {
            let _ = write!(
                h,
                "<p class=\"note\">{NO_ANSWERS} {}</p>",
                esc(no_answers_meaning(lang))
            );
        }
    }

    fn trends_html(&self, h: &mut String) {
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let Some(tr) = &self.analysis.trends else {
            return;
        };
        if tr.periods.len() < 2 {
            return;
        }
        let labels: Vec<String> = tr.periods.iter().map(|p| p.label.clone()).collect();
        let mut top: Vec<_> = self.analysis.overall.primary_reasons.iter().collect();
        top.sort_by_key(|s| std::cmp::Reverse(s.count));
        let series: Vec<Series> = top
            .iter()
            .take(4)
            .filter_map(|s| tr.reasons.iter().find(|r| r.option == s.option))
            .map(|r| Series {
                name: self.reason_label(&r.option).to_owned(),
                points: r.shares.clone(),
            })
            .collect();
        if series.is_empty() {
            return;
        }
        let _ = write!(h, "<h2>{}</h2>", t("Over time", "Door de tijd"));
        let max = series
            .iter()
            .flat_map(|s| s.points.iter().flatten())
            .fold(0.1f64, |m, &x| m.max(x));
        let title = t(
            "Share of leavers naming each main reason, per period (gaps: withheld)",
            "Aandeel vertrekkers per belangrijkste reden, per periode (gaten: niet getoond)",
        );
        let _ = write!(
            h,
            "<figure>{}</figure>",
            lines(
                title,
                &labels,
                &series,
                scale(0.0, nice_max(max).min(1.0), Format::Percent(0), lang)
            )
        );
    }

    fn turnover_html(&self, h: &mut String) {
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let Some(all) = &self.analysis.overall.turnover else {
            return;
        };
        let _ = write!(h, "<h2>{}</h2>", t("Turnover", "Verloop"));
        let Some(org) = self
            .analysis
            .breakdowns
            .iter()
            .find(|b| b.by == [Dimension::OrgUnit])
        else {
            return;
        };
        let groups = org_level(org, 24);
        let rows: Vec<BarRow> = std::iter::once(&self.analysis.overall)
            .chain(groups.iter().copied())
            .map(|g| {
                let tv = g.turnover.as_ref();
                BarRow {
                    label: group_name(&g.key, lang),
                    value: tv.map(|x| 100.0 * x.rate),
                    lower: tv.map(|x| 100.0 * x.interval.lower),
                    upper: tv.map(|x| 100.0 * x.interval.upper),
                    note: tv.is_none().then(|| {
                        if g.n.is_none() {
                            self.missing_note(g)
                        } else {
                            t("no headcount", "geen personeelsaantal")
                        }
                        .to_owned()
                    }),
                }
            })
            .collect();
        let max = rows
            .iter()
            .filter_map(|r| r.upper)
            .fold(100.0 * all.rate, f64::max);
        let title = t(
            "Leavers per 100 employees per year (exact 95% interval)",
            "Vertrekkers per 100 medewerkers per jaar (exact 95%-interval)",
        );
        let _ = write!(
            h,
            "<figure>{}</figure>",
            bars(
                title,
                &rows,
                scale(0.0, nice_max(max), Format::Decimal(1), lang)
            )
        );
    }

    fn survival_html(&self, h: &mut String) {
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let Some(s) = &self.analysis.survival else {
            return;
        };
        let _ = write!(
            h,
            "<h2>{}</h2>",
            t("How long people stay", "Hoe lang mensen blijven")
        );
        let depth = |c: &crate::analysis::SurvivalCurve| {
            c.key.0.first().map_or(-1, |(_, v)| {
                i64::try_from(v.matches('/').count()).unwrap_or(i64::MAX)
            })
        };
        // Years on the axis when the curves reach beyond two years.
        let horizon = s
            .curves
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.months))
            .max()
            .unwrap_or(0);
        let per = if horizon > 24 { 12.0 } else { 1.0 };
        let curves: Vec<Curve> = s
            .curves
            .iter()
            .filter(|c| depth(c) <= 0)
            .take(7)
            .map(|c| Curve {
                name: group_name(&c.key, lang),
                points: std::iter::once(CurvePoint {
                    x: 0.0,
                    y: 1.0,
                    lower: 1.0,
                    upper: 1.0,
                })
                .chain(c.points.iter().map(|p| CurvePoint {
                    x: f64::from(p.months) / per,
                    y: p.survival,
                    lower: p.interval.lower,
                    upper: p.interval.upper,
                }))
                .collect(),
            })
            .collect();
        let (title, x_label) = if per > 1.0 {
            (
                t(
                    "Share still employed after a number of years (95% interval)",
                    "Aandeel nog in dienst na een aantal jaren (95%-interval)",
                ),
                t("years in service", "jaren in dienst"),
            )
        } else {
            (
                t(
                    "Share still employed after a number of months (95% interval)",
                    "Aandeel nog in dienst na een aantal maanden (95%-interval)",
                ),
                t("months in service", "maanden in dienst"),
            )
        };
        let _ = write!(
            h,
            "<figure>{}</figure>",
            steps(
                title,
                x_label,
                &curves,
                scale(0.0, 1.0, Format::Percent(0), lang)
            )
        );
        for cmp in &s.comparisons {
            let _ = write!(
                h,
                "<p class=\"note\">{} {}: χ² = {}, {}.</p>",
                t(
                    "Log-rank test across org units, level",
                    "Log-ranktoets tussen organisatie-eenheden, niveau"
                ),
                cmp.level + 1,
                num(cmp.logrank.statistic, 1, lang),
                p_value(cmp.logrank.p_value, lang)
            );
        }
    }

    fn comments_html(&self, h: &mut String) {
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let Some(all) = self.analysis.comments.iter().find(|c| c.key.0.is_empty()) else {
            return;
        };
        let _ = write!(
            h,
            "<h2>{}</h2>",
            t("What comments are about", "Waar opmerkingen over gaan")
        );
        let mut themes = all.themes.clone();
        themes.sort_by_key(|x| std::cmp::Reverse(x.comments));
        let total = all.comments.max(1);
        if themes.is_empty() {
            return;
        }
        let rows: Vec<BarRow> = themes
            .iter()
            .take(10)
            .map(|x| BarRow {
                label: x.theme.label(lang).to_owned(),
                value: Some(super::share(x.comments, total)),
                lower: None,
                upper: None,
                note: None,
            })
            .collect();
        let top = rows.iter().filter_map(|r| r.value).fold(0.0, f64::max);
        let max = nice_max(top).min(1.0);
        let title = t(
            "Share of comments per theme",
            "Aandeel opmerkingen per thema",
        );
        let _ = write!(
            h,
            "<figure>{}</figure>",
            bars(title, &rows, scale(0.0, max, Format::Percent(0), lang))
        );
    }

    fn audit_html(&self, h: &mut String) {
        let lang = self.lang;
        let t = |en, nl| text(lang, en, nl);
        let a = &self.analysis.audit;
        let p = &self.analysis.policy;
        let _ = write!(
            h,
            "<h2>{}</h2><table><tbody><tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr></tbody></table>",
            t("Privacy", "Privacy"),
            t("Minimum group size (k)", "Minimale groepsgrootte (k)"),
            p.k(),
            t(
                "Minimum group size for comments",
                "Minimale groepsgrootte voor opmerkingen"
            ),
            p.comment_k(),
            t("Groups considered", "Bekeken groepen"),
            a.cells,
            t("Shown", "Getoond"),
            a.released,
            t(
                "Withheld: too small or all-but-one alike",
                "Niet getoond: te klein of op één na gelijk"
            ),
            a.primary + a.homogeneous,
            t(
                "Withheld to protect other groups",
                "Niet getoond om andere groepen te beschermen"
            ),
            a.secondary,
            t("Shown without comments", "Getoond zonder opmerkingen"),
            a.comments_withheld
        );
    }
}

/// A p-value as it is written in a test's line: "p = 0.134", "p < 0.001".
fn p_value(p: f64, lang: Lang) -> String {
    if p < 0.001 {
        format!("p < {}", num(0.001, 3, lang))
    } else {
        format!("p = {}", num(p, 3, lang))
    }
}
