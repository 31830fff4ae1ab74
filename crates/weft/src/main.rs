//! The `weft` binary: command-line entry point and wiring. It is the only place that reads
//! configuration and the environment.

mod cli;
mod commands;
mod config;
mod hub;
mod recipes_cli;
mod secrets_input;
mod usage_cli;

fn main() -> std::process::ExitCode {
    match cli::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // The cause chain on one line each, without a backtrace: this is for people.
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}
