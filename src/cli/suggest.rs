//! “您是不是要输入 …？” for the command line's own names: the library's [`yingsu::suggest`].

pub use yingsu::suggest::closest;
