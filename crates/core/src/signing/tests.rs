use super::*;
use serde_json::json;

#[test]
fn the_borrowed_unsigned_view_gives_the_bytes_of_the_document_without_its_signature() {
    for doc in [
        json!({"signature": {"alg": ALG}}),
        json!({"a": 1, "signature": {"v": "x"}, "z": {"signature": "nested stays"}}),
        json!({"answers": {"people": [{"forename": "Jay \u{2028} <b>"}]}, "reference": "PIS-0000-0001"}),
    ] {
        let obj = doc.as_object().unwrap();
        let mut unsigned = obj.clone();
        unsigned.remove(FIELD);
        assert_eq!(*canonical_unsigned(obj), *canonical(&unsigned));
    }
}

fn doc() -> Map<String, Value> {
    json!({"schema": "s", "reference": "PIS-AAAA-BBBB", "form_version": 1,
               "answers": {"z": "é \u{2028} \" \n", "a": ["1", {"b": "c"}]}})
    .as_object()
    .cloned()
    .expect("object")
}

#[test]
fn a_signed_document_verifies_and_any_change_breaks_it() {
    let key = SigningKey::generate();
    let ring = Keyring(vec![key.public().clone()]);
    let bytes = key.sign_document(doc());
    let parsed: Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(verify_document(&parsed, &ring), Ok(key.public().id()));
    assert_eq!(parsed["answers"]["a"][0], "1", "still plain JSON");

    let mut altered = parsed.clone();
    altered["answers"]["a"][0] = json!("2");
    assert_eq!(
        verify_document(&altered, &ring),
        Err(VerifyError::BadSignature)
    );
    let mut unsigned = parsed.clone();
    unsigned.as_object_mut().expect("object").remove(FIELD);
    assert_eq!(
        verify_document(&unsigned, &ring),
        Err(VerifyError::Unsigned)
    );
    let other = SigningKey::generate();
    let forged: Value = serde_json::from_slice(&other.sign_document(doc())).expect("json");
    assert!(matches!(
        verify_document(&forged, &ring),
        Err(VerifyError::UnknownKey(_))
    ));
    // A forger who copies the real key id still fails.
    let mut relabelled = forged.clone();
    relabelled[FIELD]["key_id"] = json!(key.public().id());
    assert_eq!(
        verify_document(&relabelled, &ring),
        Err(VerifyError::BadSignature)
    );
}

/// s + ℓ: the same signature with a non-canonical s, which ring refuses.
fn plus_order(sig: &[u8]) -> Vec<u8> {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut out = sig.to_vec();
    let mut carry = 0u16;
    for (i, l) in L.iter().enumerate() {
        let sum = u16::from(out[32 + i]) + u16::from(*l) + carry;
        out[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    out
}

#[test]
fn the_checker_accepts_every_valid_document_and_refuses_each_damaged_one() {
    let (a, b) = (SigningKey::generate(), SigningKey::generate());
    let keys = Keyring(vec![a.public().clone(), b.public().clone()]);
    let checker = Checker::new(&keys);
    let docs: Vec<Value> = (0..8)
        .map(|i| {
            let mut d = doc();
            d.insert("reference".into(), json!(format!("PIS-0000-{i:04}")));
            let key = if i % 3 == 0 { &b } else { &a };
            serde_json::from_slice(&key.sign_document(d)).expect("json")
        })
        .collect();
    let mut signed: Vec<Signed> = docs
        .iter()
        .map(|d| checker.prepare(d).expect("signed"))
        .collect();
    // Wrong in different ways: altered text, a flipped bit, s + ℓ (the same signature with
    // a non-canonical s), a short signature, the other trusted key, and R the identity
    // with s = 0.
    signed[0].message.push(b' ');
    signed[1].signature[3] ^= 1;
    signed[2].signature = plus_order(&signed[2].signature);
    signed[3].signature.truncate(63);
    signed[4].key = 1 - signed[4].key;
    signed[5].signature = [[1u8].as_slice(), &[0; 63]].concat();
    for (i, s) in signed.iter().enumerate() {
        let want = if i < 6 {
            Err(VerifyError::BadSignature)
        } else {
            Ok(())
        };
        assert_eq!(checker.check(s), want, "document {i}");
    }
    // Whole documents: the checker's answer is verify_document's.
    for d in &docs {
        assert_eq!(checker.verify(d), verify_document(d, &keys).map(|_| ()));
    }
    let mut altered = docs[7].clone();
    altered["answers"]["a"][0] = json!("2");
    assert_eq!(checker.verify(&altered), Err(VerifyError::BadSignature));
}

fn unhex_32(s: &str) -> [u8; 32] {
    unhex(s).expect("hex").try_into().expect("32 bytes")
}

/// Cases 3 to 9 of the edge cases of "Taming the many EdDSAs" (Chalkias, Garillot and
/// Nikolaenko, 2020; github.com/novifinancial/ed25519-speccheck, cases.txt). Cases 4 and 5
/// hold under the cofactored equation that batch verification checks, and not under the
/// cofactorless one: a checker that took a batch's word would accept them.
#[test]
fn signatures_only_a_batch_or_a_lax_check_would_accept_are_refused() {
    let key = "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d";
    let other = "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43";
    let cases = [
            // 3: an ordinary valid signature.
            (key, "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
             "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009", true),
            // 4 and 5: valid only when the equation is multiplied by the cofactor.
            (key, "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
             "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09", false),
            (key, "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
             "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405", false),
            // 6 and 7: s at or above the group order.
            ("442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
             "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
             "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514", false),
            ("442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
             "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
             "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22", false),
            // 8 and 9: a non-canonical encoding of R (of small order).
            (other, "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
             "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f", false),
            (other, "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
             "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908", false),
        ];
    let keys = Keyring(vec![PublicKey(unhex_32(key)), PublicKey(unhex_32(other))]);
    let checker = Checker::new(&keys);
    for (i, (k, msg, sig, valid)) in cases.iter().enumerate() {
        let s = Signed {
            key: usize::from(*k == other),
            message: Zeroizing::new(unhex(msg).expect("hex")),
            signature: unhex(sig).expect("hex"),
        };
        let want = if *valid {
            Ok(())
        } else {
            Err(VerifyError::BadSignature)
        };
        assert_eq!(checker.check(&s), want, "case {}", i + 3);
    }
}

#[test]
fn a_logged_head_parses_from_either_log_form_and_verifies() {
    let key = SigningKey::generate();
    let ring = Keyring(vec![key.public().clone()]);
    let head = SignedHead::sign(&key, 42, &[0xab; 32]);
    let plain = format!(
            "2026-12-01T10:00:00Z  INFO pis_gateway::housekeeping: audit chain head seq=42 hash={} key={} sig={}",
            head.hash_hex(),
            head.key_id,
            head.signature_base64()
        );
    assert_eq!(SignedHead::parse(&plain), Some(head.clone()));
    let json_line = json!({"level": "INFO", "fields": {"message": "audit chain head", "seq": 42,
            "hash": head.hash_hex(), "key": head.key_id, "sig": head.signature_base64()}})
    .to_string();
    assert_eq!(SignedHead::parse(&json_line), Some(head.clone()));
    assert_eq!(head.verify(&ring), Ok(()));
    let mut moved = head.clone();
    moved.seq = 41;
    assert_eq!(moved.verify(&ring), Err(VerifyError::BadSignature));
    assert!(SignedHead::parse("seq=42 hash=ab").is_none());
}

#[test]
fn keys_are_written_0600_read_back_and_listed_in_either_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("signing.pem");
    let public = SigningKey::create(&path).expect("created");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(matches!(
        SigningKey::create(&path),
        Err(SigningError::Exists(_))
    ));
    let key = SigningKey::load(&path).expect("loads");
    assert_eq!(key.public(), &public);
    assert_eq!(public.id().len(), 16);
    let lines = Keyring::parse(&format!(
        "# keys\nsigning key {} {}\n",
        public.id(),
        public.to_base64()
    ))
    .expect("lines");
    assert_eq!(lines.0, vec![public.clone()]);
    let published = Keyring::parse(
        &json!({"keys": [{"id": public.id(), "alg": ALG, "public_key": public.to_base64()}]})
            .to_string(),
    )
    .expect("json");
    assert_eq!(published.0, vec![public]);
    assert!(Keyring::parse("not a key").is_err());
}
