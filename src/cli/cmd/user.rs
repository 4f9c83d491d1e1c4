//! `yingsu user add/list/remove`: the workbench's users in the workspace's `users.yaml` (see
//! `yingsu::users`). The password is read from standard input — typed twice without echo at a
//! terminal, or one line with `--password-stdin` for scripts — and only its hash is stored.

use std::io::{BufRead, IsTerminal, Write};

use clap::Subcommand;
use yingsu::error::{Error, Result};
use yingsu::users;
use yingsu::workspace::Workspace;

use crate::cli::{print_table, w};

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// 添加用户（工作台 --listen 模式登录用）：yingsu user add 张三 --role 经办人，然后输入两次密码
    Add {
        /// 姓名（登录名，也记入办理记录的“办理人”）
        #[arg(value_name = "姓名")]
        name: String,
        /// 角色，如 领导、经办人、管理员（与流程步骤的 roles 对应）
        #[arg(long, value_name = "角色")]
        role: String,
        /// 从标准输入读取一行作为密码（供脚本使用），不提示、不确认
        #[arg(long = "password-stdin")]
        password_stdin: bool,
    },
    /// 列出用户及其角色（不显示密码）
    List,
    /// 删除用户
    Remove {
        /// 姓名
        #[arg(value_name = "姓名")]
        name: String,
    },
}

/// Run a `user` command in `ws`.
pub fn run(ws: &Workspace, c: UserCommand, out: &mut dyn Write) -> Result<()> {
    match c {
        UserCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            let password = if password_stdin || !std::io::stdin().is_terminal() {
                read_line()?
            } else {
                let first = prompt("请输入密码：")?;
                let again = prompt("请再输入一次：")?;
                if first != again {
                    return Err(Error::user(
                        "两次输入的密码不一致，未添加用户",
                        format!("请重新运行 yingsu user add {name} --role {role}"),
                    ));
                }
                first
            };
            let user = users::add(ws, &name, &role, &password)?;
            w(
                out,
                format!(
                    "已添加用户“{}”（角色：{}），写入 {}",
                    user.name,
                    user.role,
                    users::USERS_FILE
                ),
            )
        }
        UserCommand::List => {
            let list = users::load(&ws.root)?;
            if list.is_empty() {
                return w(
                    out,
                    "工作区还没有用户；添加：yingsu user add 张三 --role 经办人",
                );
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|u| vec![u.name.clone(), u.role.clone()])
                .collect();
            print_table(out, &["姓名", "角色"], &rows)
        }
        UserCommand::Remove { name } => {
            let user = users::remove(ws, &name)?;
            w(
                out,
                format!("已删除用户“{}”（角色：{}）", user.name, user.role),
            )
        }
    }
}

/// One line of standard input, without its line ending.
fn read_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("读取密码", "stdin", e))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Ask for a password on stderr and read it from the terminal without echo.
fn prompt(question: &str) -> Result<String> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let echo = Echo::off();
    let line = read_line();
    drop(echo);
    eprintln!();
    line
}

/// The terminal's echo turned off until dropped (on Unix; elsewhere the password shows).
struct Echo {
    #[cfg(unix)]
    saved: Option<libc::termios>,
}

impl Echo {
    #[cfg(unix)]
    fn off() -> Echo {
        // SAFETY: tcgetattr/tcsetattr on the process's stdin with a termios we own.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut t) != 0 {
                return Echo { saved: None };
            }
            let saved = t;
            t.c_lflag &= !libc::ECHO;
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t) != 0 {
                return Echo { saved: None };
            }
            Echo { saved: Some(saved) }
        }
    }

    #[cfg(not(unix))]
    fn off() -> Echo {
        Echo {}
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(t) = &self.saved {
            // SAFETY: restores the settings read in `off`.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t);
            }
        }
    }
}
