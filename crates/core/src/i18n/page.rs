//! The language of the page being answered, for the length of one request.
//!
//! A request's language is settled in layers: the browser's `Accept-Language` first, then a
//! choice made with `?lang=` on this request, then (on a form's pages) the choice kept in the
//! journey's sealed draft. The first two are known before any handler runs, the last only once
//! a handler has opened the draft, and every page, the error pages of every route included, must
//! be rendered in the result. So it is held for the request's task rather than passed through
//! each of the thirty-odd places a page is rendered: the middleware in
//! [`crate::http::language`] opens the scope, a form handler may [`choose`] within it, and
//! [`crate::http::pages::Pages`] reads it. Outside a request (tests, `check-config`) it is
//! English.

use super::Lang;
use std::cell::Cell;
use std::future::Future;

/// The page's language, and whether the person chose it (rather than their browser's
/// settings): a chosen language is carried in the links to other pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLang {
    pub lang: Lang,
    pub chosen: bool,
}

impl Default for PageLang {
    fn default() -> Self {
        PageLang {
            lang: Lang::En,
            chosen: false,
        }
    }
}

tokio::task_local! {
    static PAGE: Cell<PageLang>;
}

/// Runs `f` (one request) with `page` as its language.
pub async fn scope<F: Future>(page: PageLang, f: F) -> F::Output {
    PAGE.scope(Cell::new(page), f).await
}

/// The language of the page being answered (English outside a request).
pub fn current() -> PageLang {
    PAGE.try_with(Cell::get).unwrap_or_default()
}

/// The person's choice, found after the request began (in the journey's draft).
pub fn choose(lang: Lang) {
    // Outside a request there is no page to set the language of.
    let _ = PAGE.try_with(|c| c.set(PageLang { lang, chosen: true }));
}
