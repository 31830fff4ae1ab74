//! The `weft` binary: command-line entry point and wiring. It is the only place that reads
//! configuration and the environment.

mod cli;

fn main() -> anyhow::Result<()> {
    cli::run()
}
