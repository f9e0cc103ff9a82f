//! Prometheus metrics in the text exposition format. Labels carry identifiers only (form,
//! priority, route): never anything a submitter typed.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, String), u64>>,
}

const HELP: &[(&str, &str)] = &[
    (
        "pisg_submissions_accepted_total",
        "Submissions committed to the spool",
    ),
    (
        "pisg_deliveries_sent_total",
        "Emails accepted by the mail transport",
    ),
    (
        "pisg_deliveries_retried_total",
        "Delivery attempts that failed and were scheduled again",
    ),
    (
        "pisg_deliveries_dead_lettered_total",
        "Deliveries abandoned and waiting for an operator",
    ),
    (
        "pisg_officer_refused_total",
        "Signed officer requests refused with 401, by reason",
    ),
    (
        "pisg_officer_shares_total",
        "Officers' restricted views queued for a MACE route, by route",
    ),
    (
        "pisg_workflow_steps_total",
        "Workflow steps officers recorded, by step",
    ),
];

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
    pub fn inc(&self, name: &'static str, pairs: &[(&str, &str)]) {
        let mut c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        *c.entry((name, labels(pairs))).or_default() += 1;
    }

    /// The exposition, with the outbox gauges read from the spool at scrape time.
    pub fn render(&self, stats: Option<&crate::spool::OutboxStats>) -> String {
        let c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        for (name, help) in HELP {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let mut any = false;
            for ((n, l), v) in c.iter().filter(|((n, _), _)| n == name) {
                any = true;
                let _ = writeln!(out, "{n}{{{l}}} {v}");
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
        m.inc(
            "pisg_deliveries_sent_total",
            &[("route", "police_intelligence")],
        );
        m.inc(
            "pisg_deliveries_sent_total",
            &[("route", "police_intelligence")],
        );
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
}
