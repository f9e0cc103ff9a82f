//! Addresses as submitters type them ("Flat 2, 14 Station Parade", "14 station pde", "Station
//! Parade"), read into a street, a house number and a flat, so that one building is one place
//! and its flats sit under it.

use super::entities::fold;

/// A street address read from free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// "flat 2", "unit 3b": the part of the building, when given.
    pub flat: Option<String>,
    /// "14", "14a"; `None` for a street alone.
    pub number: Option<String>,
    /// The street with its type word spelled out: "station parade".
    pub street: String,
}

/// Street type words and their common abbreviations. A street is only recognised by one of
/// these at its end, so "2 men behind the co-op" is not read as an address.
const STREET_TYPES: &[(&str, &str)] = &[
    ("road", "road"),
    ("rd", "road"),
    ("street", "street"),
    ("st", "street"),
    ("parade", "parade"),
    ("pde", "parade"),
    ("lane", "lane"),
    ("ln", "lane"),
    ("avenue", "avenue"),
    ("ave", "avenue"),
    ("close", "close"),
    ("cl", "close"),
    ("drive", "drive"),
    ("dr", "drive"),
    ("way", "way"),
    ("court", "court"),
    ("ct", "court"),
    ("terrace", "terrace"),
    ("terr", "terrace"),
    ("ter", "terrace"),
    ("place", "place"),
    ("pl", "place"),
    ("crescent", "crescent"),
    ("cres", "crescent"),
    ("grove", "grove"),
    ("gardens", "gardens"),
    ("gdns", "gardens"),
    ("square", "square"),
    ("sq", "square"),
    ("mews", "mews"),
    ("row", "row"),
    ("walk", "walk"),
    ("hill", "hill"),
    ("green", "green"),
    ("rise", "rise"),
    ("view", "view"),
];

/// Words that name a part of a building, followed by its number.
const FLAT_WORDS: &[&str] = &["flat", "apartment", "apt", "unit", "room", "studio"];

const PREPOSITIONS: &[&str] = &[
    "the", "on", "in", "at", "by", "near", "behind", "outside", "opposite", "off", "of", "and",
];

fn is_number(w: &str) -> bool {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit()) && {
        let letters = w.len() - digits.len();
        letters <= 1
    }
}

fn street_type(w: &str) -> Option<&'static str> {
    STREET_TYPES
        .iter()
        .find(|(abbr, _)| *abbr == w)
        .map(|(_, full)| *full)
}

/// Reads an address from `text`, or `None` when it does not end in a street (a landmark, a
/// description).
pub fn parse(text: &str) -> Option<Address> {
    let folded = fold(&text.replace([',', '.', ';', '/'], " "));
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    // The street ends at the last street type word after the first word (the street may be
    // followed by a town: "14 station parade scarborough").
    let end = (1..words.len())
        .rev()
        .find(|i| street_type(words[*i]).is_some())?;
    let mut i = 0;
    let mut flat = None;
    if let Some(w) = words.first().filter(|w| FLAT_WORDS.contains(w)) {
        let n = words.get(1).filter(|n| is_number(n))?;
        flat = Some(format!("{w} {n}"));
        i = 2;
    }
    let mut number = None;
    if let Some(n) = words.get(i).filter(|n| is_number(n)) {
        number = Some(n.to_string());
        i += 1;
    }
    // "2 14 station parade": the flat given as a bare number before the house number.
    if flat.is_none() && number.is_some() {
        if let Some(n) = words.get(i).filter(|n| is_number(n)) {
            flat = number.take().map(|f| format!("flat {f}"));
            number = Some(n.to_string());
            i += 1;
        }
    }
    if i >= end {
        return None;
    }
    let mut street: Vec<&str> = words[i..end].to_vec();
    // A street's name is a few words; prepositions mean a description ("behind the co-op on
    // high street"), kept as a landmark.
    if street.len() > 3
        || street
            .iter()
            .any(|w| is_number(w) || FLAT_WORDS.contains(w) || PREPOSITIONS.contains(w))
    {
        return None;
    }
    let kind = street_type(words[end])?;
    street.push(kind);
    Some(Address {
        flat: flat.filter(|_| number.is_some()),
        number,
        street: street.join(" "),
    })
}

/// Capitals at the start of each word, for labels made from folded text.
pub fn title(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A capital at the start only ("lives at" → "Lives at").
pub fn title_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(flat: Option<&str>, number: Option<&str>, street: &str) -> Option<Address> {
        Some(Address {
            flat: flat.map(str::to_string),
            number: number.map(str::to_string),
            street: street.into(),
        })
    }

    #[test]
    fn one_building_is_read_the_same_however_it_is_typed() {
        let cases = [
            (
                "flat and building",
                "Flat 2, 14 Station Parade",
                a(Some("flat 2"), Some("14"), "station parade"),
            ),
            (
                "building, abbreviated",
                "14 station pde",
                a(None, Some("14"), "station parade"),
            ),
            (
                "bare flat number",
                "2/14 Station Parade",
                a(Some("flat 2"), Some("14"), "station parade"),
            ),
            (
                "street alone",
                "Station Parade",
                a(None, None, "station parade"),
            ),
            (
                "town after the street",
                "14A Station Parade, Scarborough",
                a(None, Some("14a"), "station parade"),
            ),
            ("a landmark", "behind the Co-op", None),
            (
                "a landmark on a street",
                "behind the Co-op on High Street",
                None,
            ),
            ("a description with a number", "2 men near the shops", None),
            (
                "a flat word with no number",
                "Flat above the chip shop",
                None,
            ),
        ];
        for (why, text, want) in cases {
            assert_eq!(parse(text), want, "{why}: {text}");
        }
    }
}
