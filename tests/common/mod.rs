//! Test harness: runs the real `kist` binary in a fresh store, as root and
//! rootless as the test user (see `each_mode`).
#![allow(dead_code)]

pub mod fixtures;
pub mod registry;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

pub const TEST_USER_ENV: &str = "KIST_TEST_USER";

/// The unprivileged user rootless scenarios run as.
#[derive(Clone, Debug)]
pub struct User {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    /// First host id of its /etc/subuid and /etc/subgid ranges.
    pub subuid: u32,
    pub subgid: u32,
}

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

fn sub_range(file: &str, name: &str, id: u32) -> Option<u32> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.trim().split(':').collect();
        (f.len() == 3
            && (f[0] == name || f[0] == id.to_string())
            && f[2].parse::<u32>().ok()? >= 65536)
            .then(|| f[1].parse().ok())
            .flatten()
    })
}

/// The test user: $KIST_TEST_USER or kisttest when running as root, the
/// current user otherwise. Panics when it is not set up.
pub fn test_user() -> &'static User {
    static USER: OnceLock<User> = OnceLock::new();
    USER.get_or_init(|| {
        let (name, uid, gid) = if is_root() {
            let name = std::env::var(TEST_USER_ENV).unwrap_or_else(|_| "kisttest".into());
            let u = nix::unistd::User::from_name(&name)
                .ok()
                .flatten()
                .unwrap_or_else(|| {
                    panic!("the test user {name} does not exist: run scripts/setup-test-user")
                });
            (name, u.uid.as_raw(), u.gid.as_raw())
        } else {
            let uid = nix::unistd::getuid();
            let name = nix::unistd::User::from_uid(uid)
                .ok()
                .flatten()
                .map(|u| u.name)
                .expect("the current user has no passwd entry");
            (name, uid.as_raw(), nix::unistd::getgid().as_raw())
        };
        let subuid = sub_range("/etc/subuid", &name, uid);
        let subgid = sub_range("/etc/subgid", &name, uid);
        let (Some(subuid), Some(subgid)) = (subuid, subgid) else {
            panic!(
                "the test user {name} has no 65536-id range in /etc/subuid and /etc/subgid: run scripts/setup-test-user"
            )
        };
        User {
            name,
            uid,
            gid,
            subuid,
            subgid,
        }
    })
}

/// A directory for this test process under /tmp, readable by everyone;
/// those of dead test processes are removed.
pub fn session_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Ok(rd) = std::fs::read_dir("/tmp") {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if let Some(pid) = name.strip_prefix("kist-tests-") {
                    let mine =
                        e.metadata().map(|m| m.uid()).ok() == Some(nix::unistd::geteuid().as_raw());
                    if !Path::new(&format!("/proc/{pid}")).exists() && (mine || is_root()) {
                        let _ = std::fs::remove_dir_all(e.path());
                    }
                }
            }
        }
        let dir = PathBuf::from(format!("/tmp/kist-tests-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        dir
    })
}

/// The kist binary, copied where the test user can execute it (/root is
/// 0700).
pub fn kist_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let src = PathBuf::from(env!("CARGO_BIN_EXE_kist"));
        if !is_root() {
            return src;
        }
        let dst = session_dir().join("kist");
        std::fs::copy(&src, &dst).expect("copy the kist binary");
        std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o755)).unwrap();
        dst
    })
}

/// Writes a fixture file (once per test process) into the session dir.
pub fn fixture(name: &str, build: impl FnOnce() -> Vec<u8>) -> PathBuf {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let path = session_dir().join("fixtures").join(name);
    if !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, build()).unwrap();
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// As real root.
    Root,
    /// As the test user, in kist's user namespace.
    Rootless,
}

/// One scenario's kist: its own store under a fresh directory in /tmp.
pub struct Kist {
    pub mode: Mode,
    /// The scenario directory (owned by the user kist runs as).
    pub dir: PathBuf,
    /// `--root` (or the default store when `default_root`).
    pub root: PathBuf,
    pub runroot: PathBuf,
    pub home: PathBuf,
    /// Don't pass --root/--runroot: kist uses its default under `home`.
    pub default_root: bool,
    pub uid: u32,
    pub gid: u32,
    /// Extra environment of every kist command (`set_env`).
    env: std::sync::Mutex<Vec<(String, std::ffi::OsString)>>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl Kist {
    pub fn new(mode: Mode) -> Kist {
        Kist::with(mode, false)
    }

    /// A store at kist's rootless default path ($HOME/.local/share/kist).
    pub fn with_default_root(mode: Mode) -> Kist {
        Kist::with(mode, true)
    }

    fn with(mode: Mode, default_root: bool) -> Kist {
        let (uid, gid) = match mode {
            Mode::Root => (0, 0),
            Mode::Rootless => {
                let u = test_user();
                (u.uid, u.gid)
            }
        };
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tag = match mode {
            Mode::Root => "root",
            Mode::Rootless => "user",
        };
        let dir = PathBuf::from(format!("/tmp/kist-t-{}-{n}-{tag}", std::process::id()));
        if dir.exists() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        let home = dir.join("home");
        let xdg = dir.join("xdg-run");
        for d in [&dir, &home, &xdg] {
            std::fs::create_dir_all(d).unwrap();
            nix::unistd::chown(
                d.as_path(),
                Some(nix::unistd::Uid::from_raw(uid)),
                Some(nix::unistd::Gid::from_raw(gid)),
            )
            .unwrap();
        }
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&xdg, std::fs::Permissions::from_mode(0o700)).unwrap();
        let root = if default_root {
            match mode {
                Mode::Root => PathBuf::from("/var/lib/kist"),
                Mode::Rootless => home.join(".local/share/kist"),
            }
        } else {
            dir.join("root")
        };
        Kist {
            mode,
            runroot: dir.join("run"),
            root,
            home,
            dir,
            default_root,
            uid,
            gid,
            env: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Sets an environment variable for every later kist command of this
    /// scenario (e.g. KIST_CONFIG, DOCKER_CONFIG).
    pub fn set_env(&self, name: &str, value: impl AsRef<OsStr>) {
        let mut env = self.env.lock().unwrap();
        env.retain(|(n, _)| n != name);
        env.push((name.to_string(), value.as_ref().to_os_string()));
    }

    pub fn rootless(&self) -> bool {
        self.mode == Mode::Rootless
    }

    /// The command line for `kist ARGS` run as this scenario's user.
    pub fn command<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let bin = kist_bin();
        let mut c = if self.rootless() && is_root() {
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={}", self.uid))
                .arg(format!("--regid={}", self.gid))
                .arg("--init-groups")
                .arg("--")
                .arg(bin);
            c
        } else {
            Command::new(bin)
        };
        c.env_clear()
            .env("HOME", &self.home)
            .env(
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            )
            .env("XDG_RUNTIME_DIR", self.dir.join("xdg-run"))
            .env("LC_ALL", "C.UTF-8")
            .env(
                "USER",
                if self.rootless() {
                    &test_user().name
                } else {
                    "root"
                },
            )
            .current_dir(&self.dir);
        for (name, value) in self.env.lock().unwrap().iter() {
            c.env(name, value);
        }
        if !self.default_root {
            c.arg("--root")
                .arg(&self.root)
                .arg("--runroot")
                .arg(&self.runroot);
        }
        c.args(args);
        c
    }

    pub fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        self.command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run kist")
    }

    pub fn run_stdin<S: AsRef<OsStr>>(&self, args: &[S], input: &[u8]) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run kist");
        let mut stdin = child.stdin.take().unwrap();
        let data = input.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        out
    }

    fn describe<S: AsRef<OsStr>>(&self, args: &[S]) -> String {
        let a: Vec<String> = args
            .iter()
            .map(|s| s.as_ref().to_string_lossy().to_string())
            .collect();
        format!("[{:?}] kist {}", self.mode, a.join(" "))
    }

    fn check_ok<S: AsRef<OsStr>>(&self, args: &[S], out: Output) -> String {
        if !out.status.success() {
            panic!(
                "{} failed ({}):\nstdout:\n{}\nstderr:\n{}",
                self.describe(args),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        String::from_utf8(out.stdout).expect("stdout is UTF-8")
    }

    /// Runs kist, panics unless it succeeds, returns stdout.
    pub fn ok<S: AsRef<OsStr>>(&self, args: &[S]) -> String {
        let out = self.run(args);
        self.check_ok(args, out)
    }

    pub fn ok_stdin<S: AsRef<OsStr>>(&self, args: &[S], input: &[u8]) -> String {
        let out = self.run_stdin(args, input);
        self.check_ok(args, out)
    }

    /// Runs kist, panics if it succeeds; returns (exit code, stderr).
    pub fn fails<S: AsRef<OsStr>>(&self, args: &[S]) -> (i32, String) {
        let out = self.run(args);
        self.check_fails(args, out)
    }

    pub fn fails_stdin<S: AsRef<OsStr>>(&self, args: &[S], input: &[u8]) -> (i32, String) {
        let out = self.run_stdin(args, input);
        self.check_fails(args, out)
    }

    fn check_fails<S: AsRef<OsStr>>(&self, args: &[S], out: Output) -> (i32, String) {
        if out.status.success() {
            panic!(
                "{} succeeded but should fail:\nstdout:\n{}\nstderr:\n{}",
                self.describe(args),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    }

    /// Writes `data` to a file in the scenario dir, readable by its user.
    pub fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, data).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        path
    }

    /// A path in the scenario dir (for kist to write).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// `kist load -i PATH`; returns stdout.
    pub fn load(&self, path: &Path) -> String {
        self.ok(&[OsStr::new("load"), OsStr::new("-i"), path.as_os_str()])
    }

    /// The unpacked files of a layer in the store.
    pub fn layer_diff(&self, diff_id_hex: &str) -> PathBuf {
        self.root.join("layers").join(diff_id_hex).join("diff")
    }

    /// Names in ROOT/layers.
    pub fn layer_dirs(&self) -> BTreeSet<String> {
        list_dir(&self.root.join("layers"))
    }

    /// Names in ROOT/tmp (empty when kist is idle).
    pub fn tmp_entries(&self) -> BTreeSet<String> {
        list_dir(&self.root.join("tmp"))
    }

    pub fn assert_tmp_empty(&self) {
        let t = self.tmp_entries();
        assert!(
            t.is_empty(),
            "{:?}: ROOT/tmp is not empty: {t:?}",
            self.mode
        );
    }

    /// The host uid a file owned by `uid` in an image gets in the store.
    pub fn host_uid(&self, uid: u32) -> u32 {
        match self.mode {
            Mode::Root => uid,
            Mode::Rootless if uid == 0 => self.uid,
            Mode::Rootless => test_user().subuid + uid - 1,
        }
    }

    pub fn host_gid(&self, gid: u32) -> u32 {
        match self.mode {
            Mode::Root => gid,
            Mode::Rootless if gid == 0 => self.gid,
            Mode::Rootless => test_user().subgid + gid - 1,
        }
    }

    /// The xattr name of an opaque directory in this mode.
    pub fn opaque_xattr(&self) -> &'static str {
        match self.mode {
            Mode::Root => "trusted.overlay.opaque",
            Mode::Rootless => "user.overlay.opaque",
        }
    }

    /// `kist images --format {{.Repository}}:{{.Tag}} {{.ID}}`, sorted.
    pub fn image_list(&self) -> Vec<String> {
        let out = self.ok(&[
            "images",
            "-a",
            "--no-trunc",
            "--format",
            "{{.Repository}}:{{.Tag}} {{.ID}}",
        ]);
        let mut v: Vec<String> = out.lines().map(String::from).collect();
        v.sort();
        v
    }

    /// `kist inspect -f TEMPLATE IMAGE`, trimmed.
    pub fn inspect(&self, image: &str, template: &str) -> String {
        self.ok(&["image", "inspect", "-f", template, image])
            .trim()
            .to_string()
    }
}

/// What `lstat` says about a file in the store.
#[derive(Debug, Clone)]
pub struct Stat {
    uid: u32,
    gid: u32,
    mode: u32,
    mtime: i64,
    ino: u64,
    nlink: u64,
    rdev: u64,
    size: u64,
}

impl Stat {
    pub fn uid(&self) -> u32 {
        self.uid
    }
    pub fn gid(&self) -> u32 {
        self.gid
    }
    /// st_mode (type and permission bits).
    pub fn mode(&self) -> u32 {
        self.mode
    }
    pub fn mtime(&self) -> i64 {
        self.mtime
    }
    pub fn ino(&self) -> u64 {
        self.ino
    }
    pub fn nlink(&self) -> u64 {
        self.nlink
    }
    pub fn rdev(&self) -> u64 {
        self.rdev
    }
    pub fn len(&self) -> u64 {
        self.size
    }
    fn kind(&self) -> u32 {
        self.mode & nix::libc::S_IFMT
    }
    pub fn is_dir(&self) -> bool {
        self.kind() == nix::libc::S_IFDIR
    }
    pub fn is_file(&self) -> bool {
        self.kind() == nix::libc::S_IFREG
    }
    pub fn is_symlink(&self) -> bool {
        self.kind() == nix::libc::S_IFLNK
    }
    pub fn is_char_device(&self) -> bool {
        self.kind() == nix::libc::S_IFCHR
    }
    pub fn is_block_device(&self) -> bool {
        self.kind() == nix::libc::S_IFBLK
    }
    pub fn is_fifo(&self) -> bool {
        self.kind() == nix::libc::S_IFIFO
    }
}

impl Kist {
    /// lstat of a path in the store. A rootless test process may not be
    /// allowed to look into directories of subordinate ids: then the stat
    /// runs through `kist unshare` and its ids are mapped back to the host.
    pub fn lstat(&self, path: &Path) -> Stat {
        match std::fs::symlink_metadata(path) {
            Ok(m) => Stat {
                uid: m.uid(),
                gid: m.gid(),
                mode: m.mode(),
                mtime: m.mtime(),
                ino: m.ino(),
                nlink: m.nlink(),
                rdev: m.rdev(),
                size: m.len(),
            },
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && !is_root() => {
                let out = self.ok(&[
                    OsStr::new("unshare"),
                    OsStr::new("stat"),
                    OsStr::new("-c"),
                    OsStr::new("%u %g %f %Y %i %h %t %T %s"),
                    path.as_os_str(),
                ]);
                let f: Vec<&str> = out.split_whitespace().collect();
                let dec = |i: usize| f[i].parse::<u64>().unwrap();
                let hex = |i: usize| u64::from_str_radix(f[i], 16).unwrap();
                let u = test_user();
                let host = |inner: u64, own: u32, base: u32| {
                    if inner == 0 {
                        own
                    } else {
                        base + inner as u32 - 1
                    }
                };
                Stat {
                    uid: host(dec(0), u.uid, u.subuid),
                    gid: host(dec(1), u.gid, u.subgid),
                    mode: hex(2) as u32,
                    mtime: dec(3) as i64,
                    ino: dec(4),
                    nlink: dec(5),
                    rdev: nix::sys::stat::makedev(hex(6), hex(7)),
                    size: dec(8),
                }
            }
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }

    /// A file's content (through `kist unshare cat` when the rootless test
    /// process may not read it).
    pub fn read(&self, path: &Path) -> Vec<u8> {
        match std::fs::read(path) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && !is_root() => {
                let out = self.run(&[OsStr::new("unshare"), OsStr::new("cat"), path.as_os_str()]);
                assert!(out.status.success(), "cannot read {}", path.display());
                out.stdout
            }
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
}

impl Drop for Kist {
    fn drop(&mut self) {
        if self.default_root && self.mode == Mode::Root {
            return;
        }
        if !is_root() {
            // Files under subordinate ids can only go from inside the
            // user namespace.
            let _ = self
                .command(&[
                    OsStr::new("unshare"),
                    OsStr::new("rm"),
                    OsStr::new("-rf"),
                    self.dir.as_os_str(),
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn list_dir(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `scenario` as root and rootless as the test user when the tests
/// run as root; only rootless (as the current user) otherwise.
pub fn each_mode(scenario: impl Fn(&Kist)) {
    if is_root() {
        let user = test_user();
        println!("--- as root");
        scenario(&Kist::new(Mode::Root));
        println!("--- rootless as {}", user.name);
        scenario(&Kist::new(Mode::Rootless));
    } else {
        test_user();
        println!("--- rootless as the current user");
        scenario(&Kist::new(Mode::Rootless));
    }
}

/// Whether a host tool is installed; prints why a check is skipped if not.
pub fn have(tool: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false)
        || ["/usr/sbin", "/sbin", "/usr/bin"]
            .iter()
            .any(|d| Path::new(d).join(tool).is_file());
    if !found {
        println!("SKIPPED: {tool} is not installed (scripts/install-deps installs it)");
    }
    found
}

/// Reads an extended attribute of `path` itself (not following symlinks).
pub fn get_xattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let p = CString::new(path.as_os_str().as_bytes()).unwrap();
    let n = CString::new(name).unwrap();
    let mut buf = vec![0u8; 256];
    // SAFETY: both strings are NUL-terminated and buf is valid for its length.
    let len =
        unsafe { nix::libc::lgetxattr(p.as_ptr(), n.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if len < 0 {
        return None;
    }
    buf.truncate(len as usize);
    Some(buf)
}

/// Parses `kist inspect` output (a JSON array) and returns its only object.
pub fn inspect_json(k: &Kist, image: &str) -> serde_json::Value {
    let out = k.ok(&["image", "inspect", image]);
    let v: serde_json::Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("inspect output is not JSON ({e}):\n{out}"));
    let arr = v.as_array().expect("inspect prints a JSON array");
    assert_eq!(arr.len(), 1, "{out}");
    arr[0].clone()
}

/// The standard fixture images as files.
pub fn busybox_docker_archive() -> PathBuf {
    fixture("busybox-docker.tar", || {
        let img = fixtures::busybox();
        fixtures::DockerArchive::new(&img, &[fixtures::NAME]).build()
    })
}

pub fn busybox_oci_archive() -> PathBuf {
    fixture("busybox-oci.tar", || {
        let img = fixtures::busybox();
        fixtures::OciArchive::new(&img, Some("kist-test/busybox-oci:v1")).build()
    })
}
