//! Registries: the harness (tests/common/registry.rs) checked with skopeo
//! and plain HTTP requests in every auth and TLS mode; then `kist pull`
//! against it, as root and rootless: plain HTTP, TLS (--tls-verify,
//! --cert-dir), a multi-arch index with and without --platform, zstd
//! layers, pull -a, manifest inspect, run/create --pull.
//! Push: tests/registry_push.rs; auth, login, search:
//! tests/registry_auth.rs; bad input: tests/registry_bad.rs; kill -9:
//! tests/registry_crash.rs.

mod common;
mod registry_kit;

use common::fixtures::{self, sha256_hex, OCI_LAYER_GZIP};
use common::registry::{
    self, seed_image, seed_image_as, seed_multiarch, seed_zstd, Auth, ManifestFormat, Registry,
    RegistryOpts, DOCKER_LAYER_GZIP, DOCKER_MANIFEST, HARNESS_UA, OCI_INDEX, OCI_MANIFEST,
};
use common::{each_mode, Kist};
use registry_kit::{
    assert_busybox_files, assert_consistent, assert_store_empty, closed_port, fails_125, image_ids,
    out, pull,
};

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}):\n{s}"))
}

/// Seeds with skopeo and through the API, checks with skopeo inspect,
/// anonymous access, the access log and the storage.
fn smoke(opts: RegistryOpts) {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(opts);
    let with_auth = reg.creds().is_some();
    let scheme = if reg.tls { "https" } else { "http" };
    assert!(reg
        .url("/v2/")
        .starts_with(&format!("{scheme}://127.0.0.1:")));
    assert_eq!(reg.cert_dir().join("ca.crt").exists(), reg.tls);

    let img = fixtures::busybox();
    let oci = format!(
        "sha256:{}",
        fixtures::OciArchive::new(&img, None).manifest_digest()
    );
    reg.skopeo_copy(
        &format!("oci-archive:{}", common::busybox_oci_archive().display()),
        "smoke/skopeo:v1",
    );
    let api = seed_image(&reg, "smoke/api", "v1", &img);
    assert_eq!(api, oci, "seed_image pushes OciArchive's manifest as is");
    let docker = seed_image_as(&reg, "smoke/docker", "v1", &img, ManifestFormat::Docker);

    for (repo, digest) in [("smoke/skopeo", None), ("smoke/api", Some(&api))] {
        let v = json(&reg.skopeo_inspect(&format!("{repo}:v1"), false));
        assert_eq!(v["Architecture"], fixtures::host_arch(), "{repo}: {v}");
        assert_eq!(v["Layers"].as_array().unwrap().len(), 3, "{repo}: {v}");
        assert_eq!(v["Labels"]["org.kist.test"], "yes", "{repo}: {v}");
        if let Some(d) = digest {
            assert_eq!(v["Digest"], d.as_str(), "{repo}: {v}");
        }
    }
    let raw = reg.skopeo_inspect("smoke/docker:v1", true);
    assert_eq!(format!("sha256:{}", sha256_hex(raw.as_bytes())), docker);
    let m = json(&raw);
    assert_eq!(m["mediaType"], DOCKER_MANIFEST);
    assert_eq!(m["layers"][0]["mediaType"], DOCKER_LAYER_GZIP);
    assert_eq!(m["config"]["digest"], img.full_id().as_str());
    let m = json(&reg.skopeo_inspect("smoke/api:v1", true));
    assert_eq!(m["mediaType"], OCI_MANIFEST);
    assert_eq!(m["layers"][2]["mediaType"], OCI_LAYER_GZIP);
    assert_eq!(reg.tags("smoke/api"), vec!["v1".to_string()]);

    // Anonymous access.
    let anon = reg.http_anonymous("GET", "/v2/", &[], None);
    assert_eq!(anon.status, if with_auth { 401 } else { 200 });
    let out = reg.skopeo_inspect_anonymous("smoke/api:v1");
    assert_eq!(
        out.status.success(),
        !with_auth,
        "anonymous skopeo inspect: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match &reg.auth {
        Auth::Htpasswd { .. } => {
            let h = anon.header("www-authenticate").unwrap();
            assert!(h.starts_with("Basic realm="), "{h}");
        }
        Auth::Token { .. } => {
            let h = anon.header("www-authenticate").unwrap();
            let realm = reg.token_realm().unwrap();
            assert!(h.starts_with(&format!("Bearer realm=\"{realm}\"")), "{h}");
            // skopeo got an anonymous token, which grants nothing.
            let log = reg.token_log();
            assert!(
                log.iter().any(|t| t.user.is_none() && t.status == 200),
                "{log:?}"
            );
        }
        Auth::None => {}
    }

    // The access log sees what comes after a reset, and only that.
    reg.reset_requests();
    assert_eq!(reg.requests(), vec![]);
    assert_eq!(reg.token_requests(), 0);
    reg.skopeo_inspect("smoke/api:v1", false);
    let reqs = reg.requests();
    println!("requests of skopeo inspect: {reqs:#?}");
    assert!(
        reqs.iter().any(|r| r.method == "GET"
            && r.path == "/v2/smoke/api/manifests/v1"
            && r.status == 200),
        "{reqs:#?}"
    );
    assert!(reqs.iter().all(|r| r.user_agent != HARNESS_UA), "{reqs:#?}");
    assert!(reg.count("GET", "/v2/smoke/api/manifests/v1") >= 1);
    assert_eq!(
        reg.count("GET", &format!("/v2/smoke/api/blobs/{}", img.full_id())),
        1,
        "{reqs:#?}"
    );
    assert_eq!(reg.count("PUT", "/v2/"), 0);
    if with_auth {
        assert!(
            reqs.iter().any(|r| r.path == "/v2/" && r.status == 401),
            "{reqs:#?}"
        );
    }
    match &reg.auth {
        Auth::Token { user, .. } => {
            let log = reg.token_log();
            assert!(reg.token_requests() >= 1, "{log:?}");
            assert!(
                log.iter().all(|t| t.user.as_ref() == Some(user)
                    && t.scopes == vec!["repository:smoke/api:pull".to_string()]),
                "{log:?}"
            );
        }
        _ => assert_eq!(reg.token_requests(), 0),
    }

    assert_eq!(reg.http("GET", "/v2/", &[], None).status, 200);

    // The storage.
    let cfg = reg.blob_file("smoke/api", &img.full_id());
    assert_eq!(std::fs::read(&cfg).unwrap(), img.config);
    let layer = m["layers"][0]["digest"].as_str().unwrap();
    assert_eq!(
        sha256_hex(&std::fs::read(reg.blob_file("smoke/api", layer)).unwrap()),
        layer.strip_prefix("sha256:").unwrap()
    );
    assert!(reg.layer_link("smoke/api", layer).exists());
    assert_eq!(reg.get_blob("smoke/api", &img.full_id()), img.config);
}

#[test]
fn registry_plain_http() {
    smoke(RegistryOpts::plain());
}

#[test]
fn registry_tls() {
    smoke(RegistryOpts::tls());
}

#[test]
fn registry_htpasswd() {
    smoke(RegistryOpts {
        tls: false,
        auth: Auth::htpasswd("alice", "secret-a"),
    });
}

#[test]
fn registry_tls_htpasswd() {
    smoke(RegistryOpts {
        tls: true,
        auth: Auth::htpasswd("alice", "secret-a"),
    });
}

#[test]
fn registry_token() {
    smoke(RegistryOpts {
        tls: false,
        auth: Auth::token("bob", "secret-b"),
    });
}

#[test]
fn registry_tls_token() {
    smoke(RegistryOpts {
        tls: true,
        auth: Auth::token("bob", "secret-b"),
    });
}

#[test]
fn registry_token_issuer_rules() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts {
        tls: false,
        auth: Auth::token("bob", "secret-b"),
    });
    let realm = reg.token_realm().unwrap();
    let token = |creds: Option<&str>| {
        let mut c = std::process::Command::new("curl");
        c.args(["-sS", "--noproxy", "*", "-o", "-", "-w", "\n%{http_code}"]);
        if let Some(c2) = creds {
            c.args(["-u", c2]);
        }
        let out = c
            .arg(format!(
                "{realm}?service={}&scope=repository:smoke/x:pull,push",
                registry::TOKEN_SERVICE
            ))
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let (body, code) = text.rsplit_once('\n').unwrap();
        (code.to_string(), body.to_string())
    };
    let (code, _) = token(Some("bob:wrong"));
    assert_eq!(code, "401");
    for (creds, access) in [(None, false), (Some("bob:secret-b"), true)] {
        let (code, body) = token(creds);
        assert_eq!(code, "200", "{body}");
        let v = json(&body);
        assert_eq!(v["token"], v["access_token"]);
        assert_eq!(v["expires_in"], 300);
        let t = v["token"].as_str().unwrap();
        let r = reg.http_anonymous(
            "GET",
            "/v2/smoke/x/tags/list",
            &[("Authorization", &format!("Bearer {t}"))],
            None,
        );
        // 404: authorized, the repository does not exist.
        assert_eq!(r.status, if access { 404 } else { 401 }, "{}", r.text());
    }
    let log = reg.token_log();
    assert_eq!(log.len(), 3, "{log:?}");
    assert_eq!(log[0].user.as_deref(), Some("<denied>"));
    assert_eq!(log[1].user, None);
    assert_eq!(log[2].user.as_deref(), Some("bob"));
    assert_eq!(
        log[2].scopes,
        vec!["repository:smoke/x:pull,push".to_string()]
    );
}

// --- kist pull

/// Blob GETs of a repository since the last reset.
fn blob_gets(reg: &Registry, repo: &str) -> usize {
    reg.count("GET", &format!("/v2/{repo}/blobs/"))
}

/// `kist image inspect -f '{{json FIELD}}'` as JSON.
fn inspect_field(k: &Kist, image: &str, field: &str) -> serde_json::Value {
    json(&k.inspect(image, &format!("{{{{json .{field}}}}}")))
}

fn has(list: &serde_json::Value, item: &str) -> bool {
    list.as_array()
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(item)))
}

#[test]
fn pull_plain_http() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let img = fixtures::busybox();
    reg.skopeo_copy(
        &format!("oci-archive:{}", common::busybox_oci_archive().display()),
        "pull/skopeo:v1",
    );
    let oci = seed_image(&reg, "pull/api", "v1", &img);
    let docker = seed_image_as(&reg, "pull/docker", "v1", &img, ManifestFormat::Docker);
    each_mode(|k: &Kist| {
        reg.reset_requests();
        let r = format!("{}/pull/api:v1", reg.host);
        let (code, stdout, stderr) = out(k, &["pull", &r]);
        assert_eq!(code, 0, "{:?}: {stderr}", k.mode);
        assert_eq!(stdout, format!("{}\n", img.id()));
        assert!(stderr.contains(&format!("Digest: {oci}")), "{stderr}");
        assert!(
            stderr.contains(&format!("Status: Downloaded newer image for {r}")),
            "{stderr}"
        );
        assert!(stderr.contains("Pull complete"), "{stderr}");
        assert_busybox_files(k, &r);
        assert!(has(&inspect_field(k, &r, "RepoTags"), &r));
        let repo_digest = format!("{}/pull/api@{oci}", reg.host);
        assert!(has(&inspect_field(k, &r, "RepoDigests"), &repo_digest));
        let reqs = reg.requests();
        assert_eq!(blob_gets(&reg, "pull/api"), 4, "{reqs:#?}");
        assert_eq!(reg.count("GET", "/v2/pull/api/manifests/v1"), 1);
        assert!(
            reqs.iter().all(|r| r.user_agent.starts_with("kist/")),
            "{reqs:#?}"
        );
        assert!(reqs.iter().all(|r| r.method == "GET"), "{reqs:#?}");

        // Present: one manifest request, no blob.
        reg.reset_requests();
        let (code, stdout, stderr) = out(k, &["pull", &r]);
        assert_eq!((code, stdout.trim()), (0, img.id().as_str()), "{stderr}");
        assert!(
            stderr.contains(&format!("Status: Image is up to date for {r}")),
            "{stderr}"
        );
        assert_eq!(blob_gets(&reg, "pull/api"), 0, "{:#?}", reg.requests());
        assert_eq!(reg.count("GET", "/manifests/"), 1);
        // By digest, and the same image under other repositories and
        // manifest formats: nothing fetched but manifests (and no layer).
        assert_eq!(pull(k, &reg, &repo_digest, &[]), img.id());
        assert_eq!(
            pull(k, &reg, &format!("{}/pull/docker:v1", reg.host), &[]),
            img.id()
        );
        assert_eq!(
            pull(k, &reg, &format!("{}/pull/skopeo:v1", reg.host), &[]),
            img.id()
        );
        assert_eq!(reg.count("GET", "/blobs/"), 0, "{:#?}", reg.requests());
        let digests = inspect_field(k, &r, "RepoDigests");
        assert!(
            has(&digests, &format!("{}/pull/docker@{docker}", reg.host)),
            "{digests}"
        );
        assert_eq!(image_ids(k), [img.id()].into());
        assert_eq!(k.image_list().len(), 3, "{:?}", k.image_list());
        assert_consistent(k, "after pulls");
        k.assert_tmp_empty();
        let kept = registry_kit::downloads(k);
        assert!(
            kept.is_empty(),
            "{:?}: ROOT/downloads keeps {kept:?}",
            k.mode
        );
    });
}

#[test]
fn pull_tls() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::tls());
    let plain = Registry::start(RegistryOpts::plain());
    let img = fixtures::busybox();
    seed_image(&reg, "tls/bb", "v1", &img);
    seed_image(&plain, "tls/bb", "v1", &img);
    let cert_dir = format!("--cert-dir={}", reg.cert_dir().display());
    each_mode(|k: &Kist| {
        let r = format!("{}/tls/bb:v1", reg.host);
        // Verified without the CA: refused, with a hint.
        let err = fails_125(k, &["pull", "-q", "--tls-verify", &r]);
        assert!(
            err.contains(&format!("TLS with registry {}", reg.host)),
            "{err}"
        );
        assert!(err.contains("hint: give its CA with --cert-dir"), "{err}");
        assert_store_empty(k, "after a refused certificate");
        // With the CA.
        reg.reset_requests();
        let id = k.ok(&["pull", "-q", "--tls-verify", &cert_dir, &r]);
        assert_eq!(id.trim(), img.id());
        assert_eq!(blob_gets(&reg, "tls/bb"), 4);
        assert_busybox_files(k, &r);
        k.ok(&["rmi", &r]);
        assert_store_empty(k, "after rmi");
        // Not verified, and a loopback registry's default (docker's).
        for flags in [&["--tls-verify=false"][..], &[]] {
            let mut args = vec!["pull", "-q"];
            args.extend_from_slice(flags);
            args.push(&r);
            assert_eq!(k.ok(&args).trim(), img.id(), "{flags:?}");
            k.ok(&["rmi", &r]);
        }
        // A plain-HTTP registry when TLS is required: no fallback.
        let p = format!("{}/tls/bb:v1", plain.host);
        let err = fails_125(k, &["pull", "-q", "--tls-verify", &p]);
        assert!(err.contains(&plain.host), "{err}");
        assert!(err.contains("hint:"), "{err}");
        assert_store_empty(k, "after a refused plain-HTTP registry");
        assert_eq!(k.ok(&["pull", "-q", &p]).trim(), img.id());
    });
}

#[test]
fn pull_multiarch_index() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let ma = seed_multiarch(&reg, "multi/bb", "v1");
    let arm = fixtures::host_arch() == "arm64";
    let (native, native_manifest, other_manifest) = if arm {
        (
            &ma.arm64,
            &ma.arm64_manifest_digest,
            &ma.amd64_manifest_digest,
        )
    } else {
        (
            &ma.amd64,
            &ma.amd64_manifest_digest,
            &ma.arm64_manifest_digest,
        )
    };
    each_mode(|k: &Kist| {
        let r = format!("{}/multi/bb:v1", reg.host);
        reg.reset_requests();
        assert_eq!(pull(k, &reg, &r, &[]), native.id());
        assert_eq!(reg.count("GET", "/manifests/v1"), 1);
        assert_eq!(
            reg.count("GET", &format!("/manifests/{native_manifest}")),
            1
        );
        assert_eq!(reg.count("GET", &format!("/manifests/{other_manifest}")), 0);
        assert_eq!(k.inspect(&r, "{{.Architecture}}"), fixtures::host_arch());
        let index_digest = format!("{}/multi/bb@{}", reg.host, ma.index_digest);
        assert!(has(&inspect_field(k, &r, "RepoDigests"), &index_digest));

        // Another platform: only its config is new (the layers are shared).
        reg.reset_requests();
        assert_eq!(
            pull(k, &reg, &r, &["--platform", "linux/arm64/v8"]),
            ma.arm64.id()
        );
        assert_eq!(reg.count("GET", "/blobs/"), 1, "{:#?}", reg.requests());
        assert_eq!(k.inspect(&r, "{{.Architecture}}/{{.Variant}}"), "arm64/v8");
        for flags in [&["--platform", "linux/arm64"][..], &["--arch", "arm64"]] {
            assert_eq!(pull(k, &reg, &r, flags), ma.arm64.id(), "{flags:?}");
        }
        assert_eq!(image_ids(k), [ma.amd64.id(), ma.arm64.id()].into());

        // create --platform: a stored image of another platform is missing.
        let (native_platform, other_id) = if arm {
            ("linux/arm64/v8", ma.amd64.full_id())
        } else {
            ("linux/amd64", ma.arm64.full_id())
        };
        if arm {
            pull(k, &reg, &r, &["--platform", "linux/amd64"]);
        }
        let err = fails_125(
            k,
            &["create", "--pull=never", "--platform", native_platform, &r],
        );
        assert!(
            err.contains("is stored for")
                && err.contains(&format!("not for the requested {native_platform}")),
            "{err}"
        );
        assert_eq!(k.inspect(&r, "{{.Id}}"), other_id);
        let c = k.ok(&["create", "--platform", native_platform, &r]);
        assert_eq!(k.inspect(&r, "{{.Id}}"), native.full_id());
        k.ok(&["rm", c.trim()]);

        // A platform the index does not have: the error lists those it has.
        let err = fails_125(k, &["pull", "-q", "--platform", "linux/s390x", &r]);
        assert!(
            err.contains("has no image for platform linux/s390x"),
            "{err}"
        );
        assert!(
            err.contains("hint:") && err.contains("linux/arm64/v8") && err.contains("linux/amd64"),
            "{err}"
        );
        assert_eq!(image_ids(k).len(), 2);

        // One platform's manifest by digest: pulled as asked, with a warning
        // when it is not the host's.
        let foreign = format!("{}/multi/bb@{other_manifest}", reg.host);
        let (code, stdout, stderr) = out(k, &["pull", "-q", &foreign]);
        assert_eq!(code, 0, "{stderr}");
        let other = if arm { &ma.amd64 } else { &ma.arm64 };
        assert_eq!(stdout.trim(), other.id());
        assert!(stderr.contains("WARNING: the image's platform"), "{stderr}");
        assert_consistent(k, "after the platform pulls");
        k.assert_tmp_empty();

        // manifest inspect: the index as the registry serves it.
        let text = k.ok(&["manifest", "inspect", &r]);
        let (_, raw) = reg.get_manifest("multi/bb", "v1");
        assert_eq!(
            json(&text),
            serde_json::from_slice::<serde_json::Value>(&raw).unwrap()
        );
        assert_eq!(json(&text)["mediaType"], OCI_INDEX);
        let text = k.ok(&[
            "manifest",
            "inspect",
            &format!("{}/multi/bb@{}", reg.host, ma.arm64_manifest_digest),
        ]);
        assert_eq!(
            json(&text)["config"]["digest"],
            ma.arm64_config_digest.as_str()
        );
        let err = fails_125(
            k,
            &["manifest", "inspect", &format!("{}/multi/bb:v9", reg.host)],
        );
        assert!(
            err.contains("multi/bb:v9") && err.contains(&reg.host),
            "{err}"
        );
    });
}

#[test]
fn pull_zstd_layers() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let digest = seed_zstd(&reg, "zstd/bb", "v1");
    let img = fixtures::busybox();
    let (_, raw) = reg.get_manifest("zstd/bb", "v1");
    assert!(String::from_utf8_lossy(&raw).contains(fixtures::OCI_LAYER_ZSTD));
    each_mode(|k: &Kist| {
        reg.reset_requests();
        let r = format!("{}/zstd/bb:v1", reg.host);
        assert_eq!(pull(k, &reg, &r, &[]), img.id());
        assert_eq!(blob_gets(&reg, "zstd/bb"), 4);
        assert_busybox_files(k, &r);
        let new = k.layer_diff(&img.diff_ids()[2]).join("opt/data/new");
        assert_eq!(k.read(&new), b"new\n");
        let digests = inspect_field(k, &r, "RepoDigests");
        assert!(has(&digests, &format!("{}/zstd/bb@{digest}", reg.host)));
        // save regenerates the layers byte for byte.
        let tar = k.path("saved.tar");
        k.ok(&["save", "-o", tar.to_str().unwrap(), &r]);
        k.ok(&["rmi", &r]);
        k.load(&tar);
        assert_eq!(image_ids(k), [img.id()].into());
    });
}

#[test]
fn pull_all_tags() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let imgs = [
        ("v1", fixtures::busybox()),
        ("v2", fixtures::small("a", fixtures::CREATED)),
        ("v3", fixtures::small("b", fixtures::CREATED)),
    ];
    for (t, img) in &imgs {
        seed_image(&reg, "all/x", t, img);
    }
    each_mode(|k: &Kist| {
        let r = format!("{}/all/x", reg.host);
        let ids = k.ok(&["pull", "-a", "-q", &r]);
        let want: Vec<String> = imgs.iter().map(|(_, i)| i.id()).collect();
        assert_eq!(ids.lines().collect::<Vec<_>>(), want);
        for (t, img) in &imgs {
            assert_eq!(k.inspect(&format!("{r}:{t}"), "{{.Id}}"), img.full_id());
        }
        assert_eq!(k.image_list().len(), 3);
        let err = fails_125(k, &["pull", "-a", &format!("{r}@{}", imgs[0].1.full_id())]);
        assert!(err.contains("--all-tags"), "{err}");
        assert_consistent(k, "after pull -a");
    });
}

#[test]
fn run_pulls_a_missing_image() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let img = fixtures::busybox();
    seed_image(&reg, "run/bb", "v1", &img);
    let dead = format!("127.0.0.1:{}/run/bb:v1", closed_port());
    each_mode(|k: &Kist| {
        let r = format!("{}/run/bb:v1", reg.host);
        let run = |pull: &str, image: &str| {
            k.run(&[
                "run",
                "--rm",
                "--network",
                "none",
                pull,
                image,
                "cat",
                "/opt/data/new",
            ])
        };
        let err = fails_125(k, &["run", "--rm", "--pull=never", &r, "echo"]);
        assert!(err.contains("not found locally"), "{err}");
        assert!(err.contains(&format!("hint: kist pull {r}")), "{err}");
        let err = fails_125(k, &["create", "--pull=never", &r]);
        assert!(err.contains("hint: kist pull"), "{err}");
        assert_store_empty(k, "after --pull=never");

        reg.reset_requests();
        let o = run("--pull=missing", &r);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.stdout, b"new\n");
        assert_eq!(image_ids(k), [img.id()].into());
        assert_eq!(blob_gets(&reg, "run/bb"), 4);
        // Present: no request with the default policy, a manifest with
        // --pull=always.
        reg.reset_requests();
        assert!(run("--pull=missing", &r).status.success());
        assert_eq!(reg.requests(), vec![]);
        assert!(run("--pull=always", &r).status.success());
        assert_eq!(reg.count("GET", "/manifests/"), 1);
        assert_eq!(reg.count("GET", "/blobs/"), 0);

        // A registry that is down: --pull=newer keeps the local image,
        // --pull=always fails.
        k.ok(&["tag", &r, &dead]);
        let o = run("--pull=newer", &dead);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.stdout, b"new\n");
        let o = run("--pull=always", &dead);
        assert_eq!(o.status.code(), Some(125));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("cannot reach registry"), "{err}");

        // create pulls too.
        k.ok(&["rmi", "-f", &r, &dead]);
        assert_store_empty(k, "after rmi");
        let id = k.ok(&["create", "--network", "none", &r, "echo"]);
        k.ok(&["rm", id.trim()]);
        assert_eq!(image_ids(k), [img.id()].into());
        assert_consistent(k, "after run --pull");
    });
}

/// registries.conf mirrors: one that lacks the image and one that is down
/// pass to the registry itself; a mirror that has it serves the pull.
#[test]
fn mirrors_fall_back_to_the_registry() {
    if !registry::available() {
        return;
    }
    let main = Registry::start(RegistryOpts::plain());
    let mirror = Registry::start(RegistryOpts::plain());
    let img = fixtures::busybox();
    let conf = common::session_dir().join(format!("mirrors-{}.conf", main.host.replace(':', "_")));
    std::fs::write(
        &conf,
        format!(
            "[[registry]]\nlocation = \"{}\"\ninsecure = true\n\n[[registry.mirror]]\nlocation = \"127.0.0.1:{}\"\ninsecure = true\n\n[[registry.mirror]]\nlocation = \"{}\"\ninsecure = true\n",
            main.host,
            closed_port(),
            mirror.host
        ),
    )
    .unwrap();
    std::fs::set_permissions(&conf, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    each_mode(|k: &Kist| {
        k.set_env("CONTAINERS_REGISTRIES_CONF", &conf);
        // A repository per mode: the second mode's mirror lacks it too.
        let repo = format!(
            "mirrored/{}",
            if k.rootless() { "rootless" } else { "root" }
        );
        seed_image(&main, &repo, "v1", &img);
        let r = format!("{}/{repo}:v1", main.host);
        let manifest = format!("/v2/{repo}/manifests/v1");
        main.reset_requests();
        mirror.reset_requests();
        assert_eq!(pull(k, &main, &r, &[]), img.id());
        assert_eq!(
            mirror.count("GET", &manifest),
            1,
            "{:#?}",
            mirror.requests()
        );
        assert_eq!(main.count("GET", &manifest), 1);
        k.ok(&["rmi", &r]);

        // Now the mirror has it: the registry is not asked.
        seed_image(&mirror, &repo, "v1", &img);
        main.reset_requests();
        mirror.reset_requests();
        assert_eq!(pull(k, &main, &r, &[]), img.id());
        assert_eq!(main.requests().len(), 0, "{:#?}", main.requests());
        assert_eq!(mirror.count("GET", &manifest), 1);
        assert!(mirror.count("GET", "/blobs/") > 0);
        k.ok(&["rmi", &r]);
    });
}
