//! What the user typed as a URL, turned into where to connect and which
//! namespace to join: as in the official client, the URL's path is the
//! namespace (`http://h:3000/admin` joins /admin over `/socket.io/`).

use url::Url;

/// Where the Engine.IO endpoint is, and the namespace the URL named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `http` or `https` (ws/wss are mapped; the scheme of each request is chosen per transport).
    pub secure: bool,
    pub host: String,
    pub port: u16,
    /// Query parameters from the URL, sent on every request.
    pub query: Vec<(String, String)>,
    /// The namespace named by the URL's path; "/" when there is none.
    pub namespace: String,
    /// The user typed no scheme (`localhost:3000`); it was read as http.
    pub scheme_guessed: bool,
}

impl Target {
    pub fn parse(input: &str) -> Result<Target, String> {
        let with_scheme = if input.contains("://") {
            input.to_string()
        } else {
            format!("http://{input}")
        };
        let url = Url::parse(&with_scheme).map_err(|e| format!("{input:?} is not a URL: {e}"))?;
        let secure = match url.scheme() {
            "http" | "ws" => false,
            "https" | "wss" => true,
            other => return Err(format!("{input:?}: scheme {other:?} is not http, https, ws or wss")),
        };
        let host = url
            .host_str()
            .ok_or_else(|| format!("{input:?} has no host"))?
            .to_string();
        let port = url.port_or_known_default().unwrap_or(if secure { 443 } else { 80 });
        let path = url.path().trim_end_matches('/');
        let namespace = if path.is_empty() {
            "/".to_string()
        } else {
            path.to_string()
        };
        let query = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Ok(Target {
            secure,
            host,
            port,
            query,
            namespace,
            scheme_guessed: !input.contains("://"),
        })
    }

    /// For a failed connection to a URL typed without a scheme.
    pub fn scheme_hint(&self, input: &str) -> Option<String> {
        self.scheme_guessed
            .then(|| format!("the URL has no scheme: did you mean http://{input} or https://{input}?"))
    }

    /// `host:port`, bracketing IPv6 literals, as error messages name it.
    pub fn authority(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The Engine.IO endpoint URL for a transport, with every query parameter.
    pub fn endpoint(&self, websocket: bool, path: &str, params: &[(&str, &str)], extra: &[(String, String)]) -> Url {
        let scheme = match (websocket, self.secure) {
            (false, false) => "http",
            (false, true) => "https",
            (true, false) => "ws",
            (true, true) => "wss",
        };
        let path = normalise_path(path);
        let base = format!("{scheme}://{}{path}", self.authority());
        let mut url = Url::parse(&base).unwrap_or_else(|_| Url::parse("http://invalid/").expect("static URL"));
        if !(self.query.is_empty() && extra.is_empty() && params.is_empty()) {
            let mut q = url.query_pairs_mut();
            for (k, v) in self.query.iter().chain(extra) {
                q.append_pair(k, v);
            }
            for (k, v) in params {
                q.append_pair(k, v);
            }
        }
        url
    }
}

/// The Engine.IO path keeps its leading and trailing slash (`/socket.io/`); the
/// Node server only answers under the prefix with the slash.
pub fn normalise_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        format!("/{trimmed}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_is_the_namespace() {
        let t = Target::parse("http://127.0.0.1:3000/admin?token=x").expect("valid");
        assert_eq!(t.namespace, "/admin");
        assert_eq!(t.port, 3000);
        assert_eq!(t.query, [("token".to_string(), "x".to_string())]);
        let url = t.endpoint(false, "/socket.io/", &[("EIO", "4"), ("transport", "polling")], &[]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:3000/socket.io/?token=x&EIO=4&transport=polling"
        );
    }

    #[test]
    fn schemes_and_defaults() {
        let t = Target::parse("wss://example.com").expect("valid");
        assert!(t.secure);
        assert_eq!(t.port, 443);
        assert_eq!(t.namespace, "/");
        assert_eq!(
            t.endpoint(true, "socket.io", &[], &[]).as_str(),
            "wss://example.com/socket.io/"
        );
        assert_eq!(Target::parse("localhost:3000").expect("bare").port, 3000);
        assert!(Target::parse("ftp://x").is_err());
        assert!(Target::parse("http://").is_err());
    }
}
