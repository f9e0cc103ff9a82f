//! The spool's typed seams: what a delivery is called, what state it is in, what it shows, and
//! the retention policy. Every backend stores these in its own way; nothing here knows how.

use crate::reference::Reference;
use std::fmt;

/// A delivery's name within its submission: the route's own delivery, or round `n` of an
/// escalation to an escalation route.
///
/// Stored and shown as `route` or `route.n`; that text is also in the email's Message-ID, so a
/// resend of the same delivery is recognisable as the same mail.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeliveryRoute {
    Route(String),
    Escalation { route: String, round: u32 },
}

impl DeliveryRoute {
    pub fn route(name: impl Into<String>) -> Self {
        DeliveryRoute::Route(name.into())
    }

    /// The route this delivery belongs to: an acknowledgement is the route's, so every round of
    /// escalation to it carries the same live link.
    pub fn route_name(&self) -> &str {
        match self {
            DeliveryRoute::Route(name) | DeliveryRoute::Escalation { route: name, .. } => name,
        }
    }

    /// Reads the stored name. Route names are letters, digits, `-` and `_` (config refuses
    /// others), so a `.` followed by digits can only be an escalation round.
    pub fn parse(stored: &str) -> Self {
        if let Some((route, round)) = stored.rsplit_once('.') {
            // Only the digits a round is written as (`a.01` is no gateway's).
            let digits = !round.is_empty()
                && !round.starts_with('0')
                && round.bytes().all(|b| b.is_ascii_digit());
            if let (false, true, Ok(round)) = (route.is_empty(), digits, round.parse::<u32>()) {
                return DeliveryRoute::Escalation {
                    route: route.to_string(),
                    round,
                };
            }
        }
        DeliveryRoute::Route(stored.to_string())
    }
}

impl fmt::Display for DeliveryRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // `pad`, so that columns line up in `outbox list`.
            DeliveryRoute::Route(name) => f.pad(name),
            DeliveryRoute::Escalation { route, round } => f.pad(&format!("{route}.{round}")),
        }
    }
}

/// One delivery: a submission's reference and the delivery's name within it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryId {
    pub reference: Reference,
    pub route: DeliveryRoute,
}

impl DeliveryId {
    pub fn new(reference: Reference, route: DeliveryRoute) -> Self {
        DeliveryId { reference, route }
    }
}

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.reference, self.route)
    }
}

/// Where a delivery is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    Delivered,
    /// Abandoned after its retries or a permanent failure; waits for an operator.
    Dead,
}

impl DeliveryState {
    pub fn as_str(&self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(DeliveryState::Pending),
            "delivered" => Some(DeliveryState::Delivered),
            "dead" => Some(DeliveryState::Dead),
            _ => None,
        }
    }
}

impl fmt::Display for DeliveryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// What a delivery shows: one of routing's views, or the escalation notice (no attachment; it
/// tells an escalation route that a delivery has gone unacknowledged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Full,
    Restricted,
    Notice,
    Escalation,
    /// The content-free "there is a message for you" email to a professional when police
    /// write on /follow-up.
    FollowUp,
    /// The first email to a professional's notice address: a link that must be followed
    /// before any notice is sent there.
    FollowUpConfirm,
}

impl View {
    /// Sent to a professional's own address, which the spool holds sealed
    /// (see [`crate::secrets_key`]).
    pub fn to_sealed_address(&self) -> bool {
        matches!(self, View::FollowUp | View::FollowUpConfirm)
    }
}

impl View {
    pub fn as_str(&self) -> &'static str {
        match self {
            View::Full => "full",
            View::Restricted => "restricted",
            View::Notice => "notice",
            View::Escalation => "escalation",
            View::FollowUp => "follow_up",
            View::FollowUpConfirm => "follow_up_confirm",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "full" => Some(View::Full),
            "restricted" => Some(View::Restricted),
            "notice" => Some(View::Notice),
            "escalation" => Some(View::Escalation),
            "follow_up" => Some(View::FollowUp),
            "follow_up_confirm" => Some(View::FollowUpConfirm),
            _ => None,
        }
    }
}

impl From<crate::routing::View> for View {
    fn from(v: crate::routing::View) -> Self {
        match v {
            crate::routing::View::Full => View::Full,
            crate::routing::View::Restricted => View::Restricted,
            crate::routing::View::Notice => View::Notice,
        }
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// How long envelopes are kept (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// After delivery to every route and an acknowledgement.
    pub grace_secs: i64,
    /// After receipt, for items nobody acknowledged (all deliveries made).
    pub max_age_secs: i64,
    /// How long before the maximum age an unacknowledged item is announced.
    pub warn_secs: i64,
}

/// Why a submission's envelopes were purged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurgeReason {
    /// Delivered everywhere and acknowledged, and the grace period has passed.
    Grace,
    /// Reached the maximum age unacknowledged.
    MaxAge,
}

impl PurgeReason {
    /// The code in the audit log.
    pub fn as_str(&self) -> &'static str {
        match self {
            PurgeReason::Grace => "grace",
            PurgeReason::MaxAge => "max_age",
        }
    }
}

impl fmt::Display for PurgeReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub purged: Vec<(Reference, PurgeReason)>,
    /// Unacknowledged references that reach the maximum age soon.
    pub warned: Vec<Reference>,
    /// The batch was full: more may be due now.
    pub more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_routes_read_back_as_written() {
        for stored in [
            "police_intelligence",
            "escalation_duty.3",
            "mace-selby",
            "a.b",
        ] {
            assert_eq!(DeliveryRoute::parse(stored).to_string(), stored);
        }
        assert_eq!(
            DeliveryRoute::parse("escalation_duty.12"),
            DeliveryRoute::Escalation {
                route: "escalation_duty".into(),
                round: 12
            }
        );
        assert_eq!(
            DeliveryRoute::parse("escalation_duty.12").route_name(),
            "escalation_duty"
        );
        assert_eq!(
            DeliveryRoute::parse("x.01"),
            DeliveryRoute::Route("x.01".into())
        );
        assert_eq!(
            DeliveryRoute::parse(".1"),
            DeliveryRoute::Route(".1".into())
        );
    }
}
