//! The OpenID provider of the single sign-on tests as a process (`provider.mjs`, which
//! `oidc-provider` from npm runs), shared by the binary's tests and the browser test
//! (`#[path]`-included by both).
#![allow(dead_code)] // each test uses its own part

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub const CLIENT_SECRET: &str = "weft-test-client-secret";

/// The provider's process, killed when dropped.
pub struct Provider {
    child: Child,
    pub issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Provider {
    /// Starts the provider for a hub whose callback is `redirect`; none (skipped, loudly)
    /// when its packages are not installed, unless `WEFT_REQUIRE_OIDC=1`.
    pub fn start(redirect: &str) -> Option<Provider> {
        // Both test crates that use this file sit beside `weft` under `crates/`.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../weft/tests/oidc");
        if !dir.join("node_modules/oidc-provider").exists() {
            assert!(
                std::env::var("WEFT_REQUIRE_OIDC").as_deref() != Ok("1"),
                "WEFT_REQUIRE_OIDC=1 but oidc-provider is not installed (npm ci --prefix crates/weft/tests/oidc)"
            );
            eprintln!(
                "SKIPPED: npm ci --prefix crates/weft/tests/oidc to run the single sign-on test"
            );
            return None;
        }
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(&dir)
            .env("PORT", "0")
            .env("REDIRECT_URI", redirect)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(
                std::fs::File::create(
                    std::env::temp_dir()
                        .join(format!("weft-oidc-provider-{}.log", std::process::id())),
                )
                .unwrap(),
            ))
            .spawn()
            .expect("node");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let issuer = loop {
            let line = lines
                .next()
                .expect("the provider printed where it listens")
                .unwrap();
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.to_owned();
            }
        };
        // The provider keeps writing notes to stdout: a closed pipe would stop it.
        std::thread::spawn(move || lines.for_each(drop));
        Some(Provider { child, issuer })
    }

    pub async fn control(&self, path: &str, body: Value) {
        let answer = reqwest::Client::new()
            .post(format!("{}/_test/{path}", self.issuer))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 204, "{path}");
    }
}
