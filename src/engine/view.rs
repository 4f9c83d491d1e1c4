//! The one view of a case's facts, as the engine names it: [`crate::view`] owns it (it belongs
//! to the case model, below the index and the engine).

pub use crate::view::CaseView;
