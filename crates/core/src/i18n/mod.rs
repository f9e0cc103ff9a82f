//! The public pages in the submitter's language: which languages exist ([`Lang`]), the Fluent
//! strings for each ([`Catalog`], loaded once from `forms/locales/`), and the language of the
//! page being answered ([`page`]). Officers' emails and reports stay in English.

mod catalog;
mod english;
pub mod form_text;
mod lang;
pub mod page;

pub use catalog::{Catalog, CatalogError, LanguageInfo};
pub use lang::{negotiate, Lang};
