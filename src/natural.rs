//! Natural ordering of case ids and case numbers: runs of ASCII digits compare as numbers, so
//! 行初15 sorts before 行初102 and `2023-渝0112行初9` before `2023-渝0112行初10`.

use std::cmp::Ordering;

/// Compare `a` and `b` naturally: digit runs by numeric value (then, for equal values, the one
/// with fewer leading zeros first), everything else character by character. Total and
/// consistent with equality: only identical strings compare `Equal`.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        match (x.chars().next(), y.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let (nx, rx) = split_digits(x);
                let (ny, ry) = split_digits(y);
                let ord = cmp_digits(nx, ny);
                if ord != Ordering::Equal {
                    return ord;
                }
                x = rx;
                y = ry;
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(&d);
                }
                x = &x[c.len_utf8()..];
                y = &y[d.len_utf8()..];
            }
        }
    }
}

/// The leading run of ASCII digits of `s`, and the rest.
fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// Compare two digit runs by value without parsing (they may be longer than any integer type);
/// equal values with more leading zeros sort after.
fn cmp_digits(a: &str, b: &str) -> Ordering {
    let ta = a.trim_start_matches('0');
    let tb = b.trim_start_matches('0');
    ta.len()
        .cmp(&tb.len())
        .then_with(|| ta.cmp(tb))
        .then_with(|| a.len().cmp(&b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn digit_runs_compare_numerically() {
        assert_eq!(natural_cmp("行初15", "行初102"), Less);
        assert_eq!(natural_cmp("2023-渝0112行初9", "2023-渝0112行初10"), Less);
        assert_eq!(
            natural_cmp("2023-渝0112行初10", "2023-渝0112行初9"),
            Greater
        );
        assert_eq!(
            natural_cmp("(2023)渝0112行初123号", "(2023)渝0112行初123号"),
            Equal
        );
        assert_eq!(natural_cmp("2022-渝0112行初500", "2023-渝0112行初1"), Less);
        assert_eq!(natural_cmp("2023-渝0112行初9", "2023-渝0113行初1"), Less);
    }

    #[test]
    fn text_prefixes_and_leading_zeros() {
        assert_eq!(natural_cmp("行初", "行初1"), Less);
        assert_eq!(natural_cmp("", "a"), Less);
        assert_eq!(natural_cmp("行初007", "行初7"), Greater);
        assert_eq!(natural_cmp("行初007", "行初8"), Less);
        assert_eq!(natural_cmp("a1", "b0"), Less);
        assert_eq!(natural_cmp("行初9", "行终1"), "初".cmp("终"));
        assert_eq!(
            natural_cmp("x123456789012345678901234567890", "x99"),
            Greater
        );
    }

    #[test]
    fn sorts_a_list() {
        let mut ids = vec![
            "2023-渝0112行初10",
            "2023-渝0112行初102",
            "2023-渝0112行初9",
            "2023-渝0112行初15",
            "2022-渝0112行初200",
        ];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            [
                "2022-渝0112行初200",
                "2023-渝0112行初9",
                "2023-渝0112行初10",
                "2023-渝0112行初15",
                "2023-渝0112行初102",
            ]
        );
    }
}
