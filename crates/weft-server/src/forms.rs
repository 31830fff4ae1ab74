//! Form bodies of the web UI, with repeated fields kept (checkbox groups).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};

use crate::error::{ApiError, PageError};

pub struct FormData(Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = PageError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("unreadable form: {e}")))?;
        Ok(FormData(
            url::form_urlencoded::parse(&bytes).into_owned().collect(),
        ))
    }
}

impl FormData {
    /// The first value of `name`, trimmed (empty when absent).
    pub fn get(&self, name: &str) -> String {
        self.raw(name).trim().to_owned()
    }

    /// The first value of `name` exactly as sent (passwords, tokens).
    pub fn raw(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}
