//! `airbyte-tasks`: a full read of 50,000 tasks by weft, side by side with the Airbyte Wrike
//! source (`airbyte-source-wrike` from PyPI) reading the same simulator in the same run.
//!
//! The Airbyte source reads `https://{wrike_instance}/api/v4`, so the simulator (a child
//! process) serves HTTPS with a certificate made for the run, which the source trusts through
//! its venv's certifi bundle (it ignores `REQUESTS_CA_BUNDLE`); the same simulator is served
//! over plain HTTP for weft. The source's dependencies import on Python 3.10 and not on 3.11
//! (airbyte-cdk 0.90 declares a dataclass default that 3.11 refuses), so the venv is made
//! with Python 3.10 (`WEFT_BENCH_PYTHON`, else `python3.10` on the PATH or under pyenv) from
//! the versions pinned in `crates/bench/airbyte/requirements.txt`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use secrecy::SecretString;
use tokio_util::sync::CancellationToken;
use weft_hub::usage::sync::{self, Silent, SyncOptions};
use weft_store::Store;

use crate::usage_ingest::{bench_hub, start_child_with};

const TASKS: u32 = 50_000;

fn python310() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("WEFT_BENCH_PYTHON") {
        return Some(PathBuf::from(path));
    }
    let on_path = Command::new("python3.10")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if on_path {
        return Some(PathBuf::from("python3.10"));
    }
    let pyenv = PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".pyenv/versions");
    std::fs::read_dir(pyenv)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin/python3.10"))
        .find(|p| p.exists())
}

fn run(command: &mut Command, what: &str) -> anyhow::Result<String> {
    let out = command.output()?;
    anyhow::ensure!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).to_string())
}

/// The venv with the pinned Airbyte source, made once under `target/airbyte`.
fn venv(dir: &Path, python: &Path) -> anyhow::Result<PathBuf> {
    let venv = dir.join("venv");
    if !venv.join("bin/source-wrike").exists() {
        run(
            Command::new(python).args(["-m", "venv"]).arg(&venv),
            "making the venv",
        )?;
        let requirements = concat!(env!("CARGO_MANIFEST_DIR"), "/airbyte/requirements.txt");
        run(
            Command::new(venv.join("bin/pip")).args(["install", "-q", "-r", requirements]),
            "installing the pinned Airbyte source",
        )?;
    }
    Ok(venv)
}

pub async fn run_bench() -> anyhow::Result<String> {
    let Some(python) = python310() else {
        return Ok("airbyte-tasks: skipped: needs Python 3.10 (set WEFT_BENCH_PYTHON)\n".into());
    };
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/airbyte"));
    std::fs::create_dir_all(&dir)?;
    let venv = venv(&dir, &python)?;
    // A certificate for 127.0.0.1, trusted by the venv's certifi bundle for this run.
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    run(
        Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args([
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert),
        "making a certificate",
    )?;
    let bundle = PathBuf::from(
        run(
            Command::new(venv.join("bin/python"))
                .args(["-c", "import certifi; print(certifi.where())"]),
            "finding certifi",
        )?
        .trim(),
    );
    let original = bundle.with_extension("pem.orig");
    if !original.exists() {
        std::fs::copy(&bundle, &original)?;
    }
    let mut trusted = std::fs::read_to_string(&original)?;
    trusted.push_str(&std::fs::read_to_string(&cert)?);
    std::fs::write(&bundle, trusted)?;

    let started = Instant::now();
    let sim = start_child_with(&[
        "users=60".into(),
        "rate=0".into(),
        format!("tasks={TASKS}"),
        format!("cert={}", cert.display()),
        format!("key={}", key.display()),
    ])?;
    let generated = started.elapsed();
    let accounts: serde_json::Value = reqwest::get(format!(
        "{}/_sim/accounts",
        sim.plain.trim_end_matches("/api/v4")
    ))
    .await?
    .json()
    .await?;
    let tasks = accounts[0]["tasks"].as_u64().unwrap_or(0);
    let instance = sim
        .api
        .trim_start_matches("https://")
        .trim_end_matches("/api/v4")
        .to_owned();
    std::fs::write(
        dir.join("config.json"),
        serde_json::json!({"access_token": sim.token, "wrike_instance": instance}).to_string(),
    )?;
    std::fs::write(
        dir.join("catalog.json"),
        serde_json::json!({"streams": [{"stream": {"name": "tasks", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
            "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]})
        .to_string(),
    )?;
    // The source's start-up alone (an interpreter and its imports), to show the read apart.
    let t = Instant::now();
    run(
        Command::new(venv.join("bin/source-wrike")).arg("spec"),
        "the Airbyte source's spec",
    )?;
    let startup_s = t.elapsed().as_secs_f64();
    let requests_before = logged(&sim.plain).await?;
    let t = Instant::now();
    let out = run(
        Command::new(venv.join("bin/source-wrike"))
            .arg("read")
            .arg("--config")
            .arg(dir.join("config.json"))
            .arg("--catalog")
            .arg(dir.join("catalog.json")),
        "the Airbyte source",
    )?;
    let airbyte_s = t.elapsed().as_secs_f64();
    let airbyte_records = out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["type"] == "RECORD" && m["record"]["stream"] == "tasks")
        .count();
    let airbyte_pages = logged(&sim.plain).await? - requests_before;

    // weft: the tasks source of a first sync, pages stored with their checkpoints.
    let store_dir = std::env::temp_dir().join(format!("weft-bench-airbyte-{}", std::process::id()));
    std::fs::create_dir_all(&store_dir)?;
    let store = Store::open(&format!("sqlite://{}/hub.db", store_dir.display())).await?;
    let hub = bench_hub(Arc::new(store));
    let added = weft_hub::connections::add(
        &hub,
        "bench",
        "bench",
        &sim.plain,
        SecretString::from(sim.token.clone()),
        vec![],
    )
    .await?;
    let report = sync::run(
        &hub,
        &added.connection,
        "bench",
        &SyncOptions::default(),
        Arc::new(Silent),
        CancellationToken::new(),
    )
    .await?;
    let _ = std::fs::remove_dir_all(&store_dir);
    let weft = report
        .sources
        .iter()
        .find(|s| s.source == "tasks")
        .ok_or_else(|| anyhow::anyhow!("no tasks source"))?;
    anyhow::ensure!(
        weft.records == tasks,
        "weft read {} of {tasks} tasks",
        weft.records
    );
    let weft_rate = weft.records as f64 / weft.seconds;
    let airbyte_rate = airbyte_records as f64 / airbyte_s;
    let mut out = format!(
        "airbyte-tasks: {tasks} tasks in the simulator (generated in {:.1}s); {}\n",
        generated.as_secs_f64(),
        run(Command::new(&python).arg("--version"), "python")?.trim()
    );
    out += &format!(
        "  airbyte-source-wrike 0.2.12: {airbyte_records} tasks in {airbyte_s:.2}s ({startup_s:.2}s of it starting up), {airbyte_pages} request(s): {airbyte_rate:.0} tasks/s, {:.0} tasks/s without the start-up\n",
        airbyte_records as f64 / (airbyte_s - startup_s).max(0.001)
    );
    out += &format!(
        "  weft (tasks of a first sync, stored): {} tasks in {:.2}s, {} requests: {weft_rate:.0} tasks/s\n",
        weft.records, weft.seconds, weft.requests
    );
    out += &format!(
        "  weft reads {:.0}x faster (tasks/s; {:.0}x without the source's start-up) and every page; the source stops after its first page of {} (it looks for nextPageToken in the last record, where Wrike never puts it)\n",
        weft_rate / airbyte_rate,
        weft_rate / (airbyte_records as f64 / (airbyte_s - startup_s).max(0.001)),
        airbyte_records
    );
    Ok(out)
}

/// How many requests the simulator has logged so far.
async fn logged(plain_api: &str) -> anyhow::Result<u64> {
    let base = plain_api.trim_end_matches("/api/v4");
    let log: serde_json::Value = reqwest::get(format!("{base}/_sim/requests?limit=0"))
        .await?
        .json()
        .await?;
    Ok(log["last"].as_u64().unwrap_or(0))
}
