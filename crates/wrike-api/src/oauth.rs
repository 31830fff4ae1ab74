//! OAuth 2.0 authorization code flow as Wrike runs it.
//!
//! Written against reqwest directly rather than the `oauth2` crate because Wrike's token
//! response breaks RFC 6749 in small ways that crate rejects: `expires_in` may be the string
//! `"3600"`, and the extra `host` field decides where every later call (refresh included)
//! must go.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use crate::base::ApiBase;
use crate::error::{WrikeError, decode_failure};
use crate::scope::Scope;

/// Where Wrike's OAuth endpoints are and who we are to them.
#[derive(Clone)]
pub struct OAuthConfig {
    pub client_id: String,
    pub client_secret: SecretString,
    pub authorize_url: Url,
    pub token_url: Url,
    /// Must match a redirect URI registered for the client exactly.
    pub redirect_uri: Option<String>,
}

impl std::fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("authorize_url", &self.authorize_url.as_str())
            .field("token_url", &self.token_url.as_str())
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

/// Wrike's current login host.
pub const WRIKE_LOGIN_BASE: &str = "https://login.wrike.com";

impl OAuthConfig {
    /// Endpoints under a login base: `https://login.wrike.com` for Wrike, the simulator's
    /// `http://127.0.0.1:PORT` for tests.
    pub fn with_login_base(
        login_base: &str,
        client_id: &str,
        client_secret: SecretString,
        redirect_uri: Option<String>,
    ) -> Result<Self, WrikeError> {
        let base = Url::parse(login_base)
            .map_err(|e| WrikeError::Invalid(format!("OAuth base URL {login_base:?}: {e}")))?;
        let join = |path: &str| {
            base.join(path)
                .map_err(|e| WrikeError::Invalid(format!("OAuth URL: {e}")))
        };
        Ok(OAuthConfig {
            client_id: client_id.to_owned(),
            client_secret,
            authorize_url: join("/oauth2/authorize/v4")?,
            token_url: join("/oauth2/token")?,
            redirect_uri,
        })
    }
}

/// Tokens after a code exchange or refresh.
#[derive(Clone)]
pub struct TokenSet {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The data-center host every later call must go to (`www.wrike.com`, `app-eu.wrike.com`).
    pub host: Option<String>,
    /// Granted scopes, when the server says (Wrike usually does not).
    pub scope: Option<String>,
    /// Scheme of the OAuth endpoint that issued the set, used to build the API base.
    pub scheme: String,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expires_at", &self.expires_at)
            .field("host", &self.host)
            .finish()
    }
}

impl TokenSet {
    /// The API base for this token: `https://{host}/api/v4/`.
    pub fn api_base(&self) -> Result<ApiBase, WrikeError> {
        let host = self
            .host
            .as_deref()
            .ok_or_else(|| WrikeError::Invalid("token response carried no host".into()))?;
        ApiBase::from_host(host, &self.scheme)
    }
}

/// The token endpoint's JSON, accepting every variant seen in the wild.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default, deserialize_with = "crate::models::lenient::opt_u64")]
    pub expires_in: Option<u64>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
}

#[derive(Debug, Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Runs the OAuth exchanges over our own HTTP client.
#[derive(Clone, Debug)]
pub struct OAuthClient {
    config: OAuthConfig,
    http: reqwest::Client,
}

impl OAuthClient {
    pub fn new(config: OAuthConfig, http: reqwest::Client) -> Self {
        OAuthClient { config, http }
    }

    pub fn config(&self) -> &OAuthConfig {
        &self.config
    }

    /// The consent URL to send the user to. `Default` is always requested; scopes are
    /// comma-separated as Wrike expects. With a PKCE `code_verifier` (RFC 7636), its S256
    /// challenge goes along, and the code can only be exchanged with that verifier.
    pub fn authorize_url(&self, scopes: &[Scope], state: &str, code_verifier: Option<&str>) -> Url {
        let mut wanted = vec![Scope::Default];
        for scope in scopes {
            if !wanted.contains(scope) {
                wanted.push(scope.clone());
            }
        }
        let mut url = self.config.authorize_url.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.config.client_id);
            q.append_pair("response_type", "code");
            if let Some(redirect) = &self.config.redirect_uri {
                q.append_pair("redirect_uri", redirect);
            }
            q.append_pair("state", state);
            q.append_pair("scope", &Scope::join(&wanted));
            if let Some(verifier) = code_verifier {
                q.append_pair("code_challenge", &pkce_challenge(verifier));
                q.append_pair("code_challenge_method", "S256");
            }
        }
        url
    }

    /// Exchanges an authorization code for tokens, proving the PKCE verifier when the
    /// consent was asked with its challenge.
    pub async fn exchange_code(
        &self,
        code: &str,
        code_verifier: Option<&str>,
    ) -> Result<TokenSet, WrikeError> {
        let mut form = vec![
            ("client_id", self.config.client_id.clone()),
            (
                "client_secret",
                self.config.client_secret.expose_secret().to_owned(),
            ),
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
        ];
        if let Some(redirect) = &self.config.redirect_uri {
            form.push(("redirect_uri", redirect.clone()));
        }
        if let Some(verifier) = code_verifier {
            form.push(("code_verifier", verifier.to_owned()));
        }
        self.token_request(self.config.token_url.clone(), &form)
            .await
    }

    /// Refreshes. Wrike wants the refresh at the token's own data-center host; without a
    /// host the configured token URL is used. The answer may carry a new refresh token.
    pub async fn refresh(
        &self,
        refresh_token: &SecretString,
        host: Option<&str>,
    ) -> Result<TokenSet, WrikeError> {
        let url = match host {
            Some(host) => {
                let base = format!("{}://{host}/oauth2/token", self.config.token_url.scheme());
                Url::parse(&base).map_err(|e| {
                    WrikeError::Invalid(format!("refresh URL for host {host:?}: {e}"))
                })?
            }
            None => self.config.token_url.clone(),
        };
        let form = vec![
            ("client_id", self.config.client_id.clone()),
            (
                "client_secret",
                self.config.client_secret.expose_secret().to_owned(),
            ),
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token.expose_secret().to_owned()),
        ];
        let mut set = self.token_request(url, &form).await?;
        // Keep the old refresh token when the server did not rotate it.
        if set.refresh_token.is_none() {
            set.refresh_token = Some(refresh_token.clone());
        }
        if set.host.is_none() {
            set.host = host.map(str::to_owned);
        }
        Ok(set)
    }

    async fn token_request(
        &self,
        url: Url,
        form: &[(&str, String)],
    ) -> Result<TokenSet, WrikeError> {
        let url_text = url.to_string();
        let scheme = url.scheme().to_owned();
        let response = self.http.post(url).form(form).send().await.map_err(|e| {
            if crate::http::refused_as_not_public(&e) {
                return WrikeError::HostRefused(crate::http::describe_reqwest(&e));
            }
            WrikeError::Transport {
                url: url_text.clone(),
                message: crate::http::describe_reqwest(&e),
            }
        })?;
        let status = response.status().as_u16();
        let body = crate::http::read_capped(response, crate::http::TOKEN_ANSWER_CAP)
            .await
            .map_err(|message| WrikeError::Transport {
                url: url_text.clone(),
                message,
            })?;
        if !(200..300).contains(&status) {
            if let Ok(err) = serde_json::from_slice::<OAuthErrorBody>(&body) {
                return Err(WrikeError::OAuth {
                    status,
                    error: crate::error::tidy(&err.error),
                    description: err.error_description.as_deref().map(crate::error::tidy),
                });
            }
            return Err(crate::error::from_status(status, None, None, &body));
        }
        let parsed: TokenResponse =
            serde_json::from_slice(&body).map_err(|e| WrikeError::Decode {
                what: "the OAuth token response".into(),
                message: decode_failure(&e),
            })?;
        Ok(TokenSet {
            access_token: SecretString::from(parsed.access_token),
            refresh_token: parsed.refresh_token.map(SecretString::from),
            expires_at: parsed.expires_in.map(lifetime).transpose()?,
            host: parsed.host,
            scope: parsed.scope,
            scheme,
        })
    }
}

/// The S256 PKCE challenge of a code verifier: base64url (no padding) of its SHA-256.
pub fn pkce_challenge(code_verifier: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(code_verifier.as_bytes()))
}

/// Longest access-token lifetime taken at its word (Wrike's are an hour).
const LONGEST_LIFETIME_S: u64 = 366 * 86_400;

/// When a token with `expires_in` seconds to live expires; a lifetime no token has is an
/// error, not an overflow.
fn lifetime(expires_in: u64) -> Result<DateTime<Utc>, WrikeError> {
    let too_long = || WrikeError::Decode {
        what: "the OAuth token response".into(),
        message: format!(
            "expires_in = {expires_in} s is not a token lifetime (at most {LONGEST_LIFETIME_S} s is taken)"
        ),
    };
    if expires_in > LONGEST_LIFETIME_S {
        return Err(too_long());
    }
    chrono::Duration::try_seconds(expires_in as i64)
        .and_then(|d| Utc::now().checked_add_signed(d))
        .ok_or_else(too_long)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_response_accepts_string_and_number_expiry() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/samples/oauth_token_docs_example.json"
        ))
        .unwrap();
        let parsed: TokenResponse = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed.expires_in, Some(3600));
        assert_eq!(parsed.host.as_deref(), Some("www.wrike.com"));
        let parsed: TokenResponse =
            serde_json::from_str(r#"{"access_token":"a","expires_in":3600,"token_type":"bearer"}"#)
                .unwrap();
        assert_eq!(parsed.expires_in, Some(3600));
        assert!(
            serde_json::from_str::<TokenResponse>(r#"{"access_token":"a","expires_in":"soon"}"#)
                .is_err()
        );
    }

    #[test]
    fn a_lifetime_no_token_has_is_an_error_not_an_overflow() {
        assert!(lifetime(3600).is_ok());
        for huge in [LONGEST_LIFETIME_S + 1, i64::MAX as u64, u64::MAX] {
            let err = lifetime(huge).unwrap_err();
            assert!(err.to_string().contains("is not a token lifetime"), "{err}");
        }
        // A number too large for any integer type fails to decode, by name and place only.
        let text =
            r#"{"access_token":"secret-token-value","expires_in":"99999999999999999999999"}"#;
        assert!(serde_json::from_str::<TokenResponse>(text).is_err());
    }

    #[test]
    fn authorize_url_always_asks_for_default_and_joins_with_commas() {
        let config = OAuthConfig::with_login_base(
            "https://login.wrike.com",
            "cid",
            SecretString::from("s"),
            Some("https://hub.example/cb".into()),
        )
        .unwrap();
        let client = OAuthClient::new(config, reqwest::Client::new());
        let url = client.authorize_url(
            &[Scope::amReadOnlyAuditLog, Scope::Default],
            "xyz",
            Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        );
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(url.path(), "/oauth2/authorize/v4");
        assert_eq!(pairs["scope"], "Default,amReadOnlyAuditLog");
        assert_eq!(pairs["state"], "xyz");
        assert_eq!(pairs["response_type"], "code");
        assert_eq!(pairs["redirect_uri"], "https://hub.example/cb");
        // RFC 7636 appendix B's example.
        assert_eq!(
            pairs["code_challenge"],
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(pairs["code_challenge_method"], "S256");
    }
}
