//! Registries and references that go wrong, as root and rootless: each a
//! clear error, exit 125 and the store unchanged. Unknown repositories and
//! tags, unreachable registries (a closed port; a listener that never
//! answers; one whose connections never complete; `registry_timeout = 2`),
//! malformed references, blobs,
//! configs and manifests corrupted in the registry's storage, and a fake
//! registry that serves oversized manifests and lies about sizes and
//! digests.

mod common;
mod registry_kit;

use std::collections::{BTreeSet, HashMap};
use std::net::TcpListener;
use std::time::Duration;

use common::fixtures::{self, sha256_hex, Image, OCI_LAYER_GZIP};
use common::registry::{self, seed_image, Registry, RegistryOpts, OCI_INDEX, OCI_MANIFEST};
use common::{each_mode, Kist};
use registry_kit::{
    closed_port, config, downloads, fails_125, full_listener, load_busybox_as, run_within,
    FakeRegistry, FakeResponse,
};

/// What must not change: the image list and the layers.
fn snapshot(k: &Kist) -> (Vec<String>, BTreeSet<String>) {
    (k.image_list(), k.layer_dirs())
}

fn assert_unchanged(k: &Kist, before: &(Vec<String>, BTreeSet<String>), when: &str) {
    assert_eq!(
        &snapshot(k),
        before,
        "{:?}: the store changed {when}",
        k.mode
    );
    k.assert_tmp_empty();
}

/// Runs kist (at most `secs` seconds), which must fail with 125; returns
/// stderr and how long it took.
fn fails_within(k: &Kist, args: &[&str], secs: u64) -> (String, Duration) {
    let (o, took) = run_within(k, args, Duration::from_secs(secs));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(
        o.status.code(),
        Some(125),
        "{:?}: kist {args:?}: {err}",
        k.mode
    );
    assert!(err.contains("Error: "), "{err}");
    (err, took)
}

#[test]
fn unknown_repository_or_tag() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    seed_image(&reg, "known/bb", "v1", &fixtures::busybox());
    let host = reg.host.clone();
    each_mode(|k: &Kist| {
        load_busybox_as(k, "local/bb:v1");
        let before = snapshot(k);
        let zero = format!("sha256:{}", "0".repeat(64));
        for image in [
            format!("{host}/unknown/repo:v1"),
            format!("{host}/known/bb:nope"),
            format!("{host}/known/bb@{zero}"),
        ] {
            let err = fails_125(k, &["pull", &image]);
            assert!(
                err.contains(&format!(
                    "manifest for {image} not found in registry {host}"
                )),
                "{err}"
            );
            let err = fails_125(k, &["manifest", "inspect", &image]);
            assert!(err.contains(&image) && err.contains("not found"), "{err}");
            let err = fails_125(k, &["run", "--rm", &image, "echo"]);
            assert!(err.contains(&image) && err.contains("not found"), "{err}");
            assert_unchanged(k, &before, &format!("after pulling {image}"));
        }
        let err = fails_125(k, &["pull", "-a", &format!("{host}/unknown/repo")]);
        assert!(
            err.contains(&format!("the tag list of {host}/unknown/repo not found")),
            "{err}"
        );
        let err = fails_125(k, &["push", "local/bb:nope", &format!("{host}/x:v1")]);
        assert!(
            err.contains("local/bb:nope") && err.contains("not found"),
            "{err}"
        );
        assert_unchanged(k, &before, "after the failed pulls");
    });
}

#[test]
fn unreachable_registry() {
    let closed = format!("127.0.0.1:{}", closed_port());
    // Never accepted: the kernel completes the connections, nobody answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent = listener.local_addr().unwrap().to_string();
    // A full accept queue: connections are not even completed.
    let full = full_listener();
    each_mode(|k: &Kist| {
        config(k, "registry_timeout = 2\n");
        load_busybox_as(k, "local/bb:v1");
        let before = snapshot(k);
        // (host, the error, seconds it takes, the verbs tried): each case
        // of a silent registry costs the whole timeout, so fewer of them.
        let all = ["pull", "push", "manifest", "search", "login", "run"];
        for (host, want, secs, verbs) in [
            (
                &closed,
                format!("cannot reach registry {closed}"),
                0u64,
                &all[..],
            ),
            (
                &silent,
                format!("registry {silent} did not answer within 2 s"),
                2,
                &["pull", "push", "login", "run"],
            ),
            (
                &full.host,
                format!("registry {} did not answer within 2 s", full.host),
                2,
                &["pull"],
            ),
        ] {
            let image = format!("{host}/x/bb:v1");
            let term = format!("{host}/bb");
            let cases: [&[&str]; 5] = [
                &["pull", &image],
                &["push", "local/bb:v1", &image],
                &["manifest", "inspect", &image],
                &["search", &term],
                &["login", "-u", "u", "-p", "p", host],
            ];
            for args in cases.iter().filter(|a| verbs.contains(&a[0])) {
                let (err, took) = fails_within(k, args, 60);
                assert!(err.contains(&want), "{:?}: kist {args:?}: {err}", k.mode);
                assert!(
                    err.contains("\nhint: "),
                    "{:?}: kist {args:?}: {err}",
                    k.mode
                );
                assert!(
                    took >= Duration::from_millis((secs * 1000).saturating_sub(100))
                        && took <= Duration::from_secs(secs * 5 + 8),
                    "{:?}: kist {args:?} took {took:?}",
                    k.mode
                );
            }
            if !verbs.contains(&"run") {
                continue;
            }
            // run --pull: the pull's error, then run's own.
            k.ok(&["tag", "local/bb:v1", &image]);
            let (err, _) = fails_within(k, &["run", "--rm", "--pull=always", &image, "echo"], 60);
            assert!(err.contains(&want), "{err}");
            assert!(
                err.contains(&format!("cannot pull image {image:?}")),
                "{err}"
            );
            k.ok(&["rmi", &image]);
        }
        assert_unchanged(k, &before, "after unreachable registries");
    });
    drop(listener);
}

#[test]
fn malformed_references() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let host = reg.host.clone();
    each_mode(|k: &Kist| {
        load_busybox_as(k, "local/bb:v1");
        let before = snapshot(k);
        reg.reset_requests();
        let bad = [
            format!("{host}/UPPER/bb:v1"),
            format!("{host}/a//b:v1"),
            format!("{host}/bb:"),
            format!("{host}/bb@sha256:abc"),
            format!("{host}/bb@md5:{}", "0".repeat(32)),
            format!("{host}/bb:{}", "t".repeat(129)),
            format!("{host}/{}", "a".repeat(300)),
            format!("{host}/bb:v1:v2"),
            "a b".to_string(),
            ":v1".to_string(),
            "-bb".to_string(),
            String::new(),
        ];
        for r in &bad {
            for verb in [
                &["pull", "--"][..],
                &["manifest", "inspect", "--"],
                &["run", "--rm", "--"],
            ] {
                let mut args = verb.to_vec();
                args.push(r);
                let err = fails_125(k, &args);
                assert!(err.contains("invalid reference format"), "{args:?}: {err}");
            }
            let err = fails_125(k, &["push", "--", "local/bb:v1", r]);
            assert!(
                err.contains("invalid reference format"),
                "push to {r:?}: {err}"
            );
        }
        assert_eq!(
            reg.requests(),
            vec![],
            "a malformed reference reached the registry"
        );
        assert_unchanged(k, &before, "after malformed references");
    });
}

/// Flips a byte in the middle of a file of the registry's storage.
fn corrupt(path: &std::path::Path, at: Option<usize>) {
    let mut data = std::fs::read(path).unwrap();
    let i = at.unwrap_or(data.len() / 2);
    data[i] ^= 0x01;
    std::fs::write(path, data).unwrap();
}

#[test]
fn corrupted_blobs() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let host = reg.host.clone();
    let img = fixtures::busybox();
    let manifest = |repo: &str| -> serde_json::Value {
        serde_json::from_slice(&reg.get_manifest(repo, "v1").1).unwrap()
    };
    // A layer: one bit of the busybox binary's gzip stream.
    seed_image(&reg, "corrupt/layer", "v1", &img);
    let layer = manifest("corrupt/layer")["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    corrupt(&reg.blob_file("corrupt/layer", &layer), None);
    // A config: `"os":"linux"` becomes `"os":"linuy"`, still JSON.
    let small = fixtures::small("config", fixtures::CREATED);
    seed_image(&reg, "corrupt/config", "v1", &small);
    let cfg_file = reg.blob_file("corrupt/config", &small.full_id());
    let at = String::from_utf8_lossy(&small.config)
        .find("linux")
        .unwrap()
        + 4;
    corrupt(&cfg_file, Some(at));
    // A manifest: a digit of the config's size changes (the registry
    // still parses it, and serves it under its old digest).
    let other = fixtures::small("manifest", fixtures::CREATED);
    let mdigest = seed_image(&reg, "corrupt/manifest", "v1", &other);
    let mfile = reg.blob_file("corrupt/manifest", &mdigest);
    let text = std::fs::read_to_string(&mfile).unwrap();
    let config_at = text.find("\"config\"").unwrap();
    let size_at = config_at + text[config_at..].find("\"size\":").unwrap() + 7;
    corrupt(&mfile, Some(size_at));
    each_mode(|k: &Kist| {
        let before = snapshot(k);
        let err = fails_125(k, &["pull", &format!("{host}/corrupt/layer:v1")]);
        assert!(
            err.contains(&format!("digest mismatch for layer {layer}")),
            "{err}"
        );
        assert_unchanged(k, &before, "after a corrupt layer");
        let kept = downloads(k);
        let hex = layer.strip_prefix("sha256:").unwrap();
        assert!(
            kept.iter().all(|n| !n.starts_with(hex)),
            "{:?}: the corrupt blob is kept: {kept:?}",
            k.mode
        );
        // The good blobs are kept for a retry, for a day: a later pull
        // removes older ones.
        let good: Vec<&String> = kept.iter().filter(|n| !n.ends_with(".lock")).collect();
        assert_eq!(good.len(), 2, "{:?}: {kept:?}", k.mode);
        let dir = k.root.join("downloads");
        let fresh = dir.join(format!("{}.partial", "f".repeat(64)));
        std::fs::write(&fresh, b"x").unwrap();
        for name in &kept {
            let ok = std::process::Command::new("touch")
                .args(["-d", "2 days ago"])
                .arg(dir.join(name))
                .status()
                .unwrap();
            assert!(ok.success());
        }

        let err = fails_125(k, &["pull", &format!("{host}/corrupt/config:v1")]);
        assert_eq!(
            downloads(k),
            [fresh.file_name().unwrap().to_string_lossy().to_string()].into(),
            "{:?}: stale downloads are kept",
            k.mode
        );
        std::fs::remove_file(&fresh).unwrap();
        assert!(
            err.contains(&format!("digest mismatch for config {}", small.full_id())),
            "{err}"
        );
        for r in [
            format!("{host}/corrupt/manifest:v1"),
            format!("{host}/corrupt/manifest@{mdigest}"),
        ] {
            let err = fails_125(k, &["pull", &r]);
            assert!(err.contains("digest mismatch for manifest"), "{err}");
            assert!(err.contains(&mdigest), "{err}");
        }
        assert_unchanged(k, &before, "after corrupt blobs");
        assert!(k.image_list().is_empty());
    });
}

// --- a registry that lies

/// One layer's gzip blob and its image.
struct Parts {
    image: Image,
    blob: Vec<u8>,
}

fn parts(tag: &str) -> Parts {
    let image = fixtures::small(tag, fixtures::CREATED);
    let blob = fixtures::gzip(&image.layers[0]);
    Parts { image, blob }
}

fn digest(data: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(data))
}

/// A manifest of `p` with these sizes in its descriptors.
fn manifest_of(p: &Parts, config_size: usize, layer_size: usize) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": p.image.full_id(),
            "size": config_size,
        },
        "layers": [{"mediaType": OCI_LAYER_GZIP, "digest": digest(&p.blob), "size": layer_size}],
    }))
    .unwrap()
}

type Answers = HashMap<String, FakeResponse>;

/// Serves `manifest` as REPO:v1 and the blobs of `p` (the layer's as
/// `blob` when given).
fn serve(map: &mut Answers, repo: &str, p: &Parts, manifest: Vec<u8>, blob: Option<FakeResponse>) {
    let m = FakeResponse::new(200, OCI_MANIFEST, manifest);
    map.insert(format!("/v2/{repo}/manifests/v1"), m);
    let cfg = FakeResponse::new(200, "application/octet-stream", p.image.config.clone());
    map.insert(format!("/v2/{repo}/blobs/{}", p.image.full_id()), cfg);
    let b =
        blob.unwrap_or_else(|| FakeResponse::new(200, "application/octet-stream", p.blob.clone()));
    map.insert(format!("/v2/{repo}/blobs/{}", digest(&p.blob)), b);
}

/// The answers of the lying registry, by request path, and the cases:
/// (repository, what the error says; `…` separates the parts).
fn lies() -> (Answers, Vec<(String, String)>) {
    let mut map = Answers::new();
    let mut cases = Vec::new();
    map.insert("/v2/".into(), FakeResponse::json(200, "{}"));
    let huge = {
        let mut v = br#"{"schemaVersion":2,"pad":""#.to_vec();
        v.extend(std::iter::repeat_n(b' ', 5 << 20));
        v.extend(br#""}"#);
        v
    };
    let p = parts("huge");
    serve(&mut map, "lie/huge", &p, huge.clone(), None);
    cases.push((
        "lie/huge".into(),
        "is larger than 4194304 bytes; refused".into(),
    ));
    let mut no_length = FakeResponse::new(200, OCI_MANIFEST, huge);
    no_length.no_length = true;
    map.insert("/v2/lie/huge-unsized/manifests/v1".into(), no_length);
    cases.push((
        "lie/huge-unsized".into(),
        "is larger than 4194304 bytes".into(),
    ));

    let p = parts("bigger");
    let m = manifest_of(&p, p.image.config.len(), p.blob.len() - 10);
    serve(&mut map, "lie/bigger", &p, m, None);
    cases.push((
        "lie/bigger".into(),
        format!(
            "layer {} is larger than its descriptor says",
            digest(&p.blob)
        ),
    ));

    let p = parts("smaller");
    let m = manifest_of(&p, p.image.config.len(), p.blob.len() + 10);
    serve(&mut map, "lie/smaller", &p, m, None);
    cases.push((
        "lie/smaller".into(),
        format!("layer {} ended 10 bytes short", digest(&p.blob)),
    ));

    // Content-Length says 1000 more bytes than come before the close.
    let p = parts("short-body");
    let m = manifest_of(&p, p.image.config.len(), p.blob.len() + 1000);
    let mut b = FakeResponse::new(200, "application/octet-stream", p.blob.clone());
    b.content_length = Some(p.blob.len() as u64 + 1000);
    serve(&mut map, "lie/short-body", &p, m, Some(b));
    cases.push((
        "lie/short-body".into(),
        format!(
            "layer {}: …the download from the registry broke off at byte {}",
            digest(&p.blob),
            p.blob.len()
        ),
    ));

    // Half the blob, then nothing: the read times out (2 s).
    let p = parts("stall");
    let m = manifest_of(&p, p.image.config.len(), p.blob.len());
    let mut b = FakeResponse::new(200, "application/octet-stream", p.blob.clone());
    b.stall_after = Some(p.blob.len() / 2);
    serve(&mut map, "lie/stall", &p, m, Some(b));
    cases.push((
        "lie/stall".into(),
        format!(
            "layer {}: …the download from the registry broke off at byte {}",
            digest(&p.blob),
            p.blob.len() / 2
        ),
    ));

    let p = parts("config");
    let m = manifest_of(&p, p.image.config.len() - 5, p.blob.len());
    serve(&mut map, "lie/config", &p, m, None);
    cases.push((
        "lie/config".into(),
        format!("digest mismatch for config {}", p.image.full_id()),
    ));

    // The diff_id in the config is not the layer's.
    let mut p = parts("diff-id");
    let real = format!("sha256:{}", sha256_hex(&p.image.layers[0]));
    let fake = format!("sha256:{}", "1".repeat(64));
    p.image.config = String::from_utf8(p.image.config.clone())
        .unwrap()
        .replace(&real, &fake)
        .into_bytes();
    let m = manifest_of(&p, p.image.config.len(), p.blob.len());
    serve(&mut map, "lie/diff-id", &p, m, None);
    cases.push((
        "lie/diff-id".into(),
        format!(
            "digest mismatch for layer {} once uncompressed (its diff_id): expected {fake}",
            digest(&p.blob)
        ),
    ));

    // The registry's Docker-Content-Digest is not the manifest's.
    let p = parts("header");
    let m = manifest_of(&p, p.image.config.len(), p.blob.len());
    serve(&mut map, "lie/header", &p, m.clone(), None);
    let mut r = FakeResponse::new(200, OCI_MANIFEST, m);
    r.headers.push((
        "Docker-Content-Digest".into(),
        format!("sha256:{}", "2".repeat(64)),
    ));
    map.insert("/v2/lie/header/manifests/v1".into(), r);
    cases.push((
        "lie/header".into(),
        format!("digest mismatch for manifest for {{HOST}}/lie/header:v1 from registry {{HOST}}: it says sha256:{}", "2".repeat(64)),
    ));

    // An index entry whose manifest is not what its digest says.
    let p = parts("index");
    let m = manifest_of(&p, p.image.config.len(), p.blob.len());
    let claimed = format!("sha256:{}", "3".repeat(64));
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [{
            "mediaType": OCI_MANIFEST, "digest": claimed, "size": m.len(),
            "platform": {"architecture": fixtures::host_arch(), "os": "linux"},
        }],
    }))
    .unwrap();
    serve(&mut map, "lie/index", &p, vec![], None);
    map.insert(
        "/v2/lie/index/manifests/v1".into(),
        FakeResponse::new(200, OCI_INDEX, index),
    );
    map.insert(
        format!("/v2/lie/index/manifests/{claimed}"),
        FakeResponse::new(200, OCI_MANIFEST, m),
    );
    cases.push((
        "lie/index".into(),
        format!("digest mismatch for manifest for {{HOST}}/lie/index:v1: expected {claimed}"),
    ));

    // More layers than the config has diff_ids.
    let p = parts("count");
    let mut m: serde_json::Value =
        serde_json::from_slice(&manifest_of(&p, p.image.config.len(), p.blob.len())).unwrap();
    let l = m["layers"][0].clone();
    m["layers"].as_array_mut().unwrap().push(l);
    serve(
        &mut map,
        "lie/count",
        &p,
        serde_json::to_vec(&m).unwrap(),
        None,
    );
    cases.push((
        "lie/count".into(),
        "2 layers but the config lists 1 diff_ids".into(),
    ));
    (map, cases)
}

#[test]
fn registry_that_lies() {
    let (answers, cases) = lies();
    let fake = FakeRegistry::start(move |req| {
        let path = req.path.split('?').next().unwrap_or("");
        answers
            .get(path)
            .cloned()
            .unwrap_or_else(FakeResponse::not_found)
    });
    let host = fake.host.clone();
    each_mode(|k: &Kist| {
        config(k, "registry_timeout = 2\n");
        load_busybox_as(k, "local/bb:v1");
        let before = snapshot(k);
        for (repo, want) in &cases {
            let image = format!("{host}/{repo}:v1");
            let (err, _) = fails_within(k, &["pull", &image], 60);
            let want = want.replace("{HOST}", &host);
            println!("{:?} pull {image}:\n{err}", k.mode);
            for part in want.split('…') {
                assert!(
                    err.contains(part),
                    "{:?}: pull {image}: want {part:?} in:\n{err}",
                    k.mode
                );
            }
            assert!(!err.contains("panicked"), "{err}");
            assert_unchanged(k, &before, &format!("after pulling {image}"));
        }
        // A second try of a lie is refused the same way (nothing resumed
        // from bad bytes).
        let image = format!("{host}/lie/bigger:v1");
        let (err, _) = fails_within(k, &["pull", &image], 60);
        assert!(err.contains("larger than its descriptor says"), "{err}");
        assert_unchanged(k, &before, "after the lies");
    });
    assert!(fake.requests().iter().all(|r| r.method == "GET"));
}
