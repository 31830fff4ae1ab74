//! `recipe-parse`: what a hostile recipe file costs the hub. A "billion laughs" file (under
//! 700 bytes, aliases nine deep) parsed against an ordinary example recipe, file by file;
//! then `/healthz` answered by a hub on loopback while three requests of fifty such files
//! each are checked over and over, against `/healthz` on the idle hub.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use weft_core::recipe;

fn laughs(n: usize) -> String {
    let mut text = format!(
        "name: laughs-{n}\nconnection: c\ntrigger:\n  http: {{}}\nsteps:\n  - id: s\n    action: map\n    input:\n      x: 1\ntests:\n  - name: t\n    trigger:\n      a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    );
    let mut previous = "a".to_owned();
    for name in ["b", "c", "d", "e", "f", "g", "h"] {
        let refs = vec![format!("*{previous}"); 9].join(",");
        text.push_str(&format!("      {name}: &{name} [{refs}]\n"));
        previous = name.to_owned();
    }
    text
}

/// Mean time to parse `source`, over `n` parses.
fn mean_parse(source: &str, n: u32) -> Duration {
    let started = Instant::now();
    for _ in 0..n {
        let _ = recipe::parse("bench.yaml", source);
    }
    started.elapsed() / n
}

/// `/healthz` asked every 10 ms for `window`: the median and the slowest answer.
async fn healthz_for(http: &reqwest::Client, url: &str, window: Duration) -> (Duration, Duration) {
    let mut took = Vec::new();
    let started = Instant::now();
    while started.elapsed() < window {
        let asked = Instant::now();
        let answer = http.get(format!("{url}/healthz")).send().await;
        if answer.is_ok_and(|a| a.status().is_success()) {
            took.push(asked.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    took.sort();
    (
        took.get(took.len() / 2).copied().unwrap_or_default(),
        took.last().copied().unwrap_or_default(),
    )
}

pub async fn run() -> anyhow::Result<String> {
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/recipes/route-new-requests.yaml"
    ))?;
    let hostile = laughs(0);
    let ordinary = mean_parse(&example, 500);
    let bomb = mean_parse(&hostile, 500);

    // A hub on loopback, with an Analyst's API token.
    let store = Arc::new(weft_store::Store::open("sqlite::memory:").await?);
    let hub = weft_hub::Hub::new(
        store.clone(),
        weft_core::secrets::SecretKey::from_hex(&weft_core::secrets::SecretKey::generate_hex())?,
    );
    store
        .access()
        .create_user(weft_store::NewUser {
            id: "u-analyst".into(),
            username: "analyst".into(),
            password_hash: "unused".into(),
            role: weft_core::roles::Role::Analyst,
            created_at: 1,
            sign_in: weft_store::SignInMethod::Password,
        })
        .await?;
    store
        .access()
        .create_api_token(weft_store::ApiToken {
            id: "t-analyst".into(),
            user_id: "u-analyst".into(),
            name: "bench".into(),
            token_hash: weft_hub::access::hash_secret("wft_bench-analyst"),
            created_at: 1,
            expires_at: None,
            last_used_at: None,
        })
        .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let state = weft_server::AppState {
        hub,
        config: Arc::new(weft_server::ServerConfig::default()),
        metrics: weft_server::metrics_handle(),
    };
    tokio::spawn(weft_server::serve(state, listener, std::future::pending()));
    let http = reqwest::Client::new();
    let window = Duration::from_secs(3);
    let (idle, idle_max) = healthz_for(&http, &url, window).await;

    let files: Vec<Value> = (0..50)
        .map(|n| json!({"file": format!("laughs-{n}.yaml"), "source": laughs(n)}))
        .collect();
    let body = json!({ "files": files });
    let stop = tokio_util::sync::CancellationToken::new();
    let mut load = Vec::new();
    for _ in 0..3 {
        let (http, url, body, stop) = (http.clone(), url.clone(), body.clone(), stop.clone());
        load.push(tokio::spawn(async move {
            let mut checked = 0u32;
            while !stop.is_cancelled() {
                let answer = http
                    .post(format!("{url}/api/v1/recipes/check"))
                    .bearer_auth("wft_bench-analyst")
                    .json(&body)
                    .send()
                    .await;
                if answer.is_ok_and(|a| a.status().as_u16() == 422) {
                    checked += 1;
                }
            }
            checked
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (loaded, loaded_max) = healthz_for(&http, &url, window).await;
    stop.cancel();
    let mut requests = 0;
    for task in load {
        requests += task.await?;
    }

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(format!(
        "recipe-parse: what a hostile recipe file costs\n  \
         parse, mean of 500 (a {}-byte \"billion laughs\" file, refused by the alias limit):\n    \
         ordinary example recipe ({} bytes):     {:>8.3} ms\n    \
         billion laughs:                         {:>8.3} ms  ({:.1}x the ordinary file)\n  \
         /healthz every 10 ms for {:.0} s, median and slowest:\n    \
         idle hub:                               {:>8.3} ms  {:>8.3} ms\n    \
         during 3 requests of 50 such files:     {:>8.3} ms  {:>8.3} ms  ({:.1}x idle; {} requests of 50 files checked)\n",
        hostile.len(),
        example.len(),
        ms(ordinary),
        ms(bomb),
        ms(bomb) / ms(ordinary).max(1e-9),
        window.as_secs_f64(),
        ms(idle),
        ms(idle_max),
        ms(loaded),
        ms(loaded_max),
        ms(loaded) / ms(idle).max(1e-9),
        requests,
    ))
}
