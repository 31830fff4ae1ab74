//! The `weft` binary: command-line entry point and wiring. It is the only place that reads
//! configuration and the environment.

// Everything the CLI prints goes through `terminal::safe`: these shadow the standard
// macros for the whole crate, so no command can print Wrike data (or another system's
// answer) that drives the terminal, whoever writes the next one.
macro_rules! println {
    ($($arg:tt)*) => { std::println!("{}", crate::terminal::safe(&format!($($arg)*))) };
}
macro_rules! print {
    ($($arg:tt)*) => { std::print!("{}", crate::terminal::safe(&format!($($arg)*))) };
}
macro_rules! eprintln {
    ($($arg:tt)*) => { std::eprintln!("{}", crate::terminal::safe(&format!($($arg)*))) };
}

mod backup_cli;
mod cli;
mod commands;
mod config;
mod hub;
mod policies_cli;
mod recipes_cli;
mod secrets_input;
mod terminal;
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
