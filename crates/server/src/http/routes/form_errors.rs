//! The pages a form post gets when it cannot be taken: unreadable, refused, too big, too
//! slow, or the service busy. None of them echoes what was sent.

use crate::http::body::BodyError;
use crate::http::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

pub(super) fn unreadable(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::BAD_REQUEST,
        "This form could not be read",
        &["Nothing has been sent. Go back and send the form again."],
    )
}

/// Files sent without the form's token and step before them: not read, and the connection
/// closed, since the rest of the body is not worth receiving.
pub(super) fn refused_upload(state: &AppState) -> HttpResponse {
    let mut resp = forbidden(state);
    resp.head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
    resp
}

/// No memory for files just now: the client already has uploads arriving, or everyone's
/// budget is spent. Nothing is kept; trying again shortly works.
pub(super) fn busy(state: &AppState, why: crate::http::uploads::Busy) -> HttpResponse {
    let mut resp = state.pages.message(
        StatusCode::SERVICE_UNAVAILABLE,
        "The service is busy receiving files",
        &[
            "Nothing has been sent yet. Wait a minute, go back and send the form again: your answers are still on the page you came from.",
            "If someone is in danger now, call 999.",
        ],
    );
    crate::http::shed::mark(&mut resp, crate::http::shed::upload_limit(why));
    resp.head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
    resp
}

pub(super) fn body_error(state: &AppState, e: BodyError) -> HttpResponse {
    match e {
        BodyError::TooLarge => state.pages.message(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Your answers are too long to send",
            &[
                "Nothing has been sent. Go back, shorten the longest answers or send fewer or smaller files, and send the form again.",
                "If someone is in danger now, call 999.",
            ],
        ),
        BodyError::TooSlow => {
            let mut resp = state.pages.message(
                StatusCode::REQUEST_TIMEOUT,
                "Your answers took too long to arrive",
                &[
                    "Nothing has been sent. Check your connection, go back and send the form again.",
                    "If someone is in danger now, call 999.",
                ],
            );
            resp.head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
            resp
        }
        BodyError::Broken => state.pages.message(
            StatusCode::BAD_REQUEST,
            "Your answers did not arrive",
            &["Nothing has been sent. Go back and send the form again."],
        ),
    }
}

pub(super) fn forbidden(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::FORBIDDEN,
        "This form could not be checked",
        &[
            "Nothing has been sent. Open the form again from this site and fill it in there.",
            "If someone is in danger now, call 999.",
        ],
    )
}
