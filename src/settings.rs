//! Settings: owns everything yingsu takes from its environment — the `YINGSU_*` variables and
//! the login name — read in one place, [`Settings::from_env`], which the command line calls once
//! at its start. The library never reads these variables itself: a workspace carries the
//! settings it was opened with ([`crate::Workspace::settings`]), and a front end that opens
//! workspaces of its own (the workbench, a test) passes them in
//! ([`crate::Workspace::open_with`]).
//!
//! | variable | setting | default |
//! |---|---|---|
//! | `YINGSU_NOW` | [`Settings::now`]: the time the actor acts at (RFC 3339) | the clock |
//! | `YINGSU_USER`, else `USER` | [`Settings::user`], [`Settings::login`]: who acts | `经办人` |
//! | `YINGSU_INDEX` | [`Settings::index`]: `0`, `off`, `false` or `no` switch the derived indexes off | on |
//! | `YINGSU_SYSTEM_FONTS` | [`Settings::system_fonts`]: `0` keeps the system's fonts out | on |
//! | `YINGSU_FONTS` | [`Settings::fonts`]: font folders shipped with the program | none |
//!
//! The command line also installs what it read as the process's settings
//! ([`Settings::install`]): the workspaces the library opens on its own behalf (the members of a
//! multi-workspace `stats`, the demonstration) and the callers that have no workspace at hand
//! take them from there ([`Settings::current`]); without an installed value they are the
//! defaults above.

use std::path::PathBuf;
use std::sync::OnceLock;

/// The variable that switches the derived indexes off (see [`Settings::index`]).
pub(crate) const INDEX_SWITCH: &str = "YINGSU_INDEX";

/// What yingsu takes from its environment (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `YINGSU_NOW` as written: checked when the actor is made (a command that needs no actor
    /// does not fail on it).
    pub now: Option<String>,
    /// `YINGSU_USER` as written (checked when the actor is made).
    pub user: Option<String>,
    /// The login name (`USER`), the actor when `YINGSU_USER` is not set.
    pub login: Option<String>,
    /// Whether the derived indexes (`.yingsu/index/`) may be read and written: off, every
    /// command reads every file (for measuring, and for a suspicious user).
    pub index: bool,
    /// Whether the operating system's font folders may serve the official fonts: off, output
    /// does not depend on the computer.
    pub system_fonts: bool,
    /// Font folders shipped with the program (`YINGSU_FONTS`, a path list).
    pub fonts: Vec<PathBuf>,
}

impl Default for Settings {
    /// The settings of an empty environment.
    fn default() -> Settings {
        Settings {
            now: None,
            user: None,
            login: None,
            index: true,
            system_fonts: true,
            fonts: Vec::new(),
        }
    }
}

static INSTALLED: OnceLock<Settings> = OnceLock::new();

impl Settings {
    /// The settings the environment gives: the one place yingsu reads it.
    pub fn from_env() -> Settings {
        Settings::from_vars(|name| std::env::var_os(name))
    }

    /// The settings given by `var`, which says what a variable holds (`None`: not set).
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Settings {
        // A value that is not valid text counts as not set, as `std::env::var` had it.
        let text = |name: &str| var(name).and_then(|v| v.into_string().ok());
        Settings {
            now: text("YINGSU_NOW"),
            user: text("YINGSU_USER"),
            login: text("USER"),
            index: !matches!(
                text(INDEX_SWITCH).as_deref(),
                Some("0" | "off" | "false" | "no")
            ),
            system_fonts: text("YINGSU_SYSTEM_FONTS").is_none_or(|v| v.trim() != "0"),
            fonts: var("YINGSU_FONTS")
                .map(|p| std::env::split_paths(&p).collect())
                .unwrap_or_default(),
        }
    }

    /// Make these the process's settings (see [`Settings::current`]); the first call counts.
    /// Whether this call set them.
    pub fn install(self) -> bool {
        INSTALLED.set(self).is_ok()
    }

    /// The process's settings: those installed, or the defaults.
    pub fn current() -> &'static Settings {
        static DEFAULT: OnceLock<Settings> = OnceLock::new();
        INSTALLED
            .get()
            .unwrap_or_else(|| DEFAULT.get_or_init(Settings::default))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(vars: &[(&str, &str)]) -> Settings {
        Settings::from_vars(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| std::ffi::OsString::from(v))
        })
    }

    #[test]
    fn an_empty_environment_gives_the_defaults() {
        assert_eq!(of(&[]), Settings::default());
    }

    #[test]
    fn each_variable_gives_its_setting() {
        let s = of(&[
            ("YINGSU_NOW", "2023-05-08T09:00:00+08:00"),
            ("YINGSU_USER", "张三"),
            ("USER", "clerk"),
            ("YINGSU_INDEX", "off"),
            ("YINGSU_SYSTEM_FONTS", " 0 "),
        ]);
        assert_eq!(s.now.as_deref(), Some("2023-05-08T09:00:00+08:00"));
        assert_eq!(s.user.as_deref(), Some("张三"));
        assert_eq!(s.login.as_deref(), Some("clerk"));
        assert!(!s.index);
        assert!(!s.system_fonts);
    }

    #[test]
    fn only_the_switch_words_turn_the_index_off() {
        for off in ["0", "off", "false", "no"] {
            assert!(!of(&[("YINGSU_INDEX", off)]).index, "{off}");
        }
        for on in ["1", "on", "OFF", " off", ""] {
            assert!(of(&[("YINGSU_INDEX", on)]).index, "{on:?}");
        }
        for on in ["1", "00", ""] {
            assert!(of(&[("YINGSU_SYSTEM_FONTS", on)]).system_fonts, "{on:?}");
        }
    }

    #[test]
    fn the_fonts_variable_is_a_path_list() {
        let joined = std::env::join_paths(["/a/fonts", "/b/fonts"]).expect("join");
        let s = Settings::from_vars(|name| (name == "YINGSU_FONTS").then(|| joined.clone()));
        assert_eq!(
            s.fonts,
            vec![PathBuf::from("/a/fonts"), PathBuf::from("/b/fonts")]
        );
    }
}
