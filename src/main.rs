//! The `yingsu` binary: the command line (see [`cli`]) over the `yingsu` library.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
