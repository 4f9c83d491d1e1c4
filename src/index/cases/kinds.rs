//! The summary kinds the case index fills in the pass that parses a case file: owns the list of
//! (kind, maker) pairs ([`SummaryKind`]) and its installation.
//!
//! Each command group keeps a summary of every case in the index (the statistics' record,
//! `status`'s row, the audit's numbers, `render`'s documents…), made from the loaded case. Made
//! only by the command that reads it, each group would read the whole archive again after a
//! change of the configuration or of the program (every entry is then dropped): so whenever the
//! index must parse a case file, it makes every installed kind from that same parse, and the
//! other groups find theirs ready.
//!
//! The makers belong to the command groups, above the index; the list is assembled above them
//! (`crate::summaries`) and installed once by the front end ([`install`]). The index never
//! names them: it only calls the function pointers it is given.

use std::sync::OnceLock;

use serde::Serialize;

use crate::view::CaseView;
use crate::workspace::Workspace;

/// How a summary is made from a loaded case, encoded as the index keeps it (`None`: it could
/// not be encoded, and is made again by the command that asks for it).
pub type Maker = fn(&Workspace, &CaseView<'_>) -> Option<Vec<u8>>;

/// One kind of summary: its name (with its version; another name when the summary changes) and
/// its maker. The maker must give exactly what the command reading the kind makes itself when
/// the index lacks it (`CaseRef::summary(kind, make)`), encoded with [`encode`].
#[derive(Clone, Copy)]
pub struct SummaryKind {
    pub kind: &'static str,
    pub make: Maker,
}

impl std::fmt::Debug for SummaryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind)
    }
}

/// A summary encoded as the index keeps it (what [`super::CaseRef::summary`] decodes).
pub fn encode<S: Serialize>(summary: &S) -> Option<Vec<u8>> {
    postcard::to_stdvec(summary).ok()
}

static INSTALLED: OnceLock<&'static [SummaryKind]> = OnceLock::new();

/// Install the kinds every parse fills, for the whole process (once: `false` when a list was
/// installed already). Without it the index fills a kind only when a command asks for it.
pub fn install(kinds: &'static [SummaryKind]) -> bool {
    INSTALLED.set(kinds).is_ok()
}

/// The kinds installed (none unless [`install`] was called).
pub fn installed() -> &'static [SummaryKind] {
    INSTALLED.get().copied().unwrap_or(&[])
}
