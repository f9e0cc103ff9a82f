//! Follow-up: a code that lets a submitter, anonymous or not, hear back from police and add
//! more, without the server ever holding the code.
//!
//! [`code`] makes and reads codes; [`keys`] derives from a code the age identity that opens the
//! police's messages and the lookup id the spool finds the submission by. The spool keeps the
//! lookup id and the public key only (see `spool::follow_up`).

pub mod code;
pub mod keys;

pub use code::{CodeError, FollowUpCode};
pub use keys::{Cost, DeriveError, Derived, Deriver};
