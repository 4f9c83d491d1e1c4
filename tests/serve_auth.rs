//! The workbench's safety when it leaves the machine: loopback binding by default, and with
//! `--listen` the logins (users from `users.yaml`, sessions in cookies, the failed-login limit),
//! each session's own form token, who is recorded in the history and a step's `roles:`; and
//! `yingsu user add/list/remove`, which keeps `users.yaml`.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::http::*;

/// `yingsu user add NAME --role ROLE --password-stdin` with `password` on stdin.
fn add_user(dir: &Path, name: &str, role: &str, password: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(dir)
        .args(["user", "add", name, "--role", role, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const LEADER_PW: &str = "领导的密码-2023";
const CLERK_PW: &str = "经办人密码-2023";

/// The demo workspace with a 领导 (张三) and a 经办人 (李四).
fn demo_with_users() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = demo();
    assert_eq!(add_user(&dir, "张三", "领导", LEADER_PW).0, 0);
    assert_eq!(add_user(&dir, "李四", "经办人", CLERK_PW).0, 0);
    (tmp, dir)
}

fn listening(dir: &Path) -> Served {
    serve_with(dir, &["--listen", "127.0.0.1:0"])
}

fn login(s: &Served, name: &str, password: &str) -> Reply {
    s.post("/login", &[("name", name), ("password", password)])
}

/// The session cookie (`name=value`) a successful login set.
fn session(s: &Served, name: &str, password: &str) -> String {
    let r = login(s, name, password);
    assert_eq!(r.status, 303, "{}", r.text());
    r.headers["set-cookie"]
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

fn get_as(s: &Served, cookie: &str, path: &str) -> Reply {
    s.request("GET", path, &[("Cookie", cookie)], "")
}

fn post_as(s: &Served, cookie: &str, path: &str, pairs: &[(&str, &str)]) -> Reply {
    s.request("POST", path, &[("Cookie", cookie)], &form(pairs))
}

fn token_as(s: &Served, cookie: &str, path: &str) -> String {
    let page = get_as(s, cookie, path).text();
    let at = page
        .find("name=\"_csrf\" value=\"")
        .unwrap_or_else(|| panic!("a form with a token: {page}"))
        + 20;
    page[at..at + 32].to_string()
}

#[cfg(target_os = "linux")]
#[test]
fn without_listen_only_the_loopback_address_answers() {
    // Linux routes all of 127.0.0.0/8 to the loopback interface: a server bound to 127.0.0.1
    // refuses 127.0.0.2, one bound to every address accepts it.
    let (_tmp, dir) = demo_with_users();
    let s = serve(&dir);
    assert_eq!(s.get("/").status, 200);
    let other = std::net::TcpStream::connect(("127.0.0.2", s.port));
    assert_eq!(
        other.map_err(|e| e.kind()).err(),
        Some(std::io::ErrorKind::ConnectionRefused)
    );
    let everywhere = serve_with(&dir, &["--listen", "0.0.0.0:0"]);
    assert!(std::net::TcpStream::connect(("127.0.0.2", everywhere.port)).is_ok());
}

#[test]
fn listening_without_users_refuses_to_start() {
    let (_tmp, dir) = demo();
    let (code, out, err) = common::run_env(&dir, &["serve", "--listen", "127.0.0.1:0"], NOW, &[]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "错误：对外监听（--listen 127.0.0.1:0）时每个请求都要登录，但工作区还没有声明任何用户（users.yaml）\n \
         = 帮助：先添加用户，例如 yingsu user add 张三 --role 经办人（按提示输入两次密码），再启动；只在本机使用时去掉 --listen\n"
    );
}

#[test]
fn listening_asks_for_a_login_and_sets_a_strict_cookie() {
    let (_tmp, dir) = demo_with_users();
    let s = listening(&dir);
    for path in ["/", "/case/x", "/new/appearance"] {
        let r = s.get(path);
        assert_eq!((r.status, r.headers["location"].as_str()), (303, "/login"));
    }
    let r = s.post("/new/appearance", &[("_csrf", "0")]);
    assert_eq!((r.status, r.headers["location"].as_str()), (303, "/login"));
    let page = s.get("/login");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<h1>登录应诉工作台</h1>"));

    // A wrong password, or an unknown name, is refused alike and sets no cookie.
    for (name, pw) in [("张三", CLERK_PW), ("王五", LEADER_PW)] {
        let r = login(&s, name, pw);
        assert_eq!(r.status, 401);
        assert!(!r.headers.contains_key("set-cookie"));
        assert!(
            r.text()
                .contains("<p class=\"problem\" role=\"alert\">姓名或密码不正确</p>"),
            "{}",
            r.text()
        );
    }

    let r = login(&s, "张三", LEADER_PW);
    assert_eq!((r.status, r.headers["location"].as_str()), (303, "/"));
    let cookie = &r.headers["set-cookie"];
    let (id, attrs) = cookie
        .strip_prefix("yingsu_session=")
        .and_then(|c| c.split_once(';'))
        .unwrap();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(attrs, " HttpOnly; SameSite=Strict; Path=/; Max-Age=28800");
    let cookie = format!("yingsu_session={id}");
    let home = get_as(&s, &cookie, "/");
    assert_eq!(home.status, 200);
    assert!(home.text().contains("<a href=\"/logout\">退出登录</a>"));

    // A made-up session is none.
    let forged = get_as(&s, "yingsu_session=0123456789abcdef0123456789abcdef", "/");
    assert_eq!(forged.status, 303);

    // Logged out, the cookie opens nothing any more.
    let token = token_as(&s, &cookie, "/logout");
    let r = post_as(&s, &cookie, "/logout", &[("_csrf", &token)]);
    assert_eq!((r.status, r.headers["location"].as_str()), (303, "/login"));
    assert_eq!(get_as(&s, &cookie, "/").status, 303);
}

#[test]
fn failed_logins_wait_after_five() {
    let (_tmp, dir) = demo_with_users();
    let s = listening(&dir);
    for _ in 0..4 {
        let r = login(&s, "张三", "猜的密码12345");
        assert_eq!(r.status, 401);
    }
    let r = login(&s, "张三", "猜的密码12345");
    assert_eq!(r.status, 401);
    assert!(
        r.text()
            .contains("姓名或密码不正确；已连续失败 5 次，请 60 秒后再试"),
        "{}",
        r.text()
    );
    // Even the right password waits, and so does another name from the same address.
    for (name, pw) in [("张三", LEADER_PW), ("李四", CLERK_PW)] {
        let r = login(&s, name, pw);
        assert_eq!(r.status, 429);
        assert!(!r.headers.contains_key("set-cookie"));
        let text = r.text();
        let wait: u64 = text
            .split_once("登录失败次数过多，请 ")
            .and_then(|(_, rest)| rest.split_once(" 秒后再试"))
            .map(|(n, _)| n.parse().unwrap())
            .unwrap_or_else(|| panic!("{text}"));
        assert!((50..=60).contains(&wait), "{wait}");
    }
}

#[test]
fn a_form_token_belongs_to_its_session() {
    let (_tmp, dir) = demo_with_users();
    let s = listening(&dir);
    let a = session(&s, "张三", LEADER_PW);
    let b = session(&s, "李四", CLERK_PW);
    assert_ne!(a, b);
    let token_a = token_as(&s, &a, "/new/appearance");
    let token_b = token_as(&s, &b, "/new/appearance");
    assert_ne!(token_a, token_b);
    let f = notice_fields(&token_a, "2023-网页1", "preview");
    let r = post_as(&s, &b, "/new/appearance", &pairs(&f));
    assert_eq!(r.status, 403);
    assert!(
        r.text()
            .contains("表单已失效或不是从本工作台提交的，已拒绝：请重新打开页面再提交")
    );
    let r = post_as(&s, &a, "/new/appearance", &pairs(&f));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("value=\"review\""), "{}", r.text());
}

#[test]
fn a_step_with_roles_is_taken_only_by_them_and_records_who() {
    let (_tmp, dir) = demo_with_users();
    let (code, yaml, _) = common::run_env(
        &dir,
        &["workflow", "show", "appearance", "--yaml"],
        NOW,
        &[],
    );
    assert_eq!(code, 0);
    let yaml = yaml.replace(
        "\n    title: 收到出庭应诉通知\n",
        "\n    title: 收到出庭应诉通知\n    roles: [领导]\n",
    );
    assert!(yaml.contains("roles: [领导]"));
    std::fs::create_dir_all(dir.join("workflows")).unwrap();
    std::fs::write(dir.join("workflows/appearance.yaml"), yaml).unwrap();
    let (_, shown, _) = common::run_env(&dir, &["workflow", "show", "appearance"], NOW, &[]);
    assert!(
        shown.contains("● 收到出庭应诉通知（notice）\n    记录："),
        "{shown}"
    );
    assert!(shown.contains("\n    办理角色：领导\n"), "{shown}");

    let s = listening(&dir);
    let clerk = session(&s, "李四", CLERK_PW);
    let token = token_as(&s, &clerk, "/new/appearance");
    let before = common::snapshot(&dir);
    let f = notice_fields(&token, "2023-网页1", "commit");
    let r = post_as(&s, &clerk, "/new/appearance", &pairs(&f));
    assert_eq!(r.status, 422);
    assert!(
        r.text()
            .contains("“收到出庭应诉通知”只能由领导办理，您的角色是“经办人”，已拒绝"),
        "{}",
        r.text()
    );
    assert_eq!(
        changed(&before, &common::snapshot(&dir)),
        Vec::<String>::new()
    );

    let leader = session(&s, "张三", LEADER_PW);
    let token = token_as(&s, &leader, "/new/appearance");
    let f = notice_fields(&token, "2023-网页1", "commit");
    let r = post_as(&s, &leader, "/new/appearance", &pairs(&f));
    assert_eq!(r.status, 303, "{}", r.text());
    let after = common::snapshot(&dir);
    let case = after
        .iter()
        .find(|(k, _)| k.ends_with("2023-网页1.yaml"))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .expect("the new case file");
    assert!(case.contains("by: 张三"), "{case}");
    assert!(!case.contains("测试员"), "{case}");

    // Nor is the step taken back by another role.
    let page = format!("/case/{}", enc("2023-网页1"));
    let token = token_as(&s, &clerk, &page);
    // As the page left the workspace (it may have brought the history cache up to date).
    let after = common::snapshot(&dir);
    let undo = format!("{page}/undo");
    let form = [
        ("_csrf", token.as_str()),
        ("_entries", "1"),
        ("reason", "录入有误"),
    ];
    let r = post_as(&s, &clerk, &undo, &form);
    assert_eq!(r.status, 422);
    assert!(
        r.text()
            .contains("“收到出庭应诉通知”只能由领导办理，您的角色是“经办人”，已拒绝"),
        "{}",
        r.text()
    );
    assert_eq!(
        changed(&after, &common::snapshot(&dir)),
        Vec::<String>::new()
    );
    let token = token_as(&s, &leader, &page);
    let form = [
        ("_csrf", token.as_str()),
        ("_entries", "1"),
        ("reason", "录入有误"),
    ];
    // The leader passes the role check; the engine then says why a first step stays.
    let r = post_as(&s, &leader, &undo, &form);
    assert_eq!(r.status, 422);
    assert!(
        r.text()
            .contains("只有一条办理记录（“收到出庭应诉通知”），撤销后案件就不存在了，不能撤销"),
        "{}",
        r.text()
    );
}

#[test]
fn an_empty_role_is_refused_where_it_is_written() {
    let (_tmp, dir) = demo();
    let (_, yaml, _) = common::run_env(
        &dir,
        &["workflow", "show", "appearance", "--yaml"],
        NOW,
        &[],
    );
    let yaml = yaml.replace(
        "\n    title: 收到出庭应诉通知\n",
        "\n    title: 收到出庭应诉通知\n    roles: [领导, \" \"]\n",
    );
    let line = 1 + yaml
        .lines()
        .position(|l| l == "    roles: [领导, \" \"]")
        .unwrap();
    std::fs::create_dir_all(dir.join("workflows")).unwrap();
    std::fs::write(dir.join("workflows/appearance.yaml"), yaml).unwrap();
    let (code, _, err) = common::run_env(&dir, &["validate"], NOW, &[]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(&format!(
            "错误：步骤 `notice` 的 roles 中有空的角色\n  --> workflows/appearance.yaml:{line}:17\n",
        )),
        "{err}"
    );
}

#[test]
fn listening_answers_the_host_names_given_only() {
    let (_tmp, dir) = demo_with_users();
    let s = serve_with(
        &dir,
        &["--listen", "127.0.0.1:0", "--host", "yingsu.example"],
    );
    let named = s.request("GET", "/login", &[("Host", "yingsu.example")], "");
    assert_eq!(named.status, 200);
    let other = s.request("GET", "/login", &[("Host", "evil.example")], "");
    assert_eq!(other.status, 403);
    assert!(
        other
            .text()
            .contains("请求的主机名 `evil.example` 不是本工作台的地址，已拒绝")
    );
}

#[test]
fn user_add_list_remove_keep_users_yaml() {
    let (_tmp, dir) = demo();
    let run = |args: &[&str]| common::run_env(&dir, args, NOW, &[]);
    assert_eq!(
        run(&["user", "list"]),
        (
            0,
            "工作区还没有用户；添加：yingsu user add 张三 --role 经办人\n".into(),
            String::new()
        )
    );
    assert_eq!(
        add_user(&dir, "张三", "领导", LEADER_PW),
        (
            0,
            "已添加用户“张三”（角色：领导），写入 users.yaml\n".into(),
            String::new()
        )
    );
    assert_eq!(add_user(&dir, "李四", "经办人", CLERK_PW).0, 0);
    let text = std::fs::read_to_string(dir.join("users.yaml")).unwrap();
    assert!(
        text.contains("    password: \"$argon2id$v=19$m=19456,t=2,p=1$"),
        "{text}"
    );
    assert!(!text.contains(LEADER_PW));
    assert_eq!(
        run(&["user", "list"]).1,
        "姓名  角色\n张三  领导\n李四  经办人\n"
    );
    assert_eq!(
        add_user(&dir, "张三", "经办人", "另一个密码12345"),
        (
            1,
            String::new(),
            "错误：用户“张三”已经存在\n = 帮助：要重设密码或角色，先运行 yingsu user remove 张三，再重新添加\n".into()
        )
    );
    assert_eq!(
        add_user(&dir, "王五", "经办人", "short"),
        (
            1,
            String::new(),
            "错误：密码太短：至少要 8 个字符\n = 帮助：请换一个更长的密码，最好混合字母、数字和符号\n".into()
        )
    );
    assert_eq!(
        run(&["user", "remove", "张三"]),
        (0, "已删除用户“张三”（角色：领导）\n".into(), String::new())
    );
    assert_eq!(
        run(&["user", "remove", "张三"]),
        (
            1,
            String::new(),
            "错误：没有名为“张三”的用户\n = 帮助：现有用户：李四\n".into()
        )
    );
    assert_eq!(run(&["user", "list"]).1, "姓名  角色\n李四  经办人\n");
}

#[test]
fn a_bad_users_yaml_is_named_with_its_line_and_column() {
    let (_tmp, dir) = demo();
    std::fs::write(
        dir.join("users.yaml"),
        "users:\n  - name: 张三\n    role: 领导\n    password: 123456\n",
    )
    .unwrap();
    let (code, out, err) = common::run_env(&dir, &["user", "list"], NOW, &[]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        concat!(
            "错误：用户“张三”的 password 不是 Argon2id 密码摘要（应以 $argon2id$ 开头）\n",
            " --> users.yaml:4:15\n",
            "  |\n",
            "4 |     password: 123456\n",
            "  |               ^^^^^^\n",
            "  = 帮助：不要在文件中写密码原文：运行 yingsu user remove 张三 后再运行 yingsu user add 张三 --role 领导 重新设置密码\n",
        )
    );
    // The server does not start on it either.
    let (code, _, err) = common::run_env(&dir, &["serve", "--listen", "127.0.0.1:0"], NOW, &[]);
    assert_eq!(code, 1);
    assert!(err.contains("users.yaml:4:15"), "{err}");
}

#[test]
fn a_user_removed_or_given_another_role_is_logged_out_at_once() {
    let (_tmp, dir) = demo_with_users();
    let s = listening(&dir);
    let clerk = session(&s, "李四", CLERK_PW);
    let leader = session(&s, "张三", LEADER_PW);
    assert_eq!(get_as(&s, &clerk, "/").status, 200);

    // 李四 removed on the command line: the next request asks for a login.
    let (code, _, err) = common::run_env(&dir, &["user", "remove", "李四"], NOW, &[]);
    assert_eq!(code, 0, "{err}");
    let r = get_as(&s, &clerk, "/");
    assert_eq!(r.status, 303);
    assert_eq!(r.headers["location"], "/login");
    // Added back with the leader's role: the old session is still over.
    assert_eq!(add_user(&dir, "李四", "领导", CLERK_PW).0, 0);
    assert_eq!(get_as(&s, &clerk, "/").headers["location"], "/login");
    // Others stay logged in.
    assert_eq!(get_as(&s, &leader, "/").status, 200);
}
