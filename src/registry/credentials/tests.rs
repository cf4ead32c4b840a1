use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// A fake helper keeping one file per server URL under `$0.d/`, and a
/// log of its calls; and one that always fails.
const HELPER: &str = r#"#!/bin/sh
store="$0.d"
mkdir -p "$store"
input=$(cat)
case "$1" in
store) url=$(printf %s "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p') ;;
*) url=$input ;;
esac
echo "$1 $url" >> "$store/log"
f="$store/$(printf %s "$url" | tr -c 'A-Za-z0-9.-' _)"
case "$1" in
get) if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
store) printf %s "$input" > "$f" ;;
erase) if [ -f "$f" ]; then rm "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
*) echo "unknown action $1" >&2; exit 2 ;;
esac
"#;

/// The helpers' directory, written once before any test runs one.
fn bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("kist-cred-bin-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        for (name, text) in [
            ("docker-credential-test", HELPER),
            ("docker-credential-other", HELPER),
            (
                "docker-credential-broken",
                "#!/bin/sh\necho \"the keyring is locked\" >&2\nexit 3\n",
            ),
        ] {
            let path = dir.join(name);
            fs::write(&path, text).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    })
}

/// A fresh home (with a runtime dir) whose helpers keep their data
/// apart from other tests': each gets its own copy of the bin dir.
struct Env {
    root: PathBuf,
    files: AuthFiles,
}

impl Env {
    fn new(tag: &str) -> Env {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let root = std::env::temp_dir().join(format!("kist-cred-{}-{tag}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("home")).unwrap();
        fs::create_dir_all(root.join("run")).unwrap();
        // Per-test helper stores: the helpers live in the shared bin
        // dir, so point them at a per-test copy through symlinks.
        let bin = root.join("bin");
        fs::create_dir_all(&bin).unwrap();
        for name in ["test", "other", "broken"] {
            let name = format!("docker-credential-{name}");
            std::os::unix::fs::symlink(bin_dir().join(&name), bin.join(&name)).unwrap();
        }
        let files = AuthFiles {
            search_path: Some(bin.into_os_string()),
            ..AuthFiles::new(None, Some(root.join("home")), Some(root.join("run")), None)
        };
        Env { root, files }
    }

    fn home(&self, rel: &str) -> PathBuf {
        self.root.join("home").join(rel)
    }

    fn docker(&self) -> PathBuf {
        self.home(".docker/config.json")
    }

    fn write(&self, path: &Path, json: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, json).unwrap();
    }

    fn read(&self, path: &Path) -> Value {
        serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
    }

    fn helper_log(&self, name: &str) -> String {
        fs::read_to_string(
            self.root
                .join(format!("bin/docker-credential-{name}.d/log")),
        )
        .unwrap_or_default()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn creds(user: &str, secret: &str) -> Credentials {
    Credentials {
        username: user.into(),
        secret: secret.into(),
    }
}

fn auth(user_pass: &str) -> String {
    super::super::base64::encode(user_pass.as_bytes())
}

#[test]
fn base64() {
    for (plain, encoded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("user:pass", "dXNlcjpwYXNz"),
        ("\u{ff}\u{fe}>?", "w7/Dvj4/"),
    ] {
        assert_eq!(super::super::base64::encode(plain.as_bytes()), encoded);
        assert_eq!(
            super::super::base64::decode(encoded).unwrap(),
            plain.as_bytes()
        );
    }
    assert_eq!(super::super::base64::decode("Zm8").unwrap(), b"fo");
    assert!(super::super::base64::decode("Z").is_none());
    assert!(super::super::base64::decode("Zm9v!").is_none());
    assert!(super::super::base64::decode("Zg==Zg==").is_none());
}

#[test]
fn docker_hub_and_url_keys() {
    let env = Env::new("keys");
    env.write(
        &env.docker(),
        &format!(
            r#"{{"auths": {{
                "https://index.docker.io/v1/": {{"auth": "{}"}},
                "https://reg.example.com:5000/v2/": {{"auth": "{}"}},
                "http://plain.example.com": {{"auth": "{}"}}
            }}}}"#,
            auth("hub:hubpass"),
            auth("reg:regpass\0\0"),
            auth("plain:p:with:colons"),
        ),
    );
    for name in [
        "docker.io",
        "index.docker.io",
        "registry-1.docker.io",
        "https://index.docker.io/v1/",
    ] {
        assert_eq!(
            env.files.get(name, None).unwrap(),
            Some(creds("hub", "hubpass")),
            "{name}"
        );
    }
    assert_eq!(
        env.files.get("reg.example.com:5000", Some("a/b")).unwrap(),
        Some(creds("reg", "regpass"))
    );
    assert_eq!(
        env.files.get("plain.example.com", None).unwrap(),
        Some(creds("plain", "p:with:colons"))
    );
    assert_eq!(env.files.get("reg.example.com", None).unwrap(), None);
    assert_eq!(env.files.get("quay.io", None).unwrap(), None);
}

#[test]
fn lookup_order() {
    let env = Env::new("order");
    let entry = |name: &str, user: &str| {
        format!(
            r#"{{"auths": {{"{name}": {{"auth": "{}"}}}}}}"#,
            auth(&format!("{user}:pw"))
        )
    };
    env.write(&env.docker(), &entry("r.io", "docker"));
    assert_eq!(
        env.files.get("r.io", None).unwrap().unwrap().username,
        "docker"
    );
    env.write(
        &env.home(".config/containers/auth.json"),
        &entry("r.io", "config"),
    );
    assert_eq!(
        env.files.get("r.io", None).unwrap().unwrap().username,
        "config"
    );
    env.write(
        &env.root.join("run/containers/auth.json"),
        &entry("r.io", "runtime"),
    );
    assert_eq!(
        env.files.get("r.io", None).unwrap().unwrap().username,
        "runtime"
    );
    // An empty entry or one without a password does not stop the search.
    env.write(
        &env.root.join("run/containers/auth.json"),
        &format!(
            r#"{{"auths": {{"r.io": {{}}, "other.io": {{"auth": "{}"}}}}}}"#,
            auth("u:")
        ),
    );
    assert_eq!(
        env.files.get("r.io", None).unwrap().unwrap().username,
        "config"
    );
    assert_eq!(env.files.get("other.io", None).unwrap(), None);
    // $DOCKER_CONFIG replaces ~/.docker.
    let dc = env.root.join("dc");
    env.write(&dc.join("config.json"), &entry("d.io", "dockerconfig"));
    env.write(&env.docker(), &entry("d.io", "dotdocker"));
    let files = AuthFiles::new(None, Some(env.home("")), None, Some(dc.clone()));
    assert_eq!(
        files.get("d.io", None).unwrap().unwrap().username,
        "dockerconfig"
    );
    // --authfile: only that file.
    let authfile = env.root.join("authfile.json");
    env.write(&authfile, &entry("x.io", "authfile"));
    let files = AuthFiles::new(Some(authfile), Some(env.home("")), None, Some(dc));
    assert_eq!(
        files.get("x.io", None).unwrap().unwrap().username,
        "authfile"
    );
    assert_eq!(files.get("d.io", None).unwrap(), None);
}

#[test]
fn namespaced_keys_and_tokens() {
    let env = Env::new("ns");
    env.write(
        &env.home(".config/containers/auth.json"),
        &format!(
            r#"{{"auths": {{
                "r.io": {{"auth": "{}"}},
                "r.io/team": {{"auth": "{}"}},
                "r.io/team/app": {{"auth": "{}"}},
                "tok.io": {{"auth": "{}", "identitytoken": "tok-123"}}
            }}}}"#,
            auth("registry:pw"),
            auth("team:pw"),
            auth("app:pw"),
            auth("someone:"),
        ),
    );
    let user = |repo: Option<&str>| env.files.get("r.io", repo).unwrap().unwrap().username;
    assert_eq!(user(Some("team/app")), "app");
    assert_eq!(user(Some("team/app/sub")), "app");
    assert_eq!(user(Some("team/other")), "team");
    assert_eq!(user(Some("teamwork/app")), "registry");
    assert_eq!(user(None), "registry");
    assert_eq!(
        env.files.get("tok.io", None).unwrap(),
        Some(creds("<token>", "tok-123"))
    );
}

#[test]
fn helpers_for_get() {
    let env = Env::new("get");
    // The helper knows docker hub under docker's key.
    let helper_dir = env.root.join("bin/docker-credential-test.d");
    fs::create_dir_all(&helper_dir).unwrap();
    fs::write(
        helper_dir.join("https___index.docker.io_v1_"),
        r#"{"ServerURL":"https://index.docker.io/v1/","Username":"hub","Secret":"s1"}"#,
    )
    .unwrap();
    fs::write(
        helper_dir.join("h.io"),
        r#"{"ServerURL":"h.io","Username":"<token>","Secret":"t"}"#,
    )
    .unwrap();
    env.write(
        &env.docker(),
        &format!(
            r#"{{"auths": {{"h.io": {{"auth": "{}"}}, "docker.io": {{}}}},
                "credHelpers": {{"h.io": "test", "bad.io": "broken", "gone.io": "missing"}},
                "credsStore": "test"}}"#,
            auth("stale:pw")
        ),
    );
    // credHelpers before auths; credsStore after them.
    assert_eq!(
        env.files.get("h.io", None).unwrap(),
        Some(creds("<token>", "t"))
    );
    assert_eq!(
        env.files.get("docker.io", None).unwrap(),
        Some(creds("hub", "s1"))
    );
    assert_eq!(env.files.get("nothing.io", None).unwrap(), None);
    assert_eq!(
        env.helper_log("test"),
        "get h.io\nget https://index.docker.io/v1/\nget nothing.io\n"
    );
    let e = env.files.get("bad.io", None).unwrap_err().to_string();
    assert_eq!(
        e,
        "credential helper docker-credential-broken failed to get credentials for bad.io: the keyring is locked"
    );
    let e = env.files.get("gone.io", None).unwrap_err().to_string();
    assert!(
        e.starts_with("credential helper docker-credential-missing (named in "),
        "{e}"
    );
    assert!(
        e.contains(".docker/config.json) is not in $PATH\nhint: "),
        "{e}"
    );
}

#[test]
fn malformed_files_name_themselves() {
    let env = Env::new("bad");
    let podman = env.home(".config/containers/auth.json");
    for text in [
        "{\"auths\": ",
        "[]",
        "{\"auths\": []}",
        "{\"auths\": {\"r.io\": \"x\"}}",
        "{\"credHelpers\": {\"r.io\": 1}}",
        "{\"credsStore\": true}",
        "{\"auths\": {\"r.io\": {\"auth\": \"%%%\"}}}",
        "{\"auths\": {\"r.io\": {\"auth\": 5}}}",
    ] {
        env.write(&podman, text);
        let e = env.files.get("r.io", None).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("invalid credentials file {}: ", podman.display())),
            "{text}: {e}"
        );
        assert!(e.contains("\nhint: "), "{e}");
    }
    // Never overwritten by store.
    env.write(&env.docker(), "{\"auths\": {");
    let e = env.files.store("r.io", &creds("u", "p")).unwrap_err();
    assert!(matches!(e, CredError::Malformed { .. }), "{e}");
    assert_eq!(fs::read_to_string(env.docker()).unwrap(), "{\"auths\": {");
    // An empty file is an empty one.
    env.write(&podman, "\n");
    env.write(&env.docker(), "");
    assert_eq!(env.files.get("r.io", None).unwrap(), None);
}

#[test]
fn store_in_docker_config() {
    let env = Env::new("store");
    let path = env
        .files
        .store("index.docker.io", &creds("hub", "pw"))
        .unwrap();
    assert_eq!(path, env.docker().display().to_string());
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&env.docker()), 0o600);
    assert_eq!(mode(&env.home(".docker")), 0o700);
    assert_eq!(
        env.read(&env.docker()),
        json!({"auths": {"https://index.docker.io/v1/": {"auth": auth("hub:pw")}}})
    );
    assert_eq!(
        env.files.get("docker.io", None).unwrap(),
        Some(creds("hub", "pw"))
    );
    // Other keys stay, in order; aliases of the registry go.
    env.write(
        &env.docker(),
        r#"{"psFormat": "table {{.ID}}", "auths": {"a.io": {"auth": "YTpi"}, "docker.io": {"auth": "eDp5"}, "docker.io/library/x": {}, "https://index.docker.io/v1/": {}}, "currentContext": "ctx"}"#,
    );
    env.files
        .store("docker.io", &creds("<token>", "tok"))
        .unwrap();
    let text = fs::read_to_string(env.docker()).unwrap();
    assert!(text.starts_with("{\n\t\"psFormat\""), "{text}");
    assert_eq!(
        env.read(&env.docker()),
        json!({
            "psFormat": "table {{.ID}}",
            "auths": {
                "a.io": {"auth": "YTpi"},
                "docker.io/library/x": {},
                "https://index.docker.io/v1/": {"auth": auth("<token>:"), "identitytoken": "tok"}
            },
            "currentContext": "ctx"
        })
    );
    let keys: Vec<String> = env.read(&env.docker())["auths"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        keys,
        ["a.io", "docker.io/library/x", "https://index.docker.io/v1/"]
    );
    assert_eq!(
        env.files.get("docker.io", None).unwrap(),
        Some(creds("<token>", "tok"))
    );
    assert_eq!(env.files.get("a.io", None).unwrap(), Some(creds("a", "b")));
    // No stray temporary files.
    assert_eq!(fs::read_dir(env.home(".docker")).unwrap().count(), 1);
}

#[test]
fn store_in_authfile_through_symlink() {
    let env = Env::new("authfile");
    let real = env.root.join("real/auth.json");
    env.write(&real, "{}");
    let link = env.root.join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let files = AuthFiles {
        authfile: Some(link.clone()),
        ..env.files.clone()
    };
    assert_eq!(
        files.store("https://r.io:5000/", &creds("u", "p")).unwrap(),
        link.display().to_string()
    );
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        env.read(&real),
        json!({"auths": {"r.io:5000": {"auth": auth("u:p")}}})
    );
    assert!(!env.docker().exists());
    // Podman's namespaced logins.
    files.store("r.io:5000/team", &creds("t", "p")).unwrap();
    assert_eq!(
        files.get("r.io:5000", Some("team/app")).unwrap(),
        Some(creds("t", "p"))
    );
    assert_eq!(
        files.get("r.io:5000", Some("solo/app")).unwrap(),
        Some(creds("u", "p"))
    );
    assert!(files.erase("r.io:5000/team").unwrap());
    assert_eq!(
        files.get("r.io:5000", Some("team/app")).unwrap(),
        Some(creds("u", "p"))
    );
    let no_home = AuthFiles::new(None, None, None, None);
    assert!(matches!(
        no_home.store("r.io", &creds("u", "p")),
        Err(CredError::NoHome)
    ));
}

#[test]
fn store_through_helpers() {
    let env = Env::new("helper-store");
    env.write(
        &env.docker(),
        &format!(
            r#"{{"auths": {{"s.io": {{"auth": "{}"}}}}, "credsStore": "test", "credHelpers": {{"o.io": "other", "b.io": "broken"}}}}"#,
            auth("old:pw")
        ),
    );
    let to = env.files.store("s.io", &creds("new", "pw2")).unwrap();
    assert_eq!(to, "credential helper docker-credential-test");
    // The stale plain-text entry became docker's marker.
    assert_eq!(env.read(&env.docker())["auths"]["s.io"], json!({}));
    assert_eq!(
        env.files.get("s.io", None).unwrap(),
        Some(creds("new", "pw2"))
    );
    assert_eq!(
        env.files.store("o.io", &creds("o", "p")).unwrap(),
        "credential helper docker-credential-other"
    );
    env.files.store("docker.io", &creds("hub", "p")).unwrap();
    assert_eq!(
        env.helper_log("test"),
        "store s.io\nget s.io\nstore https://index.docker.io/v1/\n"
    );
    assert_eq!(env.helper_log("other"), "store o.io\n");
    assert_eq!(
        env.files.get("docker.io", None).unwrap(),
        Some(creds("hub", "p"))
    );
    let e = env
        .files
        .store("b.io", &creds("u", "p"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "docker-credential-broken failed to store credentials for b.io: the keyring is locked"
        ),
        "{e}"
    );
    let e = env.files.store("s.io/ns", &creds("u", "p")).unwrap_err();
    assert!(matches!(e, CredError::Namespaced { .. }), "{e}");
}

#[test]
fn erase_everywhere() {
    let env = Env::new("erase");
    assert!(!env.files.erase("r.io").unwrap());
    env.write(
        &env.home(".config/containers/auth.json"),
        &format!(
            r#"{{"auths": {{"r.io": {{"auth": "{}"}}, "k.io": {{}}}}}}"#,
            auth("a:b")
        ),
    );
    env.write(
        &env.docker(),
        &format!(
            r#"{{"auths": {{"https://r.io/v1/": {{"auth": "{}"}}, "h.io": {{}}}}, "credHelpers": {{"h.io": "test"}}}}"#,
            auth("a:b")
        ),
    );
    assert!(env.files.erase("r.io").unwrap());
    assert_eq!(env.files.get("r.io", None).unwrap(), None);
    assert_eq!(
        env.read(&env.home(".config/containers/auth.json")),
        json!({"auths": {"k.io": {}}})
    );
    assert!(!env.files.erase("r.io").unwrap());
    // Through the helper.
    env.files.store("h.io", &creds("u", "p")).unwrap();
    assert_eq!(env.files.get("h.io", None).unwrap(), Some(creds("u", "p")));
    assert!(env.files.erase("h.io").unwrap());
    assert_eq!(env.files.get("h.io", None).unwrap(), None);
    assert_eq!(env.read(&env.docker())["auths"], json!({}));
    assert!(!env.files.erase("h.io").unwrap());
    assert!(env
        .helper_log("test")
        .ends_with("erase h.io\nget h.io\nerase h.io\n"));
}
