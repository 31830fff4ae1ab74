//! What the tests of the real `weft` binary share: a hub in a temporary directory of its
//! own (SQLite file, secrets key), whose commands run as the binary with their settings in
//! the environment, and the text of a finished command.
#![allow(dead_code)] // each test file uses its own part

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub struct Instance {
    pub dir: PathBuf,
    key: String,
    /// Settings every command of this hub runs with (`WEFT_*` variables).
    settings: Vec<(String, String)>,
}

impl Instance {
    /// A fresh hub named `name` (unique per test process) with these settings.
    pub fn new(name: &str, settings: &[(&str, &str)]) -> Instance {
        let dir = std::env::temp_dir().join(format!("weft-bin-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Instance {
            dir,
            key: weft_core::secrets::SecretKey::generate_hex(),
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self.dir.join("weft.db").display())
    }

    /// `weft ARGS` in the hub's directory, on its database and key.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_weft"));
        command
            .args(args)
            .current_dir(&self.dir)
            .env("WEFT_DATABASE_URL", self.database_url())
            .env("WEFT_SECRET_KEY", &self.key)
            .envs(self.settings.iter().map(|(k, v)| (k, v)))
            .env_remove("RUST_BACKTRACE");
        command
    }

    /// Runs `weft ARGS` to the end with nothing on stdin.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).stdin(Stdio::null()).output().unwrap()
    }

    /// A file the hub's processes wrote into its directory (a log), empty when missing.
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }
}

/// Everything a finished command printed, stdout then stderr.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
