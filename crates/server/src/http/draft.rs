//! A web journey's answers between pages, kept on the server but readable only with the
//! browser's cookie.
//!
//! The cookie holds a random 256-bit key and nothing else. From it come the draft's id (so the
//! spool is searched by a value the server cannot make without the cookie) and the key that
//! seals the draft (ChaCha20-Poly1305, a fresh random nonce each time it is written, the form
//! id bound in as associated data). The spool and its backups hold only ciphertext; Exit, or
//! the browser closing (the cookie has no expiry date), or `forms.draft_minutes` of
//! idleness leaves nothing anyone can open.

use crate::http::AppState;
use crate::spool::{DraftId, SpoolError};
use actix_web::http::header;
use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The cookie's name. Its `Path` is the form's own, so each form has its own draft.
pub const COOKIE: &str = "pisg_draft";

/// The browser's key: the only thing that can find or open its draft.
pub struct DraftKey([u8; 32]);

impl DraftKey {
    pub fn generate() -> Option<DraftKey> {
        let mut k = [0u8; 32];
        SystemRandom::new().fill(&mut k).ok()?;
        Some(DraftKey(k))
    }

    /// The key from the request's cookie, if it carries a well-formed one.
    pub fn from_request(req: &HttpRequest) -> Option<DraftKey> {
        req.headers()
            .get_all(header::COOKIE)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| *name == COOKIE)
            .find_map(|(_, value)| {
                let bytes = URL_SAFE_NO_PAD.decode(value).ok()?;
                Some(DraftKey(bytes.try_into().ok()?))
            })
    }

    /// `Set-Cookie` for this key: script cannot read it, it goes only over TLS, never with a
    /// request another site starts, only to this form's pages, and it dies with the browser
    /// session (no expiry date).
    pub fn cookie(&self, form: &str) -> String {
        format!(
            "{COOKIE}={}; Path=/forms/{form}; HttpOnly; Secure; SameSite=Strict",
            URL_SAFE_NO_PAD.encode(self.0)
        )
    }

    /// `Set-Cookie` that removes the key from the browser.
    pub fn removal(form: &str) -> String {
        format!(
            "{COOKIE}=; Path=/forms/{form}; HttpOnly; Secure; SameSite=Strict; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        )
    }

    fn derive(&self, label: &[u8]) -> [u8; 32] {
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &self.0), label);
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// Where the draft is kept: a one-way function of the key.
    pub fn id(&self) -> DraftId {
        self.derive(b"pis-gateway draft id v1")
    }

    /// Where a draft saved under this key (from an emailed link) is kept.
    pub fn saved_id(&self) -> DraftId {
        self.derive(b"pis-gateway saved draft id v1")
    }

    /// The key as it goes in a link's fragment.
    pub fn encoded(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// A key as [`DraftKey::encoded`] wrote it.
    pub fn decode(text: &str) -> Option<DraftKey> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim().trim_start_matches('#'))
            .ok()?;
        Some(DraftKey(bytes.try_into().ok()?))
    }

    fn aead(&self) -> LessSafeKey {
        let unbound = UnboundKey::new(
            &CHACHA20_POLY1305,
            &self.derive(b"pis-gateway draft seal v1"),
        )
        .expect("a 32-byte key suits ChaCha20-Poly1305");
        LessSafeKey::new(unbound)
    }

    /// The nonce, then the ciphertext and its tag.
    pub fn seal(&self, form: &str, draft: &Draft) -> Option<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).ok()?;
        let mut body = serde_json::to_vec(draft).ok()?;
        self.aead()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(form.as_bytes()),
                &mut body,
            )
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&body);
        Some(out)
    }

    /// The draft, if `sealed` was sealed under this key for this form.
    pub fn open(&self, form: &str, sealed: &[u8]) -> Option<Draft> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = body.to_vec();
        let plain = self
            .aead()
            .open_in_place(nonce, Aad::from(form.as_bytes()), &mut body)
            .ok()?;
        serde_json::from_slice(plain).ok()
    }
}

/// The request's draft for `form`, if its cookie names a live one (written to within
/// `forms.draft_minutes`).
pub async fn load(
    state: &AppState,
    req: &HttpRequest,
    form: &str,
) -> Result<Option<(DraftKey, Draft)>, SpoolError> {
    let Some(key) = DraftKey::from_request(req) else {
        return Ok(None);
    };
    let idle_after = (state.now() as i64).saturating_sub(state.draft_idle_secs);
    let sealed = state.intake.spool().draft(key.id(), idle_after).await?;
    Ok(sealed
        .and_then(|s| key.open(form, &s))
        .map(|draft| (key, draft)))
}

/// Seals and stores the draft, touched now.
pub async fn save(
    state: &AppState,
    key: &DraftKey,
    form: &str,
    draft: &Draft,
) -> Result<(), SpoolError> {
    let sealed = key
        .seal(form, draft)
        .ok_or_else(|| SpoolError::Unavailable("the draft could not be sealed".into()))?;
    state
        .intake
        .spool()
        .put_draft(key.id(), sealed, state.now() as i64)
        .await
}

/// Removes the draft the request's cookie names, if any.
pub async fn discard(state: &AppState, req: &HttpRequest) -> Result<bool, SpoolError> {
    match DraftKey::from_request(req) {
        Some(key) => state.intake.spool().delete_draft(key.id()).await,
        None => Ok(false),
    }
}

/// What a journey keeps between pages.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Draft {
    /// Control values as the pages post them (`people[0].name`, `when-day`).
    pub values: Map<String, Value>,
    /// Items shown per group.
    pub slots: HashMap<String, usize>,
    /// The form token this journey started with: it proves the pages came from this gateway,
    /// dates the start (too fast means automated) and makes a resend give the same reference.
    pub token: String,
    /// Came to a section from "Change" on the check page: Continue goes back there.
    pub returning: bool,
    /// The step whose problems the next page shows (a step's path segment).
    pub errors_at: Option<String>,
    /// A notice for the next page (files dropped, a page open too long).
    pub notice: Option<String>,
    /// The honeypot as last posted.
    pub honeypot: String,
    /// The problem a chosen file had, for the check page.
    pub file_error: Option<String>,
    /// After sending: what the confirmation page shows. The answers are gone by then.
    pub sent: Option<Sent>,
    /// The language chosen for this journey (`?lang=` on one of its pages), which every later
    /// page of it is shown in. Kept here, not in a cookie of its own, so it ends with the draft.
    #[serde(default)]
    pub lang: Option<crate::i18n::Lang>,
    /// Per group shown as a list (see `routes::form_list`), the one entry open for editing;
    /// none means every entry is summarised.
    #[serde(default)]
    pub open: HashMap<String, usize>,
    /// Sections left with Continue and nothing wrong on them, by id: done on the task list.
    #[serde(default)]
    pub done: Vec<String>,
    /// The task list has been shown since the Call 999 page was last left: if the gate says
    /// danger now, that page comes again before the report is sent.
    #[serde(default)]
    pub call_now_due: bool,
}

/// The confirmation page's content, kept so a refresh shows it again (and Exit removes it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sent {
    pub reference: String,
    pub priority: String,
    pub immediate: bool,
    pub duplicate: bool,
    pub specific_child: bool,
    pub code: Option<String>,
    pub code_failed: bool,
    /// A professional's copy of what was sent, for their own records: shown (no-store) only
    /// to this browser, only for `forms.draft_minutes` after sending, and gone with Exit or a
    /// new form, as the rest of the draft is.
    #[serde(default)]
    pub copy: Option<SentCopy>,
}

/// What a sent professional report said, as the check page showed it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentCopy {
    /// Seconds since the epoch when it was sent.
    pub sent_at: i64,
    pub sections: Vec<crate::forms::review::ReviewSection>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_opens_only_with_its_key_and_form() {
        let key = DraftKey::generate().expect("random");
        let mut draft = Draft::default();
        draft
            .values
            .insert("what_happened".into(), "zz-secret-words".into());
        let sealed = key.seal("community", &draft).expect("sealed");
        assert!(!String::from_utf8_lossy(&sealed).contains("zz-secret"));
        let opened = key.open("community", &sealed).expect("opens");
        assert_eq!(opened.values["what_happened"], "zz-secret-words");
        assert!(key.open("professional", &sealed).is_none());
        let other = DraftKey::generate().expect("random");
        assert!(other.open("community", &sealed).is_none());
        assert_ne!(key.id(), other.id());
    }
}
