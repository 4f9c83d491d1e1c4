//! The key a number is registered under: owns the one spelling of a document's identity in a
//! number registry, so that issuing, re-rendering, undoing and auditing name the same document
//! the same way.

/// The key under which a document is registered for its number (the second column of a
/// registry line): `<case>#<entry>#<template>` for a case's document (its history entry counted
/// from 1), `bulletin#<period>` for a quarterly bulletin.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(String);

impl Key {
    /// The key of the document from `template` of history entry `entry_index` (0-based) of
    /// case `case_id`.
    pub fn document(case_id: &str, entry_index: usize, template: &str) -> Key {
        Key(format!("{case_id}#{}#{template}", entry_index + 1))
    }

    /// The key of the bulletin of period `period` (its code, e.g. `2023Q1`).
    pub fn bulletin(period: &str) -> Key {
        Key(format!("bulletin#{period}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<Key> for String {
    fn from(k: Key) -> String {
        k.0
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Key;

    #[test]
    fn keys_are_spelled_as_the_registries_hold_them() {
        assert_eq!(Key::document("A1", 0, "tishihan").as_str(), "A1#1#tishihan");
        assert_eq!(
            Key::document("行初110-整改", 2, "zhenggai").as_str(),
            "行初110-整改#3#zhenggai"
        );
        assert_eq!(Key::bulletin("2023Q1").as_str(), "bulletin#2023Q1");
    }
}
