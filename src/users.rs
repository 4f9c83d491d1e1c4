//! The workbench's users: owns `users.yaml` at the workspace's root — who may log in to
//! `yingsu serve --listen`, with their role (free text such as 领导、经办人、管理员, matched
//! against a step's `roles:`) and their password as an Argon2id hash (a PHC string; the
//! password itself is never stored). The file travels by git like the rest of the workspace, so
//! it is untrusted input: every entry is checked, and an error names the file, line and column.
//! Changes (`yingsu user add/remove`) are written atomically under the workspace's write lock.

use std::path::Path;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2};
use serde::Deserialize;

use crate::error::{Diagnostic, Error, Errors, Result};
use crate::workspace::Workspace;
use crate::yaml::{self, Spanned};

/// The users' file, at the workspace's root.
pub const USERS_FILE: &str = "users.yaml";

/// The longest name or role (a name is recorded as `by:` of history entries).
const MAX_CHARS: usize = 64;

/// The shortest password `add` accepts.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// One user as the workbench knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: String,
    /// The Argon2id hash of the password (PHC string).
    hash: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    #[serde(default)]
    users: Vec<UserEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    name: Spanned<String>,
    role: Spanned<String>,
    password: Spanned<String>,
}

/// The users declared in the workspace at `root` (none when there is no `users.yaml`).
pub fn load(root: &Path) -> Result<Vec<User>> {
    let path = root.join(USERS_FILE);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        _ => {}
    }
    let source = crate::workspace::read_text(root, &path)?;
    parse(&path, &source).map_err(|e| e.relative_to(root))
}

/// The users in `source`, the text of `file`.
pub fn parse(file: &Path, source: &str) -> Result<Vec<User>> {
    let parsed: UsersFile = yaml::parse(file, source)?;
    let mut e = Errors::default();
    let mut users: Vec<User> = Vec::new();
    for u in parsed.users {
        let at = |v: &Spanned<String>, msg: String| yaml::at(file, source, v, msg);
        for (label, v) in [("name（姓名）", &u.name), ("role（角色）", &u.role)] {
            if let Some(why) = text_problem(&v.value) {
                e.push(at(v, format!("用户的 {label} {why}")).help(
                    "每个用户写成 - name: 张三、role: 经办人、password: （由 yingsu user add 生成）",
                ));
            }
        }
        if users.iter().any(|x| x.name == u.name.value) {
            e.push(
                at(&u.name, format!("用户“{}”重复出现", u.name.value))
                    .help("每个姓名只能出现一次：删除多余的一项"),
            );
        }
        let hash_ok = PasswordHash::new(&u.password.value)
            .is_ok_and(|h| h.algorithm == Algorithm::Argon2id.ident());
        if !hash_ok {
            e.push(
                at(
                    &u.password,
                    format!(
                        "用户“{}”的 password 不是 Argon2id 密码摘要（应以 $argon2id$ 开头）",
                        u.name.value
                    ),
                )
                .help(format!(
                    "不要在文件中写密码原文：运行 yingsu user remove {0} 后再运行 yingsu user add {0} --role {1} 重新设置密码",
                    u.name.value, u.role.value
                )),
            );
        }
        users.push(User {
            name: u.name.value,
            role: u.role.value,
            hash: u.password.value,
        });
    }
    e.into_result()?;
    Ok(users)
}

/// Why `s` cannot be a name or a role, if it cannot.
fn text_problem(s: &str) -> Option<String> {
    if s.trim().is_empty() {
        return Some("是空的".into());
    }
    if s.trim() != s {
        return Some(format!("“{s}”的开头或末尾有空格"));
    }
    if s.chars().count() > MAX_CHARS {
        return Some(format!("超过 {MAX_CHARS} 个字符"));
    }
    if s.chars().any(|c| c.is_control() || is_format(c)) {
        return Some("含有换行、制表符或不可见的控制字符".into());
    }
    None
}

/// Invisible format characters (bidirectional overrides, zero-width joiners).
fn is_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// The hasher: Argon2id with the crate's recommended costs (19 MiB, 2 passes).
fn argon2() -> Argon2<'static> {
    Argon2::default()
}

/// The Argon2id hash (PHC string) of `password`, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Internal(format!("无法取得随机数：{e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Internal(format!("盐值：{e}")))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("无法计算密码摘要：{e}")))
}

/// A hash no password matches, verified for an unknown name so that the answer takes as long
/// as for a known one.
fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$3aKlkQz7j6D9jDUx/6PtBxkNI5Uv5e1H0o1Y1sP4ewQ"
}

impl User {
    /// The password hash (PHC string): which password the user has, never the password.
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

/// The user `name` when `password` is theirs. Every call verifies one hash (a dummy one for
/// an unknown name), so the time taken does not tell whether the name exists.
pub fn verify<'a>(users: &'a [User], name: &str, password: &str) -> Option<&'a User> {
    let user = users.iter().find(|u| u.name == name);
    let hash = user.map_or(dummy_hash(), |u| u.hash.as_str());
    let ok = PasswordHash::new(hash)
        .is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok());
    user.filter(|_| ok)
}

/// Add the user `name` with `role` and `password` to the workspace's `users.yaml` (created
/// when missing). Refused when the name is taken, the name or role is not one line of text, or
/// the password is shorter than [`MIN_PASSWORD_CHARS`].
pub fn add(ws: &Workspace, name: &str, role: &str, password: &str) -> Result<User> {
    for (label, v) in [("姓名", name), ("角色", role)] {
        if let Some(why) = text_problem(v) {
            return Err(Error::user(
                format!("{label}{why}"),
                "例如 yingsu user add 张三 --role 经办人",
            ));
        }
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::user(
            format!("密码太短：至少要 {MIN_PASSWORD_CHARS} 个字符"),
            "请换一个更长的密码，最好混合字母、数字和符号",
        ));
    }
    let lock = ws.lock_for_writing()?;
    let mut users = load(&ws.root)?;
    if users.iter().any(|u| u.name == name) {
        return Err(Error::user(
            format!("用户“{name}”已经存在"),
            format!("要重设密码或角色，先运行 yingsu user remove {name}，再重新添加"),
        ));
    }
    let user = User {
        name: name.to_string(),
        role: role.to_string(),
        hash: hash_password(password)?,
    };
    users.push(user.clone());
    write(ws, &users)?;
    record(ws, &lock, format!("添加用户：{name}（{role}）"));
    Ok(user)
}

/// Remove the user `name` from the workspace's `users.yaml`.
pub fn remove(ws: &Workspace, name: &str) -> Result<User> {
    let lock = ws.lock_for_writing()?;
    let mut users = load(&ws.root)?;
    let Some(i) = users.iter().position(|u| u.name == name) else {
        let known: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
        return Err(Error::user(
            format!("没有名为“{name}”的用户"),
            if known.is_empty() {
                "工作区还没有任何用户".to_string()
            } else {
                format!("现有用户：{}", known.join("、"))
            },
        ));
    };
    let user = users.remove(i);
    write(ws, &users)?;
    record(ws, &lock, format!("删除用户：{name}"));
    Ok(user)
}

/// The text of `users.yaml` for `users`.
fn render(users: &[User]) -> String {
    // A JSON string is a YAML double-quoted scalar: any name is written safely.
    let q = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::from(
        "# 工作台（yingsu serve --listen）的用户：姓名、角色和密码的 Argon2id 摘要（不存密码原文）。\n\
         # 请用 yingsu user add / yingsu user remove 修改。\n",
    );
    if users.is_empty() {
        out.push_str("users: []\n");
        return out;
    }
    out.push_str("users:\n");
    for u in users {
        out.push_str(&format!(
            "  - name: {}\n    role: {}\n    password: {}\n",
            q(&u.name),
            q(&u.role),
            q(&u.hash)
        ));
    }
    out
}

/// Commit the change of `users.yaml` (see [`crate::vcs`]).
fn record(ws: &Workspace, lock: &crate::workspace::WriteLock, what: String) {
    if let Ok(actor) = crate::engine::Actor::from_settings(ws.settings()) {
        lock.record(ws, &actor, &crate::vcs::Record::new("user", what, &actor));
    }
}

fn write(ws: &Workspace, users: &[User]) -> Result<()> {
    let text = render(users);
    // What is written must read back as written.
    let path = ws.root.join(USERS_FILE);
    if parse(&path, &text).ok().as_deref() != Some(users) {
        return Err(Error::from(
            Diagnostic::new("写出的用户文件无法按原样读回，未保存").in_file(&path),
        ));
    }
    let target = ws.output_path(USERS_FILE)?;
    crate::archive::write_atomic(&target, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let users = vec![User {
            name: "张三".into(),
            role: "领导".into(),
            hash: hash_password("正确的密码123").unwrap(),
        }];
        assert_eq!(
            verify(&users, "张三", "正确的密码123").map(|u| u.role.as_str()),
            Some("领导")
        );
        assert!(verify(&users, "张三", "错误的密码123").is_none());
        assert!(verify(&users, "李四", "正确的密码123").is_none());
        assert!(PasswordHash::new(dummy_hash()).is_ok());
    }

    #[test]
    fn written_users_read_back() {
        let users = vec![User {
            name: "王\"五\\".into(),
            role: "经办人".into(),
            hash: hash_password("12345678").unwrap(),
        }];
        let text = render(&users);
        assert_eq!(parse(Path::new("users.yaml"), &text).unwrap(), users);
    }

    #[test]
    fn a_plain_password_is_refused_at_its_line() {
        let text = "users:\n  - name: 张三\n    role: 领导\n    password: secret\n";
        let e = parse(Path::new("users.yaml"), text).unwrap_err();
        let d = e.diagnostics()[0].clone();
        assert_eq!(
            d.message,
            "用户“张三”的 password 不是 Argon2id 密码摘要（应以 $argon2id$ 开头）"
        );
        assert_eq!(d.pos.map(|p| (p.line, p.column)), Some((4, 15)));
    }
}
