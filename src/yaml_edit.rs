//! Editing a YAML file's text in place: owns changing one value of a block mapping, adding an
//! entry to one, or removing one, while every comment, blank line, key order and quoting
//! elsewhere in the file stays byte for byte. This is how the configuration a clerk maintains
//! from a form (agencies, courts, the bureau's details) is written back to `yingsu.yaml`: the
//! file remains the one an administrator annotated by hand.
//!
//! Every edit is checked by reading the result back: the new text must parse, give the new
//! value at the path, and give exactly the old file's values everywhere else. An edit that
//! cannot be made so (a path through a list or a flow mapping, a value this writer cannot
//! place) is refused and the text is not changed.

use serde_json::{Map, Value};

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError(pub String);

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Edited = std::result::Result<String, EditError>;

/// `source` with the value at `path` (keys of nested block mappings) set to `value`: an existing
/// entry's value replaced (keeping its trailing comment), or a new entry appended at the end of
/// its mapping, creating the mappings on the way.
pub fn set(source: &str, path: &[&str], value: &Value) -> Edited {
    let before = read(source)?;
    let mut expected = before.clone();
    put(&mut expected, path, value.clone())?;
    let text = set_text(source, path, value)?;
    check(&text, &expected)?;
    Ok(text)
}

/// `source` without the entry at `path` (its lines, and the comment lines directly above it).
/// Removing an entry that is not there changes nothing.
pub fn remove(source: &str, path: &[&str]) -> Edited {
    let before = read(source)?;
    let mut expected = before.clone();
    if !take(&mut expected, path) {
        return Ok(source.to_string());
    }
    let lines = Lines::of(source);
    let Some(found) = lines.find(path)? else {
        return Err(EditError(format!("找不到 {}", path.join("."))));
    };
    let mut start = found.line;
    // Comment lines directly above the entry, at its indentation, go with it.
    while start > 0 {
        let l = &lines.lines[start - 1];
        if l.trim_start().starts_with('#') && indent(l) == found.indent {
            start -= 1;
        } else {
            break;
        }
    }
    let text = lines.splice(start, found.end, &[]);
    check(&text, &expected)?;
    Ok(text)
}

fn set_text(source: &str, path: &[&str], value: &Value) -> Edited {
    let lines = Lines::of(source);
    if let Some(found) = lines.find(path)? {
        let line = &lines.lines[found.line];
        let key_end = found.key_end;
        let rest = &line[key_end..];
        let comment = trailing_comment(rest).unwrap_or("");
        let new_lines = entry_lines(&line[..key_end], found.indent, value, comment);
        return Ok(lines.splice(found.line, found.end, &new_lines));
    }
    // The deepest mapping on the path that exists; the rest is created under it.
    let mut depth = path.len() - 1;
    let parent = loop {
        if depth == 0 {
            break None;
        }
        if let Some(p) = lines.find(&path[..depth])? {
            break Some(p);
        }
        depth -= 1;
    };
    let (at, indent_of_new) = match &parent {
        None => (lines.top_end(), 0),
        Some(p) => {
            let line = &lines.lines[p.line];
            let rest = line[p.key_end..].trim();
            if !(rest.is_empty() || rest.starts_with('#')) {
                return Err(EditError(format!(
                    "{} 不是分行书写的映射，无法在其中添加 {}",
                    path[..depth].join("."),
                    path[depth]
                )));
            }
            let child = lines.child_indent(p).unwrap_or(p.indent + 2);
            (lines.content_end(p), child)
        }
    };
    // Nested value for the keys still missing.
    let mut nested = value.clone();
    for k in path[depth + 1..].iter().rev() {
        let mut m = Map::new();
        m.insert((*k).to_string(), nested);
        nested = Value::Object(m);
    }
    let key = format!("{}{}:", " ".repeat(indent_of_new), key_text(path[depth]));
    let new_lines = entry_lines(&key, indent_of_new, &nested, "");
    Ok(lines.splice(at, at, &new_lines))
}

/// The lines of an entry `key` (its text up to and including the colon, indented) with `value`.
fn entry_lines(key: &str, indent: usize, value: &Value, comment: &str) -> Vec<String> {
    match value {
        Value::Object(m) if !m.is_empty() => {
            let mut out = vec![format!("{key}{comment}")];
            for (k, v) in m {
                let child = format!("{}{}:", " ".repeat(indent + 2), key_text(k));
                out.extend(entry_lines(&child, indent + 2, v, ""));
            }
            out
        }
        v => vec![format!("{key} {}{comment}", flow(v))],
    }
}

/// A value written on one line: a scalar as plain text where YAML reads it back as the same
/// string, else double-quoted; a list or mapping in flow style (as case files write values).
fn flow(v: &Value) -> String {
    crate::case::value(v)
}

fn key_text(k: &str) -> String {
    crate::case::scalar(k)
}

/// The comment at the end of an entry's line (`# …`, outside quotes), with the spaces before it.
fn trailing_comment(rest: &str) -> Option<&str> {
    let (mut single, mut double, mut prev_space) = (false, false, true);
    for (i, c) in rest.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev_space => {
                let gap = rest[..i].len() - rest[..i].trim_end().len();
                return Some(&rest[i - gap..]);
            }
            _ => {}
        }
        prev_space = c == ' ' || c == '\t';
    }
    None
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Where an entry is: its key line, the line after its value, its indentation and where its
/// key (with the colon) ends on the key line.
struct Found {
    line: usize,
    end: usize,
    indent: usize,
    key_end: usize,
}

struct Lines<'s> {
    lines: Vec<&'s str>,
    newline: &'static str,
    final_newline: bool,
}

impl<'s> Lines<'s> {
    fn of(source: &'s str) -> Lines<'s> {
        let newline = if source.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let final_newline = source.ends_with('\n');
        let body = source.strip_suffix(newline).unwrap_or(source);
        let lines = if body.is_empty() && source.is_empty() {
            Vec::new()
        } else {
            body.split(newline).collect()
        };
        Lines {
            lines,
            newline,
            final_newline: final_newline || source.is_empty(),
        }
    }

    fn is_content(&self, i: usize) -> bool {
        let t = self.lines[i].trim();
        !t.is_empty() && !t.starts_with('#')
    }

    /// The entry `key` among the lines `from..to` at indentation `at`.
    fn key_in(&self, key: &str, from: usize, to: usize, at: Option<usize>) -> Option<Found> {
        let mut level = at;
        for i in from..to {
            if !self.is_content(i) {
                continue;
            }
            let line = self.lines[i];
            let ind = indent(line);
            let level = *level.get_or_insert(ind);
            if ind != level {
                continue;
            }
            let Some(key_end) = key_end_of(&line[ind..], key) else {
                continue;
            };
            return Some(Found {
                line: i,
                end: self.block_end(i, ind, to),
                indent: ind,
                key_end: ind + key_end,
            });
        }
        None
    }

    /// The line after the value of the entry on line `i` (indented `ind`): every following
    /// line indented deeper, with the blank and comment lines among them, but not the blank
    /// and comment lines after its last line.
    fn block_end(&self, i: usize, ind: usize, to: usize) -> usize {
        let mut end = i + 1;
        for j in i + 1..to {
            if !self.is_content(j) {
                continue;
            }
            // A list may sit at its key's own indentation (`key:` then `- item`).
            let deeper = indent(self.lines[j]) > ind;
            let item = indent(self.lines[j]) == ind && self.lines[j][ind..].starts_with('-');
            if deeper || item {
                end = j + 1;
            } else {
                break;
            }
        }
        end
    }

    fn find(&self, path: &[&str]) -> std::result::Result<Option<Found>, EditError> {
        let (mut from, mut to, mut at) = (0, self.lines.len(), Some(0));
        let mut found = None;
        for (n, key) in path.iter().enumerate() {
            let Some(f) = self.key_in(key, from, to, at) else {
                return Ok(None);
            };
            if n + 1 < path.len() {
                let rest = self.lines[f.line][f.key_end..].trim();
                if !(rest.is_empty() || rest.starts_with('#')) {
                    return Ok(None);
                }
                if self.lines[f.line + 1..f.end]
                    .iter()
                    .any(|l| l.trim_start().starts_with("- "))
                {
                    return Err(EditError(format!(
                        "{} 是列表，不能按名称修改其中的项",
                        path[..=n].join(".")
                    )));
                }
                from = f.line + 1;
                to = f.end;
                at = None;
            }
            found = Some(f);
        }
        Ok(found)
    }

    /// The indentation of the first entry inside the mapping `p`.
    fn child_indent(&self, p: &Found) -> Option<usize> {
        (p.line + 1..p.end)
            .find(|&i| self.is_content(i))
            .map(|i| indent(self.lines[i]))
    }

    /// Where a new entry of mapping `p` goes: after its last line of content.
    fn content_end(&self, p: &Found) -> usize {
        p.end
    }

    /// Where a new top-level entry goes: after the file's last line of content.
    fn top_end(&self) -> usize {
        (0..self.lines.len())
            .rev()
            .find(|&i| self.is_content(i))
            .map_or(self.lines.len(), |i| i + 1)
    }

    fn splice(&self, from: usize, to: usize, with: &[String]) -> String {
        let mut out: Vec<&str> = Vec::with_capacity(self.lines.len() + with.len());
        out.extend(&self.lines[..from]);
        out.extend(with.iter().map(String::as_str));
        out.extend(&self.lines[to..]);
        let mut text = out.join(self.newline);
        if self.final_newline && !text.is_empty() {
            text.push_str(self.newline);
        }
        text
    }
}

/// Where `key:` ends in `text` (a line without its indentation), when the line is that key's
/// entry: plain, single- or double-quoted.
fn key_end_of(text: &str, key: &str) -> Option<usize> {
    let candidates = [key.to_string(), format!("'{key}'"), format!("\"{key}\"")];
    candidates.iter().find_map(|k| {
        let rest = text.strip_prefix(k.as_str())?;
        let after = rest.strip_prefix(':')?;
        (after.is_empty() || after.starts_with([' ', '\t'])).then_some(k.len() + 1)
    })
}

fn read(text: &str) -> std::result::Result<Value, EditError> {
    if text.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_saphyr::from_str::<Value>(text)
        .map_err(|e| EditError(format!("文件不是有效的 YAML：{e}")))
}

fn check(text: &str, expected: &Value) -> std::result::Result<(), EditError> {
    match read(text) {
        Ok(v) if &v == expected => Ok(()),
        _ => Err(EditError(
            "无法在保留原有格式和注释的前提下写入这一项".into(),
        )),
    }
}

fn put(v: &mut Value, path: &[&str], value: Value) -> std::result::Result<(), EditError> {
    let Some((last, parents)) = path.split_last() else {
        return Err(EditError("没有给出要修改的项".into()));
    };
    let mut cur = v;
    for k in parents {
        if cur.is_null() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else {
            return Err(EditError(format!("{k} 的上一级不是映射")));
        };
        cur = m
            .entry((*k).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if cur.is_null() {
        *cur = Value::Object(Map::new());
    }
    let Value::Object(m) = cur else {
        return Err(EditError(format!("{last} 的上一级不是映射")));
    };
    m.insert((*last).to_string(), value);
    Ok(())
}

fn take(v: &mut Value, path: &[&str]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut cur = v;
    for k in parents {
        match cur.get_mut(*k) {
            Some(next) => cur = next,
            None => return false,
        }
    }
    cur.as_object_mut()
        .is_some_and(|m| m.remove(*last).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CONFIG: &str = "\
# 工作区配置（手写的注释）
region: 重庆市渝北区

issuers:
  sfj:
    name: 重庆市渝北区司法局   # 全称
    prefix: 渝北司函
    prefixes: {文件: 渝北司发, 报告: 渝北司文}

# 被诉单位
agencies:
  scjgj:
    name: 重庆市渝北区市场监督管理局
    # 简称用于正文
    short: 区市场监管局
    group: departments

  qzf:
    name: 重庆市渝北区人民政府
courts:
  ybfy: 重庆市渝北区人民法院
";

    #[test]
    fn a_value_is_replaced_and_its_comment_kept() {
        let out = set(
            CONFIG,
            &["issuers", "sfj", "name"],
            &json!("重庆市江北区司法局"),
        )
        .unwrap();
        assert_eq!(
            out,
            CONFIG.replace(
                "name: 重庆市渝北区司法局   # 全称",
                "name: 重庆市江北区司法局   # 全称"
            )
        );
    }

    #[test]
    fn a_new_entry_goes_at_the_end_of_its_mapping() {
        let out = set(
            CONFIG,
            &["agencies", "scjgj", "principal"],
            &json!("李某某"),
        )
        .unwrap();
        assert_eq!(
            out,
            CONFIG.replace(
                "    group: departments\n",
                "    group: departments\n    principal: 李某某\n"
            )
        );
        // A whole new agency, as a nested block, after the last one.
        let out = set(
            CONFIG,
            &["agencies", "gaj"],
            &json!({"name": "重庆市渝北区公安分局", "group": "departments"}),
        )
        .unwrap();
        assert_eq!(
            out,
            CONFIG.replace(
                "    name: 重庆市渝北区人民政府\n",
                "    name: 重庆市渝北区人民政府\n  gaj:\n    group: departments\n    name: 重庆市渝北区公安分局\n"
            )
        );
        // A new top-level section after the file's last line.
        let out = set(CONFIG, &["bureau", "issuer"], &json!("sfj")).unwrap();
        assert_eq!(out, format!("{CONFIG}bureau:\n  issuer: sfj\n"));
    }

    #[test]
    fn values_yaml_would_read_otherwise_are_quoted() {
        for (given, written) in [
            ("是", "是"),
            ("no", "\"no\""),
            ("023-1234", "023-1234"),
            ("12", "\"12\""),
            ("a: b", "\"a: b\""),
            ("#1", "\"#1\""),
            ("- x", "\"- x\""),
            ("say \"hi\"", "\"say \\\"hi\\\"\""),
        ] {
            let out = set("a: 1\n", &["a"], &json!(given)).unwrap();
            assert_eq!(out, format!("a: {written}\n"), "{given}");
        }
    }

    #[test]
    fn an_entry_goes_with_its_comment_lines() {
        let out = remove(CONFIG, &["agencies", "scjgj", "short"]).unwrap();
        assert_eq!(
            out,
            CONFIG.replace("    # 简称用于正文\n    short: 区市场监管局\n", "")
        );
        let out = remove(CONFIG, &["agencies", "scjgj"]).unwrap();
        assert_eq!(
            out,
            CONFIG.replace(
                "  scjgj:\n    name: 重庆市渝北区市场监督管理局\n    # 简称用于正文\n    short: 区市场监管局\n    group: departments\n",
                ""
            )
        );
        assert_eq!(remove(CONFIG, &["agencies", "nope"]).unwrap(), CONFIG);
    }

    #[test]
    fn what_cannot_be_placed_is_refused() {
        let list = "items:\n  - a: 1\n  - b: 2\n";
        assert!(set(list, &["items", "a"], &json!(2)).is_err());
        // Inside a flow mapping: refused, not written half.
        assert!(set(CONFIG, &["issuers", "sfj", "prefixes", "函"], &json!("x")).is_err());
        assert!(set("a: [\n", &["a"], &json!(1)).is_err());
    }

    #[test]
    fn windows_line_ends_stay() {
        let src = "a: 1\r\nb:\r\n  c: 2\r\n";
        assert_eq!(
            set(src, &["b", "c"], &json!(3)).unwrap(),
            "a: 1\r\nb:\r\n  c: 3\r\n"
        );
    }
}
