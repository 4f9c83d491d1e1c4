//! The `yingsu` binary: the command line (see [`cli`]) over the `yingsu` library, and the
//! hidden typesetting worker (see [`yingsu::render::bounded`]) that runs workspace templates
//! within bounds of time and memory.

mod cli;

fn main() {
    // What the environment says (`YINGSU_*`): read here, once, for the whole library (see
    // `yingsu::settings`).
    yingsu::Settings::from_env().install();
    // Every command group's summary is made whenever the case index parses a case file.
    yingsu::summaries::install();
    let mut args = std::env::args_os().skip(1);
    if args
        .next()
        .is_some_and(|a| a == yingsu::render::WORKER_COMMAND)
    {
        std::process::exit(yingsu::render::serve_worker(args));
    }
    // Workspace templates are typeset by workers started from this program.
    if let Ok(exe) = std::env::current_exe() {
        yingsu::render::bound_workspace_templates(exe);
    }
    std::process::exit(cli::main());
}
