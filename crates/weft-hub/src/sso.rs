//! Single sign-on through an OpenID provider: the authorization code flow with PKCE, the
//! provider found by discovery and its ID token checked with its published keys (issuer,
//! audience, expiry, signature) and the nonce sent. The person's role comes from a claim
//! (a role name or a list of groups) mapped to Admin, Analyst or Operator at every sign-in;
//! hub users are created at their first sign-in or must be added by an Admin first (a
//! setting); a disabled hub user cannot sign in. Sign-ins in progress live in the store, so
//! one begun on an instance finishes on any other.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AsyncHttpClient, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpClientError,
    HttpRequest, HttpResponse, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    Scope, TokenResponse,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use weft_core::roles::Role;
use weft_store::{SignInMethod, SsoIdentity, SsoState, User};

use crate::access::{self, OpenedSession, hash_secret};
use crate::error::HubResult;
use crate::{Hub, trail};

/// How long a sign-in may take at the provider.
const STATE_LIFETIME_S: i64 = 600;
/// How long the provider's metadata and keys are kept before being read again (a key the
/// cache does not know makes it read them again at once).
const METADATA_LIFETIME: Duration = Duration::from_secs(300);

/// Single sign-on settings.
#[derive(Clone)]
pub struct SsoSettings {
    /// The provider's issuer URL, as its discovery document names it.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// This hub's callback: `{public_url}/sso/callback`.
    pub redirect_url: String,
    /// The ID token claim holding the role: a string or a list of strings (groups).
    pub role_claim: String,
    /// The claim values that make someone an Admin, an Analyst, an Operator (the first role
    /// in this order whose values match wins).
    pub roles: Vec<(Role, Vec<String>)>,
    /// Create a hub user at a person's first sign-in; otherwise an Admin adds them first.
    pub create_users: bool,
}

impl std::fmt::Debug for SsoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_url", &self.redirect_url)
            .field("role_claim", &self.role_claim)
            .field("roles", &self.roles)
            .field("create_users", &self.create_users)
            .finish()
    }
}

/// The configured provider and what the hub has learnt of it.
pub struct Sso {
    pub settings: SsoSettings,
    http: ProviderHttp,
    metadata: Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

/// Where a sign-in goes next.
#[derive(Debug)]
pub enum Began {
    /// To the provider; `state` goes in a cookie too, so that only this browser finishes.
    Redirect { url: String, state: String },
    /// The provider cannot be reached or read; the reason is for the page.
    Unavailable(String),
}

/// How a sign-in ended.
#[derive(Debug)]
pub enum Finished {
    /// Signed in; the browser goes to `next`.
    Opened {
        session: OpenedSession,
        next: String,
    },
    /// Refused; the reason is for the page (and the trail).
    Refused(String),
}

impl Sso {
    pub fn new(settings: SsoSettings) -> HubResult<Sso> {
        let client = reqwest::Client::builder()
            // The provider answers or it does not: never follow it elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| crate::HubError::Internal(format!("an HTTP client: {e}")))?;
        Ok(Sso {
            settings,
            http: ProviderHttp(client),
            metadata: Mutex::new(None),
        })
    }

    /// The provider's metadata and keys (read again after a while, or when `fresh`).
    async fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, String> {
        let mut cached = self.metadata.lock().await;
        if let Some((at, metadata)) = cached.as_ref()
            && !fresh
            && at.elapsed() < METADATA_LIFETIME
        {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| format!("the issuer URL {}: {e}", self.settings.issuer))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| {
                format!(
                    "the identity provider at {} does not answer as one ({})",
                    self.settings.issuer,
                    causes(&e)
                )
            })?;
        *cached = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    fn client(&self, metadata: CoreProviderMetadata) -> Result<Client, String> {
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone())
            .map_err(|e| format!("the callback URL {}: {e}", self.settings.redirect_url))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(
                self.settings.client_secret.expose_secret().to_owned(),
            )),
        )
        .set_redirect_uri(redirect))
    }

    /// The role the claims give, if any.
    fn role_of(&self, claims: &serde_json::Map<String, Value>) -> Option<Role> {
        let values: Vec<&str> = match claims.get(&self.settings.role_claim) {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        self.settings
            .roles
            .iter()
            .find(|(_, wanted)| wanted.iter().any(|w| values.contains(&w.as_str())))
            .map(|(role, _)| *role)
    }
}

type Client = openidconnect::Client<
    openidconnect::EmptyAdditionalClaims,
    openidconnect::core::CoreAuthDisplay,
    openidconnect::core::CoreGenderClaim,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    openidconnect::core::CoreAuthPrompt,
    openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    openidconnect::core::CoreTokenResponse,
    openidconnect::core::CoreTokenIntrospectionResponse,
    openidconnect::core::CoreRevocableToken,
    openidconnect::core::CoreRevocationErrorResponse,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// Starts a sign-in: the provider's authorization URL, with a state, a nonce and a PKCE
/// challenge kept for the callback.
pub async fn begin(hub: &Hub, next: &str) -> HubResult<Began> {
    let Some(sso) = &hub.sso else {
        return Ok(Began::Unavailable(
            "single sign-on is not configured on this hub".into(),
        ));
    };
    // Read afresh at every sign-in: a provider that is down is said so here, on the sign-in
    // page, rather than by a browser stranded on its address.
    let metadata = match sso.metadata(true).await {
        Ok(m) => m,
        Err(reason) => return Ok(Began::Unavailable(reason)),
    };
    // Providers that name a scope after the role claim (`groups`) put the claim in the ID
    // token only when that scope is asked for; others refuse scopes they do not know.
    let role_scope = Scope::new(sso.settings.role_claim.clone());
    let ask_role_scope = metadata
        .scopes_supported()
        .is_some_and(|scopes| scopes.contains(&role_scope));
    let client = match sso.client(metadata) {
        Ok(c) => c,
        Err(reason) => return Ok(Began::Unavailable(reason)),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    if ask_role_scope {
        request = request.add_scope(role_scope);
    }
    let (url, state, nonce) = request.url();
    hub.store
        .access()
        .put_sso_state(&SsoState {
            state_hash: hash_secret(state.secret()),
            nonce: nonce.secret().clone(),
            code_verifier: verifier.secret().clone(),
            next: next.to_owned(),
            expires_at: hub.clock.now_s() + STATE_LIFETIME_S,
        })
        .await?;
    Ok(Began::Redirect {
        url: url.to_string(),
        state: state.secret().clone(),
    })
}

/// Finishes a sign-in at the callback: `state` as the provider sent it back, `cookie_state`
/// as this browser kept it.
pub async fn finish(
    hub: &Hub,
    code: &str,
    state: &str,
    cookie_state: Option<&str>,
    lifetime_s: i64,
    source: &str,
) -> HubResult<Finished> {
    let Some(sso) = &hub.sso else {
        return Ok(Finished::Refused(
            "single sign-on is not configured on this hub".into(),
        ));
    };
    let refused = |why: String| async move {
        trail::record(
            hub,
            "anonymous",
            "session.sso_failed",
            &sso.settings.issuer,
            None,
            Some(json!({"source": source, "reason": why})),
        )
        .await?;
        HubResult::Ok(Finished::Refused(why))
    };
    if cookie_state != Some(state) {
        return refused(
            "this sign-in was not begun in this browser (or its cookie expired); sign in again"
                .into(),
        )
        .await;
    }
    let Some(kept) = hub
        .store
        .access()
        .take_sso_state(&hash_secret(state), hub.clock.now_s())
        .await?
    else {
        return refused("this sign-in was finished already or has expired; sign in again".into())
            .await;
    };
    let claims = match verified_claims(sso, code, &kept).await {
        Ok(claims) => claims,
        Err(why) => return refused(why).await,
    };
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    // The name the first sign-in is matched by: the provider's username, else its e-mail
    // address, which only counts when the provider says it verified it (anyone may type one).
    let verified_email = matches!(claims.get("email_verified"), Some(Value::Bool(true)))
        || matches!(claims.get("email_verified"), Some(Value::String(s)) if s == "true");
    let username = claims
        .get("preferred_username")
        .and_then(Value::as_str)
        .or_else(|| {
            claims
                .get("email")
                .and_then(Value::as_str)
                .filter(|_| verified_email)
        })
        .unwrap_or_default()
        .to_owned();
    let Some(role) = sso.role_of(&claims) else {
        return refused(format!(
            "the identity provider gives {} no weft role: none of the values of its `{}` claim is mapped to Admin, Analyst or Operator",
            if username.is_empty() { &subject } else { &username },
            sso.settings.role_claim
        ))
        .await;
    };
    let user = match user_for(hub, sso, &subject, &username, role).await? {
        Ok(user) => user,
        Err(why) => return refused(why).await,
    };
    if user.disabled_at.is_some() {
        return refused(format!("the weft user {} is disabled", user.username)).await;
    }
    // The provider's role counts, through the same change an Admin makes (which keeps an
    // enabled Admin on the team).
    let user = match access::set_role(hub, "single sign-on", &user.id, role).await {
        Ok(user) => user,
        Err(crate::HubError::Conflict(why)) => {
            return refused(format!(
                "the identity provider now makes {} {}, but {why}",
                user.username,
                role.as_str()
            ))
            .await;
        }
        Err(e) => return Err(e),
    };
    let session = access::open_session(hub, user, lifetime_s, source, "sso").await?;
    Ok(Finished::Opened {
        session,
        next: kept.next,
    })
}

/// Exchanges the code and checks the ID token; its claims, or why it was not accepted.
async fn verified_claims(
    sso: &Sso,
    code: &str,
    kept: &SsoState,
) -> Result<serde_json::Map<String, Value>, String> {
    let client = sso.client(sso.metadata(false).await?)?;
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| format!("the identity provider has no token endpoint ({e})"))?
        .set_pkce_verifier(PkceCodeVerifier::new(kept.code_verifier.clone()))
        .request_async(&sso.http)
        .await
        .map_err(|e| format!("the identity provider refused the sign-in ({})", causes(&e)))?;
    let id_token = token
        .id_token()
        .ok_or("the identity provider sent no ID token")?;
    let nonce = Nonce::new(kept.nonce.clone());
    let checked = match id_token.claims(&client.id_token_verifier(), &nonce) {
        Ok(_) => Ok(()),
        // A key the cached set does not hold: the provider may have rotated its keys.
        Err(openidconnect::ClaimsVerificationError::SignatureVerification(_)) => {
            let client = sso.client(sso.metadata(true).await?)?;
            id_token
                .claims(&client.id_token_verifier(), &nonce)
                .map(drop)
        }
        Err(e) => Err(e),
    };
    checked.map_err(|e| format!("the identity provider's ID token was not accepted: {e}"))?;
    // Verified: its payload can be read for the claims the library does not type.
    let payload = id_token
        .to_string()
        .split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<serde_json::Map<String, Value>>(&bytes).ok())
        .ok_or("the identity provider's ID token could not be read")?;
    Ok(payload)
}

/// The hub user for a verified person: the one linked to them, else one an Admin added for
/// single sign-on under their name (linked now), else a new one when the settings say so.
/// `Err` holds why they may not sign in.
async fn user_for(
    hub: &Hub,
    sso: &Sso,
    subject: &str,
    username: &str,
    role: Role,
) -> HubResult<Result<User, String>> {
    let issuer = &sso.settings.issuer;
    let access = hub.store.access();
    // Linking again records the sign-in.
    let link = |user_id: String| async move {
        let identity = SsoIdentity {
            issuer: issuer.clone(),
            subject: subject.to_owned(),
            user_id,
        };
        hub.store
            .access()
            .link_sso(&identity, hub.clock.now_s())
            .await
    };
    if let Some(user) = access.sso_user(issuer, subject).await? {
        link(user.id.clone()).await?;
        return Ok(Ok(user));
    }
    if username.is_empty() {
        return Ok(Err(
            "the identity provider's ID token names no preferred_username, nor a verified email"
                .into(),
        ));
    }
    let user = match access.user_by_name(username).await? {
        Some(user) if user.sign_in == SignInMethod::Sso => user,
        Some(_) => {
            return Ok(Err(format!(
                "the weft user {username} signs in with a password, not through single sign-on"
            )));
        }
        None if sso.settings.create_users => {
            if let Err(e) = access::check_username(username) {
                return Ok(Err(format!("{username} cannot be a weft user name: {e}")));
            }
            let user = access::create(hub, username, role, None).await?;
            trail::record(
                hub,
                "single sign-on",
                "user.create",
                &user.username,
                None,
                Some(json!({"username": user.username, "role": role, "signIn": "sso"})),
            )
            .await?;
            user
        }
        None => {
            return Ok(Err(format!(
                "{username} is not a weft user: an Admin adds them first (weft users add --sso)"
            )));
        }
    };
    if !link(user.id.clone()).await? {
        return Ok(Err(format!(
            "the weft user {username} is linked to another person of the identity provider"
        )));
    }
    Ok(Ok(user))
}

/// An error and its causes, for a message.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The provider's HTTP client (reqwest, no redirects) as the OpenID library calls it.
struct ProviderHttp(reqwest::Client);

impl<'c> AsyncHttpClient<'c> for ProviderHttp {
    type Error = HttpClientError<reqwest::Error>;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let response = self
                .0
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(Box::new)?;
            let mut built = openidconnect::http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                built = built.header(name, value);
            }
            let body = response.bytes().await.map_err(Box::new)?;
            built.body(body.to_vec()).map_err(HttpClientError::Http)
        })
    }
}
