//! Connecting a Wrike account by OAuth in the browser: pick scopes (Default always, or
//! select all), go to Wrike's consent page, come back with a code, store the tokens.

use std::collections::HashMap;

use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use weft_core::scope_plan::Feature;
use weft_hub::{connections, util};
use weft_store::OAuthState;
use wrike_api::Scope;

use crate::AppState;
use crate::auth::{Caller, hash_secret};
use crate::error::{ApiError, PageError};
use crate::pages::FormData;

/// How long a consent may take.
const CONSENT_SECONDS: i64 = 600;

pub async fn start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> Result<Response, PageError> {
    let oauth = state
        .hub
        .oauth
        .as_ref()
        .ok_or_else(|| ApiError::bad_request("OAuth is not configured on this hub"))?;
    let name = form.get("name");
    if name.is_empty() {
        return Err(ApiError::bad_request("give the connection a name").into());
    }
    let mut scopes: Vec<Scope> = if form.get("select_all") == "1" {
        Scope::KNOWN.to_vec()
    } else {
        form.all("scope")
            .iter()
            .map(|s| Scope::from(s.as_str()))
            .collect()
    };
    if let Some(unknown) = scopes.iter().find(|s| !s.is_known()) {
        return Err(ApiError::bad_request(format!("unknown scope {unknown}")).into());
    }
    if !scopes.contains(&Scope::Default) {
        scopes.insert(0, Scope::Default);
    }
    let features: Vec<Feature> = form
        .all("feature")
        .iter()
        .map(|f| Feature::parse(f))
        .collect::<Result<_, _>>()
        .map_err(ApiError::bad_request)?;
    let secret_state = weft_core::secrets::random_token();
    state
        .hub
        .store
        .put_oauth_state(OAuthState {
            state_hash: hash_secret(&secret_state),
            user_id: caller.user.id.clone(),
            connection_name: name,
            scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            features: features.iter().map(|f| f.as_str().to_owned()).collect(),
            expires_at: util::now() + CONSENT_SECONDS,
        })
        .await?;
    Ok(Redirect::to(oauth.authorize_url(&scopes, &secret_state).as_str()).into_response())
}

pub async fn callback(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let oauth = state
        .hub
        .oauth
        .as_ref()
        .ok_or_else(|| ApiError::bad_request("OAuth is not configured on this hub"))?;
    if let Some(error) = q.get("error") {
        let detail = q.get("error_description").map(String::as_str).unwrap_or("");
        return Err(ApiError::bad_request(format!(
            "Wrike did not grant access ({error}): {detail}"
        ))
        .into());
    }
    let given = q.get("state").map(String::as_str).unwrap_or("");
    let pending = state
        .hub
        .store
        .take_oauth_state(&hash_secret(given), util::now())
        .await?
        .ok_or_else(|| {
            ApiError::bad_request("this consent is unknown or expired; start the connection again")
        })?;
    if pending.user_id != caller.user.id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this consent was started by someone else",
        )
        .into());
    }
    let code = q
        .get("code")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::bad_request("Wrike sent no authorization code"))?;
    let tokens = oauth.exchange_code(code).await.map_err(|e| {
        ApiError::bad_request(format!("exchanging the authorization code failed: {e}"))
    })?;
    let scopes = pending
        .scopes
        .iter()
        .map(|s| Scope::from(s.as_str()))
        .collect();
    let features = pending
        .features
        .iter()
        .filter_map(|f| Feature::parse(f).ok())
        .collect();
    let added = connections::add_oauth(
        &state.hub,
        &caller.user.username,
        &pending.connection_name,
        tokens,
        scopes,
        features,
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/connections?notice=Connected+{}",
        added.connection.name
    ))
    .into_response())
}
