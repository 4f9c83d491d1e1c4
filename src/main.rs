//! The `yingsu` binary: parses arguments and calls the library (see `yingsu::cli`).
fn main() {
    std::process::exit(yingsu::cli::main());
}
