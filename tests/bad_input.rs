//! Broken and hostile archives: each fails with exit 125 and an error that
//! names the problem, leaves the store as it was (same images, no new layer
//! directories, nothing left in ROOT/tmp) and writes nothing outside it.

mod common;

use std::collections::BTreeSet;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use common::fixtures::{self, bad};
use common::{each_mode, Kist};

/// The store before a bad load.
struct Before {
    images: Vec<String>,
    layers: BTreeSet<String>,
}

/// Loads the good fixture so the store is not empty, returns its state.
fn prepare(k: &Kist) -> Before {
    k.load(&common::busybox_docker_archive());
    Before {
        images: k.image_list(),
        layers: k.layer_dirs(),
    }
}

fn assert_unchanged(k: &Kist, before: &Before, what: &str) {
    assert_eq!(
        k.image_list(),
        before.images,
        "{:?} {what}: image list changed",
        k.mode
    );
    assert_eq!(
        k.layer_dirs(),
        before.layers,
        "{:?} {what}: ROOT/layers changed",
        k.mode
    );
    k.assert_tmp_empty();
    assert!(
        !k.root.join("journal.json").exists(),
        "{:?} {what}: a commit journal was left",
        k.mode
    );
    // The good image is still whole.
    let out = k.path("check.tar");
    k.ok(&["save", "-o", out.to_str().unwrap(), fixtures::NAME]);
    std::fs::remove_file(out).unwrap();
}

/// `kist load -i FILE` must fail with 125 and every `needles` in stderr.
fn load_fails(k: &Kist, file: &Path, needles: &[&str]) -> String {
    let (code, stderr) = k.fails(&["load", "-i", file.to_str().unwrap()]);
    println!("{stderr}");
    assert_eq!(code, 125, "{:?}: exit code; stderr: {stderr}", k.mode);
    assert!(stderr.starts_with("Error: "), "{:?}: {stderr}", k.mode);
    for n in needles {
        assert!(
            stderr.contains(n),
            "{:?}: the error does not name {n:?}:\n{stderr}",
            k.mode
        );
    }
    stderr
}

/// A path outside the store unique to this scenario.
fn outside(k: &Kist, what: &str) -> PathBuf {
    let p = PathBuf::from(format!(
        "/tmp/kist-outside-{}-{what}-{}",
        std::process::id(),
        k.dir.file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&p);
    let _ = std::fs::remove_file(&p);
    p
}

#[test]
fn truncated_archive() {
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let f = k.write("truncated.tar", &bad::truncated());
        load_fails(k, &f, &[f.to_str().unwrap()]);
        assert_unchanged(k, &before, "truncated");
        // Also through a pipe.
        let (code, stderr) = k.fails_stdin(&["load"], &bad::truncated());
        assert_eq!(code, 125, "{stderr}");
        assert_unchanged(k, &before, "truncated on stdin");
    });
}

#[test]
fn empty_and_garbage_input() {
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let f = k.write("empty.tar", b"");
        load_fails(k, &f, &[]);
        assert_unchanged(k, &before, "empty");
        let f = k.write("garbage.tar", &fixtures::random_bytes(7, 10_000));
        load_fails(k, &f, &[]);
        assert_unchanged(k, &before, "garbage");
        // A valid tar that is no image archive.
        let t = fixtures::Layer::new()
            .file("hello", 0o644, 0, 0, b"hi\n")
            .finish();
        let f = k.write("plain.tar", &t);
        load_fails(k, &f, &["manifest.json"]);
        assert_unchanged(k, &before, "plain tar");
    });
}

#[test]
fn missing_input_file() {
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let f = k.path("does-not-exist.tar");
        load_fails(k, &f, &["does-not-exist.tar"]);
        assert_unchanged(k, &before, "missing file");
    });
}

#[test]
fn layer_not_matching_diff_id() {
    let (ar, diff_id) = bad::diff_id_mismatch();
    each_mode(|k: &Kist| {
        // The store holds another image, but not the bad layer: it must be
        // unpacked and checked.
        let small = fixtures::small("base", fixtures::CREATED);
        let f = k.write(
            "small.tar",
            &fixtures::DockerArchive::new(&small, &["kist-test/small:base"]).build(),
        );
        k.load(&f);
        let before = Before {
            images: k.image_list(),
            layers: k.layer_dirs(),
        };
        let f = k.write("diffid.tar", &ar);
        let e = load_fails(k, &f, &[&diff_id[..12]]);
        assert!(
            e.to_lowercase().contains("digest") || e.contains("diff_id"),
            "{e}"
        );
        assert_eq!(k.image_list(), before.images);
        assert_eq!(
            k.layer_dirs(),
            before.layers,
            "{:?}: layers of a failed load were kept",
            k.mode
        );
        k.assert_tmp_empty();
    });
}

#[test]
fn corrupt_config_digest() {
    let (ar, cfg) = bad::corrupt_config();
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let f = k.write("config.tar", &ar);
        let e = load_fails(k, &f, &[&cfg[..12]]);
        assert!(e.contains("digest"), "{e}");
        assert_unchanged(k, &before, "config digest");
    });
}

#[test]
fn unknown_layer_media_type() {
    let (ar, media) = bad::unknown_media_type();
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let f = k.write("media.tar", &ar);
        load_fails(k, &f, &[&media]);
        assert_unchanged(k, &before, "media type");
    });
}

#[test]
fn dotdot_entry() {
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let target = outside(k, "dotdot");
        let (ar, entry) = bad::dotdot(target.to_str().unwrap());
        let f = k.write("dotdot.tar", &ar);
        load_fails(k, &f, &[&entry]);
        assert!(
            !target.exists(),
            "{:?}: {} was written",
            k.mode,
            target.display()
        );
        assert_unchanged(k, &before, "../ entry");
    });
}

#[test]
fn absolute_entry() {
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let target = outside(k, "abs");
        let (ar, entry) = bad::absolute(target.to_str().unwrap());
        let f = k.write("absolute.tar", &ar);
        load_fails(k, &f, &[&entry]);
        assert!(
            !target.exists(),
            "{:?}: {} was written",
            k.mode,
            target.display()
        );
        assert_unchanged(k, &before, "absolute entry");
    });
}

#[test]
fn write_through_symlink() {
    each_mode(|k: &Kist| {
        let before = prepare(k);
        // The symlink's target exists and anyone may write into it, so only
        // kist's checks keep the file out.
        let target = outside(k, "symlink");
        std::fs::create_dir(&target).unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o777)).unwrap();
        let (ar, entry) = bad::through_symlink(target.to_str().unwrap());
        let f = k.write("symlink.tar", &ar);
        load_fails(k, &f, &[&entry]);
        let written = common::list_dir(&target);
        std::fs::remove_dir_all(&target).unwrap();
        assert!(
            written.is_empty(),
            "{:?}: wrote {written:?} through the symlink",
            k.mode
        );
        assert_unchanged(k, &before, "symlink");
    });
}

#[test]
fn hardlink_out_of_the_layer() {
    let (ar, entry) = bad::hardlink_escape();
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let links = std::fs::metadata("/etc/passwd").unwrap().nlink();
        let f = k.write("hardlink.tar", &ar);
        let e = load_fails(k, &f, &[&entry]);
        assert!(e.contains("../../etc/passwd"), "{e}");
        assert_eq!(std::fs::metadata("/etc/passwd").unwrap().nlink(), links);
        assert_unchanged(k, &before, "hardlink");
    });
}

/// An archive the user may not read: rootless, the error names it (as
/// root every file is readable, so this only runs rootless).
#[test]
fn unreadable_archive() {
    each_mode(|k: &Kist| {
        if !k.rootless() {
            println!("SKIPPED as root: root reads mode 000 files");
            return;
        }
        if !common::is_root() {
            // The file would be the user's own, which the user namespace's
            // root may read whatever its mode; only a file of another user
            // is unreadable.
            println!("SKIPPED: needs a file of another user (run the tests as root)");
            return;
        }
        let before = prepare(k);
        let f = k.write(
            "unreadable.tar",
            &std::fs::read(common::busybox_docker_archive()).unwrap(),
        );
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
        let e = load_fails(k, &f, &["unreadable.tar"]);
        assert!(e.to_lowercase().contains("permission denied"), "{e}");
        assert_unchanged(k, &before, "unreadable");
    });
}

/// Bad image references in RepoTags are refused.
#[test]
fn bad_repo_tag() {
    let img = fixtures::busybox();
    let ar = fixtures::DockerArchive::new(&img, &["kist-test/NotValid:tag"]).build();
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let f = k.write("badtag.tar", &ar);
        load_fails(k, &f, &["kist-test/NotValid", "lowercase"]);
        assert_unchanged(k, &before, "bad RepoTags");
    });
}

/// A hard link through a symlinked directory (`etcdir -> /etc`, then
/// `pw` linked to `etcdir/passwd`) must not link the host's file.
#[test]
fn hardlink_through_symlinked_dir() {
    let layer = fixtures::Layer::new()
        .symlink("etcdir", "/etc")
        .hardlink("pw", "etcdir/passwd")
        .finish();
    let ar = fixtures::docker_archive_of_layer(layer, "kist-test/bad:linkdir");
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let links = std::fs::metadata("/etc/passwd").unwrap().nlink();
        let f = k.write("linkdir.tar", &ar);
        load_fails(k, &f, &["pw"]);
        assert_eq!(
            std::fs::metadata("/etc/passwd").unwrap().nlink(),
            links,
            "{:?}: /etc/passwd got a hard link",
            k.mode
        );
        assert_unchanged(k, &before, "hardlink through a symlinked dir");
    });
}

/// A hard link to a symlink is valid: it links the symlink itself, never
/// the file the symlink points to (here the host's /etc/passwd).
#[test]
fn hardlink_to_symlink_links_the_symlink() {
    let layer = fixtures::Layer::new()
        .symlink("s", "/etc/passwd")
        .hardlink("h", "s")
        .finish();
    let diff = fixtures::sha256_hex(&layer);
    let ar = fixtures::docker_archive_of_layer(layer, "kist-test/ok:hardsym");
    each_mode(|k: &Kist| {
        let links = std::fs::metadata("/etc/passwd").unwrap().nlink();
        let f = k.write("hardsym.tar", &ar);
        let out = k.run(&["load", "-i", f.to_str().unwrap()]);
        assert_eq!(
            std::fs::metadata("/etc/passwd").unwrap().nlink(),
            links,
            "{:?}: /etc/passwd got a hard link",
            k.mode
        );
        assert!(
            out.status.success(),
            "{:?}: {}",
            k.mode,
            String::from_utf8_lossy(&out.stderr)
        );
        let d = k.layer_diff(&diff);
        let h = k.lstat(&d.join("h"));
        assert!(h.is_symlink(), "{:?}: h is not the symlink", k.mode);
        assert_eq!(h.ino(), k.lstat(&d.join("s")).ino());
        assert_eq!(
            std::fs::read_link(d.join("h")).unwrap(),
            Path::new("/etc/passwd")
        );
        // And it saves back unchanged.
        let saved = k.path("hardsym-saved.tar");
        k.ok(&[
            "save",
            "-o",
            saved.to_str().unwrap(),
            "kist-test/ok:hardsym",
        ]);
    });
}

/// Relative symlinks that climb out (`up -> ../../../..`), then a file
/// written through them.
#[test]
fn write_through_relative_symlink() {
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let target = outside(k, "relsym");
        let layer = fixtures::Layer::new()
            .symlink("up", &"../".repeat(12))
            .file(
                &format!("up/{}", target.to_str().unwrap().trim_start_matches('/')),
                0o644,
                0,
                0,
                b"x\n",
            )
            .finish();
        let f = k.write(
            "relsym.tar",
            &fixtures::docker_archive_of_layer(layer, "kist-test/bad:relsym"),
        );
        load_fails(k, &f, &["up/"]);
        assert!(
            !target.exists(),
            "{:?}: {} written",
            k.mode,
            target.display()
        );
        assert_unchanged(k, &before, "relative symlink");
    });
}

/// import shares the layer checks, and leaves the store as it was on error.
#[test]
fn bad_import_tarballs() {
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let target = outside(k, "import");
        let entry = format!(
            "{}{}",
            "../".repeat(12),
            target.to_str().unwrap().trim_start_matches('/')
        );
        let evil = fixtures::Layer::new()
            .file(&entry, 0o644, 0, 0, b"x\n")
            .finish();
        let f = k.write("evil-rootfs.tar", &evil);
        let (code, err) = k.fails(&["import", f.to_str().unwrap(), "kist-test/evil:1"]);
        assert_eq!(code, 125, "{err}");
        assert!(err.contains(&entry), "{err}");
        assert!(!target.exists());
        assert_unchanged(k, &before, "import with ../");
        let mut t = fixtures::Layer::new()
            .file("big", 0o644, 0, 0, &fixtures::random_bytes(3, 100_000))
            .finish();
        t.truncate(50_000);
        let f = k.write("truncated-rootfs.tar", &t);
        let (code, err) = k.fails(&["import", f.to_str().unwrap(), "kist-test/trunc:1"]);
        assert_eq!(code, 125, "{err}");
        assert!(err.contains("truncated") || err.contains("end"), "{err}");
        assert_unchanged(k, &before, "truncated import");
        let (code, err) = k.fails_stdin(&["import", "-", "kist-test/trunc:2"], &t);
        assert_eq!(code, 125, "{err}");
        assert_unchanged(k, &before, "truncated import on stdin");
    });
}

/// A directory given as the archive, and save into a missing directory.
#[test]
fn bad_paths() {
    each_mode(|k: &Kist| {
        let before = prepare(k);
        let d = k.path("a-directory");
        std::fs::create_dir(&d).unwrap();
        load_fails(k, &d, &["a-directory"]);
        assert_unchanged(k, &before, "directory");
        let out = k.path("missing-dir/out.tar");
        let (code, err) = k.fails(&["save", "-o", out.to_str().unwrap(), fixtures::NAME]);
        assert_eq!(code, 125);
        assert!(err.contains("missing-dir"), "{err}");
        assert!(!k.path("missing-dir").exists());
        assert_unchanged(k, &before, "save into a missing dir");
    });
}
