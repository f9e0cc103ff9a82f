//! "Save and come back later": a draft sealed under a fresh key that exists only in a link
//! emailed to the professional's work address.
//!
//! The key travels in the link's fragment (`/forms/{id}/resume#<key>`), which browsers never
//! send to a server, so it is in no request line, query or log. The email is sent straight
//! away through the mail transport, not queued in the spool's outbox, so over SMTP the key is
//! never at rest on the server. (The file transport, for testing, writes the email and its key
//! to `mail.file_dir`; `check-config` warns about it.) The saved draft is stored like any draft (an id derived from the key,
//! the answers sealed under it) with its expiry set `forms.saved_draft_days` ahead, so
//! housekeeping purges and counts it with the others. Opening the link restores it once.

use crate::delivery::mailer::Mailer;
use crate::http::draft::{Draft, DraftKey};
use crate::http::AppState;
use crate::i18n::{Catalog, Lang};
use crate::spool::SpoolError;
use lettre::message::{header::ContentType, Mailbox};
use lettre::Message;

/// What sending a saved draft's link needs.
pub struct SavedDrafts {
    pub mailer: Mailer,
    pub from: String,
    /// `server.public_url`: where the link points.
    pub public_url: String,
    /// `forms.saved_draft_days`, in seconds.
    pub keep_secs: i64,
}

/// Why a draft could not be saved and sent.
#[derive(Debug)]
pub enum SaveError {
    Spool(SpoolError),
    /// The address or the message could not be made, or the transport refused it.
    Mail,
}

/// Seals `draft` under a new key, stores it for `forms.saved_draft_days`, and emails the link
/// to `address`. A draft whose email could not be sent is removed again.
pub async fn save_and_send(
    state: &AppState,
    form: &str,
    draft: &Draft,
    address: &str,
) -> Result<(), SaveError> {
    let saved = &state.saved;
    let key = DraftKey::generate()
        .ok_or_else(|| SaveError::Spool(SpoolError::Unavailable("no randomness".into())))?;
    let sealed = key
        .seal(form, draft)
        .ok_or_else(|| SaveError::Spool(SpoolError::Unavailable("not sealed".into())))?;
    // Drafts are kept while touched within `forms.draft_minutes`: a saved one is stored as if
    // touched that long before its expiry.
    let expires = state.now() as i64 + saved.keep_secs;
    let spool = state.intake.spool();
    spool
        .put_draft(
            key.saved_id(),
            sealed,
            expires.saturating_sub(state.draft_idle_secs),
        )
        .await
        .map_err(SaveError::Spool)?;
    // A language chosen for the journey opens the link's page in it too (the draft then keeps
    // it); one from the browser's settings will be the browser's again.
    let page = crate::i18n::page::current();
    let lang = if page.chosen {
        format!("?lang={}", page.lang.code())
    } else {
        String::new()
    };
    let link = format!(
        "{}/forms/{form}/resume{lang}#{}",
        saved.public_url,
        key.encoded()
    );
    let sent = match message(saved, state.pages.catalog(), page.lang, address, &link) {
        Some(m) => saved.mailer.send(m).await.map_err(|_| SaveError::Mail),
        None => Err(SaveError::Mail),
    };
    if sent.is_err() {
        spool
            .delete_draft(key.saved_id())
            .await
            .map_err(SaveError::Spool)?;
    }
    sent
}

/// The saved draft the link's key opens, removed as it is read: a link works once.
pub async fn take(
    state: &AppState,
    form: &str,
    key: &DraftKey,
) -> Result<Option<Draft>, SpoolError> {
    let spool = state.intake.spool();
    let idle_after = (state.now() as i64).saturating_sub(state.draft_idle_secs);
    let Some(sealed) = spool.draft(key.saved_id(), idle_after).await? else {
        return Ok(None);
    };
    if !spool.delete_draft(key.saved_id()).await? {
        // Taken by another request at the same moment.
        return Ok(None);
    }
    Ok(key.open(form, &sealed))
}

/// The email with the link, in the page's language (the professional asked for it there).
fn message(
    saved: &SavedDrafts,
    catalog: &Catalog,
    lang: Lang,
    address: &str,
    link: &str,
) -> Option<Message> {
    let days = (saved.keep_secs / 86_400).to_string();
    let body = catalog.lookup(
        lang,
        "saved-email-body",
        &[("days", days), ("link", link.to_string())],
    )?;
    Message::builder()
        .from(saved.from.parse::<Mailbox>().ok()?)
        .to(address.parse::<Mailbox>().ok()?)
        .subject(catalog.lookup(lang, "saved-email-subject", &[])?)
        .header(ContentType::TEXT_PLAIN)
        .body(body + "\n")
        .ok()
}
