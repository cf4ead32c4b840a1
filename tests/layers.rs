//! Layer contents real images carry: long names (GNU and PAX), PAX xattrs,
//! duplicate entries, device nodes and fifos, empty and repeated layers,
//! high uids, read-only directories. Each is loaded, checked on disk and
//! saved back: the saved layer must be the original byte for byte (its
//! digest is the diff_id).

mod common;

use std::io::Read;

use common::fixtures::{self, DockerArchive, Image, Layer};
use common::{each_mode, Kist};

fn image_of(layers: Vec<Vec<u8>>) -> Image {
    let history: Vec<String> = (0..layers.len()).map(|i| format!("ADD {i}")).collect();
    let h: Vec<&str> = history.iter().map(|s| s.as_str()).collect();
    let config = fixtures::config(
        &layers,
        &fixtures::ConfigSpec {
            created: fixtures::CREATED,
            cmd: &["/bin/sh"],
            labels: &[],
            history: &h,
        },
    );
    Image { layers, config }
}

/// Loads `img` as NAME, runs `check` on the store, saves it, checks the
/// saved layers are the originals, removes it and checks the store is
/// empty. Returns load's stderr.
fn round_trip(k: &Kist, img: &Image, name: &str, check: impl Fn(&Kist)) -> String {
    let f = k.write("in.tar", &DockerArchive::new(img, &[name]).build());
    let out = k.run(&["load", "-i", f.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{:?}: load failed: {stderr}", k.mode);
    assert_eq!(
        k.inspect(name, "{{.Id}}"),
        img.full_id(),
        "{:?}: wrong image ID",
        k.mode
    );
    check(k);
    let saved = k.path("saved.tar");
    let out = k.run(&["save", "-o", saved.to_str().unwrap(), name]);
    assert!(
        out.status.success(),
        "{:?}: save failed: {}",
        k.mode,
        String::from_utf8_lossy(&out.stderr)
    );
    let data = std::fs::read(&saved).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for e in tar::Archive::new(&data[..]).entries().unwrap() {
        let mut e = e.unwrap();
        let p = e.path().unwrap().to_string_lossy().to_string();
        let mut buf = Vec::new();
        e.read_to_end(&mut buf).unwrap();
        files.insert(p, buf);
    }
    let m: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let saved_ids: Vec<String> = m[0]["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| fixtures::sha256_hex(&files[l.as_str().unwrap()]))
        .collect();
    assert_eq!(
        saved_ids,
        img.diff_ids(),
        "{:?}: saved layers differ from the loaded ones",
        k.mode
    );
    std::fs::remove_file(&saved).unwrap();
    k.ok(&["rmi", name]);
    assert!(k.image_list().is_empty());
    assert!(
        k.layer_dirs().is_empty(),
        "{:?}: {:?}",
        k.mode,
        k.layer_dirs()
    );
    k.assert_tmp_empty();
    stderr
}

#[test]
fn long_names() {
    let gnu = format!("long/{}/gnu-file", "g".repeat(120));
    let pax = format!("long/{}/pax-file", "p".repeat(180));
    let img = image_of(vec![Layer::new()
        .dir("long/", 0o755, 0, 0)
        .gnu_long_name(&format!("long/{}/", "g".repeat(120)))
        .dir("long/ggg/", 0o755, 0, 0)
        .gnu_long_name(&gnu)
        .file("long/ggg/gnu-file", 0o644, 0, 0, b"gnu\n")
        .pax(&[("path", format!("long/{}/", "p".repeat(180)).as_bytes())])
        .dir("long/ppp/", 0o755, 0, 0)
        .pax(&[("path", pax.as_bytes())])
        .file("long/ppp/pax-file", 0o644, 0, 0, b"pax\n")
        .finish()]);
    each_mode(|k: &Kist| {
        round_trip(k, &img, "kist-test/long:1", |k| {
            let d = k.layer_diff(&img.diff_ids()[0]);
            assert_eq!(k.read(&d.join(&gnu)), b"gnu\n");
            assert_eq!(k.read(&d.join(&pax)), b"pax\n");
            assert!(!d.join("long/ggg").exists());
            assert!(!d.join("long/ppp").exists());
        });
    });
}

#[test]
fn pax_xattrs() {
    let img = image_of(vec![Layer::new()
        .pax(&[("SCHILY.xattr.user.kist", b"hello")])
        .file("xattr-file", 0o644, 0, 0, b"x\n")
        .pax(&[("mtime", b"1600000000.25")])
        .file("pax-mtime", 0o644, 0, 0, b"m\n")
        .finish()]);
    each_mode(|k: &Kist| {
        round_trip(k, &img, "kist-test/xattr:1", |k| {
            let d = k.layer_diff(&img.diff_ids()[0]);
            assert_eq!(
                common::get_xattr(&d.join("xattr-file"), "user.kist").as_deref(),
                Some(&b"hello"[..]),
                "{:?}: user.kist xattr not set",
                k.mode
            );
            let m = k.lstat(&d.join("pax-mtime"));
            assert_eq!(m.mtime(), 1_600_000_000, "{:?}", k.mode);
        });
    });
}

#[test]
fn duplicate_entries_last_wins() {
    let img = image_of(vec![Layer::new()
        .file("dup", 0o644, 0, 0, b"first\n")
        .file("dup", 0o600, 0, 0, b"second\n")
        .file("becomes-dir", 0o644, 0, 0, b"file\n")
        .dir("becomes-dir/", 0o755, 0, 0)
        .file("becomes-dir/inner", 0o644, 0, 0, b"inner\n")
        .dir("becomes-file/", 0o755, 0, 0)
        .file("becomes-file", 0o644, 0, 0, b"now a file\n")
        .finish()]);
    each_mode(|k: &Kist| {
        round_trip(k, &img, "kist-test/dup:1", |k| {
            let d = k.layer_diff(&img.diff_ids()[0]);
            assert_eq!(k.read(&d.join("dup")), b"second\n");
            assert_eq!(k.lstat(&d.join("dup")).mode() & 0o777, 0o600);
            assert_eq!(k.read(&d.join("becomes-dir/inner")), b"inner\n");
            assert_eq!(k.read(&d.join("becomes-file")), b"now a file\n");
        });
    });
}

#[test]
fn device_nodes_and_fifos() {
    let img = image_of(vec![Layer::new()
        .dir("dev/", 0o755, 0, 0)
        .special("dev/null", tar::EntryType::Char, 1, 3)
        .special("dev/loop9", tar::EntryType::Block, 7, 9)
        .special("dev/fifo", tar::EntryType::Fifo, 0, 0)
        .finish()]);
    each_mode(|k: &Kist| {
        let stderr = round_trip(k, &img, "kist-test/dev:1", |k| {
            let d = k.layer_diff(&img.diff_ids()[0]);
            let fifo = k.lstat(&d.join("dev/fifo"));
            assert!(fifo.is_fifo(), "{:?}: fifo missing", k.mode);
            if !k.rootless() {
                let n = k.lstat(&d.join("dev/null"));
                assert!(n.is_char_device());
                assert_eq!(n.rdev(), nix::sys::stat::makedev(1, 3));
                let b = k.lstat(&d.join("dev/loop9"));
                assert!(b.is_block_device());
                assert_eq!(b.rdev(), nix::sys::stat::makedev(7, 9));
            }
        });
        if k.rootless() {
            assert!(
                stderr.contains("Warning:") && stderr.contains("dev/null"),
                "rootless: no warning about the device nodes it cannot create: {stderr}"
            );
        } else {
            assert!(!stderr.contains("Warning"), "{stderr}");
        }
    });
}

#[test]
fn empty_and_repeated_layers() {
    let empty = Layer::new().finish();
    let one = Layer::new().file("one", 0o644, 0, 0, b"1\n").finish();
    let img = image_of(vec![one.clone(), empty.clone(), empty.clone(), one.clone()]);
    each_mode(|k: &Kist| {
        round_trip(k, &img, "kist-test/repeat:1", |k| {
            assert_eq!(k.layer_dirs().len(), 2, "{:?}", k.layer_dirs());
            let v = common::inspect_json(k, "kist-test/repeat:1");
            assert_eq!(v["RootFS"]["Layers"].as_array().unwrap().len(), 4);
            let h = k.ok(&["history", "-q", "kist-test/repeat:1"]);
            assert_eq!(h.lines().count(), 5, "{h}");
        });
    });
}

#[test]
fn high_ids_and_read_only_dirs() {
    let img = image_of(vec![Layer::new()
        .file("nobody", 0o644, 65534, 65534, b"nobody\n")
        .file("top", 0o644, 65536, 65536, b"top\n")
        .dir("ro/", 0o555, 0, 0)
        .file("ro/inside", 0o444, 0, 0, b"read only\n")
        .dir("ro/sub/", 0o500, 1000, 1000)
        .file("ro/sub/f", 0o400, 1000, 1000, b"f\n")
        .finish()]);
    each_mode(|k: &Kist| {
        round_trip(k, &img, "kist-test/ids:1", |k| {
            let d = k.layer_diff(&img.diff_ids()[0]);
            let m = k.lstat(&d.join("nobody"));
            assert_eq!((m.uid(), m.gid()), (k.host_uid(65534), k.host_gid(65534)));
            let m = k.lstat(&d.join("top"));
            assert_eq!((m.uid(), m.gid()), (k.host_uid(65536), k.host_gid(65536)));
            assert_eq!(k.lstat(&d.join("ro")).mode() & 0o777, 0o555);
            assert_eq!(k.lstat(&d.join("ro/sub")).mode() & 0o777, 0o500);
            assert_eq!(k.lstat(&d.join("ro/sub/f")).uid(), k.host_uid(1000));
        });
    });
}

/// A uid beyond the 65536 subordinate ids cannot be stored rootless: the
/// load fails and names the entry (as root it loads).
#[test]
fn uid_outside_the_mapping() {
    let img = image_of(vec![Layer::new()
        .file("far", 0o644, 100_000, 100_000, b"far\n")
        .finish()]);
    each_mode(|k: &Kist| {
        if !k.rootless() {
            round_trip(k, &img, "kist-test/far:1", |k| {
                let d = k.layer_diff(&img.diff_ids()[0]);
                assert_eq!(k.lstat(&d.join("far")).uid(), 100_000);
            });
            return;
        }
        let f = k.write(
            "far.tar",
            &DockerArchive::new(&img, &["kist-test/far:1"]).build(),
        );
        let (code, err) = k.fails(&["load", "-i", f.to_str().unwrap()]);
        assert_eq!(code, 125, "{err}");
        println!("{err}");
        assert!(err.contains("far"), "{err}");
        assert!(k.image_list().is_empty());
        assert!(k.layer_dirs().is_empty());
        k.assert_tmp_empty();
    });
}

/// Loading a new image under a name another image has moves the name, with
/// docker's warning.
#[test]
fn load_over_an_existing_name() {
    each_mode(|k: &Kist| {
        let a = fixtures::small("a", "2024-01-01T00:00:00Z");
        let b = fixtures::small("b", "2024-02-01T00:00:00Z");
        let fa = k.write(
            "a.tar",
            &DockerArchive::new(&a, &["kist-test/same:1"]).build(),
        );
        let fb = k.write(
            "b.tar",
            &DockerArchive::new(&b, &["kist-test/same:1"]).build(),
        );
        k.load(&fa);
        let out = k.run(&["load", "-i", fb.to_str().unwrap()]);
        assert!(out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("kist-test/same:1") && err.contains(&a.id()[..12]),
            "no rename warning: {err}"
        );
        let mut want = vec![
            format!("<none>:<none> {}", a.full_id()),
            format!("kist-test/same:1 {}", b.full_id()),
        ];
        want.sort();
        assert_eq!(k.image_list(), want);
        // Several tags of one image in one archive.
        let fc = k.write(
            "c.tar",
            &DockerArchive::new(&a, &["kist-test/multi:1", "kist-test/multi:2", "other/x:y"])
                .build(),
        );
        let out = k.load(&fc);
        assert_eq!(
            out,
            "Loaded image: kist-test/multi:1\nLoaded image: kist-test/multi:2\nLoaded image: other/x:y\n"
        );
        assert_eq!(k.image_list().len(), 4, "{:?}", k.image_list());
    });
}
