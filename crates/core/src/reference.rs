//! Submission references: `PIS-XXXX-XXXX`, eight Crockford base32 characters (40 bits).
//!
//! Unpredictable and non-sequential on purpose: a reference seen over someone's shoulder must
//! not reveal when, where or what was reported. Each is the submission's number enciphered under
//! a key only the spool holds ([`ReferenceCipher`]), which looks random to anyone else.

use aes::Aes256;
use fpe::ff1::{FlexibleNumeralString, FF1};
use std::fmt;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// How many references there are: eight characters of five bits.
pub const SPACE: u64 = 1 << 40;

/// The gateway's references are its submission numbers enciphered with FF1 (NIST SP 800-38G,
/// format-preserving encryption over AES-256) in the references' own alphabet, under a key
/// kept in the spool.
///
/// Without the key a reference looks random and says nothing of when, where or in what order
/// something was reported. With it, the spool finds a submission from its reference by number,
/// so there is no index of random references to update (one scattered page per submission), and
/// two submissions can never draw the same reference.
pub struct ReferenceCipher(FF1<Aes256>);

/// Bound to every reference, so the key cannot serve any other purpose by accident.
const TWEAK: &[u8] = b"pis-gateway reference";

impl ReferenceCipher {
    pub fn new(key: &[u8; 32]) -> Self {
        // 32 is a valid radix (FF1 takes 2 to 2^16): this cannot fail.
        let ff1 = FF1::<Aes256>::new(key, 32).unwrap_or_else(|_| unreachable!("radix 32"));
        ReferenceCipher(ff1)
    }

    /// The reference of submission number `n` (below [`SPACE`]).
    pub fn reference(&self, n: u64) -> Reference {
        debug_assert!(n < SPACE);
        let digits: Vec<u16> = (0..8).rev().map(|i| ((n >> (5 * i)) & 31) as u16).collect();
        let out: Vec<u16> = self
            .0
            .encrypt(TWEAK, &FlexibleNumeralString::from(digits))
            // Eight digits below 32 are always a valid input for radix 32.
            .unwrap_or_else(|_| unreachable!("eight radix-32 digits"))
            .into();
        let chars: String = out.iter().map(|&d| ALPHABET[d as usize] as char).collect();
        Reference(format!("PIS-{}-{}", &chars[..4], &chars[4..]))
    }

    /// The submission number a reference stands for.
    pub fn number(&self, reference: &Reference) -> u64 {
        let digits: Vec<u16> = reference
            .0
            .bytes()
            .skip(4)
            .filter(|&b| b != b'-')
            .map(|b| ALPHABET.iter().position(|&a| a == b).unwrap_or(0) as u16)
            .collect();
        let out: Vec<u16> = self
            .0
            .decrypt(TWEAK, &FlexibleNumeralString::from(digits))
            .unwrap_or_else(|_| unreachable!("eight radix-32 digits"))
            .into();
        out.iter().fold(0u64, |n, &d| (n << 5) | u64::from(d))
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Reference(String);

impl Reference {
    /// A random reference, for tests of code that only carries references around.
    #[cfg(test)]
    pub fn random() -> Self {
        use rand::RngCore;
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
        f.pad(&self.0)
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
    fn numbers_and_references_map_one_to_one() {
        let cipher = ReferenceCipher::new(&[7; 32]);
        let other = ReferenceCipher::new(&[8; 32]);
        let mut seen = std::collections::HashSet::new();
        let started = std::time::Instant::now();
        for n in (0..2000).chain([SPACE - 1, SPACE / 2]) {
            let r = cipher.reference(n);
            assert_eq!(Reference::parse(r.as_str()).as_ref(), Some(&r));
            assert_eq!(cipher.number(&r), n);
            assert_ne!(other.reference(n), r, "the key decides");
            assert!(seen.insert(r));
        }
        eprintln!("{:?} per reference and back", started.elapsed() / 4006);
        // Consecutive numbers give unrelated references: every position varies.
        for position in 4..13 {
            let chars: std::collections::HashSet<u8> = (0..1000)
                .map(|n| cipher.reference(n).as_str().as_bytes()[position])
                .collect();
            if position != 8 {
                assert!(chars.len() >= 30, "position {position}: {}", chars.len());
            }
        }
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
