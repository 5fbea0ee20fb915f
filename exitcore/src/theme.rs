//! The fixed theme taxonomy: every question and reason points at one of these,
//! so exits compare across teams, years and questionnaire versions.

use serde::{Deserialize, Serialize};

use crate::{Lang, Text};

/// A theme of the standard taxonomy.
///
/// ```
/// use exitcore::{Lang, Theme};
/// assert_eq!(Theme::Growth.label(Lang::Nl), "ontwikkelmogelijkheden");
/// assert_eq!("role_clarity".parse::<Theme>().unwrap(), Theme::RoleClarity);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Leadership and the direct manager.
    Leadership,
    /// Collaboration with colleagues and other teams.
    Collaboration,
    /// Organisational culture.
    Culture,
    /// Growth and development opportunities.
    Growth,
    /// Pay and benefits.
    Pay,
    /// Workload and wellbeing.
    Workload,
    /// Autonomy.
    Autonomy,
    /// Recognition and appreciation.
    Recognition,
    /// Onboarding and guidance.
    Onboarding,
    /// Clear expectations about the role.
    RoleClarity,
    /// A career move elsewhere.
    CareerMove,
    /// Personal circumstances (family, health, relocation, study).
    Personal,
}

impl Theme {
    /// Every theme, in the taxonomy's order.
    pub const ALL: [Theme; 12] = [
        Theme::Leadership,
        Theme::Collaboration,
        Theme::Culture,
        Theme::Growth,
        Theme::Pay,
        Theme::Workload,
        Theme::Autonomy,
        Theme::Recognition,
        Theme::Onboarding,
        Theme::RoleClarity,
        Theme::CareerMove,
        Theme::Personal,
    ];

    /// The snake-case id used in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Theme::Leadership => "leadership",
            Theme::Collaboration => "collaboration",
            Theme::Culture => "culture",
            Theme::Growth => "growth",
            Theme::Pay => "pay",
            Theme::Workload => "workload",
            Theme::Autonomy => "autonomy",
            Theme::Recognition => "recognition",
            Theme::Onboarding => "onboarding",
            Theme::RoleClarity => "role_clarity",
            Theme::CareerMove => "career_move",
            Theme::Personal => "personal",
        }
    }

    /// The theme's name in `lang`, lowercase as it reads mid-sentence.
    pub fn label(self, lang: Lang) -> &'static str {
        let (nl, en) = self.names();
        match lang {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }

    /// The theme's name in both languages.
    pub fn text(self) -> Text {
        let (nl, en) = self.names();
        Text::new(nl, en)
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Theme::Leadership => ("leiderschap", "leadership"),
            Theme::Collaboration => ("samenwerking", "collaboration"),
            Theme::Culture => ("cultuur", "culture"),
            Theme::Growth => ("ontwikkelmogelijkheden", "growth and development"),
            Theme::Pay => ("arbeidsvoorwaarden", "pay and benefits"),
            Theme::Workload => ("werkdruk", "workload and wellbeing"),
            Theme::Autonomy => ("autonomie", "autonomy"),
            Theme::Recognition => ("waardering", "recognition"),
            Theme::Onboarding => ("begeleiding", "onboarding and guidance"),
            Theme::RoleClarity => ("duidelijke verwachtingen", "role clarity"),
            Theme::CareerMove => ("carrièrestap", "career move"),
            Theme::Personal => ("persoonlijke omstandigheden", "personal circumstances"),
        }
    }
}

impl std::str::FromStr for Theme {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        Theme::ALL
            .into_iter()
            .find(|t| t.id() == s)
            .ok_or_else(|| crate::Error::argument("theme", format!("unknown theme {s:?}")))
    }
}

impl std::fmt::Display for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
