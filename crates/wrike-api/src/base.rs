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

    /// The URL of an API path (`tasks/ID`, `folders/ID/tasks`) under the base. The URL is
    /// built from the path's segments, each checked by `api_segments` and appended to the
    /// base's own path, so no path can name another host, port or scheme, or climb out of
    /// `/api/v4`.
    pub fn join(&self, path: &str) -> Result<Url, WrikeError> {
        let segments = api_segments(path)?;
        let mut url = self.0.clone();
        url.path_segments_mut()
            .map_err(|()| WrikeError::Invalid("the API base URL cannot have a path".into()))?
            .pop_if_empty()
            .extend(segments);
        debug_assert!(self.holds(&url));
        Ok(url)
    }

    /// True when `url` is on this base: same scheme, host and port, and a path under the
    /// base's. The client attaches its token to no other URL.
    pub fn holds(&self, url: &Url) -> bool {
        url.scheme() == self.0.scheme()
            && url.host() == self.0.host()
            && url.port_or_known_default() == self.0.port_or_known_default()
            && url.username().is_empty()
            && url.password().is_none()
            && url.path().starts_with(self.0.path())
    }
}

/// The segments of an API path, or why it is not one. A path is segments of letters,
/// digits and `-_.,=:~` between single slashes (a leading `/` is allowed); everything else
/// that could change where a request goes is refused and named: an absolute URL, a
/// backslash, percent-encoding (`%2e`, `%5c`...), a control character, a `.` or `..`
/// segment, an empty segment, a query or fragment, `@`, `;`, any non-ASCII character
/// (Unicode dots among them).
pub fn api_segments(path: &str) -> Result<Vec<&str>, WrikeError> {
    let refuse = |why: String| Err(WrikeError::Invalid(format!("API path {path:?}: {why}")));
    if path.contains("://") || path.starts_with("//") {
        return refuse("an absolute URL is not an API path".into());
    }
    if let Some(c) = path.chars().find(|c| c.is_control()) {
        return refuse(format!("control character {:?} is not allowed", c));
    }
    if path.contains('\\') {
        return refuse("a backslash is not allowed".into());
    }
    if let Some(at) = path.find('%') {
        let code = path.get(at..at + 3).unwrap_or(&path[at..]);
        return refuse(format!(
            "percent-encoding ({code}) is not allowed; write the characters themselves"
        ));
    }
    if let Some(c) = path.chars().find(|c| !c.is_ascii()) {
        return refuse(format!(
            "the non-ASCII character {c:?} (U+{:04X}) is not allowed",
            c as u32
        ));
    }
    for (c, why) in [
        ('?', "a query belongs in the parameters, not the path"),
        ('#', "a fragment is not allowed"),
        ('@', "@ is not allowed"),
        (';', "; is not allowed"),
    ] {
        if path.contains(c) {
            return refuse(why.into());
        }
    }
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    if trimmed.is_empty() {
        return refuse("the path is empty".into());
    }
    let segments: Vec<&str> = trimmed.split('/').collect();
    if segments[0].ends_with(':') {
        return refuse("an absolute URL is not an API path".into());
    }
    for (i, segment) in segments.iter().enumerate() {
        if segment.is_empty() {
            // A trailing slash is harmless; an empty segment inside is not a Wrike path.
            if i + 1 == segments.len() && i > 0 {
                continue;
            }
            return refuse("an empty segment (//) is not allowed".into());
        }
        if segment.chars().all(|c| c == '.') {
            return refuse(format!("the segment {segment:?} is not allowed"));
        }
        if let Some(c) = segment
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "-_.,=:~".contains(*c)))
        {
            return refuse(format!("the character {c:?} is not allowed"));
        }
    }
    Ok(segments.into_iter().filter(|s| !s.is_empty()).collect())
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
        assert_eq!(
            custom.join("/folders/F1/tasks").unwrap().as_str(),
            "http://127.0.0.1:8123/api/v4/folders/F1/tasks"
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

    /// Hostile paths: each is refused with its reason named, or stays on the base.
    #[test]
    fn hostile_paths_never_leave_the_base() {
        let base = DataCenter::parse("http://127.0.0.1:8123")
            .unwrap()
            .api_base();
        let refused = [
            (r"\\127.0.0.1:9/x", "backslash"),
            (r"http:\\127.0.0.1:9/x", "backslash"),
            (r"HTTP:\\127.0.0.1:9/x", "backslash"),
            ("http://127.0.0.1:9/x", "absolute URL"),
            ("HtTpS://evil.example/x", "absolute URL"),
            ("//127.0.0.1:9/x", "absolute URL"),
            ("/%2e%2e/%2e%2e/x", "percent-encoding (%2e)"),
            ("/%2E%2E/x", "percent-encoding (%2E)"),
            ("tasks/%5c%5c127.0.0.1", "percent-encoding (%5c)"),
            ("tasks/%2f", "percent-encoding"),
            ("../../x", "segment \"..\""),
            ("tasks/../../x", "segment \"..\""),
            ("tasks/./x", "segment \".\""),
            ("tasks\t/x", "control character"),
            ("tasks/\nHost: evil", "control character"),
            ("tasks\r\n", "control character"),
            ("@127.0.0.1:9/x", "@ is not allowed"),
            ("tasks@evil.example", "@ is not allowed"),
            ("tasks;jsessionid=1", "; is not allowed"),
            ("tasks?access_token=x", "query"),
            ("tasks#x", "fragment"),
            ("\u{ff0e}\u{ff0e}/x", "non-ASCII"),
            ("\u{3002}\u{3002}/x", "non-ASCII"),
            ("tasks/\u{2025}/x", "non-ASCII"),
            ("", "empty"),
            ("/", "empty"),
            ("tasks//x", "empty segment"),
            ("tasks/ x", "character ' '"),
        ];
        for (path, why) in refused {
            let err = base.join(path).expect_err(path).to_string();
            assert!(err.contains(why), "{path:?}: {err}");
        }
        for path in [
            "tasks",
            "/tasks/A,B",
            "folders/IEA-1_x=/tasks/",
            "a:b/c",
            "http:x",
        ] {
            let url = base.join(path).unwrap();
            assert!(base.holds(&url), "{url}");
        }
        let elsewhere = [
            "http://127.0.0.1:9/api/v4/tasks",
            "https://127.0.0.1:8123/api/v4/tasks",
            "http://127.0.0.2:8123/api/v4/tasks",
            "http://127.0.0.1:8123/api/v3/tasks",
            "http://u:p@127.0.0.1:8123/api/v4/tasks",
        ];
        for url in elsewhere {
            assert!(!base.holds(&Url::parse(url).unwrap()), "{url}");
        }
    }
}
