//! Real registries for the integration tests: Debian's `docker-registry`
//! (CNCF distribution 2.8) on 127.0.0.1, plain HTTP or TLS (a self-signed
//! CA made with the openssl CLI), anonymous, htpasswd (bcrypt) or token
//! auth (a small token issuer, tests/fixtures/token_issuer.py, on another
//! port), with its files in a fresh world-readable directory of the session
//! dir, so that kist can also run as the test user.
//!
//! Images are seeded without kist: with skopeo, or with plain distribution
//! API requests made through curl (`Registry::http`). Those requests show
//! up in `requests()` too (user agent `kist-test-harness`): call
//! `reset_requests()` after seeding to count only what comes next.
//!
//! distribution 2.8 quirks worth knowing:
//! - a manifest GET/HEAD whose Accept header does not name the OCI media
//!   type of an OCI manifest or index answers 404 MANIFEST_UNKNOWN;
//! - upload `Location`s are absolute URLs (http://127.0.0.1:PORT/v2/…);
//! - the access log line of a request is written just after its response,
//!   so `requests()` waits until the log stops growing.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::fixtures::{self, sha256_hex, Compress, Image, OciArchive};
use super::{have, session_dir};

/// `service` and `issuer` of the token mode, as the registry is configured.
pub const TOKEN_SERVICE: &str = "kist-test-registry";
pub const TOKEN_ISSUER: &str = "kist-test-token-issuer";
/// The realm of the htpasswd mode's Basic challenge.
pub const HTPASSWD_REALM: &str = "kist-test-registry";
/// The User-Agent of the harness's own requests.
pub const HARNESS_UA: &str = "kist-test-harness";

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/// Every manifest type, for an Accept header.
pub const ACCEPT_ALL: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    None,
    Htpasswd { user: String, password: String },
    Token { user: String, password: String },
}

impl Auth {
    pub fn htpasswd(user: &str, password: &str) -> Auth {
        Auth::Htpasswd {
            user: user.into(),
            password: password.into(),
        }
    }

    pub fn token(user: &str, password: &str) -> Auth {
        Auth::Token {
            user: user.into(),
            password: password.into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct RegistryOpts {
    pub tls: bool,
    pub auth: Auth,
}

impl Default for RegistryOpts {
    fn default() -> RegistryOpts {
        RegistryOpts::plain()
    }
}

impl RegistryOpts {
    /// Plain HTTP, anonymous.
    pub fn plain() -> RegistryOpts {
        RegistryOpts {
            tls: false,
            auth: Auth::None,
        }
    }

    /// TLS, anonymous.
    pub fn tls() -> RegistryOpts {
        RegistryOpts {
            tls: true,
            auth: Auth::None,
        }
    }
}

/// One line of the registry's access log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target as sent: path and query string
    /// (`/v2/a/blobs/uploads/?mount=sha256:…&from=b`).
    pub path: String,
    pub status: u16,
    pub user_agent: String,
}

/// One request to the token issuer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRequest {
    pub method: String,
    pub path: String,
    /// None when anonymous, `<denied>` for wrong credentials.
    pub user: Option<String>,
    /// `type:name:actions` as asked for.
    pub scopes: Vec<String>,
    pub status: u16,
}

/// An HTTP response (see `Registry::http`).
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    /// Names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("response is not JSON ({e}): {}", self.text()))
    }
}

/// A child process, killed and reaped when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct TokenIssuer {
    _proc: Proc,
    port: u16,
    request_log: PathBuf,
}

/// A running docker-registry; dropping it kills it (and its token issuer)
/// and removes its directory unless the test is failing.
pub struct Registry {
    /// `127.0.0.1:PORT`.
    pub host: String,
    /// Everything of this registry (config, log, storage, certificates),
    /// world-readable.
    pub dir: PathBuf,
    pub tls: bool,
    pub auth: Auth,
    proc: Proc,
    log: PathBuf,
    token: Option<TokenIssuer>,
    /// Byte offsets in the access log and token request log before which
    /// requests are forgotten (`reset_requests`).
    marks: Mutex<(u64, u64)>,
    /// Bearer tokens of the harness's own requests, by scope.
    tokens: Mutex<HashMap<String, String>>,
}

/// Whether everything the registry tests need is installed; prints what is
/// skipped if not.
pub fn available() -> bool {
    [
        "docker-registry",
        "skopeo",
        "openssl",
        "curl",
        "htpasswd",
        "python3",
    ]
    .iter()
    .all(|t| have(t))
}

fn mkdir(path: &Path) {
    std::fs::create_dir_all(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn write_file(path: &Path, data: &[u8]) {
    std::fs::write(path, data).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    if !out.status.success() {
        panic!(
            "{cmd:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

fn openssl(dir: &Path, args: &[&str]) {
    run(Command::new("openssl").args(args).current_dir(dir));
}

fn python3() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// Key material shared by every registry of this test process: a CA
/// (`ca.crt`, `ca.key`), a server certificate for 127.0.0.1 and localhost
/// signed by it (`server.crt`, `server.key`), and the token issuer's RSA
/// key with a self-signed certificate (`token.key`, `token.crt`).
fn keys() -> &'static Path {
    static KEYS: OnceLock<PathBuf> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = session_dir().join("registry-keys");
        let _ = std::fs::remove_dir_all(&dir);
        mkdir(&dir);
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
        let mut ca = vec!["req", "-x509", "-nodes", "-days", "3650"];
        ca.extend(ec);
        ca.extend([
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-subj",
            "/CN=kist test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        openssl(&dir, &ca);
        let mut csr = vec!["req", "-new", "-nodes"];
        csr.extend(ec);
        csr.extend([
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ]);
        openssl(&dir, &csr);
        write_file(
            &dir.join("server.ext"),
            b"basicConstraints=CA:FALSE\n\
              keyUsage=critical,digitalSignature,keyEncipherment\n\
              extendedKeyUsage=serverAuth\n\
              subjectAltName=IP:127.0.0.1,DNS:localhost\n",
        );
        openssl(
            &dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-set_serial",
                "2",
                "-days",
                "3650",
                "-extfile",
                "server.ext",
                "-out",
                "server.crt",
            ],
        );
        openssl(
            &dir,
            &[
                "req",
                "-x509",
                "-nodes",
                "-days",
                "3650",
                "-newkey",
                "rsa:2048",
                "-keyout",
                "token.key",
                "-out",
                "token.crt",
                "-subj",
                "/CN=kist test token issuer",
            ],
        );
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        dir
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Waits until the file stops growing (a log line may be written just
/// after the response it describes), returns its size.
fn settled_len(path: &Path) -> u64 {
    let len = || std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut last = len();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let now = len();
        if now == last || Instant::now() > deadline {
            return now;
        }
        last = now;
    }
}

fn read_from(path: &Path, offset: u64) -> String {
    let data = std::fs::read(path).unwrap_or_default();
    let from = (offset as usize).min(data.len());
    String::from_utf8_lossy(&data[from..]).to_string()
}

/// Parses a combined-log-format line:
/// `127.0.0.1 - - [23/Nov/2026:10:41:10 +0000] "GET /v2/ HTTP/1.1" 200 2 "" "curl/7.88.1"`.
pub fn parse_access_line(line: &str) -> Option<Request> {
    let (_, rest) = line.split_once("] \"")?;
    let (request, rest) = rest.split_once("\" ")?;
    let mut r = request.split(' ');
    let (method, path, proto) = (r.next()?, r.next()?, r.next()?);
    if !proto.starts_with("HTTP/") || r.next().is_some() {
        return None;
    }
    let mut f = rest.splitn(3, ' ');
    let status = f.next()?.parse().ok()?;
    let _size = f.next()?;
    // "referer" "user agent"
    let quoted = f.next().unwrap_or("");
    let user_agent = quoted
        .rsplit_once(" \"")
        .map(|(_, ua)| ua.trim_end_matches('"').to_string())
        .unwrap_or_default();
    Some(Request {
        method: method.into(),
        path: path.into(),
        status,
        user_agent,
    })
}

/// The token scopes a harness request to `path` needs.
fn scopes_for(path: &str) -> Vec<String> {
    let (p, query) = path.split_once('?').unwrap_or((path, ""));
    if p.starts_with("/v2/_catalog") {
        return vec!["registry:catalog:*".into()];
    }
    let Some(rest) = p.strip_prefix("/v2/") else {
        return vec![];
    };
    let name = ["/manifests/", "/blobs/", "/tags/"]
        .iter()
        .filter_map(|m| rest.rfind(m).map(|i| &rest[..i]))
        .min_by_key(|n| n.len());
    let Some(name) = name else { return vec![] };
    let mut out = vec![format!("repository:{name}:pull,push")];
    for kv in query.split('&') {
        if let Some(from) = kv.strip_prefix("from=") {
            out.push(format!("repository:{from}:pull"));
        }
    }
    out
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl Registry {
    /// Starts a registry (see the module doc); panics with its log if it
    /// does not answer GET /v2/ within 30 seconds.
    pub fn start(opts: RegistryOpts) -> Registry {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = session_dir().join(format!("registry-{n}"));
        let _ = std::fs::remove_dir_all(&dir);
        mkdir(&dir);
        mkdir(&dir.join("storage"));
        mkdir(&dir.join("certs"));
        if opts.tls {
            let k = keys();
            std::fs::copy(k.join("ca.crt"), dir.join("certs/ca.crt")).unwrap();
            mkdir(&dir.join("tls"));
            for f in ["server.crt", "server.key"] {
                std::fs::copy(k.join(f), dir.join("tls").join(f)).unwrap();
            }
        }
        let auth_yaml = match &opts.auth {
            Auth::None => String::new(),
            Auth::Htpasswd { user, password } => {
                if !have("htpasswd") {
                    panic!("htpasswd is missing: scripts/install-deps installs apache2-utils");
                }
                let out = run(Command::new("htpasswd").args(["-Bbn", user, password]));
                let file = dir.join("htpasswd");
                write_file(&file, &out.stdout);
                format!(
                    "auth:\n  htpasswd:\n    realm: {HTPASSWD_REALM}\n    path: {}\n",
                    file.display()
                )
            }
            Auth::Token { .. } => String::new(),
        };
        let token = match &opts.auth {
            Auth::Token { user, password } => Some(start_token_issuer(&dir, user, password)),
            _ => None,
        };
        let auth_yaml = match &token {
            Some(t) => format!(
                "auth:\n  token:\n    realm: http://127.0.0.1:{}/token\n    service: {TOKEN_SERVICE}\n    issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
                t.port,
                keys().join("token.crt").display()
            ),
            None => auth_yaml,
        };
        let tls_yaml = if opts.tls {
            format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                dir.join("tls/server.crt").display(),
                dir.join("tls/server.key").display()
            )
        } else {
            String::new()
        };
        let log = dir.join("registry.log");
        // The port is free when picked but may be taken before the registry
        // binds it: then try another.
        for attempt in 0.. {
            let port = free_port();
            let config = format!(
                "version: 0.1\n\
                 log:\n  level: info\n  formatter: text\n  accesslog:\n    disabled: false\n\
                 storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n  \
                 maintenance:\n    uploadpurging:\n      enabled: false\n\
                 http:\n  addr: 127.0.0.1:{port}\n  secret: kist-test-secret\n{tls_yaml}\
                 {auth_yaml}",
                storage = dir.join("storage").display(),
            );
            let config_path = dir.join("config.yml");
            write_file(&config_path, config.as_bytes());
            let out = File::create(&log).unwrap();
            std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
            let mut child = Proc(
                Command::new("docker-registry")
                    .arg("serve")
                    .arg(&config_path)
                    .env_clear()
                    .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
                    .current_dir(&dir)
                    .stdin(Stdio::null())
                    .stdout(out.try_clone().unwrap())
                    .stderr(out)
                    .spawn()
                    .unwrap_or_else(|e| {
                        panic!("cannot run docker-registry ({e}): scripts/install-deps installs it")
                    }),
            );
            let host = format!("127.0.0.1:{port}");
            match wait_ready(&mut child.0, &host, &log, opts.tls, &dir.join("certs")) {
                Ok(()) => {
                    return Registry {
                        host,
                        dir,
                        tls: opts.tls,
                        auth: opts.auth,
                        proc: child,
                        log,
                        token,
                        marks: Mutex::new((0, 0)),
                        tokens: Mutex::new(HashMap::new()),
                    }
                }
                // Dropping `child` kills and reaps it.
                Err(msg) if msg.contains("address already in use") && attempt < 5 => continue,
                Err(msg) => panic!("docker-registry did not start: {msg}"),
            }
        }
        unreachable!()
    }

    pub fn scheme(&self) -> &'static str {
        if self.tls {
            "https"
        } else {
            "http"
        }
    }

    /// `http(s)://127.0.0.1:PORT` + path.
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme(), self.host)
    }

    /// A directory holding `ca.crt` (only with TLS), for `--cert-dir`.
    pub fn cert_dir(&self) -> PathBuf {
        self.dir.join("certs")
    }

    /// The user and password of the auth mode.
    pub fn creds(&self) -> Option<(String, String)> {
        match &self.auth {
            Auth::None => None,
            Auth::Htpasswd { user, password } | Auth::Token { user, password } => {
                Some((user.clone(), password.clone()))
            }
        }
    }

    /// The token issuer's URL (token mode).
    pub fn token_realm(&self) -> Option<String> {
        self.token
            .as_ref()
            .map(|t| format!("http://127.0.0.1:{}/token", t.port))
    }

    /// The whole registry log (its own lines and the access log).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn fail(&self, msg: &str) -> ! {
        panic!(
            "{msg}\nregistry {} log ({}), last lines:\n{}",
            self.host,
            self.log.display(),
            tail(&self.log, 30)
        )
    }

    /// The requests in the access log since the start (or the last
    /// `reset_requests`), oldest first.
    pub fn requests(&self) -> Vec<Request> {
        settled_len(&self.log);
        let from = self.marks.lock().unwrap().0;
        read_from(&self.log, from)
            .lines()
            .filter_map(parse_access_line)
            .collect()
    }

    /// How many requests with this method have a target containing
    /// `path_contains`.
    pub fn count(&self, method: &str, path_contains: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method && r.path.contains(path_contains))
            .count()
    }

    /// Forgets the requests so far (to the registry and to the token
    /// issuer), e.g. those of seeding.
    pub fn reset_requests(&self) {
        let a = settled_len(&self.log);
        let b = self
            .token
            .as_ref()
            .map(|t| settled_len(&t.request_log))
            .unwrap_or(0);
        *self.marks.lock().unwrap() = (a, b);
    }

    /// The requests to the token issuer since the start (or the last
    /// `reset_requests`); empty unless in token mode.
    pub fn token_log(&self) -> Vec<TokenRequest> {
        let Some(t) = &self.token else {
            return vec![];
        };
        let from = self.marks.lock().unwrap().1;
        settled_len(&t.request_log);
        read_from(&t.request_log, from)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                TokenRequest {
                    method: v["method"].as_str().unwrap_or("").into(),
                    path: v["path"].as_str().unwrap_or("").into(),
                    user: v["user"].as_str().map(String::from),
                    scopes: v["scopes"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|s| s.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default(),
                    status: v["status"].as_u64().unwrap_or(0) as u16,
                }
            })
            .collect()
    }

    /// How many token requests (see `token_log`).
    pub fn token_requests(&self) -> usize {
        self.token_log().len()
    }

    /// The file in the registry's storage holding a blob's data (it may not
    /// exist). Blobs are stored once for all repositories; `repo` only
    /// links them.
    pub fn blob_file(&self, repo: &str, digest: &str) -> PathBuf {
        let _ = repo;
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        assert!(
            hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
            "not a sha256 digest: {digest}"
        );
        self.dir
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// The link that makes a blob part of a repository (removing it makes
    /// the blob unknown there).
    pub fn layer_link(&self, repo: &str, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        self.dir
            .join("storage/docker/registry/v2/repositories")
            .join(repo)
            .join("_layers/sha256")
            .join(hex)
            .join("link")
    }

    // --- skopeo

    /// skopeo's flags for this registry: TLS verification or the cert dir,
    /// and the credentials. `prefix` is "" (inspect), "src-" or "dest-"
    /// (copy).
    pub fn skopeo_flags(&self, prefix: &str) -> Vec<String> {
        let mut v = if self.tls {
            vec![format!("--{prefix}cert-dir={}", self.cert_dir().display())]
        } else {
            vec![format!("--{prefix}tls-verify=false")]
        };
        match self.creds() {
            Some((u, p)) => v.push(format!("--{prefix}creds={u}:{p}")),
            None => v.push(format!("--{prefix}no-creds")),
        }
        v
    }

    /// Runs skopeo with no stored logins and no signature policy.
    pub fn skopeo(&self, args: &[String]) -> Output {
        Command::new("skopeo")
            .arg("--insecure-policy")
            .args(args)
            // A file that does not exist: no logins of the machine's users.
            .env("REGISTRY_AUTH_FILE", self.dir.join("no-auth.json"))
            .stdin(Stdio::null())
            .output()
            .expect("run skopeo")
    }

    /// `skopeo ARGS`; panics on failure, returns stdout.
    pub fn skopeo_ok(&self, args: &[String]) -> String {
        let out = self.skopeo(args);
        if !out.status.success() {
            self.fail(&format!(
                "skopeo {} failed ({}):\nstdout:\n{}\nstderr:\n{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// `skopeo copy SRC docker://HOST/DEST` (e.g. SRC = "oci-archive:/path").
    pub fn skopeo_copy(&self, src: &str, dest_repo_tag: &str) {
        let mut args = vec!["copy".to_string(), "--quiet".into()];
        args.extend(self.skopeo_flags("dest-"));
        args.push(src.into());
        args.push(format!("docker://{}/{dest_repo_tag}", self.host));
        self.skopeo_ok(&args);
    }

    /// `skopeo inspect [--raw] docker://HOST/REF` with this registry's
    /// flags; panics on failure.
    pub fn skopeo_inspect(&self, reference: &str, raw: bool) -> String {
        self.skopeo_ok(&self.skopeo_inspect_args(reference, raw, true))
    }

    /// The same, anonymous (`--no-creds`); returns the output, whether it
    /// failed or not.
    pub fn skopeo_inspect_anonymous(&self, reference: &str) -> Output {
        self.skopeo(&self.skopeo_inspect_args(reference, true, false))
    }

    fn skopeo_inspect_args(&self, reference: &str, raw: bool, creds: bool) -> Vec<String> {
        let mut args = vec!["inspect".to_string()];
        if raw {
            args.push("--raw".into());
        }
        for f in self.skopeo_flags("") {
            if creds || !f.starts_with("--creds") {
                args.push(f);
            }
        }
        if !creds && !args.iter().any(|a| a == "--no-creds") {
            args.push("--no-creds".into());
        }
        args.push(format!("docker://{}/{reference}", self.host));
        args
    }

    // --- HTTP

    /// One request through curl, authenticated as the configured user
    /// (Basic, or a Bearer token for the path's repository); `path` starts
    /// with `/v2/` or is an absolute URL (an upload Location).
    pub fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Response {
        let path = self.strip_origin(path);
        let bearer = match &self.auth {
            Auth::Token { .. } => Some(self.bearer(&scopes_for(&path))),
            _ => None,
        };
        self.curl(method, &path, headers, body, bearer.as_deref(), true)
            .unwrap_or_else(|e| self.fail(&e))
    }

    /// One request without credentials.
    pub fn http_anonymous(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Response {
        let path = self.strip_origin(path);
        self.curl(method, &path, headers, body, None, false)
            .unwrap_or_else(|e| self.fail(&e))
    }

    fn strip_origin(&self, path: &str) -> String {
        for scheme in ["http", "https"] {
            if let Some(p) = path.strip_prefix(&format!("{scheme}://{}", self.host)) {
                return p.to_string();
            }
        }
        path.to_string()
    }

    /// A token from the issuer for these scopes (cached).
    fn bearer(&self, scopes: &[String]) -> String {
        let key = scopes.join(" ");
        if let Some(t) = self.tokens.lock().unwrap().get(&key) {
            return t.clone();
        }
        let (user, password) = self.creds().unwrap();
        let mut url = format!(
            "{}?service={TOKEN_SERVICE}",
            self.token_realm().expect("token mode")
        );
        for s in scopes {
            url.push_str("&scope=");
            url.push_str(s);
        }
        let out = run(Command::new("curl").args([
            "-sS",
            "--fail",
            "--noproxy",
            "*",
            "-A",
            HARNESS_UA,
            "-u",
            &format!("{user}:{password}"),
            &url,
        ]));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("token JSON");
        let t = v["token"].as_str().expect("a token").to_string();
        self.tokens.lock().unwrap().insert(key, t.clone());
        t
    }

    fn curl(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        bearer: Option<&str>,
        basic: bool,
    ) -> Result<Response, String> {
        let mut c = Command::new("curl");
        c.args([
            "-sS",
            "--noproxy",
            "*",
            "--max-time",
            "120",
            "-A",
            HARNESS_UA,
        ]);
        c.args(["-H", "Expect:"]);
        if method == "HEAD" {
            c.arg("-I");
        } else {
            c.args(["-i", "-X", method]);
        }
        if self.tls {
            c.arg("--cacert").arg(self.cert_dir().join("ca.crt"));
        }
        if let Some(t) = bearer {
            c.args(["-H", &format!("Authorization: Bearer {t}")]);
        } else if basic {
            if let Auth::Htpasswd { user, password } = &self.auth {
                c.args(["-u", &format!("{user}:{password}")]);
            }
        }
        for (k, v) in headers {
            c.args(["-H", &format!("{k}: {v}")]);
        }
        if body.is_some() {
            c.args(["--data-binary", "@-"]);
        }
        c.arg(self.url(path));
        c.stdin(if body.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = c.spawn().map_err(|e| format!("curl: {e}"))?;
        let writer = body.map(|b| {
            let mut stdin = child.stdin.take().unwrap();
            let data = b.to_vec();
            std::thread::spawn(move || {
                let _ = stdin.write_all(&data);
            })
        });
        let out = child.wait_with_output().map_err(|e| format!("curl: {e}"))?;
        if let Some(w) = writer {
            let _ = w.join();
        }
        if !out.status.success() {
            return Err(format!(
                "curl {method} {path} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        parse_response(&out.stdout)
            .ok_or_else(|| format!("curl {method} {path}: cannot parse the response"))
    }

    /// Uploads a blob (unless the repository has it); returns its digest.
    pub fn push_blob(&self, repo: &str, data: &[u8]) -> String {
        let digest = format!("sha256:{}", sha256_hex(data));
        let head = self.http("HEAD", &format!("/v2/{repo}/blobs/{digest}"), &[], None);
        if head.status == 200 {
            return digest;
        }
        let start = self.http("POST", &format!("/v2/{repo}/blobs/uploads/"), &[], None);
        if start.status != 202 {
            self.fail(&format!(
                "POST /v2/{repo}/blobs/uploads/: {} {}",
                start.status,
                start.text()
            ));
        }
        let location = start
            .header("location")
            .expect("upload Location")
            .to_string();
        let sep = if location.contains('?') { '&' } else { '?' };
        let put = self.http(
            "PUT",
            &format!("{location}{sep}digest={digest}"),
            &[("Content-Type", "application/octet-stream")],
            Some(data),
        );
        if put.status != 201 {
            self.fail(&format!(
                "PUT blob {digest} to {repo}: {} {}",
                put.status,
                put.text()
            ));
        }
        digest
    }

    /// PUTs a manifest under a tag or digest; returns its digest.
    pub fn push_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        data: &[u8],
    ) -> String {
        let digest = format!("sha256:{}", sha256_hex(data));
        let r = self.http(
            "PUT",
            &format!("/v2/{repo}/manifests/{reference}"),
            &[("Content-Type", media_type)],
            Some(data),
        );
        if r.status != 201 {
            self.fail(&format!(
                "PUT manifest {repo}:{reference}: {} {}",
                r.status,
                r.text()
            ));
        }
        assert_eq!(
            r.header("docker-content-digest"),
            Some(digest.as_str()),
            "the registry's digest of the manifest"
        );
        digest
    }

    /// GETs a manifest with every manifest type accepted: (media type,
    /// bytes); panics unless 200.
    pub fn get_manifest(&self, repo: &str, reference: &str) -> (String, Vec<u8>) {
        let r = self.http(
            "GET",
            &format!("/v2/{repo}/manifests/{reference}"),
            &[("Accept", ACCEPT_ALL)],
            None,
        );
        if r.status != 200 {
            self.fail(&format!(
                "GET manifest {repo}:{reference}: {} {}",
                r.status,
                r.text()
            ));
        }
        (r.header("content-type").unwrap_or("").to_string(), r.body)
    }

    /// GETs a blob; panics unless 200.
    pub fn get_blob(&self, repo: &str, digest: &str) -> Vec<u8> {
        let r = self.http("GET", &format!("/v2/{repo}/blobs/{digest}"), &[], None);
        if r.status != 200 {
            self.fail(&format!(
                "GET blob {repo}@{digest}: {} {}",
                r.status,
                r.text()
            ));
        }
        r.body
    }

    /// The tags of a repository (empty when it is unknown).
    pub fn tags(&self, repo: &str) -> Vec<String> {
        let r = self.http("GET", &format!("/v2/{repo}/tags/list"), &[], None);
        if r.status != 200 {
            return vec![];
        }
        let mut v: Vec<String> = r.json()["tags"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }
}

fn parse_response(out: &[u8]) -> Option<Response> {
    let mut rest = out;
    loop {
        let end = rest.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&rest[..end]).to_string();
        let body = &rest[end + 4..];
        let mut lines = head.split("\r\n");
        let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        if (100..200).contains(&status) {
            rest = body;
            continue;
        }
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        return Some(Response {
            status,
            headers,
            body: body.to_vec(),
        });
    }
}

/// Waits until the registry answers GET /v2/ (200, or 401 with auth).
fn wait_ready(
    child: &mut Child,
    host: &str,
    log: &Path,
    tls: bool,
    cert_dir: &Path,
) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let addr: SocketAddr = host.parse().unwrap();
    let scheme = if tls { "https" } else { "http" };
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "it exited ({status}); log {}:\n{}",
                log.display(),
                tail(log, 40)
            ));
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            let mut c = Command::new("curl");
            c.args(["-sS", "--noproxy", "*", "-A", HARNESS_UA]);
            c.args(["-o", "/dev/null", "-w", "%{http_code}"]);
            if tls {
                c.arg("--cacert").arg(cert_dir.join("ca.crt"));
            }
            let out = c
                .arg(format!("{scheme}://{host}/v2/"))
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("curl: {e}"))?;
            let code = String::from_utf8_lossy(&out.stdout).to_string();
            match code.as_str() {
                "200" | "401" => return Ok(()),
                // Not listening yet: the probe's connect can succeed
                // without a listener (a TCP self-connect from an ephemeral
                // port equal to the registry's).
                "000" => {}
                _ => {
                    return Err(format!(
                        "GET /v2/ answered {code:?} ({}); log:\n{}",
                        String::from_utf8_lossy(&out.stderr).trim(),
                        tail(log, 40)
                    ))
                }
            }
        }
        if Instant::now() > deadline {
            return Err(format!(
                "no answer to GET /v2/ in 30 s; log {}:\n{}",
                log.display(),
                tail(log, 40)
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn start_token_issuer(dir: &Path, user: &str, password: &str) -> TokenIssuer {
    let tdir = dir.join("token");
    mkdir(&tdir);
    let port_file = tdir.join("port");
    let request_log = tdir.join("requests.log");
    write_file(&request_log, b"");
    let out = File::create(tdir.join("issuer.log")).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/token_issuer.py");
    let k = keys();
    let mut child = Command::new(python3())
        .arg(&script)
        .arg("--port-file")
        .arg(&port_file)
        .arg("--request-log")
        .arg(&request_log)
        .args(["--user", user, "--password", password])
        .args(["--issuer", TOKEN_ISSUER, "--service", TOKEN_SERVICE])
        .arg("--key")
        .arg(k.join("token.key"))
        .arg("--cert")
        .arg(k.join("token.crt"))
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python3()));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(p) = std::fs::read_to_string(&port_file) {
            if let Ok(port) = p.trim().parse() {
                return TokenIssuer {
                    _proc: Proc(child),
                    port,
                    request_log,
                };
            }
        }
        let exited = child.try_wait().ok().flatten();
        if exited.is_some() || Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the token issuer did not start ({exited:?}):\n{}",
                tail(&tdir.join("issuer.log"), 40)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.proc.0.kill();
        let _ = self.proc.0.wait();
        self.token = None;
        if std::thread::panicking() {
            eprintln!(
                "registry {} kept for inspection in {}",
                self.host,
                self.dir.display()
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

// --- seeding

/// Which manifest `seed_image_as` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManifestFormat {
    /// application/vnd.oci.image.manifest.v1+json, gzip layers.
    Oci,
    /// application/vnd.docker.distribution.manifest.v2+json, gzip layers.
    Docker,
}

/// Pushes `image` (gzip layers, OCI manifest) as REPO:TAG through the
/// distribution API; returns the manifest digest (`sha256:…`).
pub fn seed_image(reg: &Registry, repo: &str, tag: &str, image: &Image) -> String {
    seed_image_as(reg, repo, tag, image, ManifestFormat::Oci)
}

/// The manifest `seed_image_as` pushes for `image`, and its layer blobs.
pub fn image_manifest(image: &Image, format: ManifestFormat) -> (Vec<u8>, Vec<Vec<u8>>) {
    let (manifest, blobs) = OciArchive::new(image, None).manifest();
    let blobs: Vec<Vec<u8>> = blobs.into_iter().map(|(_, b)| b).collect();
    match format {
        ManifestFormat::Oci => (manifest, blobs),
        ManifestFormat::Docker => {
            let layers: Vec<serde_json::Value> = blobs
                .iter()
                .map(|b| {
                    serde_json::json!({
                        "mediaType": DOCKER_LAYER_GZIP,
                        "size": b.len(),
                        "digest": format!("sha256:{}", sha256_hex(b)),
                    })
                })
                .collect();
            let m = serde_json::json!({
                "schemaVersion": 2,
                "mediaType": DOCKER_MANIFEST,
                "config": {
                    "mediaType": DOCKER_CONFIG,
                    "size": image.config.len(),
                    "digest": image.full_id(),
                },
                "layers": layers,
            });
            (serde_json::to_vec_pretty(&m).unwrap(), blobs)
        }
    }
}

/// Pushes `image` with gzip layers and this manifest format as REPO:TAG;
/// returns the manifest digest.
pub fn seed_image_as(
    reg: &Registry,
    repo: &str,
    tag: &str,
    image: &Image,
    format: ManifestFormat,
) -> String {
    let (manifest, blobs) = image_manifest(image, format);
    for b in &blobs {
        reg.push_blob(repo, b);
    }
    reg.push_blob(repo, &image.config);
    let media = match format {
        ManifestFormat::Oci => OCI_MANIFEST,
        ManifestFormat::Docker => DOCKER_MANIFEST,
    };
    reg.push_manifest(repo, tag, media, &manifest)
}

/// What `seed_multiarch` pushed (digests are `sha256:…`).
#[derive(Clone)]
pub struct MultiArch {
    pub index_digest: String,
    pub amd64_manifest_digest: String,
    pub arm64_manifest_digest: String,
    pub amd64_config_digest: String,
    pub arm64_config_digest: String,
    /// linux/amd64: `fixtures::busybox()` (with architecture amd64).
    pub amd64: Image,
    /// linux/arm64/v8: the same layers, a config saying arm64, variant v8.
    pub arm64: Image,
}

/// `image` with its config's architecture (and variant) replaced.
pub fn with_platform(image: &Image, arch: &str, variant: Option<&str>) -> Image {
    let mut cfg: serde_json::Value = serde_json::from_slice(&image.config).unwrap();
    let obj = cfg.as_object_mut().unwrap();
    obj.insert("architecture".into(), arch.into());
    match variant {
        Some(v) => obj.insert("variant".into(), v.into()),
        None => obj.remove("variant"),
    };
    Image {
        layers: image.layers.clone(),
        config: serde_json::to_vec(&cfg).unwrap(),
    }
}

/// Two images (linux/amd64 and linux/arm64/v8, OCI manifests pushed by
/// digest) and an OCI image index of them as REPO:TAG. The index lists
/// arm64 first, so a client that takes the first entry gets the wrong one.
pub fn seed_multiarch(reg: &Registry, repo: &str, tag: &str) -> MultiArch {
    let base = fixtures::busybox();
    let amd64 = with_platform(&base, "amd64", None);
    let arm64 = with_platform(&base, "arm64", Some("v8"));
    let mut entries = Vec::new();
    let mut digests = Vec::new();
    for (img, platform) in [
        (
            &arm64,
            serde_json::json!({"architecture": "arm64", "os": "linux", "variant": "v8"}),
        ),
        (
            &amd64,
            serde_json::json!({"architecture": "amd64", "os": "linux"}),
        ),
    ] {
        let (manifest, _) = image_manifest(img, ManifestFormat::Oci);
        let digest = format!("sha256:{}", sha256_hex(&manifest));
        seed_image_as(reg, repo, &digest, img, ManifestFormat::Oci);
        entries.push(serde_json::json!({
            "mediaType": OCI_MANIFEST,
            "digest": digest,
            "size": manifest.len(),
            "platform": platform,
        }));
        digests.push(digest);
    }
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": entries,
    });
    let index_digest = reg.push_manifest(
        repo,
        tag,
        OCI_INDEX,
        &serde_json::to_vec_pretty(&index).unwrap(),
    );
    MultiArch {
        index_digest,
        arm64_manifest_digest: digests[0].clone(),
        amd64_manifest_digest: digests[1].clone(),
        amd64_config_digest: amd64.full_id(),
        arm64_config_digest: arm64.full_id(),
        amd64,
        arm64,
    }
}

/// `fixtures::busybox()` with zstd layers
/// (application/vnd.oci.image.layer.v1.tar+zstd) in an OCI manifest as
/// REPO:TAG; returns the manifest digest.
pub fn seed_zstd(reg: &Registry, repo: &str, tag: &str) -> String {
    let img = fixtures::busybox();
    let mut o = OciArchive::new(&img, None);
    o.compress = vec![Compress::Zstd; img.layers.len()];
    let (manifest, blobs) = o.manifest();
    for (_, b) in &blobs {
        reg.push_blob(repo, b);
    }
    reg.push_blob(repo, &img.config);
    reg.push_manifest(repo, tag, OCI_MANIFEST, &manifest)
}
