//! “您是不是要输入 …？”: the closest of a few known words to a mistyped one.
//!
//! Pure and small on purpose: the command line uses it for its own names (agencies), the engine
//! for field and step names.

/// Edit distance (insertions, deletions, substitutions) between `a` and `b`, in characters, so
/// that a Chinese character counts as one edit like a Latin letter.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// How many edits still count as a typo of a word of `len` characters: none up to two characters
/// (only a difference of case), one up to four, two from five, three from nine. Farther than
/// that, a suggestion is a guess.
fn allowed(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3..=4 => 1,
        5..=8 => 2,
        _ => 3,
    }
}

/// The candidate closest to `word` (ignoring ASCII case), when it is close enough to be a typo;
/// of equally close candidates the first. `None` when nothing is close, or `word` is empty.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let word = word.trim().to_lowercase();
    if word.is_empty() {
        return None;
    }
    let limit = allowed(word.chars().count());
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let d = distance(&word, &c.to_lowercase());
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("advnce", "advance"), 1);
        assert_eq!(distance("heering_date", "hearing_date"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("开庭日期", "开庭时间"), 2);
        assert_eq!(distance("abc", ""), 3);
    }

    #[test]
    fn suggests_only_close_words() {
        let fields = [
            "case_number",
            "hearing_date",
            "notice_date",
            "head_appeared",
        ];
        assert_eq!(closest("heering_date", fields), Some("hearing_date"));
        assert_eq!(closest("Hearing_Date", fields), Some("hearing_date"));
        assert_eq!(closest("notise_date", fields), Some("notice_date"));
        assert_eq!(closest("outcome", fields), None);
        assert_eq!(closest("", fields), None);
        let steps = ["notice", "appearance", "judgment", "loss_review", "closed"];
        assert_eq!(closest("judgement", steps), Some("judgment"));
        assert_eq!(closest("apearance", steps), Some("appearance"));
        assert_eq!(closest("close", steps), Some("closed"));
        assert_eq!(closest("x", steps), None);
        assert_eq!(closest("ab", ["aa", "bb"]), None);
        assert_eq!(closest("AB", ["aa", "ab"]), Some("ab"));
        // Equally close: the first.
        assert_eq!(closest("abcd", ["abce", "abcf"]), Some("abce"));
    }
}
