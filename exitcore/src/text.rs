//! Localised text: everything a respondent or reader sees exists in Dutch and English.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A language exitcore writes reports in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Dutch.
    Nl,
    /// English.
    En,
}

impl Lang {
    /// Every language a questionnaire must be translated into.
    pub const REQUIRED: [Lang; 2] = [Lang::Nl, Lang::En];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "nl" => Ok(Lang::Nl),
            "en" => Ok(Lang::En),
            other => Err(crate::Error::argument(
                "lang",
                format!("unsupported language {other:?}, expected \"nl\" or \"en\""),
            )),
        }
    }
}

/// A text in several languages, keyed by language code (`{"nl": "...", "en": "..."}`).
///
/// Extra languages are kept; `nl` and `en` are required wherever a questionnaire
/// is validated.
///
/// ```
/// use exitcore::{Lang, Text};
/// let t = Text::new("Leiderschap", "Leadership");
/// assert_eq!(t.get(Lang::Nl), "Leiderschap");
/// assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"en":"Leadership","nl":"Leiderschap"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(BTreeMap<String, String>);

impl Text {
    /// A text with its Dutch and English forms.
    pub fn new(nl: impl Into<String>, en: impl Into<String>) -> Self {
        let mut map = BTreeMap::new();
        map.insert("nl".to_owned(), nl.into());
        map.insert("en".to_owned(), en.into());
        Text(map)
    }

    /// The text in `lang`, or the English text when that language is absent.
    pub fn get(&self, lang: Lang) -> &str {
        self.0
            .get(lang.code())
            .or_else(|| self.0.get("en"))
            .or_else(|| self.0.values().next())
            .map_or("", String::as_str)
    }

    /// The required languages that are missing or blank.
    pub fn missing_languages(&self) -> Vec<Lang> {
        Lang::REQUIRED
            .into_iter()
            .filter(|l| self.0.get(l.code()).is_none_or(|t| t.trim().is_empty()))
            .collect()
    }

    /// All forms, keyed by language code.
    pub fn translations(&self) -> &BTreeMap<String, String> {
        &self.0
    }
}
