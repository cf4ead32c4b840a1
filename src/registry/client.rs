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

    /// A manifest or index: its bytes, media type and digest (computed).
    pub fn manifest(
        &self,
        repo: &str,
        reference: &str,
        what: &str,
    ) -> Result<(Vec<u8>, String, Digest)> {
        let accept = [
            spec::OCI_INDEX,
            spec::DOCKER_LIST,
            spec::OCI_MANIFEST,
            spec::DOCKER_MANIFEST,
        ]
        .join(", ");
        let url = self.url(&format!("{repo}/manifests/{reference}"));
        let resp = self.call(
            Method::Get,
            &url,
            &[Self::scope_pull(repo)],
            &[("Accept", accept)],
            Payload::None,
            what,
        )?;
        if !resp.status().is_success() {
            return Err(self.status_error(resp, what, "pull"));
        }
        if resp
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n > MAX_MANIFEST)
        {
            return Err(self.too_large(what));
        }
        let claimed = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Digest::parse(v.trim()));
        let media = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let body = read_limited(resp, MAX_MANIFEST).map_err(|e| {
            if e.contains("limit") {
                self.too_large(what)
            } else {
                self.protocol(what, e)
            }
        })?;
        let digest = Digest::of(&body);
        // The registry's own digest of what it sent (docker checks it too).
        if let Some(claimed) = claimed.filter(|c| *c != digest) {
            return Err(RegistryError::Mismatch {
                registry: self.registry.clone(),
                what: what.to_string(),
                expected: claimed.to_string(),
                actual: digest.to_string(),
            });
        }
        Ok((body, media, digest))
    }

    fn too_large(&self, what: &str) -> RegistryError {
        RegistryError::TooLarge {
            registry: self.registry.clone(),
            what: what.to_string(),
            limit: MAX_MANIFEST,
        }
    }

    /// A blob's bytes from `offset` on (HTTP Range when `offset` > 0).
    pub fn blob(&self, repo: &str, digest: &Digest, offset: u64, what: &str) -> Result<BlobStream> {
        let url = self.url(&format!("{repo}/blobs/{digest}"));
        let mut headers = Vec::new();
        if offset > 0 {
            headers.push(("Range", format!("bytes={offset}-")));
        }
        let resp = self.call(
            Method::Get,
            &url,
            &[Self::scope_pull(repo)],
            &headers,
            Payload::None,
            what,
        )?;
        let status = resp.status().as_u16();
        let offset = match status {
            206 => offset,
            200 => 0,
            416 if offset > 0 => return self.blob(repo, digest, 0, what),
            _ => return Err(self.status_error(resp, what, "pull")),
        };
        Ok(BlobStream {
            reader: Box::new(resp.into_body().into_reader()),
            offset,
        })
    }

    /// The blob's size when the repository has it.
    pub fn blob_exists(&self, repo: &str, digest: &Digest, push: bool) -> Result<Option<u64>> {
        let url = self.url(&format!("{repo}/blobs/{digest}"));
        let scope = if push {
            Self::scope_push(repo)
        } else {
            Self::scope_pull(repo)
        };
        let what = format!("blob {digest}");
        let resp = self.call(Method::Head, &url, &[scope], &[], Payload::None, &what)?;
        match resp.status().as_u16() {
            200..=299 => Ok(Some(
                resp.headers()
                    .get("content-length")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
            )),
            404 => Ok(None),
            _ => Err(self.status_error(resp, &what, "push to")),
        }
    }

    /// Starts an upload, or mounts the blob from `from` (another
    /// repository of this registry) when the registry can.
    pub fn start_upload(&self, repo: &str, mount: Option<(&Digest, &str)>) -> Result<Upload> {
        let mut url = self.url(&format!("{repo}/blobs/uploads/"));
        let mut scopes = vec![Self::scope_push(repo)];
        if let Some((digest, from)) = mount {
            url.push_str(&format!("?mount={digest}&from={from}"));
            scopes.push(Self::scope_pull(from));
        }
        let what = format!("an upload to {repo}");
        let resp = self.call(Method::Post, &url, &scopes, &[], Payload::Bytes(&[]), &what)?;
        match resp.status().as_u16() {
            201 if mount.is_some() => Ok(Upload::Mounted),
            202 | 201 => Ok(Upload::Started(self.location(&resp, &what)?)),
            _ => Err(self.status_error(resp, &what, "push to")),
        }
    }

    fn location(&self, resp: &Response<Body>, what: &str) -> Result<String> {
        resp.headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(|l| self.absolute(l))
            .ok_or_else(|| self.protocol(what, "no Location in the answer".into()))
    }

    /// Sends one chunk of an upload; returns the next upload URL.
    pub fn upload_chunk(
        &self,
        repo: &str,
        location: &str,
        offset: u64,
        data: &[u8],
    ) -> Result<String> {
        let what = format!("an upload to {repo}");
        let headers = [
            ("Content-Type", "application/octet-stream".to_string()),
            (
                "Content-Range",
                format!("{}-{}", offset, offset + data.len() as u64 - 1),
            ),
        ];
        let resp = self.call(
            Method::Patch,
            location,
            &[Self::scope_push(repo)],
            &headers,
            Payload::Bytes(data),
            &what,
        )?;
        if resp.status().as_u16() != 202 {
            return Err(self.status_error(resp, &what, "push to"));
        }
        self.location(&resp, &what)
    }

    /// Ends an upload, naming the blob's digest.
    pub fn finish_upload(&self, repo: &str, location: &str, digest: &Digest) -> Result<()> {
        let sep = if location.contains('?') { '&' } else { '?' };
        let url = format!("{location}{sep}digest={digest}");
        let what = format!("blob {digest}");
        let resp = self.call(
            Method::Put,
            &url,
            &[Self::scope_push(repo)],
            &[("Content-Type", "application/octet-stream".into())],
            Payload::Bytes(&[]),
            &what,
        )?;
        if !resp.status().is_success() {
            return Err(self.status_error(resp, &what, "push to"));
        }
        Ok(())
    }

    pub fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media: &str,
        body: &[u8],
    ) -> Result<()> {
        let url = self.url(&format!("{repo}/manifests/{reference}"));
        let what = format!("manifest {repo}:{reference}");
        let resp = self.call(
            Method::Put,
            &url,
            &[Self::scope_push(repo)],
            &[("Content-Type", media.to_string())],
            Payload::Bytes(body),
            &what,
        )?;
        if !resp.status().is_success() {
            return Err(self.status_error(resp, &what, "push to"));
        }
        Ok(())
    }

    /// A JSON document from the API (catalog, tag lists), with the next
    /// page's path from its `Link` header.
    pub fn get_json(
        &self,
        path: &str,
        scope: &str,
        what: &str,
    ) -> Result<(serde_json::Value, Option<String>)> {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else if path.starts_with("/v2/") {
            format!("{}{}", self.base, path)
        } else {
            self.url(path)
        };
        let scopes: Vec<String> = [scope]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
            .collect();
        let resp = self.call(Method::Get, &url, &scopes, &[], Payload::None, what)?;
        if !resp.status().is_success() {
            return Err(self.status_error(resp, what, "list"));
        }
        let next = resp
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .and_then(|l| l.split_once('<'))
            .and_then(|(_, rest)| rest.split_once('>'))
            .map(|(p, _)| p.to_string());
        let body = read_limited(resp, 16 << 20).map_err(|e| self.protocol(what, e))?;
        let value = serde_json::from_slice(&body)
            .map_err(|e| self.protocol(what, format!("invalid JSON: {e}")))?;
        Ok((value, next))
    }

    /// Checks the credentials: a request that needs authorization.
    pub fn check_login(&self) -> Result<()> {
        let resp = self.call(
            Method::Get,
            &self.url(""),
            &[],
            &[],
            Payload::None,
            "GET /v2/",
        )?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(self.status_error(resp, "login", "log in to"))
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

fn tls_config(registry: &str, opts: &SessionOptions) -> Result<TlsConfig> {
    let mut builder = TlsConfig::builder();
    if opts.insecure {
        builder = builder.disable_verification(true);
    }
    let dirs: Vec<PathBuf> = match &opts.cert_dir {
        Some(d) => vec![d.clone()],
        None => {
            let mut v = vec![
                Path::new("/etc/containers/certs.d").join(registry),
                Path::new("/etc/docker/certs.d").join(registry),
            ];
            if let Some(h) = &opts.home {
                v.push(h.join(".config/containers/certs.d").join(registry));
            }
            v
        }
    };
    let tls_err = |reason: String| RegistryError::Tls {
        registry: registry.to_string(),
        reason,
    };
    let mut extra: Vec<Certificate<'static>> = Vec::new();
    let mut client = None;
    for dir in &dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut names: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        names.sort();
        for path in names {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            let read = || {
                std::fs::read(&path)
                    .map_err(|e| tls_err(format!("cannot read {}: {e}", path.display())))
            };
            match ext {
                "crt" => extra.extend(pem_certs(&read()?)),
                "cert" => {
                    let key_path = path.with_extension("key");
                    let key = std::fs::read(&key_path).map_err(|e| {
                        tls_err(format!(
                            "client certificate {} has no readable key {}: {e}",
                            path.display(),
                            key_path.display()
                        ))
                    })?;
                    let key = PrivateKey::from_pem(&key)
                        .map_err(|e| tls_err(format!("invalid key {}: {e}", key_path.display())))?;
                    client = Some(ClientCert::new_with_certs(&pem_certs(&read()?), key));
                }
                _ => {}
            }
        }
    }
    if !extra.is_empty() {
        let mut roots = std::fs::read("/etc/ssl/certs/ca-certificates.crt")
            .map(|b| pem_certs(&b))
            .unwrap_or_default();
        roots.extend(extra);
        builder = builder.root_certs(RootCerts::new_with_certs(&roots));
    } else if let Ok(system) = std::fs::read("/etc/ssl/certs/ca-certificates.crt") {
        builder = builder.root_certs(RootCerts::new_with_certs(&pem_certs(&system)));
    }
    if client.is_some() {
        builder = builder.client_cert(client);
    }
    Ok(builder.build())
}

fn pem_certs(pem: &[u8]) -> Vec<Certificate<'static>> {
    ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect()
}
