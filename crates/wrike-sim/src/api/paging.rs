//! Page tokens. A `nextPageToken` carries the whole query, so once a client sends one the
//! values of the other parameters are ignored, as Wrike's reference says. One of Wrike's help
//! articles says the original parameters must be sent again with the token, so a follow-up
//! that drops one it was first given is refused: a client proven here works either way.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::reply::ApiError;

/// Largest page served; bigger requests are clamped, so clients must follow tokens.
pub const MAX_PAGE_SIZE: usize = 1000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageToken {
    /// Account the listing belongs to.
    pub a: String,
    /// The listing's path, so a token cannot be replayed on another listing.
    pub p: String,
    /// The original parameters.
    pub q: Map<String, Value>,
    /// Page size.
    pub n: usize,
    /// Position: an offset, or a keyset cursor.
    pub c: Value,
}

impl PageToken {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("token json"))
    }

    /// The token a follow-up request (`request`) sends, for this account's listing at `path`.
    pub fn decode(
        text: &str,
        request: &crate::params::Params,
        account: &str,
        path: &str,
    ) -> Result<PageToken, ApiError> {
        let bad = || ApiError::invalid_parameter("nextPageToken", "unknown or expired page token");
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| bad())?;
        let token: PageToken = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if token.a != account || token.p != path {
            return Err(bad());
        }
        let dropped: Vec<&str> = token
            .q
            .keys()
            .map(String::as_str)
            .filter(|name| !request.has(name))
            .collect();
        if !dropped.is_empty() {
            return Err(ApiError::invalid_parameter(
                "nextPageToken",
                &format!(
                    "send the parameters of the first request again with the token; missing: {}",
                    dropped.join(", ")
                ),
            ));
        }
        Ok(token)
    }
}

/// Parses `pageSize`.
pub fn page_size(p: &crate::params::Params) -> Result<Option<usize>, ApiError> {
    match p.number("pageSize")? {
        None => Ok(None),
        Some(n) if n >= 1.0 && n.fract() == 0.0 => Ok(Some((n as usize).min(MAX_PAGE_SIZE))),
        Some(n) => Err(ApiError::invalid_parameter(
            "pageSize",
            &format!("must be a positive whole number, got {n}"),
        )),
    }
}

/// An offset-paged listing (tasks, approvals): where a request starts, and the answer for
/// its page.
pub struct OffsetPaging {
    /// The parameters to evaluate: the request's, or those its `nextPageToken` carries.
    pub params: crate::params::Params,
    /// `pageSize`; `None` for an unpaged listing.
    pub size: Option<usize>,
    offset: usize,
    account: String,
    path: String,
}

impl OffsetPaging {
    /// From a request to the listing at `path` of `account`.
    pub fn of(
        p: &crate::params::Params,
        account: &str,
        path: &str,
    ) -> Result<OffsetPaging, ApiError> {
        let (params, size, offset) = match p.text("nextPageToken") {
            Some(token) => {
                let token = PageToken::decode(&token, p, account, path)?;
                let offset = token.c.as_u64().unwrap_or(0) as usize;
                (
                    crate::params::Params::from_json(token.q),
                    Some(token.n),
                    offset,
                )
            }
            None => (p.clone(), page_size(p)?, 0),
        };
        Ok(OffsetPaging {
            params,
            size,
            offset,
            account: account.to_owned(),
            path: path.to_owned(),
        })
    }

    /// The answer: `kind`, this page of everything the listing matched (each shaped by
    /// `shape`), and when paged, `responseSize` (the total on the first page, 0 after) and the
    /// next page's token.
    pub fn answer<T>(
        &self,
        kind: &str,
        matched: &[T],
        shape: impl Fn(&T) -> serde_json::Value,
    ) -> crate::reply::ApiResult {
        use axum::response::IntoResponse;
        let total = matched.len();
        let end = self.size.map_or(total, |n| (self.offset + n).min(total));
        let page: Vec<serde_json::Value> = matched[self.offset.min(total)..end]
            .iter()
            .map(shape)
            .collect();
        let mut body = Map::new();
        body.insert("kind".into(), Value::from(kind));
        if let Some(size) = self.size {
            let shown = if self.offset == 0 { total } else { 0 };
            body.insert("responseSize".into(), Value::from(shown));
            if end < total {
                let token = PageToken {
                    a: self.account.clone(),
                    p: self.path.clone(),
                    q: self.params.to_map_without(&["pageSize", "nextPageToken"]),
                    n: size,
                    c: Value::from(end),
                };
                body.insert("nextPageToken".into(), Value::from(token.encode()));
            }
        }
        body.insert("data".into(), Value::Array(page));
        Ok(axum::Json(Value::Object(body)).into_response())
    }
}
