//! load and save: docker-archive, oci-archive, standard input, compressed
//! archives and layers, what lands in the store on disk, round trips,
//! determinism, and interop with skopeo and podman.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use common::fixtures::{self, Compress, DockerArchive, OciArchive};
use common::{each_mode, have, inspect_json, Kist};

/// name → bytes of every regular file in a tar archive.
fn tar_files(data: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut ar = tar::Archive::new(data);
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        if !e.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&e.path_bytes())
            .trim_start_matches("./")
            .to_string();
        let mut buf = Vec::new();
        e.read_to_end(&mut buf).unwrap();
        out.insert(name, buf);
    }
    out
}

fn assert_busybox_loaded(k: &Kist, name: &str) {
    assert_busybox_loaded_as(k, name, &fixtures::busybox().full_id());
}

/// The busybox fixture under `name`, with the image ID `id` (a converter
/// may rewrite the config).
fn assert_busybox_loaded_as(k: &Kist, name: &str, id: &str) {
    let img = fixtures::busybox();
    let list = k.image_list();
    assert_eq!(list, vec![format!("{name} {id}")], "{:?}", k.mode);
    let v = inspect_json(k, name);
    assert_eq!(v["Id"], id);
    let (repo, _) = name.rsplit_once(':').unwrap();
    assert_eq!(v["RepoTags"], serde_json::json!([name]));
    let layers: Vec<String> = img
        .diff_ids()
        .iter()
        .map(|d| format!("sha256:{d}"))
        .collect();
    assert_eq!(v["RootFS"]["Type"], "layers");
    assert_eq!(v["RootFS"]["Layers"], serde_json::json!(layers));
    assert_eq!(v["Config"]["Cmd"], serde_json::json!(["/bin/sh"]));
    assert_eq!(v["Config"]["Labels"]["org.kist.test"], "yes");
    assert_eq!(v["Architecture"], fixtures::host_arch());
    assert_eq!(v["Os"], "linux");
    assert!(
        v["Created"]
            .as_str()
            .unwrap()
            .starts_with("2024-01-02T03:04:05"),
        "{}",
        v["Created"]
    );
    // Size: the files' content, at least busybox, at most the tars.
    let size = v["Size"].as_u64().expect("Size is a number");
    let bb = fixtures::busybox_bytes().len() as u64;
    assert!(size >= bb && size <= img.tar_size(), "Size {size}");
    // The short ID and the repository work as references too.
    let short_id = &id[7..19];
    assert_eq!(k.inspect(short_id, "{{.Id}}"), id);
    if name.ends_with(":latest") {
        assert_eq!(k.inspect(repo, "{{.Id}}"), id);
    }
    let short = k.ok(&["images", "--format", "{{.ID}} {{.Repository}} {{.Tag}}"]);
    let (r, t) = name.rsplit_once(':').unwrap();
    assert_eq!(short, format!("{short_id} {r} {t}\n"));
    k.assert_tmp_empty();
    let dirs = k.layer_dirs();
    let want: std::collections::BTreeSet<String> = img.diff_ids().into_iter().collect();
    assert_eq!(dirs, want, "one directory per layer in ROOT/layers");
}

#[test]
fn load_docker_archive() {
    let ar = common::busybox_docker_archive();
    each_mode(|k: &Kist| {
        let out = k.load(&ar);
        assert_eq!(out, "Loaded image: kist-test/busybox:latest\n");
        assert_busybox_loaded(k, fixtures::NAME);
        // Loading it again changes nothing.
        let out = k.load(&ar);
        assert_eq!(out, "Loaded image: kist-test/busybox:latest\n");
        assert_busybox_loaded(k, fixtures::NAME);
    });
}

#[test]
fn load_oci_archive_gzip_and_zstd_layers() {
    let gz = common::busybox_oci_archive();
    let zst = common::fixture("busybox-oci-zstd.tar", || {
        let img = fixtures::busybox();
        let mut o = OciArchive::new(&img, Some("kist-test/busybox-zstd:v1"));
        o.compress = vec![Compress::Gzip, Compress::Zstd, Compress::Zstd];
        o.build()
    });
    each_mode(|k: &Kist| {
        let out = k.load(&gz);
        assert_eq!(out, "Loaded image: kist-test/busybox-oci:v1\n");
        assert_busybox_loaded(k, "kist-test/busybox-oci:v1");
        let v = inspect_json(k, "kist-test/busybox-oci:v1");
        let bb = fixtures::busybox();
        let oci = OciArchive::new(&bb, Some("kist-test/busybox-oci:v1"));
        eprintln!(
            "RepoDigests: {} (manifest sha256:{})",
            v["RepoDigests"],
            oci.manifest_digest()
        );
        k.ok(&["rmi", "kist-test/busybox-oci:v1"]);
        assert!(k.image_list().is_empty());
        let out = k.load(&zst);
        assert_eq!(out, "Loaded image: kist-test/busybox-zstd:v1\n");
        assert_busybox_loaded(k, "kist-test/busybox-zstd:v1");
        check_store_files(k);
    });
}

#[test]
fn load_oci_archive_without_name_prints_id() {
    let ar = common::fixture("busybox-oci-noname.tar", || {
        OciArchive::new(&fixtures::busybox(), None).build()
    });
    each_mode(|k: &Kist| {
        let out = k.load(&ar);
        assert_eq!(
            out,
            format!("Loaded image ID: {}\n", fixtures::busybox().full_id())
        );
        assert_eq!(
            k.image_list(),
            vec![format!("<none>:<none> {}", fixtures::busybox().full_id())]
        );
    });
}

#[test]
fn load_from_stdin_and_compressed_archives() {
    let plain = std::fs::read(common::busybox_docker_archive()).unwrap();
    let gz_path = common::fixture("busybox-docker.tar.gz", || fixtures::gzip(&plain));
    let zst_path = common::fixture("busybox-docker.tar.zst", || fixtures::zstd(&plain));
    let gz_layers = common::fixture("busybox-docker-gzlayers.tar", || {
        let img = fixtures::busybox();
        let mut d = DockerArchive::new(&img, &[fixtures::NAME]);
        d.compress = Compress::Gzip;
        d.build()
    });
    each_mode(|k: &Kist| {
        // A pipe (spooled into the workspace).
        let out = k.ok_stdin(&["load"], &plain);
        assert_eq!(out, "Loaded image: kist-test/busybox:latest\n");
        assert_busybox_loaded(k, fixtures::NAME);
        k.ok(&["rmi", fixtures::NAME]);
        // A gzip-compressed archive on stdin, then with -i.
        let gz = std::fs::read(&gz_path).unwrap();
        let out = k.ok_stdin(&["load"], &gz);
        assert_eq!(out, "Loaded image: kist-test/busybox:latest\n");
        assert_busybox_loaded(k, fixtures::NAME);
        k.ok(&["rmi", fixtures::NAME]);
        k.load(&gz_path);
        assert_busybox_loaded(k, fixtures::NAME);
        k.ok(&["rmi", fixtures::NAME]);
        k.load(&zst_path);
        assert_busybox_loaded(k, fixtures::NAME);
        k.ok(&["rmi", fixtures::NAME]);
        // gzip-compressed layer.tar files inside a docker-archive.
        k.load(&gz_layers);
        assert_busybox_loaded(k, fixtures::NAME);
        check_store_files(k);
    });
}

/// Stdin that is a regular file (`kist load < FILE`).
#[test]
fn load_from_stdin_file() {
    let ar = common::busybox_docker_archive();
    each_mode(|k: &Kist| {
        let out = k
            .command(&["load"])
            .stdin(std::fs::File::open(&ar).unwrap())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "Loaded image: kist-test/busybox:latest\n"
        );
        assert_busybox_loaded(k, fixtures::NAME);
    });
}

/// The unpacked layers on disk: contents, owners, modes, links, mtimes,
/// whiteouts and opaque directories.
fn check_store_files(k: &Kist) {
    let img = fixtures::busybox();
    let ids = img.diff_ids();
    let (l1, l2, l3) = (
        k.layer_diff(&ids[0]),
        k.layer_diff(&ids[1]),
        k.layer_diff(&ids[2]),
    );
    let mode = k.mode;

    // Layer 1: busybox and its symlinks.
    let bb = l1.join("bin/busybox");
    assert_eq!(k.read(&bb), fixtures::busybox_bytes());
    let m = k.lstat(&bb);
    assert_eq!(m.mode() & 0o7777, 0o755, "{mode:?}");
    assert_eq!(
        (m.uid(), m.gid()),
        (k.host_uid(0), k.host_gid(0)),
        "{mode:?} busybox owner"
    );
    assert_eq!(m.mtime() as u64, fixtures::MTIME, "{mode:?} busybox mtime");
    for name in fixtures::BUSYBOX_LINKS {
        let p = l1.join("bin").join(name);
        assert!(k.lstat(&p).is_symlink(), "{}", p.display());
        assert_eq!(std::fs::read_link(&p).unwrap(), Path::new("busybox"));
    }

    // Layer 2: owners, setuid, sticky, hard links, mtimes.
    let f = l2.join("home/user/file");
    assert_eq!(k.read(&f), fixtures::USER_FILE);
    let m = k.lstat(&f);
    assert_eq!(
        (m.uid(), m.gid()),
        (k.host_uid(1000), k.host_gid(1000)),
        "{mode:?}: uid 1000's file has the wrong host owner"
    );
    assert_eq!(m.mode() & 0o7777, 0o640);
    assert_eq!(
        m.mtime() as u64,
        fixtures::USER_FILE_MTIME,
        "{mode:?} file mtime"
    );
    let d = k.lstat(&l2.join("home/user"));
    assert!(d.is_dir());
    assert_eq!((d.uid(), d.gid()), (k.host_uid(1000), k.host_gid(1000)));
    assert_eq!(d.mode() & 0o7777, 0o750);
    let s = k.lstat(&l2.join("usr/bin/suid"));
    assert_eq!(s.mode() & 0o7777, 0o4755, "{mode:?}: setuid bit lost");
    let t = k.lstat(&l2.join("tmp"));
    assert!(t.is_dir());
    assert_eq!(t.mode() & 0o7777, 0o1777, "{mode:?}: tmp is not 1777");
    let a = k.lstat(&l2.join("opt/data/a"));
    let link = k.lstat(&l2.join("opt/a-link"));
    assert_eq!(
        a.ino(),
        link.ino(),
        "{mode:?}: opt/a-link is not a hard link of opt/data/a"
    );
    assert_eq!(a.nlink(), 2);
    assert_eq!(k.lstat(&l2.join("opt/data/b")).mode() & 0o7777, 0o600);
    assert_eq!(
        k.lstat(&l2.join("etc/passwd")).mtime() as u64,
        fixtures::MTIME,
        "{mode:?} passwd mtime"
    );
    assert_eq!(
        k.lstat(&l2.join("etc")).mtime() as u64,
        fixtures::MTIME,
        "{mode:?}: directory mtime not restored after its children were written"
    );
    assert_eq!(k.read(&l2.join("etc/motd")), fixtures::MOTD);

    // Layer 3: overlay whiteout and opaque directory.
    let wh = l3.join("etc/motd");
    let m = k.lstat(&wh);
    assert!(
        m.is_char_device(),
        "{mode:?}: whiteout is not a char device"
    );
    assert_eq!(m.rdev(), 0, "{mode:?}: whiteout is not 0/0");
    assert!(
        !l3.join("etc/.wh.motd").exists(),
        "{mode:?}: .wh. file left as is"
    );
    let data = l3.join("opt/data");
    assert_eq!(
        common::get_xattr(&data, k.opaque_xattr()).as_deref(),
        Some(&b"y"[..]),
        "{mode:?}: {} not set on opt/data",
        k.opaque_xattr()
    );
    assert!(
        !data.join(".wh..wh..opq").exists(),
        "{mode:?}: opaque marker left as a file"
    );
    assert_eq!(k.read(&data.join("new")), b"new\n");
    assert!(!l3.join("opt/data/a").exists());
    if k.rootless() && common::have("getfattr") {
        // The namespace's root (the user) reads it the same way.
        let out = k.ok(&[
            "unshare",
            "getfattr",
            "--only-values",
            "-n",
            "user.overlay.opaque",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([data.display().to_string()])
        .collect::<Vec<_>>());
        assert_eq!(out, "y");
    }
}

#[test]
fn store_files_on_disk() {
    let ar = common::busybox_docker_archive();
    each_mode(|k: &Kist| {
        k.load(&ar);
        check_store_files(k);
    });
}

/// Files and directories that only root may read (mode 000, 0700 of another
/// uid) load and save back byte for byte, rootless too.
#[test]
fn unreadable_files_in_layers_round_trip() {
    let ar = common::fixture("private.tar", || {
        let layer = fixtures::Layer::new()
            .dir("secret/", 0o700, 1000, 1000)
            .file("secret/key", 0o000, 1000, 1000, b"top secret\n")
            .file("nobody-reads", 0o000, 0, 0, b"zero\n")
            .dir("locked/", 0o000, 0, 0)
            .finish();
        fixtures::docker_archive_of_layer(layer, "kist-test/private:latest")
    });
    let layer_hex = {
        let files = tar_files(&std::fs::read(&ar).unwrap());
        let m: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
        let l = m[0]["Layers"][0].as_str().unwrap().to_string();
        fixtures::sha256_hex(&files[&l])
    };
    each_mode(|k: &Kist| {
        k.load(&ar);
        let diff = k.layer_diff(&layer_hex);
        let m = k.lstat(&diff.join("secret/key"));
        assert_eq!(m.mode() & 0o777, 0);
        assert_eq!(m.uid(), k.host_uid(1000));
        assert_eq!(k.lstat(&diff.join("locked")).mode() & 0o777, 0);
        let out = k.path("private-saved.tar");
        k.ok(&[
            "save",
            "-o",
            out.to_str().unwrap(),
            "kist-test/private:latest",
        ]);
        let files = tar_files(&std::fs::read(&out).unwrap());
        let m: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
        let l = m[0]["Layers"][0].as_str().unwrap();
        assert_eq!(
            fixtures::sha256_hex(&files[l]),
            layer_hex,
            "{:?}: layer not reproduced",
            k.mode
        );
        k.ok(&["rmi", "kist-test/private:latest"]);
        assert!(
            k.layer_dirs().is_empty(),
            "{:?}: layers left after rmi: {:?}",
            k.mode,
            k.layer_dirs()
        );
        k.assert_tmp_empty();
    });
}

/// The layer tars of a saved docker-archive, by manifest order.
fn saved_layers(archive: &[u8]) -> Vec<Vec<String>> {
    let files = tar_files(archive);
    let m: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    m.as_array()
        .unwrap()
        .iter()
        .map(|img| {
            img["Layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| fixtures::sha256_hex(&files[l.as_str().unwrap()]))
                .collect()
        })
        .collect()
}

#[test]
fn save_load_round_trip_is_deterministic() {
    let ar = common::busybox_docker_archive();
    let img = fixtures::busybox();
    each_mode(|k: &Kist| {
        k.load(&ar);
        let a = k.path("a.tar");
        let b = k.path("b.tar");
        k.ok(&["save", "-o", a.to_str().unwrap(), fixtures::NAME]);
        k.ok(&["save", "--output", b.to_str().unwrap(), fixtures::NAME]);
        let (da, db) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        assert!(da == db, "{:?}: two saves of the same image differ", k.mode);
        // To standard output: the same bytes.
        let out = k.command(&["save", fixtures::NAME]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stdout == da,
            "{:?}: save to stdout differs from save -o",
            k.mode
        );
        // The layers are reproduced byte for byte, the config kept.
        assert_eq!(saved_layers(&da), vec![img.diff_ids()]);
        let files = tar_files(&da);
        let m: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
        assert_eq!(m[0]["RepoTags"], serde_json::json!([fixtures::NAME]));
        let cfg = &files[m[0]["Config"].as_str().unwrap()];
        assert_eq!(fixtures::sha256_hex(cfg), img.id());
        // docker's current layout is also an OCI layout.
        assert!(files.contains_key("index.json") || files.contains_key("repositories"));
        // No temporary file left beside the output.
        let left: Vec<String> = common::list_dir(&k.dir)
            .into_iter()
            .filter(|n| n.contains("kist-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");

        if have("skopeo") {
            // skopeo reads kist's docker-archive.
            let o = Command::new("skopeo")
                .args(["inspect", "--config"])
                .arg(format!("docker-archive:{}", a.display()))
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "skopeo inspect docker-archive: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let cfg: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(cfg["rootfs"]["diff_ids"].as_array().unwrap().len(), 3);
        }
        let out = k.ok(&["rmi", fixtures::NAME]);
        assert!(
            out.contains(&format!("Deleted: {}", img.full_id())),
            "{out}"
        );
        assert!(k.image_list().is_empty());
        assert!(k.layer_dirs().is_empty());
        let out = k.load(&a);
        assert_eq!(out, "Loaded image: kist-test/busybox:latest\n");
        assert_busybox_loaded(k, fixtures::NAME);
        check_store_files(k);
        let c = k.path("c.tar");
        k.ok(&["save", "-o", c.to_str().unwrap(), fixtures::NAME]);
        assert!(
            std::fs::read(&c).unwrap() == da,
            "{:?}: save after a round trip differs",
            k.mode
        );
    });
}

#[test]
fn save_two_images_into_one_archive() {
    let ar = common::busybox_docker_archive();
    let child = common::fixture("child.tar", || {
        let img = fixtures::busybox_child("one");
        DockerArchive::new(&img, &["kist-test/child:one"]).build()
    });
    each_mode(|k: &Kist| {
        k.load(&ar);
        k.load(&child);
        let both = k.path("both.tar");
        k.ok(&[
            "save",
            "-o",
            both.to_str().unwrap(),
            fixtures::NAME,
            "kist-test/child:one",
        ]);
        let data = std::fs::read(&both).unwrap();
        let layers = saved_layers(&data);
        assert_eq!(
            layers,
            vec![
                fixtures::busybox().diff_ids(),
                fixtures::busybox_child("one").diff_ids()
            ]
        );
        // Shared layers are stored once.
        let files = tar_files(&data);
        let layer_files = files
            .iter()
            .filter(|(_, v)| fixtures::busybox().layers[0] == **v)
            .count();
        assert_eq!(layer_files, 1, "shared layer stored {layer_files} times");
        k.ok(&["rmi", fixtures::NAME, "kist-test/child:one"]);
        assert!(k.image_list().is_empty());
        let out = k.load(&both);
        let mut lines: Vec<&str> = out.lines().collect();
        lines.sort();
        assert_eq!(
            lines,
            vec![
                "Loaded image: kist-test/busybox:latest",
                "Loaded image: kist-test/child:one"
            ]
        );
        let mut want = vec![
            format!("{} {}", fixtures::NAME, fixtures::busybox().full_id()),
            format!(
                "kist-test/child:one {}",
                fixtures::busybox_child("one").full_id()
            ),
        ];
        want.sort();
        assert_eq!(k.image_list(), want);
        assert_eq!(k.layer_dirs().len(), 4);
    });
}

#[test]
fn save_oci_archive() {
    let ar = common::busybox_docker_archive();
    each_mode(|k: &Kist| {
        k.load(&ar);
        let out = k.path("oci.tar");
        k.ok(&[
            "save",
            "--format",
            "oci-archive",
            "-o",
            out.to_str().unwrap(),
            fixtures::NAME,
        ]);
        let data = std::fs::read(&out).unwrap();
        let files = tar_files(&data);
        assert!(files.contains_key("index.json"), "{:?}", files.keys());
        assert!(files.contains_key("oci-layout"), "{:?}", files.keys());
        assert!(
            !files.contains_key("manifest.json"),
            "oci-archive has docker's manifest.json"
        );
        let layout: serde_json::Value = serde_json::from_slice(&files["oci-layout"]).unwrap();
        assert_eq!(layout["imageLayoutVersion"], "1.0.0");
        let index: serde_json::Value = serde_json::from_slice(&files["index.json"]).unwrap();
        let desc = &index["manifests"][0];
        let mhex = desc["digest"]
            .as_str()
            .unwrap()
            .strip_prefix("sha256:")
            .unwrap();
        let manifest = &files[&format!("blobs/sha256/{mhex}")];
        assert_eq!(fixtures::sha256_hex(manifest), mhex);
        let m: serde_json::Value = serde_json::from_slice(manifest).unwrap();
        assert_eq!(m["config"]["digest"], fixtures::busybox().full_id());
        assert_eq!(m["layers"].as_array().unwrap().len(), 3);
        for l in m["layers"].as_array().unwrap() {
            let hex = l["digest"]
                .as_str()
                .unwrap()
                .strip_prefix("sha256:")
                .unwrap();
            let blob = &files[&format!("blobs/sha256/{hex}")];
            assert_eq!(fixtures::sha256_hex(blob), hex, "blob digest");
            assert_eq!(l["size"].as_u64().unwrap(), blob.len() as u64);
        }
        // Deterministic too.
        let again = k.path("oci2.tar");
        k.ok(&[
            "save",
            "--format",
            "oci-archive",
            "-o",
            again.to_str().unwrap(),
            fixtures::NAME,
        ]);
        assert!(
            std::fs::read(&again).unwrap() == data,
            "two oci-archive saves differ"
        );
        if have("skopeo") {
            let o = Command::new("skopeo")
                .args(["inspect", "--raw"])
                .arg(format!("oci-archive:{}", out.display()))
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "skopeo inspect: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let raw: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(raw["config"]["digest"], fixtures::busybox().full_id());
            let o = Command::new("skopeo")
                .args(["inspect", "--config"])
                .arg(format!("oci-archive:{}", out.display()))
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "skopeo inspect --config: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let cfg: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let want: serde_json::Value =
                serde_json::from_slice(&fixtures::busybox().config).unwrap();
            assert_eq!(cfg, want);
        }
        // And it loads back.
        k.ok(&["rmi", fixtures::NAME]);
        let loaded = k.load(&out);
        assert!(loaded.contains("Loaded image"), "{loaded}");
        assert_eq!(
            k.inspect(&fixtures::busybox().id()[..12], "{{.Id}}"),
            fixtures::busybox().full_id()
        );
        assert_eq!(
            k.inspect(&fixtures::busybox().id()[..12], "{{json .RootFS.Layers}}"),
            serde_json::to_string(
                &fixtures::busybox()
                    .diff_ids()
                    .iter()
                    .map(|d| format!("sha256:{d}"))
                    .collect::<Vec<_>>()
            )
            .unwrap()
        );
    });
}

#[test]
fn skopeo_docker_archive_loads() {
    let Some(out) = skopeo_copy(
        &common::busybox_oci_archive(),
        "oci-archive",
        "docker-archive",
        "kist-test/from-skopeo:v2",
    ) else {
        return;
    };
    each_mode(|k: &Kist| {
        let loaded = k.load(&out);
        assert_eq!(loaded, "Loaded image: kist-test/from-skopeo:v2\n");
        assert_busybox_loaded(k, "kist-test/from-skopeo:v2");
        check_store_files(k);
    });
}

#[test]
fn skopeo_oci_archive_loads() {
    let Some(out) = skopeo_copy(
        &common::busybox_docker_archive(),
        "docker-archive",
        "oci-archive",
        "kist-test/from-skopeo-oci:v3",
    ) else {
        return;
    };
    // skopeo writes the config anew: the image ID is its digest.
    let files = tar_files(&std::fs::read(&out).unwrap());
    let blob = |digest: &serde_json::Value| -> serde_json::Value {
        let hex = digest.as_str().unwrap().trim_start_matches("sha256:");
        serde_json::from_slice(&files[&format!("blobs/sha256/{hex}")]).unwrap()
    };
    let index: serde_json::Value = serde_json::from_slice(&files["index.json"]).unwrap();
    let manifest = blob(&index["manifests"][0]["digest"]);
    let id = manifest["config"]["digest"].as_str().unwrap().to_string();
    each_mode(|k: &Kist| {
        let loaded = k.load(&out);
        assert_eq!(loaded, "Loaded image: kist-test/from-skopeo-oci:v3\n");
        assert_busybox_loaded_as(k, "kist-test/from-skopeo-oci:v3", &id);
        check_store_files(k);
    });
}

/// `skopeo copy FROM:src TO:dst:name`, once per test process; None (with
/// the reason printed) without skopeo.
fn skopeo_copy(src: &Path, from: &str, to: &str, name: &str) -> Option<std::path::PathBuf> {
    if !have("skopeo") {
        println!("skipped: skopeo is not installed (scripts/install-deps installs it)");
        return None;
    }
    let out = common::session_dir().join(format!("fixtures/skopeo-{to}.tar"));
    if !out.exists() {
        let o = Command::new("skopeo")
            .arg("copy")
            .arg("--quiet")
            .arg(format!("{from}:{}", src.display()))
            .arg(format!("{to}:{}:{name}", out.display()))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "skopeo copy: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        std::fs::set_permissions(&out, std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .unwrap();
    }
    Some(out)
}

struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn podman_loads_kist_save() {
    if !have("podman") {
        return;
    }
    if !common::is_root() {
        println!("SKIPPED: podman load check runs as root only");
        return;
    }
    let ar = common::busybox_docker_archive();
    each_mode(|k: &Kist| {
        k.load(&ar);
        for format in ["docker-archive", "oci-archive"] {
            let out = k.path(&format!("for-podman-{format}.tar"));
            k.ok(&[
                "save",
                "--format",
                format,
                "-o",
                out.to_str().unwrap(),
                fixtures::NAME,
            ]);
            // podman limits the runroot to 50 characters.
            let proot =
                std::path::PathBuf::from(format!("/tmp/kp-{}-{:?}", std::process::id(), k.mode));
            let _cleanup = RemoveOnDrop(proot.clone());
            let podman = |args: &[&str]| {
                let o = Command::new("podman")
                    .arg("--root")
                    .arg(proot.join("root"))
                    .arg("--runroot")
                    .arg(proot.join("run"))
                    .args([
                        "--storage-driver",
                        "vfs",
                        "--cgroup-manager",
                        "cgroupfs",
                        "--events-backend",
                        "none",
                    ])
                    .args(args)
                    .env("HOME", proot.join("home"))
                    .output()
                    .unwrap();
                assert!(
                    o.status.success(),
                    "podman {args:?} of kist's {format}: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                String::from_utf8(o.stdout).unwrap()
            };
            podman(&["load", "-q", "-i", out.to_str().unwrap()]);
            let ids = podman(&["images", "--no-trunc", "--format", "{{.ID}}"]);
            let id = fixtures::busybox().id();
            assert!(ids.contains(&id), "podman shows {ids:?}, want {id}");
            let layers = podman(&[
                "image",
                "inspect",
                "--format",
                "{{json .RootFS.Layers}}",
                &id,
            ]);
            for d in fixtures::busybox().diff_ids() {
                assert!(layers.contains(&d), "podman layers {layers}");
            }
            if format == "docker-archive" {
                let names = podman(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
                assert!(names.contains("kist-test/busybox:latest"), "{names}");
            }
            podman(&["rmi", "-a", "-f"]);
            let _ = Command::new("podman")
                .arg("--root")
                .arg(proot.join("root"))
                .arg("--runroot")
                .arg(proot.join("run"))
                .args(["--storage-driver", "vfs", "system", "reset", "-f"])
                .output();
        }
    });
}

/// The name an oci-archive gives: containerd's annotation, or a ref.name
/// that is a full reference; a bare tag in ref.name names nothing.
#[test]
fn oci_ref_name_annotations() {
    let img = fixtures::busybox();
    let build = |a: serde_json::Value| {
        let mut o = OciArchive::new(&img, None);
        o.annotations = Some(a);
        o.build()
    };
    let full = build(serde_json::json!({
        "org.opencontainers.image.ref.name": "docker.io/kist-test/refname:v3"
    }));
    let bare = build(serde_json::json!({"org.opencontainers.image.ref.name": "v3"}));
    each_mode(|k: &Kist| {
        let f = k.write("full.tar", &full);
        assert_eq!(k.load(&f), "Loaded image: kist-test/refname:v3\n");
        k.ok(&["rmi", "kist-test/refname:v3"]);
        let f = k.write("bare.tar", &bare);
        assert_eq!(k.load(&f), format!("Loaded image ID: {}\n", img.full_id()));
        assert_eq!(k.image_list(), [format!("<none>:<none> {}", img.full_id())]);
    });
}

/// An oci-archive whose index points to a multi-platform image index:
/// only the host's image is loaded.
#[test]
fn oci_multi_platform_index_loads_the_host_image() {
    let host = fixtures::busybox();
    let other = {
        let o = fixtures::small("other-arch", fixtures::CREATED);
        let mut cfg: serde_json::Value = serde_json::from_slice(&o.config).unwrap();
        let arch = if fixtures::host_arch() == "s390x" {
            "riscv64"
        } else {
            "s390x"
        };
        cfg["architecture"] = arch.into();
        fixtures::Image {
            layers: o.layers,
            config: serde_json::to_vec(&cfg).unwrap(),
        }
    };
    let data = {
        let mut b = tar::Builder::new(Vec::new());
        fixtures::put(&mut b, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
        let mut descs = Vec::new();
        for img in [&other, &host] {
            let o = OciArchive::new(img, None);
            let (manifest, blobs) = o.manifest();
            for (hex, d) in &blobs {
                fixtures::put(&mut b, &format!("blobs/sha256/{hex}"), d);
            }
            fixtures::put(&mut b, &format!("blobs/sha256/{}", img.id()), &img.config);
            let mhex = fixtures::sha256_hex(&manifest);
            fixtures::put(&mut b, &format!("blobs/sha256/{mhex}"), &manifest);
            let cfg: serde_json::Value = serde_json::from_slice(&img.config).unwrap();
            descs.push(serde_json::json!({
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": format!("sha256:{mhex}"),
                "size": manifest.len(),
                "platform": {"architecture": cfg["architecture"], "os": "linux"},
            }));
        }
        let nested = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": descs,
        }))
        .unwrap();
        let nhex = fixtures::sha256_hex(&nested);
        fixtures::put(&mut b, &format!("blobs/sha256/{nhex}"), &nested);
        let index = serde_json::json!({
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "digest": format!("sha256:{nhex}"),
                "size": nested.len(),
                "annotations": {"io.containerd.image.name": "docker.io/kist-test/multi:v1"},
            }],
        });
        fixtures::put(&mut b, "index.json", &serde_json::to_vec(&index).unwrap());
        b.into_inner().unwrap()
    };
    each_mode(|k: &Kist| {
        let f = k.write("multi.tar", &data);
        assert_eq!(k.load(&f), "Loaded image: kist-test/multi:v1\n");
        assert_eq!(
            k.image_list(),
            [format!("kist-test/multi:v1 {}", host.full_id())]
        );
        let want: std::collections::BTreeSet<String> = host.diff_ids().into_iter().collect();
        assert_eq!(
            k.layer_dirs(),
            want,
            "{:?}: the other platform's layers were unpacked",
            k.mode
        );
    });
}
