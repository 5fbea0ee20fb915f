//! Redaction of free text before it can be shown: e-mail addresses, phone
//! numbers, IBANs, Dutch citizen service numbers (BSN) and names from a
//! roster become typed placeholders in the report's language.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::{Error, Lang, Result};

/// The kinds of personal data a [`Redactor`] replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Redacted {
    /// A name from the roster (person, manager, team).
    Name,
    /// An e-mail address.
    Email,
    /// A phone number, Dutch or international.
    Phone,
    /// An IBAN that passes the mod-97 check.
    Iban,
    /// A Dutch BSN that passes the elfproef.
    Bsn,
}

impl Redacted {
    /// The placeholder that replaces it, in `lang`.
    pub fn placeholder(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Redacted::Name, Lang::Nl) => "[NAAM]",
            (Redacted::Name, Lang::En) => "[NAME]",
            (Redacted::Email, _) => "[EMAIL]",
            (Redacted::Phone, Lang::Nl) => "[TELEFOON]",
            (Redacted::Phone, Lang::En) => "[PHONE]",
            (Redacted::Iban, _) => "[IBAN]",
            (Redacted::Bsn, _) => "[BSN]",
        }
    }
}

// The patterns are constants of this module, checked by the unit tests, so
// compiling them cannot fail on any input.
#[allow(clippy::expect_used)]
fn pattern(re: &str) -> Regex {
    Regex::new(re).expect("redaction patterns are valid")
}

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"));
/// Candidate IBANs: country code, check digits, then 11-30 letters or digits,
/// optionally grouped by single spaces. The mod-97 check decides.
static IBAN: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)\b[a-z]{2}[0-9]{2}(?: ?[a-z0-9]){11,30}\b"));
/// International numbers (+31 6 12345678, 0031 20 123 4567, +44 (0)20 7946 0958)
/// and Dutch national ones (06-12345678, 020 123 4567, (020) 1234567): ten digits from a leading 0.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:\+|\b00)[1-9][0-9]{0,2}[\s.-]?(?:\(0\)[\s.-]?)?(?:\(?[0-9]\)?[\s.-]?){6,12}[0-9]\b|(?:\(0[0-9]{1,3}\)|\b0[0-9])(?:[\s.-]?[0-9]){7,8}\b",
    )
});
/// Nine digits, bare or as 1234.56.782; the elfproef decides.
static BSN: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\b[0-9]{9}\b|\b[0-9]{4}\.[0-9]{2}\.[0-9]{3}\b"));

/// Whether `candidate` (spaces allowed) is an IBAN with valid check digits (ISO 13616 mod-97).
///
/// ```
/// use exitcore::privacy::iban_is_valid;
/// assert!(iban_is_valid("NL91 ABNA 0417 1643 00"));
/// assert!(!iban_is_valid("NL91ABNA0417164301"));
/// ```
pub fn iban_is_valid(candidate: &str) -> bool {
    let s: Vec<char> = candidate.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&s.len())
        || !s[..2].iter().all(char::is_ascii_alphabetic)
        || !s[2..4].iter().all(char::is_ascii_digit)
        || !s.iter().all(char::is_ascii_alphanumeric)
    {
        return false;
    }
    // Move the first four characters to the end, letters become 10..35, and
    // reduce mod 97 digit by digit so no big integers are needed.
    let rotated = s[4..].iter().chain(&s[..4]);
    let mut rem: u32 = 0;
    for c in rotated {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// Whether `candidate` (digits, dots allowed) is a BSN by the elfproef:
/// 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not zero).
///
/// ```
/// use exitcore::privacy::bsn_is_valid;
/// assert!(bsn_is_valid("111222333"));
/// assert!(!bsn_is_valid("123456789"));
/// ```
pub fn bsn_is_valid(candidate: &str) -> bool {
    let digits: Vec<i64> = candidate
        .chars()
        .filter_map(|c| c.to_digit(10))
        .map(i64::from)
        .collect();
    if digits.len() != 9 || digits.iter().all(|&d| d == 0) {
        return false;
    }
    let weights = [9, 8, 7, 6, 5, 4, 3, 2, -1];
    let sum: i64 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    sum % 11 == 0
}

/// Replaces personal data in free text by typed placeholders.
///
/// ```
/// use exitcore::{Lang, privacy::Redactor};
/// let r = Redactor::new(["Jan de Vries", "Team Noord"]).unwrap();
/// let text = "Jan de Vries (jan.devries@bedrijf.nl, 06-12345678), BSN 111222333, IBAN NL91ABNA0417164300";
/// assert_eq!(r.redact(text, Lang::Nl), "[NAAM] ([EMAIL], [TELEFOON]), BSN [BSN], IBAN [IBAN]");
/// assert_eq!(r.redact("123456789 and NL91ABNA0417164301", Lang::En), "123456789 and NL91ABNA0417164301");
/// ```
#[derive(Debug, Clone)]
pub struct Redactor {
    names: Option<Regex>,
}

impl Redactor {
    /// A redactor that also replaces the given names (employees, managers,
    /// team names), matched whole-word, ignoring case and spacing.
    pub fn new<I, S>(roster: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut names: Vec<String> = roster
            .into_iter()
            .map(|n| n.as_ref().split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|n| !n.is_empty())
            .collect();
        if let Some(short) = names.iter().find(|n| n.chars().count() < 2) {
            return Err(Error::argument(
                "roster",
                format!("name {short:?} is too short to redact safely"),
            ));
        }
        // Longest first, so "Jan de Vries" wins over "Jan".
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        names.dedup();
        let names = if names.is_empty() {
            None
        } else {
            let alternatives: Vec<String> = names
                .iter()
                .map(|n| {
                    n.split(' ')
                        .map(regex::escape)
                        .collect::<Vec<_>>()
                        .join(r"\s+")
                })
                .collect();
            let re = format!(r"(?i)\b(?:{})\b", alternatives.join("|"));
            Some(
                regex::RegexBuilder::new(&re)
                    .size_limit(64 << 20)
                    .build()
                    .map_err(|e| {
                        Error::argument("roster", format!("roster is too large to search: {e}"))
                    })?,
            )
        };
        Ok(Redactor { names })
    }

    /// `text` with every e-mail address, phone number, valid IBAN, valid BSN
    /// and roster name replaced by its placeholder in `lang`.
    pub fn redact(&self, text: &str, lang: Lang) -> String {
        self.redact_cow(text, lang).into_owned()
    }

    /// [`Redactor::redact`] without a copy when nothing is replaced.
    pub(crate) fn redact_cow<'t>(&self, text: &'t str, lang: Lang) -> Cow<'t, str> {
        // Every pattern but the names needs an `@` or an ASCII digit
        // (`[0-9]` in each), and most comments have neither: skip the four
        // searches for those.
        let mut out = if text.bytes().any(|b| b == b'@' || b.is_ascii_digit()) {
            let mut out = EMAIL
                .replace_all(text, Redacted::Email.placeholder(lang))
                .into_owned();
            out = replace_valid(
                &out,
                &IBAN,
                Redacted::Iban.placeholder(lang),
                longest_valid_iban,
            );
            out = PHONE
                .replace_all(&out, Redacted::Phone.placeholder(lang))
                .into_owned();
            out = replace_valid(&out, &BSN, Redacted::Bsn.placeholder(lang), |m| {
                bsn_is_valid(m).then_some(m.len())
            });
            Cow::Owned(out)
        } else {
            Cow::Borrowed(text)
        };
        if let Some(names) = &self.names
            && let Cow::Owned(replaced) = names.replace_all(&out, Redacted::Name.placeholder(lang))
        {
            out = Cow::Owned(replaced);
        }
        out
    }
}

/// Replaces matches of `re` for which `valid` gives the length of the valid
/// prefix to replace; other matches stay as they are.
fn replace_valid(
    text: &str,
    re: &Regex,
    placeholder: &str,
    valid: impl Fn(&str) -> Option<usize>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in re.find_iter(text) {
        if let Some(len) = valid(m.as_str()) {
            out.push_str(&text[last..m.start()]);
            out.push_str(placeholder);
            last = m.start() + len;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// The longest prefix of a candidate that is a valid IBAN, as a byte length:
/// the pattern may run on into a following word ("NL91ABNA0417164300 BETAALD").
fn longest_valid_iban(candidate: &str) -> Option<usize> {
    let ends: Vec<usize> = candidate
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .map(|(i, c)| i + c.len_utf8())
        .collect();
    ends.iter()
        .rev()
        .copied()
        .find(|&end| iban_is_valid(&candidate[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> Redactor {
        Redactor::new(["Jan de Vries", "Priya Ramdin", "Team Noord"]).unwrap()
    }

    #[test]
    fn the_issue_example_redacts_all_five() {
        let text = "Jan de Vries (jan.devries@bedrijf.nl, 06-12345678), BSN 111222333, IBAN NL91ABNA0417164300";
        assert_eq!(
            r().redact(text, Lang::Nl),
            "[NAAM] ([EMAIL], [TELEFOON]), BSN [BSN], IBAN [IBAN]"
        );
        assert_eq!(
            r().redact(text, Lang::En),
            "[NAME] ([EMAIL], [PHONE]), BSN [BSN], IBAN [IBAN]"
        );
    }

    #[test]
    fn numbers_that_fail_their_checks_stay() {
        for s in [
            "123456789",
            "NL91ABNA0417164301",
            "order 2024-03-01",
            "versie 1.2.3",
            "tel. 12345",
        ] {
            assert_eq!(r().redact(s, Lang::Nl), s);
        }
    }

    #[test]
    fn phone_formats() {
        for s in [
            "06-12345678",
            "06 12 34 56 78",
            "0612345678",
            "020-1234567",
            "020 123 4567",
            "(020) 1234567",
            "+31 6 12345678",
            "+31 (0)6 1234 5678",
            "0031 20 123 4567",
            "+44 20 7946 0958",
            "+1 (555) 123-4567",
        ] {
            assert_eq!(
                r().redact(&format!("bel {s} maar"), Lang::Nl),
                "bel [TELEFOON] maar",
                "{s}"
            );
        }
    }

    #[test]
    fn ibans_with_spaces_and_trailing_words() {
        assert_eq!(r().redact("NL91 ABNA 0417 1643 00", Lang::En), "[IBAN]");
        assert_eq!(
            r().redact("naar NL91ABNA0417164300 BETAALD", Lang::Nl),
            "naar [IBAN] BETAALD"
        );
        // A Belgian and a German IBAN (published examples), checked by mod-97 only.
        assert_eq!(
            r().redact("BE68539007547034 DE89370400440532013000", Lang::En),
            "[IBAN] [IBAN]"
        );
    }

    #[test]
    fn bsn_with_dots_and_elfproef() {
        assert_eq!(r().redact("bsn 1112.22.333", Lang::Nl), "bsn [BSN]");
        // 111222334 fails the elfproef: 66 + 3 - 4 = 65.
        assert_eq!(r().redact("111222334", Lang::Nl), "111222334");
    }

    #[test]
    fn names_match_whole_words_ignoring_case_and_spacing() {
        assert_eq!(
            r().redact("JAN  DE VRIES en priya ramdin van team noord", Lang::Nl),
            "[NAAM] en [NAAM] van [NAAM]"
        );
        // Part of another word is not a name.
        let r2 = Redactor::new(["Jan"]).unwrap();
        assert_eq!(r2.redact("Janssen en Jan", Lang::Nl), "Janssen en [NAAM]");
        assert!(Redactor::new(["J"]).is_err());
        assert_eq!(
            Redactor::new(Vec::<String>::new())
                .unwrap()
                .redact("Jan", Lang::Nl),
            "Jan"
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            r().redact("mail a.b-c+d@sub.example.co.uk!", Lang::En),
            "mail [EMAIL]!"
        );
    }
}
