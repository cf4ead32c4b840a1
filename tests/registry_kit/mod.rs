//! What the kist-against-a-registry tests share (tests/registry*.rs): kist
//! commands with their exit code, store checks, login, and a tiny fake
//! registry (std::net) that serves crafted answers.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::fixtures::{self, sha256_hex};
use crate::common::registry::Registry;
use crate::common::{list_dir, Kist, Mode};

/// `kist ARGS`: (exit code, stdout, stderr).
pub fn out<S: AsRef<OsStr>>(k: &Kist, args: &[S]) -> (i32, String, String) {
    let o = k.run(args);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

/// Runs kist, which must fail with exit code 125; returns stderr.
pub fn fails_125<S: AsRef<OsStr>>(k: &Kist, args: &[S]) -> String {
    let (code, err) = k.fails(args);
    assert_eq!(
        code,
        125,
        "{:?}: exit code of kist {}: {err}",
        k.mode,
        join(args)
    );
    assert!(err.contains("Error: "), "{:?}: {err}", k.mode);
    err
}

pub fn join<S: AsRef<OsStr>>(args: &[S]) -> String {
    args.iter()
        .map(|a| a.as_ref().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs kist with a deadline: panics (after killing it) if it takes
/// longer. Returns its output and how long it took.
pub fn run_within<S: AsRef<OsStr>>(k: &Kist, args: &[S], limit: Duration) -> (Output, Duration) {
    let start = Instant::now();
    let mut child = k
        .command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kist");
    loop {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            return (out, start.elapsed());
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{:?}: kist {} still running after {limit:?}; stderr:\n{}",
                k.mode,
                join(args),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// "root" or "user": keeps the two modes' repositories apart.
pub fn tag(k: &Kist) -> &'static str {
    match k.mode {
        Mode::Root => "root",
        Mode::Rootless => "user",
    }
}

/// The registry flags of `reg` for kist: its CA with TLS.
pub fn tls_args(reg: &Registry) -> Vec<String> {
    if reg.tls {
        vec![format!("--cert-dir={}", reg.cert_dir().display())]
    } else {
        vec![]
    }
}

/// `kist pull -q [--cert-dir] REF EXTRA…`; returns the image ID (hex).
pub fn pull(k: &Kist, reg: &Registry, reference: &str, extra: &[&str]) -> String {
    let mut args = vec!["pull".to_string(), "-q".into()];
    args.extend(tls_args(reg));
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(reference.into());
    let id = k.ok(&args).trim().to_string();
    assert!(
        id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{:?}: pull printed {id:?}",
        k.mode
    );
    id
}

/// `kist login -u USER --password-stdin HOST` with the registry's
/// credentials; returns stdout.
pub fn login(k: &Kist, reg: &Registry, extra: &[&str]) -> String {
    let (user, password) = reg.creds().expect("a registry with auth");
    let mut args = vec![
        "login".to_string(),
        "-u".into(),
        user,
        "--password-stdin".into(),
    ];
    args.extend(tls_args(reg));
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(reg.host.clone());
    k.ok_stdin(&args, format!("{password}\n").as_bytes())
}

/// Loads the busybox fixture (kist-test/busybox:latest) and tags it REF.
pub fn load_busybox_as(k: &Kist, reference: &str) {
    k.load(&crate::common::busybox_docker_archive());
    k.ok(&["tag", fixtures::NAME, reference]);
}

/// `kist images` IDs (full hex), sorted and deduplicated.
pub fn image_ids(k: &Kist) -> BTreeSet<String> {
    k.ok(&["images", "-a", "-q", "--no-trunc"])
        .lines()
        .map(|l| l.trim().trim_start_matches("sha256:").to_string())
        .collect()
}

/// Nothing in the store: no image, no layer, no workspace, no kept
/// download.
pub fn assert_store_empty(k: &Kist, when: &str) {
    assert_eq!(k.image_list(), Vec::<String>::new(), "{:?} {when}", k.mode);
    assert!(
        k.layer_dirs().is_empty(),
        "{:?} {when}: layers {:?}",
        k.mode,
        k.layer_dirs()
    );
    k.assert_tmp_empty();
    let dl: BTreeSet<String> = downloads(k)
        .into_iter()
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    assert!(
        dl.is_empty(),
        "{:?} {when}: ROOT/downloads has {dl:?}",
        k.mode
    );
}

/// Names in ROOT/downloads.
pub fn downloads(k: &Kist) -> BTreeSet<String> {
    list_dir(&k.root.join("downloads"))
}

/// A port on 127.0.0.1 that nothing listens on.
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Every image the store lists has all its layers on disk.
pub fn assert_consistent(k: &Kist, when: &str) {
    for id in image_ids(k) {
        let layers = k.inspect(&id, "{{json .RootFS.Layers}}");
        let layers: Vec<String> = serde_json::from_str(&layers).unwrap();
        for l in layers {
            let hex = l.strip_prefix("sha256:").unwrap();
            assert!(
                k.root.join("layers").join(hex).join("layer.json").is_file(),
                "{:?} {when}: image {id} lists layer {hex}, which is not in the store",
                k.mode
            );
        }
    }
}

/// The diff_ids of an image in the store (hex).
pub fn layers_of(k: &Kist, image: &str) -> Vec<String> {
    let text = k.inspect(image, "{{json .RootFS.Layers}}");
    let v: Vec<String> = serde_json::from_str(&text).unwrap();
    v.into_iter()
        .map(|l| l.trim_start_matches("sha256:").to_string())
        .collect()
}

/// Checks that the image's files are those of `fixtures::busybox()`.
pub fn assert_busybox_files(k: &Kist, image: &str) {
    let img = fixtures::busybox();
    assert_eq!(layers_of(k, image), img.diff_ids(), "{:?}", k.mode);
    let bin = k.layer_diff(&img.diff_ids()[0]).join("bin/busybox");
    assert_eq!(
        sha256_hex(&k.read(&bin)),
        sha256_hex(&fixtures::busybox_bytes()),
        "{:?}",
        k.mode
    );
}

/// Writes a kist.toml with these lines into the scenario and points
/// $KIST_CONFIG at it.
pub fn config(k: &Kist, text: &str) -> PathBuf {
    let path = k.write("kist.toml", text.as_bytes());
    k.set_env("KIST_CONFIG", &path);
    path
}

/// A listener whose accept queue (backlog 0) is already full: a connect
/// to it gets no answer at all (its SYN is dropped), to check connect
/// timeouts. Keep the value alive while it is needed.
pub struct FullListener {
    pub host: String,
    _socket: std::os::fd::OwnedFd,
    _queued: TcpStream,
}

pub fn full_listener() -> FullListener {
    use nix::sys::socket::{
        bind, getsockname, listen, socket, AddressFamily, Backlog, SockFlag, SockType, SockaddrIn,
    };
    use std::os::fd::AsRawFd;
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::empty(),
        None,
    )
    .unwrap();
    bind(fd.as_raw_fd(), &SockaddrIn::new(127, 0, 0, 1, 0)).unwrap();
    listen(&fd, Backlog::new(0).unwrap()).unwrap();
    let addr: SockaddrIn = getsockname(fd.as_raw_fd()).unwrap();
    let host = format!("127.0.0.1:{}", addr.port());
    let sock: std::net::SocketAddr = host.parse().unwrap();
    let queued = TcpStream::connect_timeout(&sock, Duration::from_secs(5)).unwrap();
    assert!(
        TcpStream::connect_timeout(&sock, Duration::from_millis(300)).is_err(),
        "a connect to a full accept queue succeeded"
    );
    FullListener {
        host,
        _socket: fd,
        _queued: queued,
    }
}

// --- a fake registry

/// A request the fake registry got.
#[derive(Clone, Debug)]
pub struct FakeRequest {
    pub method: String,
    pub path: String,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
}

impl FakeRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the fake registry answers.
#[derive(Clone, Debug)]
pub struct FakeResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Send a `Content-Length` of this instead of the body's length.
    pub content_length: Option<u64>,
    /// Send no `Content-Length`: the body ends when the connection closes.
    pub no_length: bool,
    /// Send only this many bytes of the body, then stall (a minute).
    pub stall_after: Option<usize>,
}

impl FakeResponse {
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> FakeResponse {
        FakeResponse {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
            content_length: None,
            no_length: false,
            stall_after: None,
        }
    }

    pub fn json(status: u16, body: &str) -> FakeResponse {
        FakeResponse::new(status, "application/json", body.as_bytes().to_vec())
    }

    pub fn not_found() -> FakeResponse {
        FakeResponse::json(
            404,
            r#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#,
        )
    }
}

type Handler = dyn Fn(&FakeRequest) -> FakeResponse + Send + Sync;

/// An HTTP/1.1 server on 127.0.0.1 answering each request with
/// `handler(request)`, one connection per request.
pub struct FakeRegistry {
    pub host: String,
    requests: Arc<Mutex<Vec<FakeRequest>>>,
    stop: Arc<AtomicBool>,
}

impl FakeRegistry {
    pub fn start(handler: impl Fn(&FakeRequest) -> FakeResponse + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (reqs, halt) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let (h, r) = (handler.clone(), reqs.clone());
                std::thread::spawn(move || serve(conn, &*h, &r));
            }
        });
        FakeRegistry {
            host,
            requests,
            stop,
        }
    }

    pub fn requests(&self) -> Vec<FakeRequest> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for FakeRegistry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.host);
    }
}

fn serve(conn: TcpStream, handler: &Handler, log: &Mutex<Vec<FakeRequest>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or("").to_string(),
        parts.next().unwrap_or("").to_string(),
    );
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            if k == "content-length" {
                length = v.trim().parse().unwrap_or(0);
            }
            headers.push((k, v.trim().to_string()));
        }
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    let req = FakeRequest {
        method,
        path,
        headers,
    };
    log.lock().unwrap().push(req.clone());
    let resp = handler(&req);
    let mut head = format!("HTTP/1.1 {} X\r\n", resp.status);
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !resp.no_length {
        let len = resp.content_length.unwrap_or(resp.body.len() as u64);
        head.push_str(&format!("Content-Length: {len}\r\n"));
    }
    head.push_str("Docker-Distribution-API-Version: registry/2.0\r\nConnection: close\r\n\r\n");
    let mut conn = conn;
    let _ = conn.write_all(head.as_bytes());
    if req.method != "HEAD" {
        let n = resp
            .stall_after
            .unwrap_or(resp.body.len())
            .min(resp.body.len());
        let _ = conn.write_all(&resp.body[..n]);
        if resp.stall_after.is_some() {
            let _ = conn.flush();
            std::thread::sleep(Duration::from_secs(60));
        }
    }
    let _ = conn.flush();
    let _ = conn.shutdown(std::net::Shutdown::Both);
}
