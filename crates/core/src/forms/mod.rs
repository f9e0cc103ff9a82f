//! Forms as data: specs loaded from `forms/*.toml`, typed field kinds that parse and normalise,
//! and validation shared by the HTML form and the JSON API.

mod check;
pub mod date;
pub mod describe;
pub mod fields;
pub mod html;
pub mod journey;
pub mod phone;
pub mod pick;
pub mod postcode;
pub mod registry;
pub mod reveal;
pub mod review;
pub mod show_if;
pub mod spec;
pub mod tasks;
pub mod text;
pub mod validate;
pub mod vrm;

pub use registry::FormRegistry;
pub use spec::{Audience, Field, FormSpec, Kind};
pub use validate::{validate, FieldError, Note, Validated};
