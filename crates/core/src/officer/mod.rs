//! The officer's signed requests: their canonical form ([`request`]), made on the officer's
//! machine, and the gateway's check of them ([`verify`]). Both sides share this one definition,
//! so what is signed is what is checked.

pub mod request;
pub mod verify;
