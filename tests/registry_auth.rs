//! Registries that want credentials, as root and rootless: htpasswd (basic)
//! over TLS and token auth (the harness's token issuer); `login`
//! (--password-stdin, wrong passwords, docker's config.json under $HOME or
//! $DOCKER_CONFIG, --authfile, --get-login), `logout`, `--creds`, the 401
//! hint; and `search` over /v2/_catalog.

mod common;
mod registry_kit;

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use common::fixtures;
use common::registry::{self, seed_image, Auth, Registry, RegistryOpts};
use common::{each_mode, Kist};
use registry_kit::{assert_store_empty, fails_125, login, out, pull, tag, tls_args};

const ALICE_AUTH: &str = "YWxpY2U6c2VjcmV0LWE="; // base64("alice:secret-a")

fn json_file(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()))
}

/// docker's config.json of the scenario ($HOME/.docker).
fn docker_config(k: &Kist) -> std::path::PathBuf {
    k.home.join(".docker/config.json")
}

/// `kist ARGS` with `input` on stdin must fail with 125; returns stderr.
fn fails_stdin_125(k: &Kist, args: &[String], input: &str) -> String {
    let (code, err) = k.fails_stdin(args, input.as_bytes());
    assert_eq!(code, 125, "{:?}: {err}", k.mode);
    err
}

/// HEAD…, the TLS flags, TAIL….
fn args(head: &[&str], tls: &[String], tail: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = head.iter().map(|s| s.to_string()).collect();
    v.extend(tls.iter().cloned());
    v.extend(tail.iter().map(|s| s.to_string()));
    v
}

#[test]
fn htpasswd_tls_login_pull_push_logout() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts {
        tls: true,
        auth: Auth::htpasswd("alice", "secret-a"),
    });
    let img = fixtures::busybox();
    seed_image(&reg, "auth/bb", "v1", &img);
    let host = reg.host.clone();
    let tls = tls_args(&reg);
    each_mode(|k: &Kist| {
        let r = format!("{host}/auth/bb:v1");
        let cfg = docker_config(k);
        // Not logged in: 401 and the hint.
        let err = fails_125(k, &args(&["pull", "-q"], &tls, &[&r]));
        assert!(
            err.contains(&format!("authentication required by registry {host}")),
            "{err}"
        );
        assert!(err.contains(&format!("hint: kist login {host}")), "{err}");
        assert_store_empty(k, "after a 401");

        // A wrong password: refused, nothing written.
        let login_args = args(
            &["login", "-u", "alice", "--password-stdin"],
            &tls,
            &[&host],
        );
        let err = fails_stdin_125(k, &login_args, "wrong\n");
        assert!(
            err.contains(&format!(
                "cannot log in to {host}: wrong username or password"
            )),
            "{err}"
        );
        assert!(
            !cfg.exists(),
            "{:?}: a failed login wrote {}",
            k.mode,
            cfg.display()
        );

        // The right one: saved where docker keeps it.
        let (code, stdout, stderr) = {
            let o = k.run_stdin(&login_args, b"secret-a\n");
            (
                o.status.code(),
                String::from_utf8_lossy(&o.stdout).to_string(),
                String::from_utf8_lossy(&o.stderr).to_string(),
            )
        };
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(stdout, "Login Succeeded\n");
        assert!(
            stderr.contains(&format!("Credentials saved in {}", cfg.display())),
            "{stderr}"
        );
        let v = json_file(&cfg);
        assert_eq!(v["auths"][&host]["auth"], ALICE_AUTH, "{v}");
        let meta = std::fs::metadata(&cfg).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o600);
        assert_eq!(meta.uid(), k.uid);
        let who = k.ok(&["login", "--get-login", &host]);
        assert_eq!(who, "alice\n");

        // Logged in: pull and push.
        assert_eq!(pull(k, &reg, &r, &[]), img.id());
        let p = format!("{host}/auth-{}/pushed:v1", tag(k));
        k.ok(&["tag", &r, &p]);
        k.ok(&args(&["push", "-q"], &tls, &[&p]));
        assert!(!reg.tags(&format!("auth-{}/pushed", tag(k))).is_empty());

        // Logout: gone from the file; a second one has nothing to remove.
        let stdout = k.ok(&["logout", &host]);
        assert_eq!(stdout, format!("Removing login credentials for {host}\n"));
        let v = json_file(&cfg);
        assert!(v["auths"].get(&host).is_none(), "{v}");
        let err = fails_125(k, &["logout", &host]);
        assert!(err.contains(&format!("not logged in to {host}")), "{err}");
        let err = fails_125(k, &["login", "--get-login", &host]);
        assert!(err.contains("not logged in"), "{err}");
        k.ok(&["rmi", &r, &p]);
        fails_125(k, &args(&["pull", "-q"], &tls, &[&r]));

        // --creds instead of a login.
        let creds = |c: &str| args(&["pull", "-q", "--creds", c], &tls, &[&r]);
        let err = fails_125(k, &creds("alice:wrong"));
        assert!(
            err.contains("the registry refused the credentials"),
            "{err}"
        );
        assert!(err.contains(&format!("hint: kist login {host}")), "{err}");
        let err = fails_125(k, &creds(":secret-a"));
        assert!(err.contains("has no username"), "{err}");
        assert_store_empty(k, "after refused credentials");
        assert_eq!(k.ok(&creds("alice:secret-a")).trim(), img.id());
        assert!(!cfg.exists() || json_file(&cfg)["auths"].get(&host).is_none());
        let err = fails_125(
            k,
            &args(&["login", "--creds", "alice:secret-a"], &tls, &[&host]),
        );
        assert!(err.contains("does not take --creds"), "{err}");

        // -p works, with docker's warning.
        let o = k.run(&args(
            &["login", "-u", "alice", "-p", "secret-a"],
            &tls,
            &[&host],
        ));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{stderr}");
        assert!(
            stderr.contains("WARNING! Using --password via the CLI is insecure"),
            "{stderr}"
        );
        k.ok(&["logout", &host]);
    });
}

#[test]
fn token_auth() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts {
        tls: false,
        auth: Auth::token("bob", "secret-b"),
    });
    let img = fixtures::busybox();
    seed_image(&reg, "tok/bb", "v1", &img);
    let host = reg.host.clone();
    each_mode(|k: &Kist| {
        let r = format!("{host}/tok/bb:v1");
        let err = fails_125(k, &["pull", "-q", &r]);
        assert!(err.contains(&format!("hint: kist login {host}")), "{err}");
        let err = fails_125(k, &["pull", "-q", "--creds", "bob:wrong", &r]);
        assert!(err.contains("refused the credentials"), "{err}");
        assert_store_empty(k, "after refused tokens");

        reg.reset_requests();
        assert_eq!(
            k.ok(&["pull", "-q", "--creds", "bob:secret-b", &r]).trim(),
            img.id()
        );
        let log = reg.token_log();
        assert!(!log.is_empty());
        assert!(
            log.iter().all(|t| t.user.as_deref() == Some("bob")
                && t.status == 200
                && t.scopes == ["repository:tok/bb:pull".to_string()]),
            "{log:?}"
        );
        // One token for the whole pull.
        assert_eq!(log.len(), 1, "{log:?}");

        // login checks the password with the token service.
        let err = fails_stdin_125(
            k,
            &args(&["login", "-u", "bob", "--password-stdin", &host], &[], &[]),
            "nope\n",
        );
        assert!(err.contains("wrong username or password"), "{err}");
        assert_eq!(login(k, &reg, &[]), "Login Succeeded\n");

        // A push asks for pull,push; a push to a second repository also
        // for pull on the first (to mount from it).
        let a = format!("{host}/tok-{}/a:v1", tag(k));
        let b = format!("{host}/tok-{}/b:v1", tag(k));
        k.ok(&["tag", &r, &a]);
        k.ok(&["tag", &r, &b]);
        reg.reset_requests();
        k.ok(&["push", "-q", &a]);
        let scopes: Vec<Vec<String>> = reg.token_log().into_iter().map(|t| t.scopes).collect();
        assert!(
            scopes.contains(&vec![format!("repository:tok-{}/a:pull,push", tag(k))]),
            "{scopes:?}"
        );
        reg.reset_requests();
        k.ok(&["push", "-q", &b]);
        let mounted = reg
            .requests()
            .iter()
            .filter(|q| q.path.contains("mount=") && q.status == 201)
            .count();
        assert_eq!(mounted, 3, "{:#?}", reg.requests());
        // The mounts come from tok/bb (the pull) or from a (the push).
        let log = reg.token_log();
        let from = [
            "repository:tok/bb:pull".to_string(),
            format!("repository:tok-{}/a:pull", tag(k)),
        ];
        assert!(
            log.iter()
                .any(|t| t.scopes.iter().any(|s| from.contains(s))),
            "{log:?}"
        );
        // Parallel requests share a token: one request per scope set.
        let sets: Vec<Vec<String>> = log.into_iter().map(|t| t.scopes).collect();
        let distinct: std::collections::BTreeSet<_> = sets.iter().collect();
        assert_eq!(distinct.len(), sets.len(), "{sets:?}");
        k.ok(&["logout", &host]);
        let err = fails_125(k, &["push", "-q", &a]);
        assert!(err.contains("hint: kist login"), "{err}");
    });
}

#[test]
fn authfile_and_docker_config() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts {
        tls: false,
        auth: Auth::htpasswd("alice", "secret-a"),
    });
    let img = fixtures::busybox();
    seed_image(&reg, "file/bb", "v1", &img);
    let host = reg.host.clone();
    each_mode(|k: &Kist| {
        let r = format!("{host}/file/bb:v1");
        // --authfile: used alone, for writing and reading.
        let authfile = k.path("auth.json");
        let af = authfile.to_str().unwrap();
        let out_login = login(k, &reg, &["--authfile", af]);
        assert_eq!(out_login, "Login Succeeded\n");
        assert_eq!(json_file(&authfile)["auths"][&host]["auth"], ALICE_AUTH);
        assert!(!docker_config(k).exists());
        fails_125(k, &["pull", "-q", &r]);
        assert_eq!(pull(k, &reg, &r, &["--authfile", af]), img.id());
        let who = k.ok(&["login", "--get-login", "--authfile", af, &host]);
        assert_eq!(who, "alice\n");
        k.ok(&["logout", "--authfile", af, &host]);
        assert!(json_file(&authfile)["auths"].get(&host).is_none());
        k.ok(&["rmi", &r]);

        // An existing config.json keeps its other keys and logins.
        let cfg = docker_config(k);
        std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
        std::fs::write(
            &cfg,
            r#"{"auths":{"other.example":{"auth":"eDp5"}},"psFormat":"table {{.ID}}"}"#,
        )
        .unwrap();
        chown_tree(k, &k.home.join(".docker"));
        login(k, &reg, &[]);
        let v = json_file(&cfg);
        assert_eq!(v["auths"][&host]["auth"], ALICE_AUTH, "{v}");
        assert_eq!(v["auths"]["other.example"]["auth"], "eDp5", "{v}");
        assert_eq!(v["psFormat"], "table {{.ID}}", "{v}");
        assert_eq!(pull(k, &reg, &r, &[]), img.id());
        k.ok(&["logout", &host]);
        assert_eq!(json_file(&cfg)["auths"]["other.example"]["auth"], "eDp5");
        k.ok(&["rmi", &r]);

        // $DOCKER_CONFIG moves it.
        let dc = k.path("docker-config");
        k.set_env("DOCKER_CONFIG", &dc);
        // (A password without a newline.)
        let stdout = k.ok_stdin(
            &["login", "-u", "alice", "--password-stdin", &host],
            b"secret-a",
        );
        assert_eq!(stdout, "Login Succeeded\n");
        assert_eq!(
            json_file(&dc.join("config.json"))["auths"][&host]["auth"],
            ALICE_AUTH
        );
        assert_eq!(pull(k, &reg, &r, &[]), img.id());
        k.ok(&["logout", &host]);
        let (code, _, _) = out(k, &["login", "--get-login", &host]);
        assert_eq!(code, 125);
    });
}

/// Gives a tree the test created to the scenario's user.
fn chown_tree(k: &Kist, dir: &Path) {
    for entry in [dir.to_path_buf()]
        .into_iter()
        .chain(std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()))
    {
        nix::unistd::chown(
            &entry,
            Some(nix::unistd::Uid::from_raw(k.uid)),
            Some(nix::unistd::Gid::from_raw(k.gid)),
        )
        .unwrap();
    }
}

#[test]
fn search_catalog() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let locked = Registry::start(RegistryOpts {
        tls: false,
        auth: Auth::htpasswd("alice", "secret-a"),
    });
    let small = fixtures::small("s", fixtures::CREATED);
    for repo in ["search/alpha", "search/beta", "other/alphabet", "zeta"] {
        seed_image(&reg, repo, "v1", &small);
    }
    seed_image(&locked, "locked/alpha", "v1", &small);
    let host = reg.host.clone();
    each_mode(|k: &Kist| {
        let names = |term: &str, extra: &[&str]| {
            let mut a = vec!["search", "--format", "{{.Name}}"];
            a.extend_from_slice(extra);
            a.push(term);
            k.ok(&a).lines().map(String::from).collect::<Vec<_>>()
        };
        assert_eq!(
            names(&format!("{host}/alpha"), &[]),
            [
                format!("{host}/other/alphabet"),
                format!("{host}/search/alpha")
            ]
        );
        assert_eq!(names(&format!("{host}/ALPHA"), &[]).len(), 2);
        assert_eq!(names(&format!("{host}/"), &[]).len(), 4);
        assert_eq!(names(&format!("{host}/"), &["--limit", "3"]).len(), 3);
        assert_eq!(names(&format!("{host}/a"), &["--limit=1"]).len(), 1);
        assert_eq!(
            names(&format!("{host}/nothing-like-it"), &[]),
            Vec::<String>::new()
        );

        let table = k.ok(&["search", &format!("{host}/beta")]);
        let rows: Vec<&str> = table.lines().collect();
        assert_eq!(
            rows[0].split_whitespace().collect::<Vec<_>>(),
            ["NAME", "DESCRIPTION", "STARS", "OFFICIAL"],
            "{table}"
        );
        assert_eq!(rows.len(), 2, "{table}");
        assert!(
            rows[1].starts_with(&format!("{host}/search/beta")),
            "{table}"
        );
        let j = k.ok(&["search", "--format", "{{json .}}", &format!("{host}/zeta")]);
        let v: serde_json::Value = serde_json::from_str(j.trim()).unwrap();
        assert_eq!(v["Name"], format!("{host}/zeta"), "{j}");
        assert_eq!(v["Index"], host.as_str(), "{j}");
        let err = fails_125(
            k,
            &["search", "--filter", "stars=many", &format!("{host}/a")],
        );
        assert!(err.contains("stars takes a number"), "{err}");

        // A registry with auth: the hint, then the login's catalog.
        let term = format!("{}/alpha", locked.host);
        let err = fails_125(k, &["search", &term]);
        assert!(
            err.contains(&format!("hint: kist login {}", locked.host)),
            "{err}"
        );
        login(k, &locked, &[]);
        assert_eq!(names(&term, &[]), [format!("{}/locked/alpha", locked.host)]);
        k.ok(&["logout", &locked.host]);
    });
}
