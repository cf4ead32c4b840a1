//! `kill -9` in the middle of a pull of a large image, as root and
//! rootless: the next pull completes without fetching the finished layers
//! again (counted in the registry's access log; a partial one continues
//! with a Range request), the store is consistent and lists exactly one
//! image, and nothing is left in ROOT/downloads or ROOT/tmp.

mod common;
mod registry_kit;

use std::collections::BTreeMap;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use common::fixtures::{self, Compress, OciArchive};
use common::registry::{self, Registry, RegistryOpts, OCI_MANIFEST};
use common::{each_mode, Kist};
use registry_kit::{assert_consistent, downloads, image_ids, layers_of, out};

/// 4 layers of 24 MiB of random data (uncompressed tar layers: building
/// them costs no compression) as REPO:v1; returns the image and the layer
/// digests (hex).
fn seed_big(reg: &Registry, repo: &str) -> (fixtures::Image, Vec<String>) {
    let img = fixtures::big(4, 24, 5);
    let mut o = OciArchive::new(&img, None);
    o.compress = vec![Compress::None; img.layers.len()];
    let (manifest, blobs) = o.manifest();
    for (_, b) in &blobs {
        reg.push_blob(repo, b);
    }
    reg.push_blob(repo, &img.config);
    reg.push_manifest(repo, "v1", OCI_MANIFEST, &manifest);
    let hexes = blobs.into_iter().map(|(h, _)| h).collect();
    (img, hexes)
}

fn is_hex64(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// ROOT/downloads: finished blobs and partial ones (with their sizes).
fn kept(k: &Kist) -> (Vec<String>, BTreeMap<String, u64>) {
    let dir = k.root.join("downloads");
    let mut done = Vec::new();
    let mut partial = BTreeMap::new();
    for name in downloads(k) {
        if is_hex64(&name) {
            done.push(name);
        } else if let Some(hex) = name.strip_suffix(".partial") {
            let len = std::fs::metadata(dir.join(&name))
                .map(|m| m.len())
                .unwrap_or(0);
            partial.insert(hex.to_string(), len);
        }
    }
    (done, partial)
}

/// Starts `kist pull REF` in its own process group and SIGKILLs the whole
/// group (the CLI and, rootless, its re-executed child) once one layer is
/// finished while another is partly there. Returns false if the pull
/// ended first.
fn kill_mid_pull(k: &Kist, reference: &str) -> bool {
    let mut child = k
        .command(&["pull", "-q", reference])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let pgid = Pid::from_raw(child.id() as i32);
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        let (done, partial) = kept(k);
        if !done.is_empty() && partial.values().any(|n| *n > 0) {
            let _ = killpg(pgid, Signal::SIGKILL);
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{:?}: the pull is stuck",
            k.mode
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let status = child.wait().unwrap();
    let start = Instant::now();
    while killpg(pgid, None).is_ok() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    if status.signal() == Some(9) {
        return true;
    }
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(
        status.success(),
        "{:?}: the pull failed before the kill: {err}",
        k.mode
    );
    false
}

#[test]
fn killed_pull_resumes() {
    if !registry::available() {
        return;
    }
    let reg = Registry::start(RegistryOpts::plain());
    let (img, blobs) = seed_big(&reg, "big/image");
    let r = format!("{}/big/image:v1", reg.host);
    each_mode(|k: &Kist| {
        reg.reset_requests();
        assert!(
            kill_mid_pull(k, &r),
            "{:?}: the pull finished before it could be killed",
            k.mode
        );
        let (done, partial) = kept(k);
        println!(
            "{:?}: killed with finished {done:?}, partial {partial:?}",
            k.mode
        );
        assert!(!done.is_empty());
        assert!(done.iter().all(|d| blobs.contains(d)), "{done:?}");
        // Nothing half is visible.
        assert_eq!(k.image_list(), Vec::<String>::new(), "{:?}", k.mode);
        k.assert_tmp_empty();

        reg.reset_requests();
        let (code, stdout, stderr) = out(k, &["pull", &r]);
        assert_eq!(code, 0, "{:?}: {stderr}", k.mode);
        assert_eq!(stdout.trim(), img.id());
        assert!(stderr.contains("Resuming download"), "{stderr}");
        let reqs = reg.requests();
        for d in &done {
            assert_eq!(
                reg.count("GET", &format!("/blobs/sha256:{d}")),
                0,
                "{:?}: finished blob {d} fetched again: {reqs:#?}",
                k.mode
            );
        }
        for (d, have) in &partial {
            let gets: Vec<_> = reqs
                .iter()
                .filter(|q| q.method == "GET" && q.path.contains(&format!("/blobs/sha256:{d}")))
                .collect();
            assert!(gets.len() <= 1, "{gets:#?}");
            if *have > 0 && !gets.is_empty() {
                assert_eq!(
                    gets[0].status, 206,
                    "{:?}: not a Range request: {gets:#?}",
                    k.mode
                );
            }
        }
        for d in blobs
            .iter()
            .filter(|b| !done.contains(b) && !partial.contains_key(*b))
        {
            assert_eq!(
                reg.count("GET", &format!("/blobs/sha256:{d}")),
                1,
                "{reqs:#?}"
            );
        }

        // One whole image; its layers regenerate byte for byte.
        assert_eq!(image_ids(k), [img.id()].into());
        assert_eq!(k.image_list().len(), 1, "{:?}", k.image_list());
        assert_eq!(layers_of(k, &r), img.diff_ids());
        assert_consistent(k, "after the resumed pull");
        for (i, d) in img.diff_ids().iter().enumerate() {
            let blob = k.layer_diff(d).join(format!("big{i}/blob"));
            assert_eq!(k.lstat(&blob).len(), 24 << 20);
        }
        let saved = k.path("saved.tar");
        k.ok(&["save", "-o", saved.to_str().unwrap(), &r]);
        std::fs::remove_file(&saved).unwrap();
        assert_eq!(
            downloads(k).into_iter().collect::<Vec<_>>(),
            Vec::<String>::new(),
            "{:?}: ROOT/downloads keeps files",
            k.mode
        );
        k.assert_tmp_empty();
    });
}
