//! The workbench's HTML: owns the page templates, embedded in the binary (no file is read and
//! nothing is fetched from elsewhere: the pages work offline), and drawing one with its data.
//! The templates escape every value (minijinja's HTML auto-escaping by file name).

use minijinja::Environment;
use serde::Serialize;

use crate::error::{Error, Result};

/// The templates by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("pages/base.html")),
    ("dashboard.html", include_str!("pages/dashboard.html")),
    ("case.html", include_str!("pages/case.html")),
    ("form.html", include_str!("pages/form.html")),
    ("review.html", include_str!("pages/review.html")),
    ("error.html", include_str!("pages/error.html")),
    ("field.html", include_str!("pages/field.html")),
    ("settings.html", include_str!("pages/settings.html")),
    ("facts.html", include_str!("pages/facts.html")),
    ("facts_form.html", include_str!("pages/facts_form.html")),
    ("chart.html", include_str!("pages/chart.html")),
    ("stats.html", include_str!("pages/stats.html")),
    ("check.html", include_str!("pages/check.html")),
    ("report.html", include_str!("pages/report.html")),
    ("login.html", include_str!("pages/login.html")),
];

/// The page templates, parsed once.
pub(crate) struct Pages {
    env: Environment<'static>,
}

impl Pages {
    /// The pages of a server that asks for logins (`listening`: then they offer 退出登录).
    pub(crate) fn new(listening: bool) -> Result<Pages> {
        let mut env = Environment::new();
        env.add_global("listening", listening);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .map_err(|e| Error::Internal(format!("页面模板 {name}：{e}")))?;
        }
        Ok(Pages { env })
    }

    /// Page `name` drawn with `ctx`.
    pub(crate) fn render(&self, name: &str, ctx: impl Serialize) -> Result<String> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(minijinja::value::Serde(&ctx)))
            .map_err(|e| Error::Internal(format!("页面 {name}：{e}")))
    }
}
