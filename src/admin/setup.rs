//! How to reach an admin namespace, and what its first records say about that:
//! shared by `sio admin` and a script's `admin` line.

use std::time::Duration;

use serde_json::{Value, json};

use super::explain_refusal;
use super::model::Limits;
use crate::engine::{Options, normalise_namespace, target::Target};
use crate::record::{Body, Record};

/// The admin UI's credentials as given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Credentials {
    pub user: Option<String>,
    pub password: Option<String>,
    /// Another auth payload is in the options (`--auth`).
    pub auth_given: bool,
}

/// The engine's options and the admin namespace.
#[derive(Clone)]
pub struct Setup {
    pub options: Options,
    pub nsp: String,
    pub gave_credentials: bool,
    pub limits: Limits,
}

impl Setup {
    /// `options` connect to the server; the admin namespace is `nsp`, else the URL's own
    /// namespace when it names one, else `/admin`. A user and password become the admin
    /// UI's basic auth payload.
    pub fn new(
        mut options: Options,
        nsp: Option<&str>,
        credentials: &Credentials,
        limits: Limits,
    ) -> Result<Setup, String> {
        let target = Target::parse(&options.url)?;
        let nsp = match nsp {
            Some(n) => normalise_namespace(n),
            None if target.namespace != "/" => target.namespace.clone(),
            None => "/admin".to_string(),
        };
        options.namespaces = vec![nsp.clone()];
        if let (Some(user), Some(password)) = (&credentials.user, &credentials.password) {
            options.auth = Some(json!({"username": user, "password": password}));
        }
        Ok(Setup {
            options,
            nsp,
            gave_credentials: credentials.user.is_some() || credentials.auth_given,
            limits,
        })
    }
}

/// What a record means for the run: the admin namespace refused, or the connection is
/// gone for good. `None` when it goes on.
pub fn fatal(record: &Record, setup: &Setup) -> Option<String> {
    let Body::State(s) = &record.body else { return None };
    match s.state.as_str() {
        "namespace failed" if s.data.get("nsp").and_then(Value::as_str) == Some(setup.nsp.as_str()) => {
            let message = s
                .data
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| s.detail.clone())
                .unwrap_or_default();
            Some(explain_refusal(&setup.nsp, &message, setup.gave_credentials))
        }
        "closed" => Some(format!(
            "connection closed: {}",
            s.detail.as_deref().unwrap_or("no reason given")
        )),
        _ => None,
    }
}

/// Why no config came: the namespace answered, but it does not speak the Admin UI's events.
pub fn no_config(setup: &Setup, within: Duration) -> String {
    format!(
        "no Admin UI config from {} within {} s: the namespace exists but does not send the Admin UI's events \
         (is it the one instrument() serves? --admin-namespace)",
        setup.nsp,
        within.as_secs()
    )
}
