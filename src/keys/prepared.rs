//! An age X25519 identity prepared for opening many envelopes.
//!
//! It unwraps a stanza exactly as `age::x25519::Identity` does (c2sp.org/age, "X25519 recipient
//! stanza"), with age-core's own HKDF and ChaCha20-Poly1305 and curve25519-dalek's arithmetic.
//! It differs in two ways. The identity's public key, which every stanza's HKDF salt needs, is
//! derived once when the identity is read; age derives it again for every stanza it tries (a
//! basepoint multiplication and a field inversion: over 100,000 envelopes, an eighth of
//! `map`'s CPU). And the exchange is computed on the curve's Edwards form (see `exchange`).
//!
//! Only `map` uses it. `open` and everything else decrypt with age's identity, and the tests
//! check that the two give the same answer for every stanza, including damaged ones.

use age_core::format::{FileKey, Stanza, FILE_KEY_BYTES};
use age_core::primitives::{aead_decrypt, hkdf};
use base64::Engine;
use std::str::FromStr;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroize;

/// The stanza tag and HKDF label of age's X25519 recipient type.
const TAG: &str = "X25519";
const LABEL: &[u8] = b"age-encryption.org/v1/X25519";
const ENCRYPTED_FILE_KEY_BYTES: usize = FILE_KEY_BYTES + 16;

pub struct PreparedX25519 {
    secret: StaticSecret,
    public: PublicKey,
}

/// The X25519 function (RFC 7748, section 5) of the identity's secret and a stanza's share,
/// the same 32 bytes x25519-dalek's Montgomery ladder gives (`tests` compares the two).
///
/// A share that is a point of the curve is lifted to the curve's twisted Edwards form and
/// multiplied there: curve25519-dalek's constant-time variable-base multiplication uses its
/// AVX2 backend where the CPU has one, and the ladder never does (over 100,000 envelopes
/// `map` used an eighth less CPU). Either lift will do, since [k]P and [k](-P) share a
/// u-coordinate, and the multiplication by the clamped secret is the ladder's, torsion
/// included. A share that is no point of the curve (one of its twist, or u = -1) takes the
/// ladder.
fn exchange(secret: &StaticSecret, share: [u8; 32]) -> [u8; 32] {
    let point = curve25519_dalek::MontgomeryPoint(share);
    let scalar = zeroize::Zeroizing::new(secret.to_bytes());
    match point.to_edwards(0) {
        Some(lifted) => lifted.mul_clamped(*scalar).to_montgomery().0,
        None => point.mul_clamped(*scalar).0,
    }
}

impl PreparedX25519 {
    /// From an `AGE-SECRET-KEY-1…` line. `None` for anything age itself would not take as an
    /// X25519 identity.
    pub fn parse(line: &str) -> Option<Self> {
        // age decides what a valid identity is; the bytes are then read from the same text.
        age::x25519::Identity::from_str(line).ok()?;
        let (hrp, mut data, variant) = bech32::decode(line).ok()?;
        let decoded: Result<Vec<u8>, _> = bech32::FromBase32::from_base32(&data);
        data.iter_mut().for_each(|d| *d = bech32::u5::default());
        let bytes = zeroize::Zeroizing::new(decoded.ok()?);
        if hrp != "age-secret-key-" || variant != bech32::Variant::Bech32 {
            return None;
        }
        let mut key: [u8; 32] = bytes.as_slice().try_into().ok()?;
        let secret = StaticSecret::from(key);
        key.zeroize();
        let public = PublicKey::from(&secret);
        Some(PreparedX25519 { secret, public })
    }
}

impl age::Identity for PreparedX25519 {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        if stanza.tag != TAG {
            return None;
        }
        // A valid and canonical stanza: one argument, the ephemeral share in unpadded base64
        // (the decoder refuses non-canonical trailing bits), and a body of exactly one
        // encrypted file key.
        let ephemeral: [u8; 32] = match &stanza.args[..] {
            [arg] => {
                let mut buf = [0u8; 33];
                match base64::prelude::BASE64_STANDARD_NO_PAD.decode_slice(arg, &mut buf) {
                    Ok(32) => buf[..32].try_into().ok()?,
                    _ => return Some(Err(age::DecryptError::InvalidHeader)),
                }
            }
            _ => return Some(Err(age::DecryptError::InvalidHeader)),
        };
        if stanza.body.len() != ENCRYPTED_FILE_KEY_BYTES {
            return Some(Err(age::DecryptError::InvalidHeader));
        }
        let shared = zeroize::Zeroizing::new(exchange(&self.secret, ephemeral));
        // An all-zero shared secret means a low-order share: refused, as age refuses it. Every
        // byte is looked at, whatever the first ones are (the secret's bytes set no timing).
        if shared.iter().fold(0u8, |any, b| any | b) == 0 {
            return Some(Err(age::DecryptError::InvalidHeader));
        }
        let mut salt = [0u8; 64];
        salt[..32].copy_from_slice(&ephemeral);
        salt[32..].copy_from_slice(self.public.as_bytes());
        let mut key = hkdf(&salt, LABEL, &*shared);
        // Not ours (another recipient's stanza) is not an error: the next one is tried.
        let opened = aead_decrypt(&key, FILE_KEY_BYTES, &stanza.body).ok();
        key.zeroize();
        opened.map(|mut pt| {
            let file_key = FileKey::init_with_mut(|k| k.copy_from_slice(&pt));
            pt.zeroize();
            Ok(file_key)
        })
    }
}

/// The identities of an identity file's text, each X25519 one prepared; `None` where age would
/// not read the file. A file holding anything else (a plugin identity) is read by age alone, so
/// the set of keys tried never differs from age's.
pub fn parse_identities(text: &str) -> Option<Vec<Box<dyn age::Identity>>> {
    let by_age = super::parse_identities(text)?;
    let prepared: Option<Vec<Box<dyn age::Identity>>> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| PreparedX25519::parse(l).map(|p| Box::new(p) as Box<dyn age::Identity>))
        .collect();
    match prepared {
        Some(p) if p.len() == by_age.len() => Some(p),
        _ => Some(by_age),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::ExposeSecret;
    use age::Identity as _;

    fn stanzas_for(recipients: &[&age::x25519::Recipient]) -> Vec<Stanza> {
        // age does not expose its header parser: the stanzas are made as its recipient makes
        // them for an envelope.
        let file_key = FileKey::init_with_mut(|k| k.copy_from_slice(&[7u8; 16]));
        recipients
            .iter()
            .flat_map(|r| {
                age::Recipient::wrap_file_key(*r, &file_key)
                    .expect("wraps")
                    .0
            })
            .collect()
    }

    fn copy(s: &Stanza) -> Stanza {
        Stanza {
            tag: s.tag.clone(),
            args: s.args.clone(),
            body: s.body.clone(),
        }
    }

    fn same_answer(a: &dyn age::Identity, b: &dyn age::Identity, s: &Stanza) -> bool {
        let key = |r: Option<Result<FileKey, age::DecryptError>>| match r {
            None => "none".to_string(),
            Some(Ok(k)) => format!("{:?}", k.expose_secret()),
            Some(Err(e)) => format!("error {e:?}"),
        };
        key(a.unwrap_stanza(s)) == key(b.unwrap_stanza(s))
    }

    /// Shares that are points of small order, the exceptional u = -1, u = 0 and 1, and
    /// non-canonical encodings (u at or above the field's prime, and the unused top bit set).
    fn special_shares() -> Vec<[u8; 32]> {
        let le = |hex: &str| -> [u8; 32] {
            let mut b: Vec<u8> = (0..64)
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
                .collect();
            b.reverse();
            b.try_into().expect("32 bytes")
        };
        // p = 2^255 - 19, little-endian.
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        let plus = |mut v: [u8; 32], n: u8| {
            v[0] += n;
            v
        };
        let mut shares = vec![
            [0u8; 32],
            plus([0u8; 32], 1),
            plus(p, 0),
            plus(p, 1),
            plus(p, 18),
            {
                let mut minus_one = p;
                minus_one[0] -= 1;
                minus_one
            },
            // The two points of order 8 (RFC 7748's list of points of small order).
            le("00b8495f16056286fdb1329ceb8d09da6ac49ff1fae35616aeb8413b7c7aebe0"),
            le("57119fd0dd4e22d8868e1c58c45c44045bef839c55b1d0b1248c50a3bc959c5f"),
        ];
        let top: Vec<[u8; 32]> = shares
            .iter()
            .map(|s| {
                let mut t = *s;
                t[31] |= 0x80;
                t
            })
            .collect();
        shares.extend(top);
        shares
    }

    #[test]
    fn the_exchange_is_x25519_for_every_share() {
        use rand::RngCore;
        let mut rng = rand::thread_rng();
        // u = 0, 1, their non-canonical encodings p and p + 1, and the points of order 8 give
        // the all-zero result that age refuses (the same with the top bit set).
        let specials = special_shares();
        let any = StaticSecret::from([0x5au8; 32]);
        for i in [0, 1, 2, 3, 6, 7] {
            assert_eq!(exchange(&any, specials[i]), [0u8; 32], "share {i}");
            assert_eq!(
                exchange(&any, specials[i + 8]),
                [0u8; 32],
                "share {i}, top bit"
            );
        }
        let mut lifted = 0;
        let mut twisted = 0;
        for _ in 0..4 {
            let mut secret = [0u8; 32];
            rng.fill_bytes(&mut secret);
            let mut shares = special_shares();
            // Random bytes: about half are points of the curve, half of its twist.
            for _ in 0..300 {
                let mut s = [0u8; 32];
                rng.fill_bytes(&mut s);
                shares.push(s);
            }
            // Real ephemeral shares, as a sender makes them.
            for _ in 0..50 {
                let mut e = [0u8; 32];
                rng.fill_bytes(&mut e);
                shares.push(x25519_dalek::x25519(
                    e,
                    x25519_dalek::X25519_BASEPOINT_BYTES,
                ));
            }
            for share in shares {
                let on_curve = curve25519_dalek::MontgomeryPoint(share)
                    .to_edwards(0)
                    .is_some();
                if on_curve {
                    lifted += 1;
                } else {
                    twisted += 1;
                }
                assert_eq!(
                    exchange(&StaticSecret::from(secret), share),
                    x25519_dalek::x25519(secret, share),
                    "share {share:02x?}"
                );
            }
        }
        // Both paths were taken, many times.
        assert!(lifted > 400 && twisted > 400, "{lifted} {twisted}");
    }

    #[test]
    fn unwraps_every_stanza_as_age_does_including_damaged_ones() {
        let ours = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let text = ours.to_string();
        let prepared = PreparedX25519::parse(text.expose_secret()).expect("parses");
        let mut stanzas = stanzas_for(&[&other.to_public(), &ours.to_public()]);
        let good = copy(&stanzas[1]);
        // Damaged in each way the stanza's format allows.
        let mut wrong_tag = copy(&good);
        wrong_tag.tag = "scrypt".into();
        let mut no_arg = copy(&good);
        no_arg.args.clear();
        let mut two_args = copy(&good);
        two_args.args.push("AAAA".into());
        let mut short_share = copy(&good);
        short_share.args[0].pop();
        let mut padded_share = copy(&good);
        padded_share.args[0].push('=');
        let mut non_canonical = copy(&good);
        // The last of 43 characters carries 6 bits of which 4 are the share's; flipping an
        // unused one gives another text for the same bytes, which the spec forbids.
        let last = non_canonical.args[0].pop().expect("a share");
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let at = alphabet
            .iter()
            .position(|c| *c as char == last)
            .expect("base64");
        non_canonical.args[0].push(alphabet[at ^ 1] as char);
        let mut low_order = copy(&good);
        low_order.args[0] = base64::prelude::BASE64_STANDARD_NO_PAD.encode([0u8; 32]);
        let mut short_body = copy(&good);
        short_body.body.pop();
        let mut flipped_body = copy(&good);
        flipped_body.body[3] ^= 1;
        stanzas.extend([
            wrong_tag,
            no_arg,
            two_args,
            short_share,
            padded_share,
            non_canonical,
            low_order,
            short_body,
            flipped_body,
        ]);
        for (i, s) in stanzas.iter().enumerate() {
            assert!(same_answer(&prepared, &ours, s), "stanza {i}");
        }
        // The good stanza really opens, the other recipient's is not ours, a damaged body is
        // not ours either, and the rest are refused.
        assert!(matches!(prepared.unwrap_stanza(&stanzas[1]), Some(Ok(_))));
        assert!(prepared.unwrap_stanza(&stanzas[0]).is_none());
        assert!(prepared.unwrap_stanza(&stanzas[2]).is_none(), "another tag");
        assert!(
            prepared.unwrap_stanza(&stanzas[10]).is_none(),
            "flipped body"
        );
        for (i, s) in stanzas.iter().enumerate().take(10).skip(3) {
            assert!(
                matches!(prepared.unwrap_stanza(s), Some(Err(_))),
                "stanza {i}"
            );
        }
    }

    #[test]
    fn opens_real_envelopes_and_refuses_what_age_refuses() {
        let ours = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let text = format!(
            "# created: now\n# public key: {}\n{}\n",
            ours.to_public(),
            ours.to_string().expose_secret()
        );
        let ids = parse_identities(&text).expect("reads");
        assert_eq!(ids.len(), 1);
        let envelope = age::encrypt(&other.to_public(), b"secret").expect("seals");
        let for_us = age::encrypt(&ours.to_public(), b"secret").expect("seals");
        assert_eq!(
            crate::seal::decrypt(&for_us, &ids)
                .expect("opens")
                .as_slice(),
            b"secret"
        );
        assert_eq!(
            crate::seal::decrypt(&envelope, &ids).err(),
            Some(crate::seal::DecryptError::NoMatchingKey)
        );
    }

    #[test]
    fn only_valid_x25519_identities_are_prepared() {
        let ours = age::x25519::Identity::generate();
        let line = ours.to_string().expose_secret().to_string();
        assert!(PreparedX25519::parse(&line).is_some());
        let lower = line.to_lowercase();
        assert_eq!(
            PreparedX25519::parse(&lower).is_some(),
            age::x25519::Identity::from_str(&lower).is_ok()
        );
        assert!(PreparedX25519::parse(&line[..line.len() - 1]).is_none());
        assert!(PreparedX25519::parse("age1notakey").is_none());
        assert!(parse_identities("not an identity").is_none());
    }
}
