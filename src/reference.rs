//! Submission references: `PIS-XXXX-XXXX`, eight random Crockford base32 characters (40 bits).
//!
//! Random and non-sequential on purpose: a reference seen over someone's shoulder must not
//! reveal when, where or what was reported.

use rand::RngCore;
use std::fmt;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Reference(String);

impl Reference {
    pub fn random() -> Self {
        // Forty bits from the operating system in one call, five bits per character.
        let mut bytes = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut bytes[3..]);
        let bits = u64::from_be_bytes(bytes);
        let chars: Vec<char> = (0..8)
            .rev()
            .map(|i| ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
            .collect();
        let a: String = chars[..4].iter().collect();
        let b: String = chars[4..].iter().collect();
        Reference(format!("PIS-{a}-{b}"))
    }

    /// Parses a reference typed by a person: case-insensitive, Crockford's look-alikes
    /// (I, L → 1; O → 0) accepted, hyphens optional.
    pub fn parse(input: &str) -> Option<Self> {
        let upper = input.trim().to_ascii_uppercase();
        let body = upper.strip_prefix("PIS")?;
        let mut out = String::with_capacity(8);
        for c in body.chars() {
            let c = match c {
                '-' | ' ' => continue,
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            if !ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
                return None;
            }
            out.push(c);
        }
        if out.len() != 8 {
            return None;
        }
        Some(Reference(format!("PIS-{}-{}", &out[..4], &out[4..])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Reference({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn random_references_have_the_documented_shape() {
        for _ in 0..200 {
            let r = Reference::random();
            let s = r.as_str();
            assert_eq!(s.len(), 13);
            assert!(s.starts_with("PIS-"));
            assert_eq!(&s[8..9], "-");
            assert!(s[4..]
                .chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
            assert_eq!(Reference::parse(s), Some(r));
        }
    }

    #[test]
    fn every_character_of_a_reference_is_random() {
        // 1,000 references: each of the eight positions takes (almost) every one of the 32
        // characters; a stuck bit would halve that.
        let refs: Vec<String> = (0..1000)
            .map(|_| Reference::random().as_str().replace('-', "")[3..].to_string())
            .collect();
        for position in 0..8 {
            let seen: std::collections::HashSet<u8> =
                refs.iter().map(|r| r.as_bytes()[position]).collect();
            assert!(seen.len() >= 30, "position {position}: {}", seen.len());
        }
        let distinct: std::collections::HashSet<&String> = refs.iter().collect();
        assert_eq!(distinct.len(), refs.len());
    }

    #[test]
    fn typed_references_are_forgiving_about_case_and_look_alikes() {
        let r = Reference::parse("pis-abcd-efgh").expect("valid");
        assert_eq!(r.as_str(), "PIS-ABCD-EFGH");
        assert_eq!(
            Reference::parse("PISoil0-1111").map(|r| r.0),
            Some("PIS-0110-1111".into())
        );
        assert_eq!(Reference::parse("PIS-ABCD-EFG"), None);
        assert_eq!(Reference::parse("PIS-ABCD-EFGU"), None);
        assert_eq!(Reference::parse("XYZ-ABCD-EFGH"), None);
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Reference::parse(&s);
        }
    }
}
