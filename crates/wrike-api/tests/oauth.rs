//! OAuth 2.0 against the simulator: consent, code exchange, `host`, refresh with rotation,
//! denial, and the errors of the token endpoint.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use wrike_api::tokens::OnRefresh;
use wrike_api::{
    ClientConfig, OAuthClient, OAuthConfig, OAuthTokens, Scope, TokenSet, WrikeClient, WrikeError,
};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

async fn oauth_client(sim: &wrike_sim::RunningSim, secret: &str) -> OAuthClient {
    common::control(
        sim,
        reqwest::Method::POST,
        "oauth_clients",
        json!({"clientId": "hub", "clientSecret": "right-secret", "redirectUris": [REDIRECT]}),
    )
    .await;
    let config = OAuthConfig::with_login_base(
        &sim.base_url(),
        "hub",
        SecretString::from(secret.to_owned()),
        Some(REDIRECT.into()),
    )
    .unwrap();
    OAuthClient::new(config, reqwest::Client::new())
}

/// Walks the consent page like a browser: load it, pick the user, press a button.
async fn consent(authorize: &url::Url, user: &str, decision: &str) -> HashMap<String, String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http.get(authorize.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<li class=\"scope\">Default</li>"),
        "the consent page lists the requested scopes, Default always"
    );
    let query: HashMap<String, String> = authorize.query_pairs().into_owned().collect();
    let mut form: Vec<(String, String)> = query.into_iter().collect();
    form.push(("user".into(), user.into()));
    form.push(("decision".into(), decision.into()));
    let decision_url = authorize.join("/oauth2/authorize/v4/decision").unwrap();
    let answer = http.post(decision_url).form(&form).send().await.unwrap();
    assert!(
        answer.status().is_redirection(),
        "decision redirects back, got {}",
        answer.status()
    );
    let location = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(REDIRECT));
    location.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn code_flow_gives_tokens_bound_to_the_accounts_host_and_refresh_rotates() {
    let sim = common::sim().await;
    let oauth = oauth_client(&sim, "right-secret").await;
    let accounts = common::accounts(&sim).await;
    let eu = accounts.iter().find(|a| a["dataCenter"] == "eu").unwrap();
    let eu_owner = eu["ownerId"].as_str().unwrap();
    let verifier = "a-verifier-of-at-least-forty-three-characters-0123";
    let url = oauth.authorize_url(
        &[Scope::amReadOnlyAuditLog, Scope::wsReadWrite],
        "st4te",
        Some(verifier),
    );
    let back = consent(
        &url,
        &format!("{}|{}", eu["id"].as_str().unwrap(), eu_owner),
        "accept",
    )
    .await;
    assert_eq!(back["state"], "st4te");
    let tokens = oauth
        .exchange_code(&back["code"], Some(verifier))
        .await
        .unwrap();
    assert_eq!(
        tokens.host.as_deref(),
        eu["host"].as_str(),
        "the token names the EU data center as its host"
    );
    assert!(tokens.expires_at.is_some());
    let base = tokens.api_base().unwrap();
    assert_eq!(
        base.url().as_str(),
        format!("{}/", eu["apiUrl"].as_str().unwrap())
    );

    // The code is single-use.
    let reused = oauth
        .exchange_code(&back["code"], Some(verifier))
        .await
        .unwrap_err();
    assert!(
        matches!(&reused, WrikeError::OAuth { error, .. } if error == "invalid_grant"),
        "{reused}"
    );

    // Refresh at the token's host; the refresh token rotates and the old one dies.
    let old_refresh = tokens.refresh_token.clone().unwrap();
    let fresh = oauth
        .refresh(&old_refresh, tokens.host.as_deref())
        .await
        .unwrap();
    assert_ne!(
        fresh.refresh_token.as_ref().unwrap().expose_secret(),
        old_refresh.expose_secret()
    );
    let replay = oauth
        .refresh(&old_refresh, tokens.host.as_deref())
        .await
        .unwrap_err();
    assert!(replay.is_auth_failure(), "{replay}");

    // The new access token works on the EU data center.
    let tokens_source = Arc::new(OAuthTokens::new(oauth.clone(), fresh, None));
    let client = WrikeClient::new(base, tokens_source, common::quick_config());
    assert_eq!(client.me().await.unwrap().id, eu_owner);
}

#[tokio::test]
async fn denial_and_bad_client_secret_are_reported() {
    let sim = common::sim().await;
    let oauth = oauth_client(&sim, "right-secret").await;
    let account = &common::accounts(&sim).await[0];
    let url = oauth.authorize_url(&[Scope::amReadOnlyAuditLog], "s", None);
    let back = consent(
        &url,
        &format!(
            "{}|{}",
            account["id"].as_str().unwrap(),
            account["ownerId"].as_str().unwrap()
        ),
        "deny",
    )
    .await;
    assert_eq!(back["error"], "access_denied");
    assert_eq!(back["error_description"], "Request denied by user");
    assert_eq!(back["state"], "s");

    let wrong = oauth_client(&sim, "wrong-secret").await;
    let back = consent(
        &url,
        &format!(
            "{}|{}",
            account["id"].as_str().unwrap(),
            account["ownerId"].as_str().unwrap()
        ),
        "accept",
    )
    .await;
    let err = wrong.exchange_code(&back["code"], None).await.unwrap_err();
    assert!(
        matches!(&err, WrikeError::OAuth { error, .. } if error == "unauthorized_client"),
        "{err}"
    );
}

#[tokio::test]
async fn unregistered_redirect_and_unknown_scope_are_refused_on_the_consent_page() {
    let sim = common::sim().await;
    let oauth = oauth_client(&sim, "right-secret").await;
    let mut url = oauth.authorize_url(&[], "s", None);
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == "redirect_uri" {
                (k, "http://127.0.0.1:9/other".into())
            } else {
                (k, v)
            }
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let page = reqwest::get(url).await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Redirect uri is missing or invalid")
    );

    let url = oauth.authorize_url(&[Scope::Other("wsEverything".into())], "s", None);
    let page = reqwest::get(url).await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Unknown scope wsEverything")
    );
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_after_the_401_and_the_rotation_is_reported() {
    let sim = common::sim().await;
    let oauth = oauth_client(&sim, "right-secret").await;
    let account = &common::accounts(&sim).await[0];
    let url = oauth.authorize_url(&[], "s", None);
    let back = consent(
        &url,
        &format!(
            "{}|{}",
            account["id"].as_str().unwrap(),
            account["ownerId"].as_str().unwrap()
        ),
        "accept",
    )
    .await;
    let tokens = oauth.exchange_code(&back["code"], None).await.unwrap();
    let base = tokens.api_base().unwrap();
    let rotations: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = rotations.clone();
    let hook: OnRefresh = Arc::new(move |set: &TokenSet| {
        seen.lock().unwrap().push(
            set.refresh_token
                .as_ref()
                .unwrap()
                .expose_secret()
                .to_owned(),
        )
    });
    let source = Arc::new(OAuthTokens::new(oauth, tokens, Some(hook)));
    let client = WrikeClient::new(
        base,
        source.clone(),
        ClientConfig {
            requests_per_minute: 0,
            ..ClientConfig::default()
        },
    );
    client.account(&[]).await.unwrap();
    // Two hours later on Wrike's clock the access token has expired.
    common::control(
        &sim,
        reqwest::Method::POST,
        "clock",
        json!({"advanceSeconds": 7200}),
    )
    .await;
    client
        .account(&[])
        .await
        .expect("the client refreshes after the 401 and retries");
    let rotations = rotations.lock().unwrap().clone();
    assert_eq!(rotations.len(), 1, "exactly one refresh");
    assert_eq!(
        source
            .current()
            .await
            .refresh_token
            .unwrap()
            .expose_secret(),
        rotations[0]
    );
}

#[tokio::test]
async fn password_change_revokes_every_token_of_the_user() {
    let sim = common::sim().await;
    let account = &common::accounts(&sim).await[0];
    let owner = account["ownerId"].as_str().unwrap();
    let (token, url) = common::token(&sim, Some(owner), &["Default"]).await;
    let client = common::client(&url, &token);
    client.account(&[]).await.unwrap();
    common::control(
        &sim,
        reqwest::Method::POST,
        &format!("users/{owner}/password"),
        json!({}),
    )
    .await;
    let err = client.account(&[]).await.unwrap_err();
    assert!(err.is_auth_failure(), "{err}");
    assert!(
        err.to_string()
            .contains("Access token is unknown or invalid")
    );
}

#[tokio::test]
async fn pkce_binds_the_code_to_the_verifier_that_asked_for_it() {
    let sim = common::sim().await;
    let oauth = oauth_client(&sim, "right-secret").await;
    let accounts = common::accounts(&sim).await;
    let user = format!(
        "{}|{}",
        accounts[0]["id"].as_str().unwrap(),
        accounts[0]["ownerId"].as_str().unwrap()
    );
    let verifier = "the-right-verifier-0123456789-0123456789-0123456789";
    for given in [
        Some("a-stolen-code-with-another-verifier-0123456789-01"),
        None,
    ] {
        let url = oauth.authorize_url(&[], "s", Some(verifier));
        let back = consent(&url, &user, "accept").await;
        let err = oauth.exchange_code(&back["code"], given).await.unwrap_err();
        assert!(
            matches!(&err, WrikeError::OAuth { error, description: Some(d), .. }
                if error == "invalid_grant" && d.contains("code_verifier")),
            "{given:?}: {err}"
        );
    }
    let url = oauth.authorize_url(&[], "s", Some(verifier));
    let back = consent(&url, &user, "accept").await;
    oauth
        .exchange_code(&back["code"], Some(verifier))
        .await
        .expect("the verifier that asked for the code");
    // Only S256 is taken.
    let mut plain = oauth.authorize_url(&[], "s", None);
    plain
        .query_pairs_mut()
        .append_pair("code_challenge", verifier)
        .append_pair("code_challenge_method", "plain");
    let page = reqwest::get(plain).await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("must be S256"));
}
