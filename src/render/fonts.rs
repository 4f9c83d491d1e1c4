//! Font roles: owns telling which font serves each role of the layout library (标题, 正文 …)
//! and where it comes from, as `validate` lists them.

use crate::error::Result;
use crate::workspace::Workspace;

use super::TypstRenderer;

/// Which font serves each role of the layout library, for `yingsu validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleFont {
    /// What the role sets, e.g. 仿宋（正文）.
    pub role: String,
    /// The family that serves it, as the font names itself.
    pub family: String,
    /// Where it comes from: 工作区 fonts/、本机安装、yingsu 自带 or 其他字体目录.
    pub source: String,
    /// The role's official font (its first choice) when another one serves instead.
    pub instead_of: Option<String>,
}

/// The font of each role of the layout library, as documents will use them.
pub fn role_fonts(ws: &Workspace, renderer: &TypstRenderer) -> Result<Vec<RoleFont>> {
    let ts = renderer.typesetter(ws)?;
    let system = ws.system_font_dirs();
    let bundled = crate::workspace::bundled_font_dirs();
    let mut out = Vec::new();
    for (_, role, families) in crate::typeset::FONT_ROLES {
        let Some((family, path)) = ts.role_font(families) else {
            continue;
        };
        let source = if path.starts_with(ws.root.join("fonts")) {
            "工作区 fonts/"
        } else if system.iter().any(|d| path.starts_with(d)) {
            "本机安装"
        } else if path.starts_with(crate::typeset::EMBEDDED_FONTS_DIR)
            || bundled.iter().any(|d| path.starts_with(d))
        {
            "yingsu 自带"
        } else {
            "其他字体目录"
        };
        let official = crate::typeset::OFFICIAL_FAMILIES
            .iter()
            .any(|f| f.eq_ignore_ascii_case(&family));
        out.push(RoleFont {
            role: role.to_string(),
            family,
            source: source.to_string(),
            instead_of: (!official).then(|| {
                families
                    .iter()
                    .find(|f| !f.is_ascii())
                    .unwrap_or(&families[0])
                    .to_string()
            }),
        });
    }
    Ok(out)
}
