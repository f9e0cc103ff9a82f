//! Picks the language each request's page is shown in (see [`crate::i18n::page`]): `?lang=`
//! when it names an enabled language, else the best enabled match for `Accept-Language`, else
//! English. Nothing is stored: a form's journey keeps its choice in the sealed draft, and other
//! pages carry it in their links, so no cookie outlives the visit.

use crate::http::AppState;
use crate::i18n::page::{self, PageLang};
use crate::i18n::{negotiate, Lang};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest};

/// The language a request asks for, among `enabled`.
pub fn requested(req: &HttpRequest, enabled: &[Lang]) -> PageLang {
    let chosen = req
        .query_string()
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
        .and_then(Lang::parse)
        .filter(|l| enabled.contains(l));
    if let Some(lang) = chosen {
        return PageLang { lang, chosen: true };
    }
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    PageLang {
        lang: negotiate(accept, enabled),
        chosen: false,
    }
}

pub async fn page_language(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let requested = match req.app_data::<web::Data<AppState>>() {
        Some(state) => requested(req.request(), state.pages.languages()),
        None => PageLang::default(),
    };
    page::scope(requested, async move {
        let mut resp = next.call(req).await?;
        // The page's language as rendered (a draft may have changed it), and a note for caches
        // that the same URL differs by the browser's languages.
        let shown = page::current().lang;
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(shown.tag()),
        );
        headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
        Ok(resp)
    })
    .await
}
