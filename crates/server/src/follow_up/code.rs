//! The follow-up code: 100 random bits written as 20 Crockford base32 characters in groups of
//! four (`7KQ2-M9XD-...`). Read back leniently, as people copy codes: any case, spaces and
//! hyphens anywhere, `I`/`L` for 1 and `O` for 0.
//!
//! The same 100 bits are also shown as eight words of the EFF long list (7,776 words, so eight
//! hold 103 bits): a number in base 7,776, easier to write down and read back than characters.
//! Either form reads back as the same code, so codes issued as characters still work.

use rand::RngCore;
use std::fmt;
use zeroize::Zeroize;

/// Characters in a code (5 bits each: 100 bits).
pub const LEN: usize = 20;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A follow-up code, in its canonical form (20 upper-case characters, no separators). Never
/// logged: `Debug` does not show it, and it is wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct FollowUpCode([u8; LEN]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("a follow-up code is 20 letters and numbers")]
    Length,
    #[error("a follow-up code has only letters and numbers")]
    Character,
    #[error("a follow-up code is eight words from our word list")]
    Words,
}

/// Words in a code's word form.
pub const WORDS: usize = 8;

fn word_list() -> &'static [&'static str] {
    &diceware_wordlists::EFF_LONG_WORDLIST
}

/// The code's 100 bits from words as a person typed them: spaces, commas or hyphens between
/// them, any case. `None` when the text does not look like words at all (then it is read as
/// characters); an error when it looks like words but is not eight of the list's.
fn value_of_words(typed: &str) -> Option<Result<u128, CodeError>> {
    let lowered = typed.to_lowercase();
    let spaced: Vec<&str> = lowered
        .split(|c: char| c.is_whitespace() || c == ',' || c == '.')
        .filter(|w| !w.is_empty())
        .collect();
    // Characters come in five groups of four or as one run of twenty; words are more, or
    // longer.
    let parts: Vec<&str> = spaced.iter().flat_map(|w| w.split('-')).collect();
    let wordish = parts.len() > 5
        || parts
            .iter()
            .any(|w| w.len() > 4 && w.len() != LEN && w.chars().all(char::is_alphabetic));
    if !wordish {
        return None;
    }
    let list = word_list();
    let index = |w: &str| list.iter().position(|l| *l == w);
    let read = |words: &[&str]| -> Option<u128> {
        if words.len() != WORDS {
            return None;
        }
        words.iter().try_fold(0u128, |v, w| {
            Some(v * list.len() as u128 + index(w)? as u128)
        })
    };
    // Spaces first; then hyphens between words too, keeping "t-shirt" and "yo-yo" whole.
    let hyphened: Vec<String> = {
        let mut out: Vec<String> = Vec::new();
        for part in spaced.iter().flat_map(|w| w.split('-')) {
            match out.last_mut() {
                Some(last) if index(&format!("{last}-{part}")).is_some() => {
                    last.push('-');
                    last.push_str(part);
                }
                _ => out.push(part.to_string()),
            }
        }
        out
    };
    let hyphened: Vec<&str> = hyphened.iter().map(String::as_str).collect();
    let value = read(&spaced).or_else(|| read(&hyphened));
    Some(match value {
        Some(v) if v < 1u128 << 100 => Ok(v),
        _ => Err(CodeError::Words),
    })
}

impl FollowUpCode {
    /// A fresh code from the operating system's random source.
    pub fn generate() -> Self {
        let mut bits = [0u8; 13];
        rand::rngs::OsRng.fill_bytes(&mut bits);
        let mut out = [0u8; LEN];
        for (i, c) in out.iter_mut().enumerate() {
            // 5 bits at bit offset 5i of the 104 drawn (the last 4 are unused).
            let bit = 5 * i;
            let word = u16::from_be_bytes([bits[bit / 8], *bits.get(bit / 8 + 1).unwrap_or(&0)]);
            let v = (word >> (11 - bit % 8)) & 0x1f;
            *c = ALPHABET[v as usize];
        }
        bits.zeroize();
        FollowUpCode(out)
    }

    /// Reads a code as a person typed it: eight words, or 20 characters.
    pub fn parse(typed: &str) -> Result<Self, CodeError> {
        if let Some(value) = value_of_words(typed) {
            return value.map(Self::from_value);
        }
        let mut out = [0u8; LEN];
        let mut n = 0;
        for ch in typed.chars() {
            if ch == '-' || ch.is_whitespace() {
                continue;
            }
            let c = match ch.to_ascii_uppercase() {
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                out.zeroize();
                return Err(CodeError::Character);
            }
            if n == LEN {
                out.zeroize();
                return Err(CodeError::Length);
            }
            out[n] = c as u8;
            n += 1;
        }
        if n != LEN {
            out.zeroize();
            return Err(CodeError::Length);
        }
        Ok(FollowUpCode(out))
    }

    /// The code's 100 bits as a number.
    fn value(&self) -> u128 {
        self.0.iter().fold(0u128, |v, c| {
            let digit = ALPHABET.iter().position(|a| a == c).unwrap_or(0);
            (v << 5) | digit as u128
        })
    }

    fn from_value(mut v: u128) -> Self {
        let mut out = [0u8; LEN];
        for c in out.iter_mut().rev() {
            *c = ALPHABET[(v & 0x1f) as usize];
            v >>= 5;
        }
        FollowUpCode(out)
    }

    /// As eight words of the EFF long list, separated by spaces.
    pub fn words(&self) -> String {
        let list = word_list();
        let base = list.len() as u128;
        let mut v = self.value();
        let mut words = [""; WORDS];
        for w in words.iter_mut().rev() {
            *w = list[(v % base) as usize];
            v /= base;
        }
        words.join(" ")
    }

    /// The canonical bytes the keys are derived from.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// As shown to the person: five groups of four.
    pub fn grouped(&self) -> String {
        let mut s = String::with_capacity(LEN + 4);
        for (i, c) in self.0.iter().enumerate() {
            if i > 0 && i % 4 == 0 {
                s.push('-');
            }
            s.push(*c as char);
        }
        s
    }
}

impl Drop for FollowUpCode {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for FollowUpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FollowUpCode(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[test]
    fn a_code_is_twenty_characters_in_groups_of_four_and_reads_back() {
        let code = FollowUpCode::generate();
        let shown = code.grouped();
        assert_eq!(shown.len(), 24);
        assert_eq!(shown.matches('-').count(), 4);
        assert!(shown.split('-').all(|g| g.len() == 4));
        assert_eq!(FollowUpCode::parse(&shown), Ok(code.clone()));
        assert_eq!(format!("{code:?}"), "FollowUpCode(..)");
    }

    #[test]
    fn the_word_list_is_the_eff_long_list() {
        let list = word_list();
        assert_eq!(list.len(), 7776);
        assert_eq!((list[0], list[7775]), ("abacus", "zoom"));
        assert!(list.contains(&"t-shirt"));
    }

    #[test]
    fn a_code_reads_back_from_its_words_however_they_are_typed() {
        for _ in 0..200 {
            let code = FollowUpCode::generate();
            let words = code.words();
            assert_eq!(words.split(' ').count(), WORDS, "{words}");
            assert_eq!(FollowUpCode::parse(&words), Ok(code.clone()));
            assert_eq!(FollowUpCode::parse(&words.to_uppercase()), Ok(code.clone()));
            assert_eq!(
                FollowUpCode::parse(&words.replace(' ', "-")),
                Ok(code.clone())
            );
            assert_eq!(
                FollowUpCode::parse(&format!("  {}, ", words.replace(' ', ",  "))),
                Ok(code.clone())
            );
        }
        // The extremes: all zero bits, and all one bits.
        let zero = FollowUpCode::parse("0000-0000-0000-0000-0000").expect("zero");
        assert_eq!(zero.words(), ["abacus"; WORDS].join(" "));
        let top = FollowUpCode::parse("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ").expect("top");
        assert_eq!(FollowUpCode::parse(&top.words()), Ok(top));
    }

    #[test]
    fn words_not_in_the_list_or_too_many_are_refused() {
        let words = FollowUpCode::generate().words();
        assert_eq!(
            FollowUpCode::parse(&format!("{words} abacus")),
            Err(CodeError::Words)
        );
        let mut seven: Vec<&str> = words.split(' ').collect();
        seven.pop();
        assert_eq!(FollowUpCode::parse(&seven.join(" ")), Err(CodeError::Words));
        assert_eq!(
            FollowUpCode::parse("abacus abacus abacus abacus abacus abacus abacus notaword"),
            Err(CodeError::Words)
        );
        // Past the code's 100 bits.
        assert_eq!(
            FollowUpCode::parse(&["zoom"; WORDS].join(" ")),
            Err(CodeError::Words)
        );
    }

    #[test]
    fn codes_are_read_leniently_as_people_copy_them() {
        let code = FollowUpCode::parse("7KQ2-M9XD-A1B0-CDEF-GH12").expect("canonical");
        for typed in [
            "7kq2 m9xd a1b0 cdef gh12",
            "7KQ2M9XDA1B0CDEFGH12",
            " 7KQ2-M9XD-AIBO-CDEF-GHL2 ",
            "7kq2-m9xd-alb0-cdef-gh12",
        ] {
            assert_eq!(FollowUpCode::parse(typed), Ok(code.clone()), "{typed}");
        }
        assert_eq!(
            FollowUpCode::parse("7KQ2-M9XD-A1B0-CDEF-GH1"),
            Err(CodeError::Length)
        );
        assert_eq!(
            FollowUpCode::parse("7KQ2-M9XD-A1B0-CDEF-GH123"),
            Err(CodeError::Length)
        );
        assert_eq!(
            FollowUpCode::parse("7KQ2-M9XD-A1B0-CDEF-GH1U"),
            Err(CodeError::Character)
        );
        assert_eq!(
            FollowUpCode::parse("7KQ2-M9XD-A1B0-CDEF-GH1é"),
            Err(CodeError::Character)
        );
    }

    #[test]
    fn generated_codes_use_every_character_and_do_not_repeat() {
        let mut seen = HashSet::new();
        let mut chars = HashSet::new();
        for _ in 0..2_000 {
            let c = FollowUpCode::generate();
            chars.extend(c.as_bytes().iter().copied());
            assert!(seen.insert(c.grouped()));
        }
        assert_eq!(chars.len(), 32, "all 32 symbols appear: 5 random bits each");
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,60}") {
            let _ = FollowUpCode::parse(&s);
        }
    }
}
