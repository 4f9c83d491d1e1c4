//! The expression context: owns the names a workflow expression (`when:`, `required:`, a
//! deadline's `when:`, an opened case's `id` and `facts`) may use besides the workflow's fields.
//! Every evaluation gets the same names, and they are exactly [`crate::expr::BUILTINS`], the
//! names `validate` accepts.

use chrono::NaiveDate;

use crate::facts::Facts;
use crate::workflow::Workflow;
use crate::workspace::Workspace;

/// The built-in names and their values for one evaluation.
#[derive(Debug, Clone)]
pub struct ExprContext {
    values: [(&'static str, String); 8],
}

impl ExprContext {
    /// The context of case `id` at `step`, on `today`, with the case's `facts`.
    pub fn new(
        ws: &Workspace,
        wf: &Workflow,
        id: &str,
        step: &str,
        facts: &Facts,
        today: NaiveDate,
    ) -> ExprContext {
        let name_of = |field: &str, lookup: &dyn Fn(&str) -> String| {
            facts
                .get(field)
                .and_then(|v| v.as_str())
                .map(lookup)
                .unwrap_or_default()
        };
        ExprContext {
            values: [
                ("case_id", id.to_string()),
                ("workflow", wf.name().to_string()),
                ("step", step.to_string()),
                ("today", today.format("%Y-%m-%d").to_string()),
                ("court_name", name_of("court", &|c| ws.config.court_name(c))),
                (
                    "agency_name",
                    name_of("agency", &|a| ws.config.agency_name(a)),
                ),
                // 上级 or 下级: whether the bureau may order the case's agency (see
                // `Config::relation`).
                (
                    "agency_relation",
                    name_of("agency", &|a| ws.config.relation(a).name().to_string()),
                ),
                // The supervising bureau's issuer id, empty in a workspace that does not issue
                // as the bureau (an agency's own).
                (
                    "bureau_issuer",
                    ws.config.bureau_issuer().unwrap_or_default().to_string(),
                ),
            ],
        }
    }

    /// Borrowed `(name, value)` pairs for the expression engine.
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        self.values.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }

    /// Evaluate a condition over `facts` in this context.
    pub(crate) fn eval_bool(&self, expr: &str, facts: &Facts) -> Result<bool, String> {
        crate::expr::eval_bool(expr, facts, &self.pairs())
    }

    /// Render a small text template over `facts` in this context.
    pub fn render(&self, template: &str, facts: &Facts) -> Result<String, String> {
        crate::expr::render(template, facts, &self.pairs())
    }

    /// The names this context provides.
    pub fn names(&self) -> Vec<&'static str> {
        self.values.iter().map(|(k, _)| *k).collect()
    }
}

#[cfg(test)]
mod tests {
    /// What evaluation provides is exactly what validation accepts.
    #[test]
    fn context_names_are_the_validated_builtins() {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::workspace::init(dir.path()).expect("init");
        let ws = crate::workspace::Workspace::open(dir.path()).expect("open");
        let wf = ws.workflow("appearance").expect("built-in workflow");
        let ctx = super::ExprContext::new(
            &ws,
            wf,
            "X",
            "notice",
            &crate::facts::Facts::new(),
            chrono::NaiveDate::from_ymd_opt(2023, 1, 1).expect("date"),
        );
        assert_eq!(ctx.names(), crate::expr::BUILTINS.to_vec());
    }
}
