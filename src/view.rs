//! The one view of a case's facts: what every reader of a case — the step machine, document
//! issuing and re-rendering, deadlines, `status`, `case show`, the statistics and the reports —
//! sees as the facts of a case as of a step. It is built once per loaded case:
//!
//! 1. the history's facts, entry by entry, up to the step asked for; entering a `fresh` step
//!    again (another hearing) first forgets what earlier visits recorded in the fields only that
//!    step records, so each visit stands on its own;
//! 2. the clerk's corrections in the file's `facts:` on top, coerced to their canonical form
//!    (`2023年5月9日` → `2023-05-09`, `是` → `true`), exactly as `--set` would store them.
//!
//! A step taken back by `case undo` counts as never taken.
//!
//! It belongs to the case model (it needs only the case and its workflow), below the index that
//! caches loaded cases and the engine that loads them; `engine::view` names it too.

use crate::case::Case;
use crate::facts::Facts;
use crate::workflow::Workflow;

/// A loaded case with its workflow and the clerk's corrections in canonical form.
#[derive(Debug, Clone)]
pub struct CaseView<'w> {
    pub case: Case,
    pub wf: &'w Workflow,
    /// The clerk's `facts:` (null values left out), coerced.
    pub typed: Facts,
    /// Steps recorded without their documents, found once per loaded case (the audit and
    /// `render`'s list both ask; see [`CaseView::missing_documents`]).
    missing: std::sync::OnceLock<Vec<crate::error::Diagnostic>>,
}

impl<'w> CaseView<'w> {
    /// `case` read with workflow `wf` and its coerced corrections `typed`.
    pub fn new(case: Case, wf: &'w Workflow, typed: Facts) -> CaseView<'w> {
        CaseView {
            case,
            wf,
            typed,
            missing: std::sync::OnceLock::new(),
        }
    }

    /// The steps this case recorded without the documents their workflow issues at them
    /// (`engine::audit::missing_documents`), computed by `find` the first time it is asked.
    pub(crate) fn missing_documents(
        &self,
        find: impl FnOnce(&Self) -> Vec<crate::error::Diagnostic>,
    ) -> &[crate::error::Diagnostic] {
        self.missing.get_or_init(|| find(self))
    }

    /// Facts as of history entry `upto` (inclusive), corrections on top.
    pub fn facts_at(&self, upto: usize) -> Facts {
        let mut f = self.history_facts(upto);
        f.extend(self.typed.clone());
        f
    }

    /// The current facts (as of the last history entry).
    pub fn facts(&self) -> Facts {
        self.facts_at(self.case.history.len().saturating_sub(1))
    }

    /// The facts a new visit of `step` starts from: the whole history (forgetting an earlier
    /// visit's own fields when `step` is `fresh`), corrections on top.
    pub fn facts_entering(&self, step: &str) -> Facts {
        let mut f = self.history_facts(self.case.history.len().saturating_sub(1));
        self.forget_earlier_visit(&mut f, step);
        f.extend(self.typed.clone());
        f
    }

    /// The history's facts up to entry `upto` (inclusive), without corrections. Steps taken
    /// back by an undo count as never taken.
    fn history_facts(&self, upto: usize) -> Facts {
        let undone = self.case.undone();
        let mut f = Facts::new();
        for (i, h) in self.case.history.iter().enumerate().take(upto + 1) {
            if undone.contains(&i) {
                continue;
            }
            if let Some(step) = &h.step {
                self.forget_earlier_visit(&mut f, step);
            }
            for (k, v) in &h.facts {
                f.insert(k.clone(), v.clone());
            }
        }
        f
    }

    /// Entering a `fresh` step: drop the fields that only it records (attendance, reasons…).
    /// Shared fields (a hearing date also recorded at the notice) keep their latest value.
    fn forget_earlier_visit(&self, f: &mut Facts, step: &str) {
        let Some(spec) = self.wf.step(step).filter(|s| s.fresh) else {
            return;
        };
        for r in &spec.records {
            let shared = self
                .wf
                .spec
                .steps
                .0
                .iter()
                .any(|(n, s)| n.value != step && s.records.iter().any(|x| x.value == r.value));
            if !shared {
                f.remove(&r.value);
            }
        }
    }

    /// The current step.
    pub fn current_step(&self) -> &str {
        self.case.current_step()
    }
}
