//! Where API calls go: Wrike's data centers and the API base URL of each.

use url::Url;

use crate::error::WrikeError;

/// Wrike's data centers. A token only works on the data center of its account; any other
/// answers HTTP 300.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataCenter {
    /// `www.wrike.com` (US, the default).
    Us,
    /// `app-us2.wrike.com`.
    Us2,
    /// `app-eu.wrike.com`.
    Eu,
    /// Any other API base URL, e.g. the simulator's `http://127.0.0.1:PORT/api/v4`
    /// (checked: http or https).
    Custom(ApiBase),
}

impl DataCenter {
    /// Parses `us`, `us2`, `eu`, a bare host (`app-eu.wrike.com`) or a full URL.
    pub fn parse(text: &str) -> Result<DataCenter, WrikeError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "us" | "www" | "www.wrike.com" => Ok(DataCenter::Us),
            "us2" | "app-us2.wrike.com" => Ok(DataCenter::Us2),
            "eu" | "app-eu.wrike.com" => Ok(DataCenter::Eu),
            _ if text.contains("://") => ApiBase::from_url(text.trim()).map(DataCenter::Custom),
            _ => Err(WrikeError::Invalid(format!(
                "unknown data center {text:?}: expected us, us2, eu or an API URL like https://app-eu.wrike.com/api/v4"
            ))),
        }
    }

    /// The API base URL, ending in `/api/v4/`.
    pub fn api_base(&self) -> ApiBase {
        match self {
            DataCenter::Us => ApiBase::from_host("www.wrike.com", "https").expect("static host"),
            DataCenter::Us2 => {
                ApiBase::from_host("app-us2.wrike.com", "https").expect("static host")
            }
            DataCenter::Eu => ApiBase::from_host("app-eu.wrike.com", "https").expect("static host"),
            DataCenter::Custom(base) => base.clone(),
        }
    }
}

/// The base URL API paths are joined to (`https://www.wrike.com/api/v4/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBase(Url);

impl ApiBase {
    /// From the `host` of a token response. The scheme is that of the OAuth endpoint, so a
    /// simulator on `http://127.0.0.1:PORT` yields `http://HOST/api/v4/`.
    pub fn from_host(host: &str, scheme: &str) -> Result<ApiBase, WrikeError> {
        if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
            return Err(WrikeError::Invalid(format!(
                "token response host {host:?} is not a host name"
            )));
        }
        ApiBase::from_url(&format!("{scheme}://{host}/api/v4/"))
    }

    /// From a full URL (`https://app-eu.wrike.com/api/v4`); a missing `/api/v4` is added.
    pub fn from_url(text: &str) -> Result<ApiBase, WrikeError> {
        let mut url =
            Url::parse(text).map_err(|e| WrikeError::Invalid(format!("API URL {text:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WrikeError::Invalid(format!(
                "API URL {text:?} must be http or https"
            )));
        }
        let mut path = url.path().trim_end_matches('/').to_owned();
        if !path.ends_with("/api/v4") {
            path.push_str("/api/v4");
        }
        path.push('/');
        url.set_path(&path);
        url.set_query(None);
        Ok(ApiBase(url))
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The host (with port when not the default), as Wrike's token response names it.
    pub fn host(&self) -> String {
        match self.0.port() {
            Some(port) => format!("{}:{port}", self.0.host_str().unwrap_or_default()),
            None => self.0.host_str().unwrap_or_default().to_owned(),
        }
    }

    /// Joins an API path (`tasks/ID`) to the base.
    pub fn join(&self, path: &str) -> Result<Url, WrikeError> {
        self.0
            .join(path.trim_start_matches('/'))
            .map_err(|e| WrikeError::Invalid(format!("API path {path:?}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_centers_and_bases() {
        assert_eq!(
            DataCenter::parse("eu").unwrap().api_base().url().as_str(),
            "https://app-eu.wrike.com/api/v4/"
        );
        assert_eq!(
            DataCenter::parse("US").unwrap().api_base().host(),
            "www.wrike.com"
        );
        let custom = DataCenter::parse("http://127.0.0.1:8123")
            .unwrap()
            .api_base();
        assert_eq!(custom.url().as_str(), "http://127.0.0.1:8123/api/v4/");
        assert_eq!(custom.host(), "127.0.0.1:8123");
        assert_eq!(
            custom.join("tasks/A,B").unwrap().as_str(),
            "http://127.0.0.1:8123/api/v4/tasks/A,B"
        );
        assert!(DataCenter::parse("mars").is_err());
        let ftp = DataCenter::parse("ftp://www.wrike.com/api/v4").unwrap_err();
        assert!(ftp.to_string().contains("must be http or https"), "{ftp}");
        assert!(ApiBase::from_host("evil.com/x", "https").is_err());
        assert_eq!(
            ApiBase::from_host("app-eu.wrike.com", "https")
                .unwrap()
                .url()
                .as_str(),
            "https://app-eu.wrike.com/api/v4/"
        );
    }
}
