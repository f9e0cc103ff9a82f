//! The languages the public pages can be shown in, and how a request picks one.

use serde::{Deserialize, Serialize};

/// A language of the public pages. English is the source every other falls back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Cy,
    Pl,
    Ro,
    Ur,
    Ar,
}

impl Lang {
    /// Every shipped language, in the order the language list shows them.
    pub const ALL: [Lang; 6] = [Lang::En, Lang::Cy, Lang::Pl, Lang::Ro, Lang::Ur, Lang::Ar];

    /// The code used in URLs (`?lang=cy`), folders (`forms/locales/cy/`) and the config.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Cy => "cy",
            Lang::Pl => "pl",
            Lang::Ro => "ro",
            Lang::Ur => "ur",
            Lang::Ar => "ar",
        }
    }

    /// The `lang` attribute of the page (BCP 47).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en-GB",
            other => other.code(),
        }
    }

    /// The language's name written in itself, as the language list shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Cy => "Cymraeg",
            Lang::Pl => "Polski",
            Lang::Ro => "Română",
            Lang::Ur => "اردو",
            Lang::Ar => "العربية",
        }
    }

    /// The language's name in English, for the officer's report and the operator.
    pub fn english_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Cy => "Welsh",
            Lang::Pl => "Polish",
            Lang::Ro => "Romanian",
            Lang::Ur => "Urdu",
            Lang::Ar => "Arabic",
        }
    }

    /// Written right to left.
    pub fn rtl(self) -> bool {
        matches!(self, Lang::Ur | Lang::Ar)
    }

    pub fn dir(self) -> &'static str {
        if self.rtl() {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// A code as written in a URL, a config file or a language tag's first part (`pl-PL`).
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.split(['-', '_']).next().unwrap_or("").trim();
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }
}

/// The best of `enabled` for an `Accept-Language` header: the highest `q` that names an
/// enabled language, the first listed on a tie; English when none does. A malformed entry is
/// skipped, never an error: the header is the browser's, and a page must always be shown.
pub fn negotiate(accept_language: &str, enabled: &[Lang]) -> Lang {
    let mut best: Option<(u16, Lang)> = None;
    for entry in accept_language.split(',').take(32) {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map(|q| q.trim().parse::<f32>().unwrap_or(0.0))
            .unwrap_or(1.0);
        let q = (q.clamp(0.0, 1.0) * 1000.0) as u16;
        let Some(lang) = Lang::parse(tag).filter(|l| enabled.contains(l)) else {
            continue;
        };
        if q > 0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l).unwrap_or(Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_s_preferred_enabled_language_wins() {
        let all = Lang::ALL;
        let cases = [
            ("pl-PL,pl;q=0.9,en;q=0.8", Lang::Pl, "first and highest"),
            (
                "de-DE, ro;q=0.5, en;q=0.4",
                Lang::Ro,
                "an unknown language skipped",
            ),
            ("en;q=0.3, cy;q=0.7", Lang::Cy, "q decides, not order"),
            ("ar;q=0, ur", Lang::Ur, "q=0 means not wanted"),
            ("fr, de", Lang::En, "none known: English"),
            ("", Lang::En, "no header"),
            (";;;,q=,-", Lang::En, "rubbish"),
        ];
        for (header, want, why) in cases {
            assert_eq!(negotiate(header, &all), want, "{why}: {header}");
        }
        assert_eq!(
            negotiate("pl, cy;q=0.5", &[Lang::En, Lang::Cy]),
            Lang::Cy,
            "only enabled ones"
        );
    }

    #[test]
    fn codes_round_trip() {
        for l in Lang::ALL {
            assert_eq!(Lang::parse(l.code()), Some(l));
        }
        assert_eq!(Lang::parse("PL-pl"), Some(Lang::Pl));
        assert_eq!(Lang::parse("xx"), None);
    }
}
