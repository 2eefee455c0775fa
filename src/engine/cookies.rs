//! A per-session cookie jar: cookies the server sets (sticky sessions behind a
//! load balancer, engine.io's `io` cookie) go back on every later polling
//! request and on the WebSocket upgrade.

/// Cookies by name, in the order first seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CookieJar {
    cookies: Vec<(String, String)>,
}

impl CookieJar {
    /// Starts from `--cookie` values such as `a=1; b=2`.
    pub fn from_user(values: &[String]) -> Result<CookieJar, String> {
        let mut jar = CookieJar::default();
        for value in values {
            for pair in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let (name, val) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("--cookie {value:?}: {pair:?} is not name=value"))?;
                jar.set(name.trim(), val.trim());
            }
        }
        Ok(jar)
    }

    fn set(&mut self, name: &str, value: &str) {
        match self.cookies.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.cookies.push((name.to_string(), value.to_string())),
        }
    }

    /// Applies one `Set-Cookie` header: name=value, deleted by `Max-Age<=0` or an empty value with expiry.
    pub fn apply_set_cookie(&mut self, header: &str) {
        let mut parts = header.split(';');
        let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            return;
        }
        let expired = parts.any(|attr| {
            let attr = attr.trim();
            attr.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("max-age") && v.trim().parse::<i64>().is_ok_and(|n| n <= 0)
            })
        });
        if expired {
            self.cookies.retain(|(n, _)| n != name);
        } else {
            self.set(name, value);
        }
    }

    /// The `Cookie` header value, if there is any cookie.
    pub fn header(&self) -> Option<String> {
        if self.cookies.is_empty() {
            return None;
        }
        Some(
            self.cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_cookie_updates_and_deletes() {
        let mut jar = CookieJar::from_user(&["a=1; b=2".into()]).expect("valid");
        jar.apply_set_cookie("io=abc; Path=/; HttpOnly; SameSite=Strict");
        jar.apply_set_cookie("a=9");
        assert_eq!(jar.header().as_deref(), Some("a=9; b=2; io=abc"));
        jar.apply_set_cookie("b=; Max-Age=0");
        assert_eq!(jar.header().as_deref(), Some("a=9; io=abc"));
        assert!(CookieJar::from_user(&["nope".into()]).is_err());
    }
}
