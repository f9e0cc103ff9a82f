//! Prometheus metrics in the text exposition format. Labels carry identifiers only (form,
//! priority, route): never anything a submitter typed.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(Counter, String), u64>>,
}

/// Declares every counter with its name and help line in one table, so that a counter cannot
/// be counted without being shown (each one in [`Counter::ALL`] is rendered, zero included).
macro_rules! counters {
    ($($variant:ident => $name:literal, $help:literal;)*) => {
        /// A counter in `/metrics`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum Counter {
            $($variant),*
        }

        impl Counter {
            /// Every counter, in the order they are rendered.
            pub const ALL: &'static [Counter] = &[$(Counter::$variant),*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Counter::$variant => $name),*
                }
            }

            pub fn help(self) -> &'static str {
                match self {
                    $(Counter::$variant => $help),*
                }
            }
        }
    };
}

counters! {
    SubmissionsAccepted => "pisg_submissions_accepted_total", "Submissions committed to the spool";
    DeliveriesSent => "pisg_deliveries_sent_total", "Emails accepted by the mail transport";
    DeliveriesRetried => "pisg_deliveries_retried_total", "Delivery attempts that failed and were scheduled again";
    DeliveriesDeadLettered => "pisg_deliveries_dead_lettered_total", "Deliveries abandoned and waiting for an operator";
    ReceiptsConfirmed => "pisg_receipts_confirmed_total", "Receipts confirmed from an email's link, by route";
    Acknowledgements => "pisg_acknowledgements_total", "Submissions acknowledged from an email's link, by route";
    Escalations => "pisg_escalations_total", "Submissions escalated for want of an acknowledgement by their deadline";
    Purged => "pisg_purged_total", "Submissions whose envelopes were purged (the content-free record stays), by why";
    RateLimited => "pisg_rate_limited_total", "Requests refused with 429 by the rate limits, by class";
    PartnerSubmissions => "pisg_partner_submissions_total", "Submissions sent with a partner agency's token, by agency";
    PartnerTokenRefused => "pisg_partner_token_refused_total", "API requests refused with 401 for a wrong or revoked partner token";
    EvidenceDownloads => "pisg_evidence_downloads_total", "Sealed evidence files downloaded from an email's link, by route";
    OfficerRefused => "pisg_officer_refused_total", "Officer requests refused with 401 or 403, by reason";
    OfficerUnverified => "pisg_officer_unverified_total", "Officer requests refused before a signature verified (counted here, never audited), by reason";
    OfficerShares => "pisg_officer_shares_total", "Officers' restricted views queued for a MACE route, by route";
    WorkflowSteps => "pisg_workflow_steps_total", "Workflow steps officers recorded, by step";
    DraftsPurged => "pisg_drafts_purged_total", "Web journeys' sealed drafts purged after the idle period";
}

fn labels(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}=\"{}\"",
                v.replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n")
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl Metrics {
    pub fn inc(&self, counter: Counter, pairs: &[(&str, &str)]) {
        self.add(counter, pairs, 1);
    }

    /// Adds `n` at once (a batch purged in one statement, say).
    pub fn add(&self, counter: Counter, pairs: &[(&str, &str)], n: u64) {
        let mut c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        *c.entry((counter, labels(pairs))).or_default() += n;
    }

    /// The exposition, with the outbox gauges read from the spool at scrape time.
    pub fn render(&self, stats: Option<&crate::spool::OutboxStats>) -> String {
        let c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        for &counter in Counter::ALL {
            let (name, help) = (counter.name(), counter.help());
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let mut any = false;
            for ((_, l), v) in c.iter().filter(|((n, _), _)| *n == counter) {
                any = true;
                if l.is_empty() {
                    let _ = writeln!(out, "{name} {v}");
                } else {
                    let _ = writeln!(out, "{name}{{{l}}} {v}");
                }
            }
            if !any {
                let _ = writeln!(out, "{name} 0");
            }
        }
        if let Some(s) = stats {
            let _ = writeln!(out, "# HELP pisg_outbox_pending Deliveries waiting to be sent\n# TYPE pisg_outbox_pending gauge\npisg_outbox_pending {}", s.pending);
            let _ = writeln!(out, "# HELP pisg_outbox_dead Dead-lettered deliveries\n# TYPE pisg_outbox_dead gauge\npisg_outbox_dead {}", s.dead);
            let _ = writeln!(out, "# HELP pisg_outbox_oldest_pending_seconds Age of the oldest pending delivery\n# TYPE pisg_outbox_oldest_pending_seconds gauge\npisg_outbox_oldest_pending_seconds {}", s.oldest_pending_secs);
        }
        out
    }
}

/// The workflow gauges, read from the spool at scrape time: every state, zero included.
pub fn render_workflow(w: &crate::spool::workflow::WorkflowStats) -> String {
    use crate::spool::workflow::RECEIVED;
    use crate::spool::StepKind;
    let mut out = String::from(
        "# HELP pisg_submissions_by_workflow_state Unpurged submissions by their latest workflow step\n# TYPE pisg_submissions_by_workflow_state gauge\n",
    );
    let states = std::iter::once(RECEIVED).chain(StepKind::ALL.iter().map(StepKind::as_str));
    for state in states {
        let n = w
            .by_state
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(
            out,
            "pisg_submissions_by_workflow_state{{state=\"{state}\"}} {n}"
        );
    }
    let _ = writeln!(out, "# HELP pisg_untriaged IMMEDIATE and PRIORITY submissions with no workflow step after workflow.triage_within_minutes\n# TYPE pisg_untriaged gauge\npisg_untriaged {}", w.untriaged);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_render_with_labels_and_zeroes() {
        let m = Metrics::default();
        m.inc(Counter::DeliveriesSent, &[("route", "police_intelligence")]);
        m.inc(Counter::DeliveriesSent, &[("route", "police_intelligence")]);
        let text = m.render(Some(&crate::spool::OutboxStats {
            pending: 3,
            dead: 1,
            oldest_pending_secs: 42,
        }));
        assert!(text.contains("pisg_deliveries_sent_total{route=\"police_intelligence\"} 2"));
        assert!(text.contains("pisg_deliveries_retried_total 0"));
        assert!(text.contains("pisg_outbox_pending 3"));
        assert!(text.contains("pisg_outbox_oldest_pending_seconds 42"));
    }

    #[test]
    fn every_counter_counted_is_shown_with_its_help_and_type() {
        let m = Metrics::default();
        for &counter in Counter::ALL {
            m.inc(counter, &[]);
        }
        let text = m.render(None);
        for &counter in Counter::ALL {
            let name = counter.name();
            assert!(
                name.starts_with("pisg_") && name.ends_with("_total"),
                "{name}"
            );
            assert!(!counter.help().is_empty(), "{name}");
            assert!(
                text.contains(&format!(
                    "# HELP {name} {}\n# TYPE {name} counter\n{name} 1\n",
                    counter.help()
                )),
                "{text}"
            );
        }
    }
}
