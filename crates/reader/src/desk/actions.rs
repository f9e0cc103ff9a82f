//! The desk's actions, signed on this machine through the same code the command line uses
//! ([`crate::officer`]): acknowledge, reply, set the status the submitter sees, record a
//! workflow step.

use super::app::Desk;
use crate::workflow::{CaseStatus, Step};
use crate::workflow::{ForceRef, Grade};
use zeroize::Zeroizing;

/// What a form sent, as text; each action reads what it needs.
pub struct Request {
    pub message: Zeroizing<String>,
    pub status: String,
    pub step: String,
    /// SOURCE/INTELLIGENCE/HANDLING, from the grading form's three choices.
    pub grade: String,
    pub force_reference: String,
}

/// The step a form names, with the value it needs.
pub fn step(r: &Request) -> anyhow::Result<Step> {
    Ok(match r.step.as_str() {
        "triaged" => Step::Triaged,
        "graded" => Step::Graded(Grade::parse_3x5x2(&r.grade).map_err(|e| anyhow::anyhow!("{e}"))?),
        "recorded" => {
            Step::Recorded(ForceRef::parse(&r.force_reference).map_err(|e| anyhow::anyhow!("{e}"))?)
        }
        "closed" => Step::Closed,
        _ => anyhow::bail!("choose triaged, graded, recorded or closed"),
    })
}

/// Runs `action` on the case; the sentence to show when it worked.
pub async fn run(
    desk: &Desk,
    reference: &str,
    action: &str,
    r: &Request,
) -> anyhow::Result<String> {
    let target = desk.target(reference)?;
    match action {
        "acknowledge" => {
            let link = desk
                .inbox
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .cases
                .iter()
                .find(|c| c.reference == reference)
                .and_then(|c| c.ack_link.clone())
                .ok_or_else(|| anyhow::anyhow!("the message carried no acknowledgement link"))?;
            crate::officer::ack::acknowledge(
                &desk.config.gateway,
                desk.config.ca.as_deref(),
                &link,
            )
            .await?;
            desk.mark_acknowledged(reference);
            Ok(match desk.config.role {
                super::config::Role::Mace => {
                    format!("Receipt of {reference} confirmed: the gateway recorded it.")
                }
                super::config::Role::Officer => {
                    format!("{reference} acknowledged: the gateway recorded it.")
                }
            })
        }
        "reply" => {
            let identities = desk.identities();
            let n = crate::officer::commands::reply_with(
                &target,
                &identities,
                &desk.config.identity,
                &r.message,
            )
            .await?;
            Ok(format!(
                "Reply {n} stored, sealed to the submitter and your route."
            ))
        }
        "status" => {
            let status: CaseStatus = r.status.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            crate::officer::commands::status(&target, status).await?;
            Ok(format!("The submitter now sees: {}.", status.words()))
        }
        "step" => {
            let step = step(r)?;
            crate::officer::commands::record_step(&target, &step).await?;
            Ok(format!("Recorded: {}.", step.kind().as_str()))
        }
        _ => anyhow::bail!("no such action"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(step: &str, grade: &str, force: &str) -> Request {
        Request {
            message: Zeroizing::new(String::new()),
            status: String::new(),
            step: step.into(),
            grade: grade.into(),
            force_reference: force.into(),
        }
    }

    #[test]
    fn the_forms_steps_are_read_as_the_command_lines_are() {
        assert!(matches!(
            step(&request("graded", "2/B/P", "")),
            Ok(Step::Graded(_))
        ));
        assert!(
            step(&request("graded", "//", "")).is_err(),
            "no grade chosen"
        );
        assert!(step(&request("graded", "4/Z/P", "")).is_err());
        assert!(matches!(
            step(&request("recorded", "", "NYP/2026:0042-A")),
            Ok(Step::Recorded(_))
        ));
        assert!(step(&request("recorded", "", "")).is_err());
        assert!(step(&request("shared_with_mace", "", "")).is_err());
    }
}
