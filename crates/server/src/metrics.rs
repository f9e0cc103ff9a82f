//! Metrics in the OpenMetrics text format, kept and encoded by `prometheus-client`. Labels carry
//! identifiers only (form, priority, route): never anything a submitter typed.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter as Count;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::Mutex;

/// A label set as the call sites give it: identifiers only.
type Labels = Vec<(String, String)>;

pub struct Metrics {
    registry: Registry,
    /// One family per [`Counter`], in the order of [`Counter::ALL`].
    counters: Vec<Family<Labels, Count>>,
    /// Read from the spool at scrape time; left empty (and so absent from the exposition) when
    /// the spool could not be read, so a scrape never shows a stale figure as a fresh one.
    gauges: Gauges,
    /// One scrape sets the gauges and encodes at a time.
    scrape: Mutex<()>,
}

#[derive(Default)]
struct Gauges {
    outbox_pending: Family<Labels, Gauge>,
    outbox_dead: Family<Labels, Gauge>,
    outbox_oldest: Family<Labels, Gauge>,
    by_state: Family<Labels, Gauge>,
    untriaged: Family<Labels, Gauge>,
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

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let counters = Counter::ALL
            .iter()
            .map(|c| {
                let family = Family::<Labels, Count>::default();
                // OpenMetrics names a counter without its `_total`, which every sample keeps.
                let name = c.name().strip_suffix("_total").unwrap_or(c.name());
                registry.register(name, c.help(), family.clone());
                // Shown at zero until first counted, so a dashboard sees every counter.
                drop(family.get_or_create(&Vec::new()));
                family
            })
            .collect();
        let gauges = Gauges::default();
        let gauge = |registry: &mut Registry, name: &str, help: &str, f: &Family<Labels, Gauge>| {
            registry.register(name, help, f.clone());
        };
        gauge(
            &mut registry,
            "pisg_outbox_pending",
            "Deliveries waiting to be sent",
            &gauges.outbox_pending,
        );
        gauge(
            &mut registry,
            "pisg_outbox_dead",
            "Dead-lettered deliveries",
            &gauges.outbox_dead,
        );
        gauge(
            &mut registry,
            "pisg_outbox_oldest_pending_seconds",
            "Age of the oldest pending delivery",
            &gauges.outbox_oldest,
        );
        gauge(
            &mut registry,
            "pisg_submissions_by_workflow_state",
            "Unpurged submissions by their latest workflow step",
            &gauges.by_state,
        );
        gauge(&mut registry, "pisg_untriaged", "IMMEDIATE and PRIORITY submissions with no workflow step after workflow.triage_within_minutes", &gauges.untriaged);
        Metrics {
            registry,
            counters,
            gauges,
            scrape: Mutex::new(()),
        }
    }
}

impl Metrics {
    pub fn inc(&self, counter: Counter, pairs: &[(&str, &str)]) {
        self.add(counter, pairs, 1);
    }

    /// Adds `n` at once (a batch purged in one statement, say).
    pub fn add(&self, counter: Counter, pairs: &[(&str, &str)], n: u64) {
        let family = &self.counters[counter as usize];
        // A labelled counter's zero placeholder goes once it has a series of its own (looked
        // at under the read lock first: this runs for every submission and delivery).
        if !pairs.is_empty() && family.get(&Vec::new()).is_some() {
            family.remove(&Vec::new());
        }
        family.get_or_create(&labels(pairs)).inc_by(n);
    }

    /// The exposition, with the outbox and workflow gauges read from the spool at scrape time
    /// (absent when it could not be read).
    pub fn render(
        &self,
        stats: Option<&crate::spool::OutboxStats>,
        workflow: Option<&crate::spool::workflow::WorkflowStats>,
    ) -> String {
        let _one = self.scrape.lock().unwrap_or_else(|p| p.into_inner());
        let g = &self.gauges;
        let set = |f: &Family<Labels, Gauge>, v: Option<i64>| match v {
            Some(v) => {
                f.get_or_create(&Vec::new()).set(v);
            }
            None => f.clear(),
        };
        set(&g.outbox_pending, stats.map(|s| s.pending as i64));
        set(&g.outbox_dead, stats.map(|s| s.dead as i64));
        set(&g.outbox_oldest, stats.map(|s| s.oldest_pending_secs));
        set(&g.untriaged, workflow.map(|w| w.untriaged as i64));
        g.by_state.clear();
        if let Some(w) = workflow {
            for (state, n) in workflow_states(w) {
                g.by_state
                    .get_or_create(&vec![("state".to_string(), state.to_string())])
                    .set(n as i64);
            }
        }
        let mut out = String::new();
        // Writing to a String cannot fail; a metric that could not encode would be a bug here.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// Every workflow state, zero included, with its count.
fn workflow_states(
    w: &crate::spool::workflow::WorkflowStats,
) -> impl Iterator<Item = (&'static str, u64)> + '_ {
    use crate::spool::workflow::RECEIVED;
    use crate::spool::StepKind;
    std::iter::once(RECEIVED)
        .chain(StepKind::ALL.iter().map(StepKind::as_str))
        .map(|state| {
            let n = w
                .by_state
                .iter()
                .find(|(s, _)| s == state)
                .map_or(0, |(_, n)| *n);
            (state, n)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_render_with_labels_and_zeroes() {
        let m = Metrics::default();
        m.inc(Counter::DeliveriesSent, &[("route", "police_intelligence")]);
        m.inc(Counter::DeliveriesSent, &[("route", "police_intelligence")]);
        let stats = crate::spool::OutboxStats {
            pending: 3,
            dead: 1,
            oldest_pending_secs: 42,
        };
        let text = m.render(Some(&stats), None);
        assert!(text.contains("pisg_deliveries_sent_total{route=\"police_intelligence\"} 2"));
        assert!(!text.contains("pisg_deliveries_sent_total 0"), "{text}");
        assert!(text.contains("pisg_deliveries_retried_total 0"));
        assert!(text.contains("pisg_outbox_pending 3"));
        assert!(text.contains("pisg_outbox_oldest_pending_seconds 42"));
        assert!(text.ends_with("# EOF\n"), "{text}");
        // The spool unreadable at the next scrape: the gauge is absent, never a stale figure.
        let text = m.render(None, None);
        assert!(!text.contains("pisg_outbox_pending"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn label_values_are_escaped() {
        let m = Metrics::default();
        m.inc(Counter::RateLimited, &[("class", "a\"b\\c\nd")]);
        let text = m.render(None, None);
        assert!(
            text.contains(r#"pisg_rate_limited_total{class="a\"b\\c\nd"} 1"#),
            "{text}"
        );
    }

    #[test]
    fn every_counter_counted_is_shown_with_its_help_and_type() {
        let m = Metrics::default();
        for &counter in Counter::ALL {
            m.inc(counter, &[]);
        }
        let text = m.render(None, None);
        for &counter in Counter::ALL {
            let name = counter.name();
            assert!(
                name.starts_with("pisg_") && name.ends_with("_total"),
                "{name}"
            );
            assert!(!counter.help().is_empty(), "{name}");
            let family = name.strip_suffix("_total").unwrap_or(name);
            assert!(
                text.contains(&format!(
                    "# HELP {family} {}.\n# TYPE {family} counter\n{name} 1\n",
                    counter.help()
                )),
                "{text}"
            );
        }
    }
}
