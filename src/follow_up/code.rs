//! The follow-up code: 100 random bits written as 20 Crockford base32 characters in groups of
//! four (`7KQ2-M9XD-...`). Read back leniently, as people copy codes: any case, spaces and
//! hyphens anywhere, `I`/`L` for 1 and `O` for 0.

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

    /// Reads a code as a person typed it.
    pub fn parse(typed: &str) -> Result<Self, CodeError> {
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
