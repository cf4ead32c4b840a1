//! One HTTP session with one registry endpoint: scheme and TLS settings
//! decided once (a ping of `/v2/`), credentials, the challenge the
//! registry answered with, and bearer tokens cached per scope. Requests
//! that get a 401 fetch a token for their scope and are retried once.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use ureq::http::Response;
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};
use ureq::{Agent, Body};

use super::auth::{basic_header, parse_challenge, parse_token, token_url, Challenge};
use super::{RegistryError, MAX_MANIFEST};
use crate::image::spec;
use crate::store::Digest;

mod api;
mod tls;

use tls::tls_config;

type Result<T, E = RegistryError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// Plain HTTP allowed and TLS certificates not verified.
    pub insecure: bool,
    /// A directory with `*.crt` CAs and `*.cert`/`*.key` client pairs;
    /// `None`: the registry's directory under /etc/containers/certs.d,
    /// /etc/docker/certs.d and ~/.config/containers/certs.d.
    pub cert_dir: Option<PathBuf>,
    /// Username and secret.
    pub creds: Option<(String, String)>,
    pub timeout: Duration,
    pub home: Option<PathBuf>,
}

pub struct Session {
    /// The registry as named in references ("docker.io", "127.0.0.1:5000").
    pub registry: String,
    base: String,
    agent: Agent,
    creds: Option<(String, String)>,
    challenge: Mutex<Option<Challenge>>,
    tokens: Mutex<HashMap<String, String>>,
    /// Held while a token is fetched: parallel requests wanting the same
    /// scope wait for the first one's token instead of each asking.
    fetching: Mutex<()>,
    timeout: Duration,
}

/// A blob's body, from `offset` on.
pub struct BlobStream {
    pub reader: Box<dyn Read + Send>,
    /// Where the body starts: the requested offset, or 0 when the registry
    /// ignored the range.
    pub offset: u64,
}

pub enum Upload {
    /// The registry had the blob in the other repository and linked it.
    Mounted,
    /// An upload session's URL.
    Started(String),
}

enum Payload<'a> {
    None,
    Bytes(&'a [u8]),
}

#[derive(Clone, Copy, PartialEq)]
enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
}

impl Session {
    /// Opens a session: picks the scheme (https, or http for an insecure
    /// registry whose TLS fails) and learns how the registry authenticates.
    pub fn connect(registry: &str, opts: &SessionOptions) -> Result<Session> {
        let host = if registry == crate::image::reference::DEFAULT_DOMAIN {
            "registry-1.docker.io"
        } else {
            registry
        };
        let tls = tls_config(registry, opts)?;
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(opts.timeout))
            .timeout_recv_response(Some(opts.timeout))
            .timeout_per_read(Some(opts.timeout))
            .user_agent(format!("kist/{}", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build()
            .into();
        let mut session = Session {
            registry: registry.to_string(),
            base: format!("https://{host}"),
            agent,
            creds: opts.creds.clone(),
            challenge: Mutex::new(None),
            tokens: Mutex::new(HashMap::new()),
            fetching: Mutex::new(()),
            timeout: opts.timeout,
        };
        let resp = match session.ping() {
            Ok(r) => r,
            Err(e) if opts.insecure && !matches!(e, RegistryError::Timeout { .. }) => {
                session.base = format!("http://{host}");
                session.ping().map_err(|plain| match plain {
                    RegistryError::Unreachable { .. } => e,
                    other => other,
                })?
            }
            Err(e) => return Err(e),
        };
        match resp.status().as_u16() {
            200..=299 => {}
            401 => session.learn_challenge(&resp),
            code => {
                return Err(RegistryError::Protocol {
                    registry: registry.to_string(),
                    what: "GET /v2/".into(),
                    message: format!("unexpected HTTP status {code}; is this a registry?"),
                })
            }
        }
        Ok(session)
    }

    fn ping(&self) -> Result<Response<Body>> {
        let url = format!("{}/v2/", self.base);
        self.send(Method::Get, &url, &[], None, Payload::None)
            .map_err(|e| self.transport_error(e, "GET /v2/"))
    }

    fn learn_challenge(&self, resp: &Response<Body>) {
        let found = resp
            .headers()
            .get_all("www-authenticate")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(parse_challenge)
            .next();
        if let Some(c) = found {
            *self.challenge.lock().unwrap() = Some(c);
        }
    }

    pub fn scope_pull(repo: &str) -> String {
        format!("repository:{repo}:pull")
    }

    pub fn scope_push(repo: &str) -> String {
        format!("repository:{repo}:pull,push")
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v2/{path}", self.base)
    }

    /// Resolves an upload `Location` (absolute or relative).
    fn absolute(&self, location: &str) -> String {
        if location.starts_with("http://") || location.starts_with("https://") {
            location.to_string()
        } else {
            format!("{}{}", self.base, location)
        }
    }

    fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
        auth: Option<&str>,
        payload: Payload,
    ) -> Result<Response<Body>, ureq::Error> {
        macro_rules! with_headers {
            ($rb:expr) => {{
                let mut rb = $rb;
                for (k, v) in headers {
                    rb = rb.header(*k, v);
                }
                if let Some(a) = auth {
                    rb = rb.header("Authorization", a);
                }
                rb
            }};
        }
        let body = match payload {
            Payload::None => &[][..],
            Payload::Bytes(b) => b,
        };
        match method {
            Method::Get => with_headers!(self.agent.get(url)).call(),
            Method::Head => with_headers!(self.agent.head(url)).call(),
            Method::Post => with_headers!(self.agent.post(url)).send(body),
            Method::Put => with_headers!(self.agent.put(url)).send(body),
            Method::Patch => with_headers!(self.agent.patch(url)).send(body),
        }
    }

    /// Sends with authorization for `scopes`; on a 401, learns the
    /// challenge, gets a token and tries once more.
    fn call(
        &self,
        method: Method,
        url: &str,
        scopes: &[String],
        headers: &[(&str, String)],
        payload: Payload,
        what: &str,
    ) -> Result<Response<Body>> {
        let bytes = match payload {
            Payload::None => None,
            Payload::Bytes(b) => Some(b),
        };
        let again = || bytes.map_or(Payload::None, Payload::Bytes);
        let auth = self.authorization(scopes, false)?;
        let resp = self
            .send(method, url, headers, auth.as_deref(), again())
            .map_err(|e| self.transport_error(e, what))?;
        if resp.status().as_u16() != 401 {
            return Ok(resp);
        }
        self.learn_challenge(&resp);
        let Some(auth) = self.authorization(scopes, true)? else {
            return Ok(resp);
        };
        self.send(method, url, headers, Some(&auth), again())
            .map_err(|e| self.transport_error(e, what))
    }

    /// The Authorization header for these scopes, if the registry asked
    /// for one; `fresh` drops a cached token first.
    fn authorization(&self, scopes: &[String], fresh: bool) -> Result<Option<String>> {
        let challenge = self.challenge.lock().unwrap().clone();
        match challenge {
            None => Ok(None),
            Some(Challenge::Basic) => Ok(self.creds.as_ref().map(|(u, s)| basic_header(u, s))),
            Some(Challenge::Bearer { realm, service }) => {
                let key = scopes.join(" ");
                let cached = || self.tokens.lock().unwrap().get(&key).cloned();
                if let Some(t) = cached().filter(|_| !fresh) {
                    return Ok(Some(format!("Bearer {t}")));
                }
                let _one = self.fetching.lock().unwrap();
                if let Some(t) = cached().filter(|_| !fresh) {
                    return Ok(Some(format!("Bearer {t}")));
                }
                let token = self.fetch_token(&realm, service.as_deref(), scopes)?;
                self.tokens.lock().unwrap().insert(key, token.clone());
                Ok(Some(format!("Bearer {token}")))
            }
        }
    }

    fn fetch_token(&self, realm: &str, service: Option<&str>, scopes: &[String]) -> Result<String> {
        let url = token_url(realm, service, scopes);
        let basic = self.creds.as_ref().map(|(u, s)| basic_header(u, s));
        let what = format!("a token from {realm}");
        let resp = self
            .send(Method::Get, &url, &[], basic.as_deref(), Payload::None)
            .map_err(|e| self.transport_error(e, &what))?;
        let status = resp.status().as_u16();
        if status == 401 || status == 403 {
            return Err(RegistryError::Unauthorized {
                registry: self.registry.clone(),
                what: scopes.join(" "),
                detail: if self.creds.is_some() {
                    ": the token service refused the credentials (wrong username or password?)"
                        .into()
                } else {
                    String::new()
                },
            });
        }
        if !(200..300).contains(&status) {
            return Err(self.protocol(&what, format!("HTTP status {status}")));
        }
        let body = read_limited(resp, 1 << 20).map_err(|e| self.protocol(&what, e))?;
        parse_token(&body).ok_or_else(|| self.protocol(&what, "no token in the answer".into()))
    }

    fn protocol(&self, what: &str, message: String) -> RegistryError {
        RegistryError::Protocol {
            registry: self.registry.clone(),
            what: what.to_string(),
            message,
        }
    }

    fn transport_error(&self, e: ureq::Error, what: &str) -> RegistryError {
        let registry = self.registry.clone();
        match e {
            ureq::Error::Timeout(_) => RegistryError::Timeout {
                registry,
                what: what.to_string(),
                secs: self.timeout.as_secs(),
            },
            ureq::Error::Tls(m) => RegistryError::Tls {
                registry,
                reason: m.to_string(),
            },
            ureq::Error::Rustls(e) => RegistryError::Tls {
                registry,
                reason: e.to_string(),
            },
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                RegistryError::Timeout {
                    registry,
                    what: what.to_string(),
                    secs: self.timeout.as_secs(),
                }
            }
            // rustls reports a failed handshake (an unknown CA, a plain-HTTP
            // server) through the stream as InvalidData.
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                RegistryError::Tls {
                    registry,
                    reason: e.to_string(),
                }
            }
            other => RegistryError::Unreachable {
                registry,
                reason: other.to_string(),
            },
        }
    }

    /// The error for a non-success answer, with the registry's own words.
    fn status_error(
        &self,
        resp: Response<Body>,
        what: &str,
        action: &'static str,
    ) -> RegistryError {
        let status = resp.status().as_u16();
        let body = read_limited(resp, 64 << 10).unwrap_or_default();
        let detail = registry_message(&body)
            .map(|m| format!(" ({m})"))
            .unwrap_or_default();
        let registry = self.registry.clone();
        let what = what.to_string();
        match status {
            401 => RegistryError::Unauthorized {
                registry,
                what,
                detail: match &self.creds {
                    Some(_) => format!(
                        "{detail}: the registry refused the credentials (wrong username or password?)"
                    ),
                    None => detail,
                },
            },
            403 => RegistryError::Denied {
                registry,
                what,
                action,
                detail,
            },
            404 => RegistryError::NotFound {
                registry,
                what,
                detail,
            },
            _ => RegistryError::Protocol {
                registry,
                what,
                message: format!("HTTP status {status}{detail}"),
            },
        }
    }
}

fn read_limited(resp: Response<Body>, limit: u64) -> Result<Vec<u8>, String> {
    resp.into_body()
        .into_with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => format!("body over the limit of {limit} bytes"),
            other => other.to_string(),
        })
}

/// The first message of a distribution error body.
fn registry_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let e = v.get("errors")?.as_array()?.first()?;
    let code = e.get("code").and_then(|c| c.as_str()).unwrap_or_default();
    let msg = e
        .get("message")
        .and_then(|c| c.as_str())
        .unwrap_or_default();
    Some(
        format!("{code}: {msg}")
            .trim_matches([' ', ':'])
            .to_string(),
    )
}
