//! Connecting a Wrike account by OAuth in the browser: a consent begun here (the scopes,
//! Default always included; a PKCE verifier; a `state` bound to the user who began it,
//! single use, ten minutes to live) and completed when Wrike sends the browser back with a
//! code, which only the verifier can exchange.

use weft_core::scope_plan::Feature;
use weft_store::{OAuthState, User};
use wrike_api::Scope;

use crate::Hub;
use crate::access::hash_secret;
use crate::connections::{self, Added};
use crate::error::{HubError, HubResult};

/// How long a consent may take.
const CONSENT_SECONDS: i64 = 600;

fn oauth(hub: &Hub) -> HubResult<&wrike_api::OAuthClient> {
    hub.oauth
        .as_ref()
        .ok_or_else(|| HubError::invalid("OAuth is not configured on this hub"))
}

/// Begins a consent for a new connection named `name`; returns Wrike's consent URL to send
/// the browser to.
pub async fn begin(
    hub: &Hub,
    user: &User,
    name: &str,
    mut scopes: Vec<Scope>,
    features: Vec<Feature>,
) -> HubResult<url::Url> {
    let oauth = oauth(hub)?;
    if name.trim().is_empty() {
        return Err(HubError::invalid("give the connection a name"));
    }
    if let Some(unknown) = scopes.iter().find(|s| !s.is_known()) {
        return Err(HubError::invalid(format!("unknown scope {unknown}")));
    }
    if !scopes.contains(&Scope::Default) {
        scopes.insert(0, Scope::Default);
    }
    // What the chosen uses need is always asked for, ticked or not.
    for needed in weft_core::scope_plan::plan(&features).scopes {
        if !scopes.contains(&needed) {
            scopes.push(needed);
        }
    }
    let state = weft_core::secrets::random_token();
    let code_verifier = weft_core::secrets::random_token();
    hub.store
        .access()
        .put_oauth_state(OAuthState {
            state_hash: hash_secret(&state),
            user_id: user.id.clone(),
            connection_name: name.trim().to_owned(),
            scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            features: features.iter().map(|f| f.as_str().to_owned()).collect(),
            code_verifier: code_verifier.clone(),
            expires_at: hub.clock.now_s() + CONSENT_SECONDS,
        })
        .await?;
    Ok(oauth.authorize_url(&scopes, &state, Some(&code_verifier)))
}

/// What Wrike sent the browser back with.
#[derive(Debug, Default)]
pub struct Answer {
    pub state: String,
    pub code: Option<String>,
    /// `error` and `error_description` when the user declined.
    pub error: Option<(String, String)>,
}

/// Completes a consent begun by `user`: exchanges the code (with the verifier) and stores
/// the connection, or, under the name of an OAuth connection, connects that one again.
pub async fn complete(hub: &Hub, user: &User, answer: Answer) -> HubResult<Added> {
    let oauth = oauth(hub)?;
    if let Some((error, detail)) = answer.error {
        return Err(HubError::Invalid(format!(
            "Wrike did not grant access ({error}): {detail}"
        )));
    }
    let pending = hub
        .store
        .access()
        .take_oauth_state(&hash_secret(&answer.state), hub.clock.now_s())
        .await?
        .ok_or_else(|| {
            HubError::invalid("this consent is unknown or expired; start the connection again")
        })?;
    if pending.user_id != user.id {
        return Err(HubError::Forbidden(
            "this consent was started by someone else".into(),
        ));
    }
    let code = answer
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| HubError::invalid("Wrike sent no authorization code"))?;
    let tokens = oauth
        .exchange_code(&code, Some(&pending.code_verifier))
        .await
        .map_err(|e| HubError::wrike("exchanging the authorization code", e))?;
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
    // A consent under the name of an OAuth connection connects that one again, in place.
    let existing = hub
        .store
        .connections()
        .list()
        .await?
        .into_iter()
        .find(|c| c.name == pending.connection_name);
    match existing {
        Some(c) if c.kind == weft_store::ConnectionKind::OAuth => {
            connections::reconnect_oauth(hub, &user.username, &c, tokens, scopes, features).await
        }
        _ => {
            connections::add_oauth(
                hub,
                &user.username,
                &pending.connection_name,
                tokens,
                scopes,
                features,
            )
            .await
        }
    }
}
