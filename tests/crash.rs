//! Crash safety and concurrency: a `kist load` killed with SIGKILL leaves no
//! half image and nothing that a later command does not clean up; two loads
//! of images that share layers at once both succeed with one copy of each
//! layer.

mod common;

use std::collections::BTreeSet;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use common::fixtures::{self, DockerArchive, Image};
use common::{each_mode, Kist};

/// 200 MiB of random data in 4 layers, built once and cached in /tmp
/// across test runs (the content is deterministic).
fn big_archive() -> &'static (PathBuf, Vec<String>) {
    static BIG: OnceLock<(PathBuf, Vec<String>)> = OnceLock::new();
    BIG.get_or_init(|| {
        let mut dir = Path::new("/tmp/kist-test-cache");
        let _ = std::fs::create_dir_all(dir);
        let _ = std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o755));
        if nix::unistd::access(dir, nix::unistd::AccessFlags::W_OK).is_err()
            && !dir.join("big-4x50m-v1.ids").exists()
        {
            // Another user's cache without the archive: build our own.
            dir = common::session_dir();
        }
        let path = dir.join("big-4x50m-v1.tar");
        let ids_path = dir.join("big-4x50m-v1.ids");
        if let (true, Ok(ids)) = (path.exists(), std::fs::read_to_string(&ids_path)) {
            let ids: Vec<String> = ids.lines().map(String::from).collect();
            if ids.len() == 5 {
                return (path, ids);
            }
        }
        let img = fixtures::big(4, 50, 42);
        let data = DockerArchive::new(&img, &["kist-test/big:latest"]).build();
        let tmp = dir.join(format!("big.{}.part", std::process::id()));
        std::fs::write(&tmp, &data).unwrap();
        let _ = std::fs::set_permissions(&tmp, std::os::unix::fs::PermissionsExt::from_mode(0o644));
        std::fs::rename(&tmp, &path).unwrap();
        let mut ids = vec![img.id()];
        ids.extend(img.diff_ids());
        std::fs::write(&ids_path, ids.join("\n")).unwrap();
        let _ = std::fs::set_permissions(
            &ids_path,
            std::os::unix::fs::PermissionsExt::from_mode(0o644),
        );
        (path, ids)
    })
}

fn small_archive(k: &Kist, tag: &str) -> (PathBuf, Image) {
    let img = fixtures::small(tag, fixtures::CREATED);
    let name = format!("kist-test/small:{tag}");
    let f = k.write(
        &format!("small-{tag}.tar"),
        &DockerArchive::new(&img, &[&name]).build(),
    );
    (f, img)
}

/// Starts `kist load -i ARCHIVE` in its own process group, waits until its
/// workspace appears in ROOT/tmp plus `delay`, then SIGKILLs the whole
/// group (the CLI and, rootless, its re-executed child). Returns whether
/// the load was killed (false: it had finished).
fn kill_load(k: &Kist, archive: &Path, delay: Duration) -> bool {
    let mut child = k
        .command(&["load", "-i", archive.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let pgid = Pid::from_raw(child.id() as i32);
    let start = Instant::now();
    while k.tmp_entries().is_empty() && start.elapsed() < Duration::from_secs(30) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(delay);
    let _ = killpg(pgid, Signal::SIGKILL);
    let status = child.wait().unwrap();
    // The whole group is gone (the re-executed child dies too).
    let start = Instant::now();
    while killpg(pgid, None).is_ok() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let gone = killpg(pgid, None).is_err() || only_zombies(pgid.as_raw());
    assert!(
        gone,
        "{:?}: processes of the killed load are still running",
        k.mode
    );
    println!("{:?}: load after {delay:?}: {status:?}", k.mode);
    if status.signal() == Some(9) {
        return true;
    }
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(
        status.success(),
        "{:?}: load failed before the kill: {err}",
        k.mode
    );
    false
}

/// Whether every process in the group is a zombie (not reaped yet).
fn only_zombies(pgid: i32) -> bool {
    let mut all = true;
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let Some(rest) = stat.rsplit_once(") ").map(|(_, r)| r) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        if f.len() > 2 && f[2] == pgid.to_string() && f[0] != "Z" {
            all = false;
        }
    }
    all
}

#[test]
fn killed_load_leaves_no_trace() {
    let (big, ids) = big_archive();
    let (big_id, big_layers) = (&ids[0], &ids[1..]);
    each_mode(|k: &Kist| {
        let (base, base_img) = small_archive(k, "base");
        k.load(&base);
        let images_before = k.image_list();
        let base_layers: BTreeSet<String> = base_img.diff_ids().into_iter().collect();
        for (i, ms) in [150u64, 700, 2000].into_iter().enumerate() {
            let killed = kill_load(k, big, Duration::from_millis(ms));
            if !killed {
                assert!(
                    i > 0,
                    "{:?}: the load finished within 150 ms; nothing was tested",
                    k.mode
                );
                println!("{:?}: the load finished before {ms} ms", k.mode);
                k.ok(&["rmi", "kist-test/big:latest"]);
                continue;
            }
            // No half image.
            let list = k.image_list();
            assert_eq!(
                list, images_before,
                "{:?}: images after a killed load",
                k.mode
            );
            assert!(!list.iter().any(|l| l.contains(big_id.as_str())));
            let (code, _) = k.fails(&["inspect", "kist-test/big:latest"]);
            assert_eq!(code, 125);
            // The next load works and cleans up after the dead one.
            let (f, img) = small_archive(k, &format!("after{i}"));
            let out = k.load(&f);
            assert_eq!(out, format!("Loaded image: kist-test/small:after{i}\n"));
            k.assert_tmp_empty();
            assert!(!k.root.join("journal.json").exists());
            let mut want = base_layers.clone();
            want.extend(img.diff_ids());
            assert_eq!(
                k.layer_dirs(),
                want,
                "{:?}: layers of the killed load were left in ROOT/layers",
                k.mode
            );
            k.ok(&["rmi", &format!("kist-test/small:after{i}")]);
            assert_eq!(k.image_list(), images_before);
        }
        // The big load to completion.
        let out = k.load(big);
        assert_eq!(out, "Loaded image: kist-test/big:latest\n");
        assert_eq!(
            k.inspect("kist-test/big:latest", "{{.Id}}"),
            format!("sha256:{big_id}")
        );
        let mut want = base_layers.clone();
        want.extend(big_layers.iter().cloned());
        assert_eq!(k.layer_dirs(), want);
        k.assert_tmp_empty();
        let blob = k.layer_diff(&big_layers[3]).join("big3/blob");
        assert_eq!(std::fs::metadata(&blob).unwrap().len(), 50 << 20);
    });
}

/// Killing a load whose input is a pipe (spooled into the workspace).
#[test]
fn killed_load_from_stdin() {
    let (big, _) = big_archive();
    each_mode(|k: &Kist| {
        let mut child = k
            .command(&["load"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut src = std::fs::File::open(big).unwrap();
        let writer = std::thread::spawn(move || {
            let _ = std::io::copy(&mut src, &mut stdin);
        });
        let start = Instant::now();
        while k.tmp_entries().is_empty() && start.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(300));
        let _ = killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
        let status = child.wait().unwrap();
        assert_eq!(
            status.signal(),
            Some(9),
            "{:?}: the load was not killed",
            k.mode
        );
        writer.join().unwrap();
        std::thread::sleep(Duration::from_millis(200));
        assert!(k.image_list().is_empty());
        let (f, _) = small_archive(k, "x");
        k.load(&f);
        k.assert_tmp_empty();
        assert_eq!(k.layer_dirs().len(), 1);
    });
}

#[test]
fn concurrent_loads_share_layers() {
    // Two images on the same two 20 MiB base layers, each with its own.
    let base = fixtures::big(2, 20, 7);
    let make = |tag: &str, seed: u64| {
        let own = fixtures::Layer::new()
            .dir("own/", 0o755, 0, 0)
            .file(
                "own/data",
                0o644,
                0,
                0,
                &fixtures::random_bytes(seed, 5 << 20),
            )
            .finish();
        let layers = vec![base.layers[0].clone(), base.layers[1].clone(), own];
        let config = fixtures::config(
            &layers,
            &fixtures::ConfigSpec {
                created: fixtures::CREATED,
                cmd: &["/bin/sh"],
                labels: &[("org.kist.concurrent", tag)],
                history: &["ADD big0", "ADD big1", "ADD own"],
            },
        );
        Image { layers, config }
    };
    let (x, y) = (make("x", 1), make("y", 2));
    let ax = common::fixture("concurrent-x.tar", || {
        DockerArchive::new(&x, &["kist-test/conc:x"]).build()
    });
    let ay = common::fixture("concurrent-y.tar", || {
        DockerArchive::new(&y, &["kist-test/conc:y"]).build()
    });
    each_mode(|k: &Kist| {
        for round in 0..3 {
            let spawn = |a: &Path| {
                k.command(&["load", "-i", a.to_str().unwrap()])
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            };
            let (cx, cy) = (spawn(&ax), spawn(&ay));
            let (ox, oy) = (
                cx.wait_with_output().unwrap(),
                cy.wait_with_output().unwrap(),
            );
            for (o, name) in [(&ox, "x"), (&oy, "y")] {
                assert!(
                    o.status.success(),
                    "{:?} round {round}: load {name} failed: {}",
                    k.mode,
                    String::from_utf8_lossy(&o.stderr)
                );
                assert_eq!(
                    String::from_utf8_lossy(&o.stdout),
                    format!("Loaded image: kist-test/conc:{name}\n")
                );
            }
            let mut want = vec![
                format!("kist-test/conc:x sha256:{}", x.id()),
                format!("kist-test/conc:y sha256:{}", y.id()),
            ];
            want.sort();
            assert_eq!(k.image_list(), want, "{:?} round {round}", k.mode);
            let mut layers: BTreeSet<String> = x.diff_ids().into_iter().collect();
            layers.extend(y.diff_ids());
            assert_eq!(layers.len(), 4);
            assert_eq!(
                k.layer_dirs(),
                layers,
                "{:?} round {round}: one directory per layer",
                k.mode
            );
            for l in &layers {
                assert!(k.root.join("layers").join(l).join("layer.json").is_file());
            }
            let blob = k.layer_diff(&base.diff_ids()[1]).join("big1/blob");
            assert_eq!(std::fs::metadata(&blob).unwrap().len(), 20 << 20);
            k.assert_tmp_empty();
            // Both are whole: save regenerates and checks every layer.
            let out = k.path("both.tar");
            k.ok(&[
                "save",
                "-o",
                out.to_str().unwrap(),
                "kist-test/conc:x",
                "kist-test/conc:y",
            ]);
            std::fs::remove_file(&out).unwrap();
            // Two removals at once too.
            let rm = |n: &str| {
                k.command(&["rmi", n])
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            };
            let (rx, ry) = (rm("kist-test/conc:x"), rm("kist-test/conc:y"));
            for o in [
                rx.wait_with_output().unwrap(),
                ry.wait_with_output().unwrap(),
            ] {
                assert!(
                    o.status.success(),
                    "rmi: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
            }
            assert!(k.image_list().is_empty());
            assert!(
                k.layer_dirs().is_empty(),
                "{:?}: {:?}",
                k.mode,
                k.layer_dirs()
            );
            k.assert_tmp_empty();
        }
    });
}

/// Every image the store lists has all its layers on disk.
fn assert_consistent(k: &Kist, when: &str) {
    let ids = k.ok(&["images", "-q", "--no-trunc"]);
    for id in ids.lines() {
        let layers = k.inspect(id, "{{json .RootFS.Layers}}");
        let layers: Vec<String> = serde_json::from_str(&layers).unwrap();
        for l in layers {
            let hex = l.strip_prefix("sha256:").unwrap();
            assert!(
                k.root.join("layers").join(hex).join("layer.json").is_file(),
                "{:?} {when}: image {id} lists layer {hex}, which is not in the store",
                k.mode
            );
        }
    }
}

/// A load racing an rmi of another image with the same layers: the load
/// succeeds (its archive has every layer) and every listed image is whole;
/// readers meanwhile always get a valid list.
#[test]
fn load_racing_rmi_of_shared_layers() {
    let base = fixtures::big(2, 10, 11);
    let make = |tag: &str| {
        let own = fixtures::Layer::new()
            .file("tag", 0o644, 0, 0, tag.as_bytes())
            .finish();
        let layers = vec![base.layers[0].clone(), base.layers[1].clone(), own];
        let config = fixtures::config(
            &layers,
            &fixtures::ConfigSpec {
                created: fixtures::CREATED,
                cmd: &["/bin/sh"],
                labels: &[],
                history: &["ADD big0", "ADD big1", "ADD tag"],
            },
        );
        Image { layers, config }
    };
    let (x, y) = (make("x"), make("y"));
    let ax = common::fixture("race-x.tar", || {
        DockerArchive::new(&x, &["kist-test/race:x"]).build()
    });
    let ay = common::fixture("race-y.tar", || {
        DockerArchive::new(&y, &["kist-test/race:y"]).build()
    });
    each_mode(|k: &Kist| {
        for round in 0..4 {
            k.load(&ay);
            let stop = std::sync::atomic::AtomicBool::new(false);
            std::thread::scope(|s| {
                let reader = s.spawn(|| {
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let out = k.run(&["images", "--format", "json"]);
                        assert!(
                            out.status.success(),
                            "images during the race: {}",
                            String::from_utf8_lossy(&out.stderr)
                        );
                        for l in String::from_utf8_lossy(&out.stdout).lines() {
                            serde_json::from_str::<serde_json::Value>(l)
                                .unwrap_or_else(|e| panic!("{e}: {l}"));
                        }
                        n += 1;
                    }
                    n
                });
                let load = k
                    .command(&["load", "-i", ax.to_str().unwrap()])
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                if round % 2 == 1 {
                    std::thread::sleep(Duration::from_millis(100));
                }
                let rm = k.run(&["rmi", "kist-test/race:y"]);
                assert!(
                    rm.status.success(),
                    "rmi: {}",
                    String::from_utf8_lossy(&rm.stderr)
                );
                let lo = load.wait_with_output().unwrap();
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                let reads = reader.join().unwrap();
                println!(
                    "{:?} round {round}: load {} ({reads} reads meanwhile) {}",
                    k.mode,
                    lo.status,
                    String::from_utf8_lossy(&lo.stderr).trim()
                );
                assert_consistent(k, &format!("round {round}"));
                // The archive holds every layer: the load must not depend
                // on layers another command removes meanwhile.
                assert!(
                    lo.status.success(),
                    "{:?} round {round}: load failed while rmi removed an image with the same layers: {}",
                    k.mode,
                    String::from_utf8_lossy(&lo.stderr)
                );
            });
            assert_consistent(k, &format!("round {round}, after"));
            assert_eq!(
                k.image_list(),
                vec![format!("kist-test/race:x sha256:{}", x.id())]
            );
            let out = k.path("race.tar");
            k.ok(&["save", "-o", out.to_str().unwrap(), "kist-test/race:x"]);
            std::fs::remove_file(&out).unwrap();
            k.ok(&["rmi", "kist-test/race:x"]);
            assert!(k.layer_dirs().is_empty(), "{:?}", k.layer_dirs());
            k.assert_tmp_empty();
        }
    });
}

/// A save racing an rmi of its image: the save either completes or fails
/// without leaving a partial archive (or its temporary file) behind.
#[test]
fn save_racing_rmi_leaves_no_partial_archive() {
    let (big, _) = big_archive();
    each_mode(|k: &Kist| {
        k.load(big);
        let out = k.path("out.tar");
        let save = k
            .command(&["save", "-o", out.to_str().unwrap(), "kist-test/big:latest"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(200));
        k.ok(&["rmi", "kist-test/big:latest"]);
        let o = save.wait_with_output().unwrap();
        println!(
            "{:?}: save {} {}",
            k.mode,
            o.status,
            String::from_utf8_lossy(&o.stderr).trim()
        );
        let left: Vec<String> = common::list_dir(&k.dir)
            .into_iter()
            .filter(|n| n.contains("out.tar"))
            .collect();
        if o.status.success() {
            assert_eq!(left, ["out.tar"]);
            let data = std::fs::read(&out).unwrap();
            assert!(
                data.len() > 200 << 20,
                "short archive: {} bytes",
                data.len()
            );
        } else {
            assert_eq!(o.status.code(), Some(125));
            assert!(left.is_empty(), "{:?}: left {left:?}", k.mode);
        }
        assert!(k.image_list().is_empty());
        assert!(k.layer_dirs().is_empty());
        k.assert_tmp_empty();
    });
}

/// Whether some process waits for the flock of `path` (/proc/locks shows
/// waiters with "->").
fn lock_waiter(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let ino = std::fs::metadata(path).unwrap().ino();
    std::fs::read_to_string("/proc/locks")
        .unwrap()
        .lines()
        .any(|l| {
            l.contains("->")
                && l.split_whitespace()
                    .any(|f| f.ends_with(&format!(":{ino}")))
        })
}

/// A load that unpacked everything and waits for the store lock to commit
/// is killed there: nothing of it stays; a load that waits and then gets
/// the lock completes.
#[test]
fn load_killed_while_waiting_for_the_store_lock() {
    let (big, ids) = big_archive();
    each_mode(|k: &Kist| {
        k.ok(&["images"]);
        let lock_path = k.root.join("kist.lock");
        for kill in [true, false] {
            let lock = std::fs::File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)
                .unwrap();
            // Owned by the user kist runs as, as if kist had made it.
            nix::unistd::chown(
                &lock_path,
                Some(nix::unistd::Uid::from_raw(k.uid)),
                Some(nix::unistd::Gid::from_raw(k.gid)),
            )
            .unwrap();
            lock.lock().unwrap();
            let mut child = k
                .command(&["load", "-i", big.to_str().unwrap()])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .process_group(0)
                .spawn()
                .unwrap();
            let start = Instant::now();
            while !lock_waiter(&lock_path) {
                assert!(
                    start.elapsed() < Duration::from_secs(120),
                    "{:?}: the load never waited for the store lock",
                    k.mode
                );
                assert!(
                    child.try_wait().unwrap().is_none(),
                    "{:?}: load exited",
                    k.mode
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            // Everything is unpacked in the workspace by now.
            assert!(!k.tmp_entries().is_empty());
            assert!(k.layer_dirs().is_empty());
            if kill {
                killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL).unwrap();
                let status = child.wait().unwrap();
                assert_eq!(status.signal(), Some(9));
                drop(lock);
                assert!(k.image_list().is_empty());
                let (f, img) = small_archive(k, "after-lock");
                k.load(&f);
                k.assert_tmp_empty();
                let want: BTreeSet<String> = img.diff_ids().into_iter().collect();
                assert_eq!(k.layer_dirs(), want, "{:?}", k.mode);
                k.ok(&["rmi", "kist-test/small:after-lock"]);
            } else {
                drop(lock);
                let out = child.wait_with_output().unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                assert_eq!(
                    k.image_list(),
                    [format!("kist-test/big:latest sha256:{}", ids[0])]
                );
                assert_eq!(k.layer_dirs().len(), 4);
                k.assert_tmp_empty();
            }
        }
    });
}
