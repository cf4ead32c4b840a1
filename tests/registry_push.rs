//! `kist push` against real registries, as root and rootless: push → rmi
//! → pull by tag and by digest gives the same image, --digestfile,
//! --compression-format zstd, a second push only asks (HEAD), a push to
//! another repository mounts the blobs, and interop with skopeo and podman
//! both ways.

mod common;
mod registry_kit;

use std::path::Path;
use std::process::Command;

use common::fixtures::{self, sha256_hex, OCI_LAYER_GZIP, OCI_LAYER_ZSTD};
use common::registry::{self, Registry, RegistryOpts, OCI_MANIFEST};
use common::{each_mode, Kist};
use registry_kit::{
    assert_busybox_files, assert_consistent, assert_store_empty, image_ids, load_busybox_as, out,
    pull, tag,
};

fn json(data: &[u8]) -> serde_json::Value {
    serde_json::from_slice(data)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(data)))
}

/// `kist push ARGS…`: (stdout, stderr); must succeed.
fn push(k: &Kist, args: &[&str]) -> (String, String) {
    let mut all = vec!["push"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = out(k, &all);
    assert_eq!(code, 0, "{:?}: kist {all:?}: {stderr}", k.mode);
    (stdout, stderr)
}

/// Removes every image of the store.
fn rmi_all(k: &Kist) {
    let ids: Vec<String> = image_ids(k).into_iter().collect();
    if !ids.is_empty() {
        let mut args = vec!["rmi", "-f"];
        args.extend(ids.iter().map(String::as_str));
        k.ok(&args);
    }
    assert_store_empty(k, "after removing every image");
}

#[test]
fn push_rmi_pull_round_trip() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let img = fixtures::busybox();
    each_mode(|k: &Kist| {
        let repo = format!("push-{}/bb", tag(k));
        let r = format!("{}/{repo}:v1", reg.host);
        load_busybox_as(k, &r);
        let digest_file = k.path("digest");
        let (stdout, stderr) = push(k, &["--digestfile", digest_file.to_str().unwrap(), &r]);
        let (media, raw) = reg.get_manifest(&repo, "v1");
        let digest = format!("sha256:{}", sha256_hex(&raw));
        assert_eq!(std::fs::read_to_string(&digest_file).unwrap(), digest);
        assert_eq!(
            stdout,
            format!("v1: digest: {digest} size: {}\n", raw.len()),
            "{stderr}"
        );
        assert!(stderr.contains("Pushed"), "{stderr}");
        assert_eq!(media, OCI_MANIFEST);
        let m = json(&raw);
        assert_eq!(m["config"]["digest"], img.full_id().as_str());
        let layers = m["layers"].as_array().unwrap();
        assert_eq!(layers.len(), 3);
        for (l, tar) in layers.iter().zip(&img.layers) {
            assert_eq!(l["mediaType"], OCI_LAYER_GZIP);
            let blob = reg.get_blob(&repo, l["digest"].as_str().unwrap());
            assert_eq!(l["size"], blob.len());
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&blob[..]), &mut data)
                .unwrap();
            assert!(
                data == *tar,
                "{:?}: a pushed layer is not the image's",
                k.mode
            );
        }
        assert_eq!(reg.get_blob(&repo, &img.full_id()), img.config);
        // The local image now answers to the pushed digest.
        let digests = k.inspect(&r, "{{json .RepoDigests}}");
        assert!(
            digests.contains(&format!("{}/{repo}@{digest}", reg.host)),
            "{digests}"
        );

        rmi_all(k);
        assert_eq!(pull(k, &reg, &r, &[]), img.id());
        assert_busybox_files(k, &r);
        rmi_all(k);
        let by_digest = format!("{}/{repo}@{digest}", reg.host);
        assert_eq!(pull(k, &reg, &by_digest, &[]), img.id());
        assert_busybox_files(k, &by_digest);
        let shown = k.ok(&["images", "--digests", "--format", "{{.Digest}}"]);
        assert!(shown.contains(&digest), "{shown}");
        assert_consistent(k, "after the round trip");

        // An image pulled by digest has no name: a push by ID needs a
        // destination.
        let err = registry_kit::fails_125(k, &["push", &img.id()]);
        assert!(err.contains("has no name to push to"), "{err}");
        assert!(err.contains("hint: kist push"), "{err}");
        let other = format!("{}/{repo}:by-id", reg.host);
        push(k, &["-q", &img.id(), &other]);
        assert_eq!(reg.get_manifest(&repo, "by-id").1, raw);
    });
}

#[test]
fn push_zstd() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let img = fixtures::busybox();
    each_mode(|k: &Kist| {
        let repo = format!("zstd-{}/bb", tag(k));
        let r = format!("{}/{repo}:v1", reg.host);
        load_busybox_as(k, &r);
        push(k, &["-q", "--compression-format", "zstd", &r]);
        let (_, raw) = reg.get_manifest(&repo, "v1");
        let m = json(&raw);
        for (l, tar) in m["layers"].as_array().unwrap().iter().zip(&img.layers) {
            assert_eq!(l["mediaType"], OCI_LAYER_ZSTD);
            let blob = reg.get_blob(&repo, l["digest"].as_str().unwrap());
            assert_eq!(&zstd::decode_all(&blob[..]).unwrap(), tar);
        }
        // Another level: the blobs the registry has are used again.
        push(
            k,
            &[
                "-q",
                "--compression-format=zstd",
                "--compression-level=19",
                &r,
            ],
        );
        assert_eq!(reg.get_manifest(&repo, "v1").1, raw);
        rmi_all(k);
        assert_eq!(pull(k, &reg, &r, &[]), img.id());
        assert_busybox_files(k, &r);
    });
}

#[test]
fn push_again_asks_and_mounts() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let img = fixtures::busybox();
    each_mode(|k: &Kist| {
        let a = format!("{}/mount-{}/a:v1", reg.host, tag(k));
        let b = format!("{}/mount-{}/b:v1", reg.host, tag(k));
        load_busybox_as(k, &a);
        push(k, &["-q", &a]);

        // The same image again: HEADs, no upload.
        reg.reset_requests();
        let (_, stderr) = push(k, &[&a]);
        let reqs = reg.requests();
        assert_eq!(reg.count("PATCH", "/"), 0, "{reqs:#?}");
        assert_eq!(reg.count("POST", "/"), 0, "{reqs:#?}");
        assert_eq!(reg.count("PUT", "/blobs/"), 0, "{reqs:#?}");
        assert_eq!(reg.count("PUT", "/manifests/v1"), 1, "{reqs:#?}");
        assert_eq!(reg.count("HEAD", "/blobs/"), 4, "{reqs:#?}");
        assert_eq!(
            stderr.matches("Layer already exists").count(),
            3,
            "{stderr}"
        );

        // To another repository of the registry: mounted, not uploaded.
        k.ok(&["tag", &a, &b]);
        reg.reset_requests();
        let (_, stderr) = push(k, &[&b]);
        let reqs = reg.requests();
        let mounted = reqs
            .iter()
            .filter(|r| r.method == "POST" && r.path.contains("mount=") && r.status == 201)
            .count();
        assert_eq!(mounted, 3, "{reqs:#?}");
        assert!(
            reqs.iter()
                .filter(|r| r.path.contains("mount="))
                .all(|r| r.path.contains(&format!("from=mount-{}/a", tag(k)))),
            "{reqs:#?}"
        );
        assert_eq!(
            stderr.matches("Mounted from another repository").count(),
            3,
            "{stderr}"
        );
        // Only the config (one small blob) is uploaded.
        assert!(reg.count("PATCH", "/blobs/uploads/") <= 1, "{reqs:#?}");
        assert!(reg.count("PUT", "/blobs/uploads/") <= 1, "{reqs:#?}");
        assert_eq!(
            reg.get_manifest(&format!("mount-{}/a", tag(k)), "v1").1,
            reg.get_manifest(&format!("mount-{}/b", tag(k)), "v1").1
        );
        rmi_all(k);
        assert_eq!(pull(k, &reg, &b, &[]), img.id());
    });
}

#[test]
fn push_of_a_pulled_image_mounts() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let img = fixtures::busybox();
    let orig = registry::seed_image(&reg, "orig/bb", "v1", &img);
    let (_, raw) = reg.get_manifest("orig/bb", "v1");
    let layers: Vec<String> = json(&raw)["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap().to_string())
        .collect();
    each_mode(|k: &Kist| {
        let r = format!("{}/orig/bb:v1", reg.host);
        assert_eq!(
            pull(k, &reg, &format!("{}/orig/bb@{orig}", reg.host), &[]),
            img.id()
        );
        k.ok(&["tag", &img.id(), &r]);
        // Back where it came from: nothing to upload.
        reg.reset_requests();
        push(k, &["-q", &r]);
        assert_eq!(reg.count("PATCH", "/"), 0, "{:#?}", reg.requests());
        assert_eq!(reg.count("POST", "/"), 0, "{:#?}", reg.requests());
        // To another repository: the layers it was pulled with are mounted.
        let copy = format!("copy-{}/bb", tag(k));
        let c = format!("{}/{copy}:v1", reg.host);
        k.ok(&["tag", &r, &c]);
        reg.reset_requests();
        push(k, &["-q", &c]);
        let reqs = reg.requests();
        let mounted: Vec<&str> = reqs
            .iter()
            .filter(|q| q.method == "POST" && q.path.contains("from=orig/bb") && q.status == 201)
            .map(|q| q.path.as_str())
            .collect();
        assert_eq!(mounted.len(), 3, "{reqs:#?}");
        let m = json(&reg.get_manifest(&copy, "v1").1);
        let pushed: Vec<&str> = m["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["digest"].as_str().unwrap())
            .collect();
        assert_eq!(pushed, layers, "the pushed layers are the pulled blobs");
        rmi_all(k);
        assert_eq!(pull(k, &reg, &c, &[]), img.id());
        assert_busybox_files(k, &c);
    });
}

#[test]
fn push_large_layer_in_chunks() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    // 20 MiB of random data: more than one 16 MiB chunk, compressed or not.
    let img = fixtures::big(1, 20, 3);
    let archive = common::fixture("big-1x20m-3.tar", || {
        fixtures::DockerArchive::new(&img, &["kist-test/big:v1"]).build()
    });
    each_mode(|k: &Kist| {
        k.load(&archive);
        let r = format!("{}/chunks-{}/big:v1", reg.host, tag(k));
        k.ok(&["tag", "kist-test/big:v1", &r]);
        reg.reset_requests();
        push(k, &["-q", "--compression-level=1", &r]);
        let reqs = reg.requests();
        let patches: Vec<_> = reqs
            .iter()
            .filter(|q| q.method == "PATCH" && q.status == 202)
            .collect();
        // Two for the layer, one for the config.
        assert_eq!(patches.len(), 3, "{reqs:#?}");
        rmi_all(k);
        assert_eq!(pull(k, &reg, &r, &[]), img.id());
        let blob = k.layer_diff(&img.diff_ids()[0]).join("big0/blob");
        assert_eq!(k.lstat(&blob).len(), 20 << 20);
        rmi_all(k);
    });
}

/// Runs a command; panics unless it succeeds; returns stdout.
fn tool(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn interop_with_skopeo() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::tls());
    let img = fixtures::busybox();
    each_mode(|k: &Kist| {
        let cert_dir = format!("--cert-dir={}", reg.cert_dir().display());
        let r = format!("{}/skopeo-{}/bb:v1", reg.host, tag(k));
        load_busybox_as(k, &r);
        push(k, &["-q", "--tls-verify", &cert_dir, &r]);
        // skopeo reads what kist pushed…
        let v = json(
            reg.skopeo_inspect(&format!("skopeo-{}/bb:v1", tag(k)), false)
                .as_bytes(),
        );
        assert_eq!(v["Labels"]["org.kist.test"], "yes", "{v}");
        assert_eq!(v["Layers"].as_array().unwrap().len(), 3, "{v}");
        let archive = k.path("from-skopeo.tar");
        let mut args = vec!["copy".to_string(), "--quiet".into()];
        args.extend(reg.skopeo_flags("src-"));
        args.push(format!("docker://{r}"));
        args.push(format!("oci-archive:{}", archive.display()));
        reg.skopeo_ok(&args);
        let _ = std::fs::set_permissions(
            &archive,
            std::os::unix::fs::PermissionsExt::from_mode(0o644),
        );
        rmi_all(k);
        k.load(&archive);
        assert_eq!(image_ids(k), [img.id()].into());
        rmi_all(k);
        // …and kist pulls what skopeo pushed (it recompresses).
        let s = format!("skopeo-{}/from-skopeo:v1", tag(k));
        reg.skopeo_copy(&format!("oci-archive:{}", archive.display()), &s);
        let id = pull(k, &reg, &format!("{}/{s}", reg.host), &["--tls-verify"]);
        assert_eq!(id, img.id());
        assert_busybox_files(k, &format!("{}/{s}", reg.host));
    });
}

/// podman with its own store in `dir` (vfs, no events, no cgroups).
fn podman(dir: &Path) -> Command {
    let mut c = Command::new("podman");
    c.arg("--root")
        .arg(dir.join("root"))
        .arg("--runroot")
        .arg(dir.join("run"))
        .args([
            "--storage-driver=vfs",
            "--events-backend=none",
            "--cgroup-manager=cgroupfs",
        ])
        .env("REGISTRIES_CONFIG_PATH", dir.join("registries.conf"))
        .env("REGISTRY_AUTH_FILE", dir.join("auth.json"));
    c
}

#[test]
fn interop_with_podman() {
    if !registry::available() || !common::have("podman") {
        return;
    }
    if !common::is_root() {
        println!("SKIPPED: podman interop runs as root only (its own store, vfs)");
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let img = fixtures::busybox();
    let dir = common::session_dir().join("podman");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("registries.conf"), "").unwrap();
    std::fs::write(dir.join("auth.json"), "{}").unwrap();
    each_mode(|k: &Kist| {
        let r = format!("{}/podman-{}/bb:v1", reg.host, tag(k));
        load_busybox_as(k, &r);
        push(k, &["-q", &r]);
        tool(podman(&dir).args(["pull", "-q", "--tls-verify=false", &r]));
        let id = tool(podman(&dir).args(["image", "inspect", "--format", "{{.Id}}", &r]));
        assert_eq!(id.trim(), img.id(), "podman's ID of kist's push");
        let p = format!("{}/podman-{}/from-podman:v1", reg.host, tag(k));
        tool(podman(&dir).args(["push", "-q", "--tls-verify=false", &r, &p]));
        rmi_all(k);
        assert_eq!(pull(k, &reg, &p, &[]), img.id());
        assert_busybox_files(k, &p);
    });
    let _ = podman(&dir).args(["rmi", "-a", "-f"]).output();
    let _ = std::fs::remove_dir_all(&dir);
}
