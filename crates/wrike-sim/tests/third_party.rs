//! Wrike clients written by others work against the simulator unchanged. Needs python3 with
//! the PyPI packages `py-wrike-v4`, `WrikePy` and `beautifulsoup4` (`.ci/run` installs them);
//! without them the test says so loudly and passes, unless WEFT_REQUIRE_PYTHON_CLIENTS=1.

use std::process::Command;

use serde_json::{Value, json};
use wrike_sim::{Listen, SimConfig};

fn python_clients_available() -> bool {
    Command::new("python3")
        .args(["-c", "import py_wrike_v4, WrikePy"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn published_python_clients_work_unchanged() {
    if !python_clients_available() {
        assert_ne!(
            std::env::var("WEFT_REQUIRE_PYTHON_CLIENTS").as_deref(),
            Ok("1"),
            "WEFT_REQUIRE_PYTHON_CLIENTS=1 but python3 cannot import py_wrike_v4 and WrikePy"
        );
        eprintln!(
            "SKIPPED: third-party Python Wrike clients are not installed (pip install py-wrike-v4 WrikePy beautifulsoup4)"
        );
        return;
    }
    let sim = wrike_sim::start(
        // These clients do not retry a 429; the test is about shapes, not the limit.
        SimConfig {
            users: 20,
            rate_limit_per_minute: 0,
            ..SimConfig::default()
        },
        Listen::loopback(),
    )
    .await
    .unwrap();
    let token: Value = reqwest::Client::new()
        .post(format!("{}/_sim/tokens", sim.base_url()))
        .json(&json!({"scopes": ["Default"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/third_party_clients.py");
    let api = sim.api_url(0);
    let token = token["accessToken"].as_str().unwrap().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(script)
            .arg(api)
            .arg(token)
            .output()
    })
    .await
    .unwrap()
    .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "third-party clients failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all checks passed"), "{stdout}");
}
