//! "Send report": the answers in the draft, checked once more, with the files chosen on the
//! check page, go to intake. The draft then keeps only what the confirmation page shows.

use super::form::{answers_so_far, confirmation, see_other, takes_pdf};
use super::form_post::{stored, stored_cookie};
use crate::attachments::{AttachmentError, CleanError, Upload};
use crate::follow_up::FollowUpCode;
use crate::forms::html::answers_of;
use crate::forms::journey::JourneyStep;
use crate::forms::spec::Audience;
use crate::forms::{fields, validate, FormSpec, Validated};
use crate::http::draft::{Draft, DraftKey, Sent, SentCopy};
use crate::http::rate_limit::{too_many_requests, Class};
use crate::http::token::Verified;
use crate::http::AppState;
use crate::intake::FollowUpRequest;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

/// The professional's work address: where their content-free follow-up notice goes.
const WORK_EMAIL: &str = "submitter.work_email";

/// Everything the send needs from the post.
pub(super) struct Sending {
    pub key: DraftKey,
    pub draft: Draft,
    pub fresh: bool,
    pub verified: Verified,
    pub uploads: Vec<Upload>,
    pub file_error: Option<AttachmentError>,
    /// "Yes, give me a follow-up code".
    pub follow_up: bool,
    /// "Email my work address when the police write to me".
    pub notify: bool,
}

pub(super) async fn send(
    state: &AppState,
    spec: &std::sync::Arc<FormSpec>,
    req: &HttpRequest,
    mut s: Sending,
) -> HttpResponse {
    let answers = answers_of(spec, &s.draft.values);
    let Ok(validated) = validate(spec, &answers, crate::ukdate::uk_today()) else {
        // `next` sends a form with problems to its first problem, so this is not reached.
        return see_other(spec, JourneyStep::Check, None);
    };
    // Only the final send spends a submission (the middleware counted this press as
    // navigation); a form served before a surge may draw on the quota kept for it.
    let client = state.limits.client_of(req);
    if let Err(wait) = state.limits.check_send(client, Some(s.verified.issued_at)) {
        return too_many_requests(state, false, Class::Send, wait);
    }
    let files = match cleaned(state, spec, &mut s).await {
        Ok(files) => files,
        Err(message) => {
            s.draft.file_error = Some(message);
            let resp = see_other(spec, JourneyStep::Check, Some("attachments"));
            return stored(state, spec, &s.key, &s.draft, s.fresh, resp).await;
        }
    };
    let specific_child = answers_so_far(spec, &s.draft)
        .get(fields::SPECIFIC_CHILD)
        .and_then(Value::as_str)
        == Some("yes");
    let (code, follow_up, code_failed) = follow_up_code(state, spec, &s, &validated).await;
    // Bots: a honeypot field people never see, and a form sent faster than a person could.
    // Either flags the submission; it is still delivered, and its priority is untouched.
    let too_fast = state.now().saturating_sub(s.verified.issued_at) < state.min_fill_seconds;
    let flags: &[&str] = if !s.draft.honeypot.trim().is_empty() || too_fast {
        &["suspected_automated"]
    } else {
        &[]
    };
    let copy = sent_copy(state, spec, &validated);
    // Every page of the journey was shown in the page language (the draft's choice, or the
    // browser's); the officer is told which.
    let mut validated = validated;
    validated.page_language = Some(crate::i18n::page::current().lang);
    let receipt = match state
        .intake
        .submit_with_follow_up(
            spec,
            validated,
            Some(s.verified.hash),
            flags,
            None,
            files,
            follow_up,
        )
        .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "submission not stored");
            let mut page = state.pages.message(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, your report could not be saved",
                &[
                    "Nothing has been sent. Go back and send the form again in a few minutes: your answers are kept.",
                    "If someone is in danger now, call 999. Otherwise you can call 101.",
                ],
            );
            if let crate::intake::IntakeError::Unavailable(cause) = &e {
                crate::http::shed::mark(&mut page, cause.limit());
            }
            return page;
        }
    };
    // From here the draft holds only the confirmation: the answers are gone from it.
    let sent = Draft {
        token: std::mem::take(&mut s.draft.token),
        lang: s.draft.lang,
        sent: Some(Sent {
            reference: receipt.reference.as_str().to_string(),
            priority: receipt.priority.as_str().to_string(),
            immediate: receipt.priority == crate::triage::Priority::Immediate,
            duplicate: receipt.duplicate,
            specific_child,
            code: code.filter(|_| receipt.follow_up).map(|c| c.words()),
            code_failed,
            copy,
        }),
        ..Draft::default()
    };
    if let Err(e) = crate::http::draft::save(state, &s.key, &spec.id, &sent).await {
        // The report is sent whatever became of the draft: show its reference now.
        tracing::error!(error = %e, "draft not kept after sending; confirmation shown directly");
        return confirmation(state, spec, &sent);
    }
    let resp = see_other(spec, JourneyStep::Sent, None);
    stored_cookie(spec, &s.key, s.fresh, resp)
}

/// The professional's copy of what they sent, for their records, made before the answers go to
/// intake; none for the public form.
fn sent_copy(
    state: &AppState,
    spec: &FormSpec,
    validated: &crate::forms::Validated,
) -> Option<SentCopy> {
    (spec.audience == Audience::Professional).then(|| SentCopy {
        sent_at: state.now() as i64,
        sections: crate::forms::review::review(
            &crate::i18n::form_text::localised_spec(
                state.pages.catalog(),
                crate::i18n::page::current().lang,
                spec,
            ),
            &validated.answers,
        ),
    })
}

/// The files chosen, cleaned; or the message for the check page about the one refused.
async fn cleaned(
    state: &AppState,
    spec: &FormSpec,
    s: &mut Sending,
) -> Result<Vec<crate::attachments::Cleaned>, String> {
    let refused = match s.file_error.take() {
        Some(e) => Some(e),
        None => match state
            .cleaner
            .clean_all(std::mem::take(&mut s.uploads), takes_pdf(spec))
            .await
        {
            Ok(files) => return Ok(files),
            Err(CleanError::Refused(e)) => Some(e),
            Err(CleanError::Failed) => None,
        },
    };
    Err(refused.map(|e| e.field_error().message).unwrap_or_else(|| {
        "A file could not be read. Choose it again, or send the report without it".into()
    }))
}

/// The follow-up code, made here and shown once on the confirmation page; only the keys
/// derived from it are committed with the submission. It is never logged; it is kept only in
/// the draft, sealed under the browser's key, until Exit or the draft's time is up.
async fn follow_up_code(
    state: &AppState,
    spec: &FormSpec,
    s: &Sending,
    validated: &Validated,
) -> (Option<FollowUpCode>, Option<FollowUpRequest>, bool) {
    if !s.follow_up {
        return (None, None, false);
    }
    let notice = (spec.audience == Audience::Professional && s.notify)
        .then(|| {
            validated
                .answers
                .get(WORK_EMAIL)
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .flatten();
    let code = FollowUpCode::generate();
    match state.follow_up.derive(code.clone()).await {
        Ok(keys) => (
            Some(code),
            Some(FollowUpRequest {
                key: keys.key(),
                notice,
            }),
            false,
        ),
        Err(e) => {
            tracing::error!(error = %e, "follow-up code not made; the report is sent without one");
            (None, None, true)
        }
    }
}
