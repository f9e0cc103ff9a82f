//! MACE localities: which former district of North Yorkshire and York a submission concerns.
//!
//! The submitter's own answer wins, because they know the place and a postcode district can
//! straddle a boundary. Otherwise the postcode's outward code ("YO24" of "YO24 3BZ") is looked up
//! in `config/localities.toml`; a district that crosses a boundary gives every locality it
//! touches, so no MACE area misses a submission that may be theirs. Anything not listed is
//! `UNKNOWN`: never a guess, because a wrong locality sends information to the wrong partners.

use regex::Regex;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// Every locality value, in the order forms and routes list them.
pub const LOCALITIES: &[&str] = &[
    "CRAVEN",
    "HAMBLETON",
    "HARROGATE",
    "RICHMONDSHIRE",
    "RYEDALE",
    "SCARBOROUGH",
    "SELBY",
    "CITY_OF_YORK",
    "OUTSIDE_AREA",
    "UNKNOWN",
];

/// The answer when neither the submitter nor the table knows.
const UNKNOWN: &str = "UNKNOWN";

/// The table shipped with the gateway, compiled in so a deployment without `config/` still routes.
const BUILT_IN: &str = include_str!("../../../config/localities.toml");

/// The outward half of a UK postcode (BS 7666), the same pattern `forms::postcode` accepts, so
/// every key in the table is one a validated form answer can produce.
static OUTWARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^([A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])$",
    )
    .expect("invariant: the outward-code pattern is a valid regex")
});

#[derive(Debug, thiserror::Error)]
pub enum LocalityError {
    #[error("cannot read locality table {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("locality table is not valid: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("locality table: `{outward}` has unknown locality `{value}` (expected one of {})", LOCALITIES.join(", "))]
    UnknownLocality { outward: String, value: String },
    #[error("locality table: `{outward}` lists `{value}` twice")]
    DuplicateLocality { outward: String, value: String },
    #[error("locality table: `{outward}` lists no locality (use [\"UNKNOWN\"], or leave it out)")]
    NoLocality { outward: String },
    #[error("locality table: `{outward}` is not an upper-case UK outward code, like YO24")]
    MalformedOutward { outward: String },
}

/// The file's shape. Unknown keys are refused so a misspelt `[outward]` fails loudly instead of
/// loading an empty table that would make every submission UNKNOWN.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    // Sorted, so the first problem reported does not depend on hash order.
    outward: BTreeMap<String, Vec<String>>,
}

/// Outward code → localities, as loaded from `config/localities.toml`.
#[derive(Debug, Clone)]
pub struct LocalityTable {
    by_outward: HashMap<String, Vec<String>>,
}

impl LocalityTable {
    pub fn load(path: &Path) -> Result<Self, LocalityError> {
        let source = std::fs::read_to_string(path).map_err(|source| LocalityError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml(&source)
    }

    /// Parses and checks a table. Keys must already be upper-case: the file is generated, and
    /// normalising here could silently merge two entries that differ only in case.
    pub fn from_toml(source: &str) -> Result<Self, LocalityError> {
        let file: TableFile = toml::from_str(source)?;
        let mut by_outward = HashMap::with_capacity(file.outward.len());
        for (outward, localities) in file.outward {
            if !OUTWARD.is_match(&outward) {
                return Err(LocalityError::MalformedOutward { outward });
            }
            // An empty list would route to no one, not even as UNKNOWN.
            if localities.is_empty() {
                return Err(LocalityError::NoLocality { outward });
            }
            for (i, value) in localities.iter().enumerate() {
                if !LOCALITIES.contains(&value.as_str()) {
                    return Err(LocalityError::UnknownLocality {
                        outward,
                        value: value.clone(),
                    });
                }
                // A repeat would send the same locality two copies of a submission.
                if localities[..i].contains(value) {
                    return Err(LocalityError::DuplicateLocality {
                        outward,
                        value: value.clone(),
                    });
                }
            }
            by_outward.insert(outward, localities);
        }
        Ok(LocalityTable { by_outward })
    }

    /// The table compiled into the gateway.
    pub fn built_in() -> Self {
        Self::from_toml(BUILT_IN)
            .expect("invariant: config/localities.toml is valid (checked by this module's tests)")
    }

    /// Localities of an outward code ("yo24", " YO24 " and "YO24" alike); `["UNKNOWN"]` when the
    /// code is not in the table.
    pub fn lookup(&self, outward: &str) -> Vec<String> {
        let key = outward.trim().to_ascii_uppercase();
        match self.by_outward.get(&key) {
            Some(localities) => localities.clone(),
            None => vec![UNKNOWN.to_string()],
        }
    }

    /// Localities for one location: the submitter's chosen locality (if any, and if it is a known
    /// value other than empty) wins; else the postcode's outward code (a full postcode "YO24 3BZ"
    /// or an outward code "YO24"); else UNKNOWN.
    ///
    /// A chosen `UNKNOWN` ("Not known" on the form) does not win: it says the submitter does not
    /// know, and the postcode may.
    pub fn for_location(&self, chosen: Option<&str>, postcode: Option<&str>) -> Vec<String> {
        let chosen = chosen
            .map(|c| c.trim().to_ascii_uppercase())
            .and_then(|c| LOCALITIES.iter().copied().find(|l| *l == c))
            .filter(|l| *l != UNKNOWN);
        if let Some(locality) = chosen {
            return vec![locality.to_string()];
        }
        match postcode.and_then(outward_of) {
            Some(outward) => self.lookup(outward),
            None => vec![UNKNOWN.to_string()],
        }
    }

    pub fn len(&self) -> usize {
        self.by_outward.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_outward.is_empty()
    }
}

/// The outward code of a postcode: the part before the space. Validated postcodes always have the
/// space, but a compact "YO243BZ" is handled too: an outward code is at most four characters and
/// the inward code always three, so anything longer ends in an inward code.
fn outward_of(postcode: &str) -> Option<&str> {
    let first = postcode.split_whitespace().next()?;
    // ASCII only, so slicing by byte count cannot split a character.
    if first.len() > 4 && first.is_ascii() {
        Some(&first[..first.len() - 3])
    } else {
        Some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Data rows in north-yorkshire-postcode-districts.csv when config/localities.toml was
    /// generated from it. Asserted rather than read, because the CSV is not in the repository.
    const CSV_ROWS: usize = 51;

    fn v(localities: &[&str]) -> Vec<String> {
        localities.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn the_built_in_table_loads_with_every_csv_row() {
        let table = LocalityTable::built_in();
        assert_eq!(table.len(), CSV_ROWS);
        assert!(!table.is_empty());
    }

    #[test]
    fn the_built_in_table_matches_the_file_on_disk() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/localities.toml");
        let table = LocalityTable::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(table.len(), CSV_ROWS);
    }

    #[test]
    fn known_rows_give_their_localities_in_order() {
        let table = LocalityTable::built_in();
        assert_eq!(table.lookup("YO1"), v(&["CITY_OF_YORK"]));
        assert_eq!(table.lookup("HG3"), v(&["CRAVEN", "HARROGATE"]));
        assert_eq!(table.lookup("DL10"), v(&["HAMBLETON", "RICHMONDSHIRE"]));
        assert_eq!(table.lookup("BB18"), v(&["CRAVEN", "OUTSIDE_AREA"]));
        assert_eq!(
            table.lookup("YO23"),
            v(&["CITY_OF_YORK", "HARROGATE", "SELBY"])
        );
    }

    #[test]
    fn lookups_ignore_case_and_surrounding_space() {
        let table = LocalityTable::built_in();
        assert_eq!(table.lookup("yo1"), v(&["CITY_OF_YORK"]));
        assert_eq!(table.lookup(" Hg3\t"), v(&["CRAVEN", "HARROGATE"]));
    }

    #[test]
    fn an_unknown_code_is_unknown() {
        let table = LocalityTable::built_in();
        assert_eq!(table.lookup("SW1A"), v(&["UNKNOWN"]));
        assert_eq!(table.lookup(""), v(&["UNKNOWN"]));
        assert_eq!(table.for_location(None, Some("SW1A 1AA")), v(&["UNKNOWN"]));
        assert_eq!(table.for_location(None, None), v(&["UNKNOWN"]));
        assert_eq!(table.for_location(None, Some("  ")), v(&["UNKNOWN"]));
        assert_eq!(table.for_location(Some(""), None), v(&["UNKNOWN"]));
    }

    #[test]
    fn a_full_postcode_uses_its_outward_code() {
        let table = LocalityTable::built_in();
        assert_eq!(
            table.for_location(None, Some("YO24 3BZ")),
            v(&["CITY_OF_YORK"])
        );
        assert_eq!(
            table.for_location(None, Some("yo24 3bz")),
            v(&["CITY_OF_YORK"])
        );
        assert_eq!(
            table.for_location(None, Some("YO243BZ")),
            v(&["CITY_OF_YORK"])
        );
        assert_eq!(
            table.for_location(None, Some("DL10 4AA")),
            v(&["HAMBLETON", "RICHMONDSHIRE"])
        );
        assert_eq!(table.for_location(None, Some("YO24")), v(&["CITY_OF_YORK"]));
        // "YO2" is not a district in the table; the full postcode must not be cut down to it.
        assert_eq!(table.for_location(None, Some("YO2 4BZ")), v(&["UNKNOWN"]));
        assert_eq!(table.for_location(None, Some("YO24é3BZ")), v(&["UNKNOWN"]));
    }

    #[test]
    fn the_chosen_locality_overrides_the_postcode() {
        let table = LocalityTable::built_in();
        assert_eq!(
            table.for_location(Some("SELBY"), Some("YO24 3BZ")),
            v(&["SELBY"])
        );
        assert_eq!(table.for_location(Some(" selby "), None), v(&["SELBY"]));
        assert_eq!(
            table.for_location(Some("OUTSIDE_AREA"), Some("HG3 1AA")),
            v(&["OUTSIDE_AREA"])
        );
    }

    #[test]
    fn an_empty_unknown_or_made_up_choice_falls_back_to_the_postcode() {
        let table = LocalityTable::built_in();
        for chosen in ["", "  ", "UNKNOWN", "unknown", "YORK"] {
            assert_eq!(
                table.for_location(Some(chosen), Some("YO24 3BZ")),
                v(&["CITY_OF_YORK"]),
                "chosen {chosen:?}"
            );
        }
    }

    #[test]
    fn a_bad_value_is_refused_naming_the_code() {
        let err =
            LocalityTable::from_toml("[outward]\nYO1 = [\"CITY_OF_YORK\"]\nYO24 = [\"YORK\"]\n")
                .unwrap_err();
        assert!(
            matches!(&err, LocalityError::UnknownLocality { outward, value } if outward == "YO24" && value == "YORK"),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains("`YO24`") && message.contains("`YORK`"),
            "{message}"
        );
        // Values are exact: the file is generated, so lower case there is a mistake.
        assert!(matches!(
            LocalityTable::from_toml("[outward]\nYO1 = [\"city_of_york\"]\n"),
            Err(LocalityError::UnknownLocality { .. })
        ));
    }

    #[test]
    fn malformed_outward_codes_are_refused() {
        for key in ["yo1", "YOA", "QO1", "\"YO1 7HH\"", "YO1X2"] {
            let source = format!("[outward]\n{key} = [\"CITY_OF_YORK\"]\n");
            let err = LocalityTable::from_toml(&source).unwrap_err();
            assert!(
                matches!(err, LocalityError::MalformedOutward { .. }),
                "{key}: {err:?}"
            );
        }
    }

    #[test]
    fn empty_and_repeated_lists_are_refused() {
        assert!(matches!(
            LocalityTable::from_toml("[outward]\nYO1 = []\n"),
            Err(LocalityError::NoLocality { outward }) if outward == "YO1"
        ));
        assert!(matches!(
            LocalityTable::from_toml("[outward]\nHG3 = [\"CRAVEN\", \"CRAVEN\"]\n"),
            Err(LocalityError::DuplicateLocality { outward, value }) if outward == "HG3" && value == "CRAVEN"
        ));
    }

    #[test]
    fn invalid_or_misshapen_toml_is_refused() {
        for source in [
            "[outward\nYO1 = [\"CITY_OF_YORK\"]\n",
            "[outwards]\nYO1 = [\"CITY_OF_YORK\"]\n",
            "[outward]\nYO1 = \"CITY_OF_YORK\"\n",
            "",
        ] {
            assert!(
                matches!(
                    LocalityTable::from_toml(source),
                    Err(LocalityError::Toml(_))
                ),
                "{source:?}"
            );
        }
    }

    #[test]
    fn an_unreadable_file_is_named() {
        let path = Path::new("/nonexistent/localities.toml");
        let err = LocalityTable::load(path).unwrap_err();
        assert!(matches!(err, LocalityError::Read { .. }));
        assert!(err.to_string().contains("/nonexistent/localities.toml"));
    }
}
