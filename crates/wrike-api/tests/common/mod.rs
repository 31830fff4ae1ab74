//! Test helpers: a simulator on loopback and tokens from its control API.
#![allow(dead_code)]

use std::sync::Arc;

use secrecy::SecretString;
use serde_json::{Value, json};
use wrike_api::{ApiBase, ClientConfig, PermanentToken, WrikeClient};
use wrike_sim::{Listen, RunningSim, SimConfig};

/// A simulator without its rate limit: most tests make requests faster than Wrike allows
/// and are not about that. The tests of the limit turn it on through the control API.
pub async fn sim() -> RunningSim {
    sim_with(SimConfig {
        users: 40,
        rate_limit_per_minute: 0,
        ..SimConfig::default()
    })
    .await
}

pub async fn sim_with(config: SimConfig) -> RunningSim {
    wrike_sim::start(config, Listen::loopback())
        .await
        .expect("simulator starts")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// POSTs JSON to the control API and returns its answer.
pub async fn control(sim: &RunningSim, method: reqwest::Method, path: &str, body: Value) -> Value {
    let response = http()
        .request(method, format!("{}/_sim/{path}", sim.base_url()))
        .json(&body)
        .send()
        .await
        .expect("control API");
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(
        status.is_success(),
        "control {path} answered {status}: {text}"
    );
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

pub async fn accounts(sim: &RunningSim) -> Vec<Value> {
    http()
        .get(format!("{}/_sim/accounts", sim.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub async fn users(sim: &RunningSim, account: &str) -> Vec<Value> {
    http()
        .get(format!("{}/_sim/accounts/{account}/users", sim.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A permanent token for a user (the account owner when `user` is None) with scopes.
pub async fn token(sim: &RunningSim, user: Option<&str>, scopes: &[&str]) -> (String, String) {
    let answer = control(
        sim,
        reqwest::Method::POST,
        "tokens",
        json!({"userId": user, "scopes": scopes}),
    )
    .await;
    (
        answer["accessToken"].as_str().unwrap().to_owned(),
        answer["apiUrl"].as_str().unwrap().to_owned(),
    )
}

pub fn quick_config() -> ClientConfig {
    ClientConfig {
        requests_per_minute: 0,
        max_retries: 3,
        base_backoff: std::time::Duration::from_millis(20),
        max_backoff: std::time::Duration::from_secs(2),
        ..ClientConfig::default()
    }
}

pub fn client(api_url: &str, token: &str) -> WrikeClient {
    client_with(api_url, token, quick_config())
}

pub fn client_with(api_url: &str, token: &str, config: ClientConfig) -> WrikeClient {
    WrikeClient::new(
        ApiBase::from_url(api_url).unwrap(),
        Arc::new(PermanentToken::new(SecretString::from(token.to_owned()))),
        config,
    )
}

/// A client for the main account's owner with every scope.
pub async fn owner_client(sim: &RunningSim) -> WrikeClient {
    let all: Vec<&str> = wrike_api::Scope::KNOWN.iter().map(|s| s.as_str()).collect();
    let (token, url) = token(sim, None, &all).await;
    client(&url, &token)
}

/// Requests the simulator logged after `since`, as (method, path, status).
pub async fn logged(sim: &RunningSim, since: u64) -> Vec<(String, String, u16)> {
    let log: Value = http()
        .get(format!(
            "{}/_sim/requests?since={since}&limit=100000",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap().to_owned(),
                r["path"].as_str().unwrap().to_owned(),
                r["status"].as_u64().unwrap() as u16,
            )
        })
        .collect()
}

pub async fn log_position(sim: &RunningSim) -> u64 {
    let log: Value = http()
        .get(format!("{}/_sim/requests?limit=0", sim.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log["last"].as_u64().unwrap()
}
