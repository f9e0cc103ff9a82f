//! The web journey as a state machine: which page follows which, given the button pressed and
//! what the answers so far allow. Pure, so every path through a form is tested here; the HTTP
//! layer only stores answers, asks [`next`] and redirects to the step's URL.

use super::spec::FormSpec;

/// A page of the journey. Each has its own URL under `/forms/{id}/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyStep {
    /// A section of the form (its index).
    Section(usize),
    /// The first section's answers say someone is in danger now: call 999, then carry on.
    CallNow,
    /// What was written on section `after` reads as danger now: asked when that page is sent.
    DangerCheck { after: usize },
    /// Check your answers, add files, send.
    Check,
    /// The confirmation, with the reference.
    Sent,
    /// The task list: every section with its status, each a link to its page.
    Tasks,
}

/// What the person asked for with the button they pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyAction {
    Continue,
    Back,
    /// "Change" on the check page: the section's index.
    Change(usize),
    /// "Add another" or "Remove": the same page again.
    Stay,
    /// "Send report".
    Send,
    /// "Save and view all sections": the task list, without checking the page.
    Tasks,
}

/// What the answers allow, as far as the next step depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validation {
    /// How many sections the form has (at least one).
    pub sections: usize,
    /// The page just sent passes its own checks (for the danger check: it was answered).
    pub page_ok: bool,
    /// The first section with a problem anywhere in the form.
    pub first_problem: Option<usize>,
    /// The gate answers say someone is in danger now.
    pub danger_now: bool,
    /// The narrative reads as danger now and the question has not been answered.
    pub ask_danger: bool,
    /// The section was reached with "Change" from the check page.
    pub returning: bool,
    /// The gate answers say danger now and the task list has been open since the Call 999
    /// page was last shown: it is shown again before anything is sent, then the check page.
    pub call_now_due: bool,
}

impl Validation {
    /// The same, with every answer in order: what a move would be without problems.
    fn without_problems(&self) -> Validation {
        Validation {
            page_ok: true,
            first_problem: None,
            ..*self
        }
    }

    fn last(&self) -> usize {
        self.sections.saturating_sub(1)
    }
}

/// The step after `step` when `action` is pressed.
pub fn next(step: JourneyStep, action: JourneyAction, v: &Validation) -> JourneyStep {
    use JourneyAction as A;
    use JourneyStep as S;
    match (step, action) {
        (S::Sent, _) => S::Sent,
        // A long sitting by way of the task list: the reminder to call 999 comes back before
        // the report goes, and leads back to the check page, where Send sends.
        (_, A::Send) if v.call_now_due => S::CallNow,
        (S::CallNow, A::Continue | A::Back) if v.call_now_due => S::Check,
        // Reached without pressing Continue on the narrative's page (from the task list, or a
        // restored draft), the danger question is still asked before anything is sent.
        (_, A::Send) if v.ask_danger => S::DangerCheck { after: v.last() },
        (_, A::Send) => v.first_problem.map_or(S::Sent, S::Section),
        (_, A::Tasks) => S::Tasks,
        (_, A::Change(i)) => S::Section(i.min(v.last())),
        (step, A::Stay) => step,
        (S::Section(_), A::Back) if v.returning => S::Check,
        (S::Section(i), A::Back) => S::Section(i.saturating_sub(1)),
        (S::CallNow, A::Back) => S::Section(0),
        (S::DangerCheck { after }, A::Back) => S::Section(after),
        (S::Check, A::Back) => S::Section(v.last()),
        (S::Section(i), A::Continue) if !v.page_ok => S::Section(i),
        (S::Section(0), A::Continue) if v.danger_now && !v.returning => S::CallNow,
        (S::Section(i), A::Continue) if v.ask_danger => S::DangerCheck { after: i },
        (S::Section(i), A::Continue) => onward(i, v),
        (S::CallNow, A::Continue) => onward(0, v),
        (S::DangerCheck { after }, A::Continue) if !v.page_ok => S::DangerCheck { after },
        (S::DangerCheck { after }, A::Continue) => onward(after, v),
        (S::Check, A::Continue) => S::Check,
        // The task list has links, not buttons; a post to it shows it again.
        (S::Tasks, _) => S::Tasks,
    }
}

/// The move was turned aside by a problem in the answers: the page it lands on shows them.
pub fn diverted(step: JourneyStep, action: JourneyAction, v: &Validation) -> bool {
    next(step, action, v) != next(step, action, &v.without_problems())
}

/// After section `i` is done: the next section, or the check page once the last one (or the
/// one changed) is done and nothing is missing; else the first section with a problem.
fn onward(i: usize, v: &Validation) -> JourneyStep {
    if i < v.last() && !v.returning {
        return JourneyStep::Section(i + 1);
    }
    v.first_problem
        .map_or(JourneyStep::Check, JourneyStep::Section)
}

/// The path segment after `/forms/{id}/` for the two pages that are not sections.
const CHECK: &str = "check";
const CALL_NOW: &str = "call-999";
const SENT: &str = "confirmation";
const TASKS: &str = "tasks";
/// Appended to a section's segment for its danger check.
const DANGER: &str = "danger-now";

impl JourneyStep {
    /// The step's path under `/forms/{id}/`.
    pub fn path(self, spec: &FormSpec) -> String {
        let section = |i: usize| {
            spec.sections
                .get(i)
                .map(|s| s.id.clone())
                .unwrap_or_default()
        };
        match self {
            JourneyStep::Section(i) => section(i),
            JourneyStep::CallNow => CALL_NOW.into(),
            JourneyStep::DangerCheck { after } => format!("{}/{DANGER}", section(after)),
            JourneyStep::Check => CHECK.into(),
            JourneyStep::Sent => SENT.into(),
            JourneyStep::Tasks => TASKS.into(),
        }
    }

    /// The step a path names, if any.
    pub fn parse(spec: &FormSpec, path: &str) -> Option<JourneyStep> {
        let section = |id: &str| spec.sections.iter().position(|s| s.id == id);
        match path {
            CHECK => Some(JourneyStep::Check),
            CALL_NOW => Some(JourneyStep::CallNow),
            SENT => Some(JourneyStep::Sent),
            TASKS => Some(JourneyStep::Tasks),
            _ => match path.split_once('/') {
                Some((id, DANGER)) => section(id).map(|after| JourneyStep::DangerCheck { after }),
                Some(_) => None,
                None => section(path).map(JourneyStep::Section),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use JourneyAction as A;
    use JourneyStep as S;

    fn ok(sections: usize) -> Validation {
        Validation {
            sections,
            page_ok: true,
            first_problem: None,
            danger_now: false,
            ask_danger: false,
            returning: false,
            call_now_due: false,
        }
    }

    #[test]
    fn continue_walks_the_sections_then_the_check_page() {
        let v = ok(4);
        assert_eq!(next(S::Section(0), A::Continue, &v), S::Section(1));
        assert_eq!(next(S::Section(2), A::Continue, &v), S::Section(3));
        assert_eq!(next(S::Section(3), A::Continue, &v), S::Check);
        assert_eq!(next(S::Check, A::Send, &v), S::Sent);
        assert_eq!(next(S::Sent, A::Back, &v), S::Sent);
    }

    #[test]
    fn a_page_with_problems_stays_and_says_so() {
        let v = Validation {
            page_ok: false,
            first_problem: Some(1),
            ..ok(4)
        };
        assert_eq!(next(S::Section(1), A::Continue, &v), S::Section(1));
        assert!(diverted(S::Section(1), A::Continue, &v));
        // Sending with a problem left on an earlier page goes to that page.
        assert_eq!(next(S::Check, A::Send, &v), S::Section(1));
        assert!(diverted(S::Check, A::Send, &v));
        // Back never checks.
        assert_eq!(next(S::Section(1), A::Back, &v), S::Section(0));
        assert!(!diverted(S::Section(1), A::Back, &v));
        // A later page's problems do not stop this one going on.
        let later = Validation {
            first_problem: Some(3),
            ..ok(4)
        };
        assert_eq!(next(S::Section(1), A::Continue, &later), S::Section(2));
        assert!(!diverted(S::Section(1), A::Continue, &later));
        assert_eq!(next(S::Section(3), A::Continue, &later), S::Section(3));
    }

    #[test]
    fn danger_now_interrupts_after_the_first_page_only() {
        let v = Validation {
            danger_now: true,
            ..ok(4)
        };
        assert_eq!(next(S::Section(0), A::Continue, &v), S::CallNow);
        assert_eq!(next(S::CallNow, A::Continue, &v), S::Section(1));
        assert_eq!(next(S::CallNow, A::Back, &v), S::Section(0));
        let changed = Validation {
            returning: true,
            ..v
        };
        assert_eq!(next(S::Section(0), A::Continue, &changed), S::Check);
    }

    #[test]
    fn the_narrative_is_questioned_on_the_page_it_was_written_then_the_journey_goes_on() {
        let v = Validation {
            ask_danger: true,
            ..ok(4)
        };
        assert_eq!(
            next(S::Section(1), A::Continue, &v),
            S::DangerCheck { after: 1 }
        );
        let unanswered = Validation {
            page_ok: false,
            ..v
        };
        let here = S::DangerCheck { after: 1 };
        assert_eq!(next(here, A::Continue, &unanswered), here);
        assert!(diverted(here, A::Continue, &unanswered));
        let answered = Validation {
            ask_danger: false,
            ..ok(4)
        };
        assert_eq!(next(here, A::Continue, &answered), S::Section(2));
        assert_eq!(next(here, A::Back, &answered), S::Section(1));
        // Written on the last page: the check page follows.
        assert_eq!(
            next(S::DangerCheck { after: 3 }, A::Continue, &answered),
            S::Check
        );
    }

    #[test]
    fn sending_without_the_narratives_continue_still_asks_about_danger_first() {
        // From the task list or a restored draft, "Send" is the first press after the
        // narrative: the question comes before anything is sent, with problems or without.
        let v = Validation {
            ask_danger: true,
            ..ok(4)
        };
        assert_eq!(next(S::Check, A::Send, &v), S::DangerCheck { after: 3 });
        assert_eq!(next(S::Tasks, A::Send, &v), S::DangerCheck { after: 3 });
        let with_problems = Validation {
            first_problem: Some(1),
            ..v
        };
        assert_eq!(
            next(S::Check, A::Send, &with_problems),
            S::DangerCheck { after: 3 }
        );
    }

    #[test]
    fn after_the_task_list_danger_now_is_called_out_again_before_sending() {
        let v = Validation {
            danger_now: true,
            call_now_due: true,
            ..ok(4)
        };
        assert_eq!(next(S::Check, A::Send, &v), S::CallNow);
        assert_eq!(next(S::Tasks, A::Send, &v), S::CallNow);
        // Before the danger question too, and before any problem is shown.
        let asked = Validation {
            ask_danger: true,
            first_problem: Some(1),
            ..v
        };
        assert_eq!(next(S::Check, A::Send, &asked), S::CallNow);
        // Its Continue (or Back) returns to the check page, not to the second section.
        assert_eq!(next(S::CallNow, A::Continue, &v), S::Check);
        assert_eq!(next(S::CallNow, A::Back, &v), S::Check);
        // Shown: Send sends.
        let shown = Validation {
            call_now_due: false,
            ..v
        };
        assert_eq!(next(S::Check, A::Send, &shown), S::Sent);
        assert_eq!(next(S::CallNow, A::Continue, &shown), S::Section(1));
    }

    #[test]
    fn change_returns_to_the_check_page() {
        let v = ok(4);
        assert_eq!(next(S::Check, A::Change(2), &v), S::Section(2));
        assert_eq!(next(S::Check, A::Change(99), &v), S::Section(3));
        let back = Validation {
            returning: true,
            ..v
        };
        assert_eq!(next(S::Section(2), A::Continue, &back), S::Check);
        assert_eq!(next(S::Section(2), A::Back, &back), S::Check);
        assert_eq!(next(S::Check, A::Back, &v), S::Section(3));
        assert_eq!(next(S::Section(2), A::Stay, &v), S::Section(2));
    }

    #[test]
    fn the_task_list_is_reached_from_any_page_without_checking_it() {
        let v = Validation {
            page_ok: false,
            first_problem: Some(1),
            ..ok(4)
        };
        assert_eq!(next(S::Section(1), A::Tasks, &v), S::Tasks);
        assert!(!diverted(S::Section(1), A::Tasks, &v));
        assert_eq!(next(S::Check, A::Tasks, &v), S::Tasks);
        assert_eq!(next(S::Tasks, A::Change(2), &v), S::Section(2));
        assert_eq!(next(S::Sent, A::Tasks, &v), S::Sent);
    }

    #[test]
    fn every_step_has_a_path_that_names_it() {
        let reg = crate::forms::FormRegistry::built_in().expect("built-in forms load");
        let spec = reg.get("community").expect("community form");
        let last = spec.sections.len() - 1;
        for step in [
            S::Section(0),
            S::Section(last),
            S::CallNow,
            S::DangerCheck { after: 1 },
            S::Check,
            S::Sent,
            S::Tasks,
        ] {
            assert_eq!(JourneyStep::parse(spec, &step.path(spec)), Some(step));
        }
        assert_eq!(JourneyStep::parse(spec, "nope"), None);
        assert_eq!(JourneyStep::parse(spec, "check/danger-now"), None);
    }
}
