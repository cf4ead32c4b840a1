//! Containers on the vfs and fuse-overlayfs storage drivers, as root and
//! rootless: whiteouts and opaque directories of the image's upper layers,
//! ownership, modes and times as in the image, writes kept across `start`,
//! the driver recorded per container, and nothing left after `rm`.
//!
//! The image is the standard three-layer busybox fixture: its top layer
//! deletes /etc/motd (whiteout) and makes /opt/data opaque (only `new`).

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::fixtures::{NAME, USER_FILE_MTIME};
use common::{each_mode, list_dir, Kist};

fn load(k: &Kist) {
    let ar = std::fs::read(common::busybox_docker_archive()).unwrap();
    k.ok_stdin(&["load"], &ar);
}

/// `kist --storage-driver D ARGS…`
fn with<'a>(driver: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--storage-driver", driver];
    v.extend_from_slice(args);
    v
}

/// Pids of processes whose command line contains `needle`.
fn procs_with(needle: &str) -> Vec<i32> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if pid == std::process::id() as i32 {
            continue;
        }
        let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmd).contains(needle) {
            found.push(pid);
        }
    }
    found
}

fn wait_until(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        if f() {
            return true;
        }
        if Instant::now() > end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Mount points of this (host) mount namespace under the scenario dir.
fn host_mounts(k: &Kist) -> Vec<String> {
    let dir = k.dir.to_string_lossy().into_owned();
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter(|l| l.contains(&dir))
        .map(String::from)
        .collect()
}

const CHECK: &str = "test -e /etc/motd && echo motd-present; \
     echo data: $(busybox ls /opt/data); \
     busybox ls -ln /home/user/file | busybox awk '{print $1, $3, $4}'; \
     busybox stat -c '%a %u %g %Y' /home/user /home/user/file /usr/bin/suid; \
     cat /opt/a-link; \
     busybox readlink /bin/sh";

/// Removes the scenario's containers even when an assertion failed.
struct Cleanup<'a>(&'a Kist);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let ids = self.0.run(&["ps", "-a", "-q"]);
        let ids = String::from_utf8_lossy(&ids.stdout).into_owned();
        let mut args = vec!["rm", "-f"];
        args.extend(ids.split_whitespace());
        if args.len() > 2 {
            let _ = self.0.run(&args);
        }
    }
}

fn scenario(k: &Kist, driver: &str) {
    load(k);
    let _c = Cleanup(k);
    let out = k.ok(&with(
        driver,
        &["run", "--rm", "--network", "none", NAME, "sh", "-c", CHECK],
    ));
    let want = format!(
        "data: new\n\
         -rw-r----- 1000 1000\n\
         750 1000 1000 {user_dir}\n\
         640 1000 1000 {USER_FILE_MTIME}\n\
         4755 0 0 {suid}\n\
         a\n\
         busybox\n",
        user_dir = line_field(&out, 2),
        suid = line_field(&out, 4),
    );
    assert_eq!(
        out, want,
        "{:?} {driver}: the image as seen in the container",
        k.mode
    );

    // Writes persist across start; the record keeps the driver.
    let id = k
        .ok(&with(
            driver,
            &[
                "run",
                "--name",
                "keep",
                "--network",
                "none",
                NAME,
                "sh",
                "-c",
                "echo run >> /written; rm /etc/passwd; cat /written",
            ],
        ))
        .to_string();
    assert_eq!(id, "run\n", "{:?} {driver}", k.mode);
    // Started again without the flag: the container keeps its driver.
    let again = k.ok(&["start", "-a", "keep"]);
    assert_eq!(
        again, "run\nrun\n",
        "{:?} {driver}: written file kept",
        k.mode
    );
    let recorded = k.ok(&["container", "inspect", "--format", "{{.Driver}}", "keep"]);
    assert_eq!(recorded.trim(), driver, "{:?}", k.mode);
    // export sees the container's changes.
    let ar = k.dir.join("keep.tar");
    k.ok(&["export", "-o", ar.to_str().unwrap(), "keep"]);
    let names: BTreeSet<String> = tar::Archive::new(std::fs::File::open(&ar).unwrap())
        .entries()
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path().unwrap().to_string_lossy().into_owned();
            p.trim_start_matches("./").trim_end_matches('/').to_string()
        })
        .collect();
    for (name, present) in [
        ("written", true),
        ("etc/passwd", false),
        ("etc/motd", false),
        ("opt/data/new", true),
        ("opt/data/a", false),
    ] {
        assert_eq!(
            names.contains(name),
            present,
            "{:?} {driver}: {name} in export: {names:?}",
            k.mode
        );
    }
    let gone = k.run(&["start", "-a", "keep"]);
    assert!(gone.status.success(), "{:?} {driver}: {gone:?}", k.mode);
    k.ok(&["rm", "keep"]);

    // A long-running one: its helpers go away with rm -f.
    let id = k
        .ok(&with(
            driver,
            &[
                "run",
                "-d",
                "--network",
                "none",
                NAME,
                "sh",
                "-c",
                "sleep 1000",
            ],
        ))
        .trim()
        .to_string();
    let root = k.root.to_string_lossy().into_owned();
    if driver == "fuse-overlayfs" {
        let fuse: Vec<i32> = procs_with(&root)
            .into_iter()
            .filter(|p| {
                std::fs::read_to_string(format!("/proc/{p}/comm"))
                    .is_ok_and(|c| c.trim() == "fuse-overlayfs")
            })
            .collect();
        let shown: Vec<String> = fuse
            .iter()
            .map(|p| std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default())
            .collect();
        assert_eq!(
            fuse.len(),
            1,
            "{:?}: one fuse-overlayfs daemon: {shown:#?}",
            k.mode
        );
    }
    k.ok(&["rm", "-f", &id]);
    assert!(
        wait_until(5, || procs_with(&root).is_empty()),
        "{:?} {driver}: processes left after rm -f: {:?}",
        k.mode,
        procs_with(&root)
    );
    assert_eq!(host_mounts(k), Vec::<String>::new(), "{:?}", k.mode);
    assert_eq!(k.ok(&["ps", "-a", "-q"]), "");
    assert_eq!(list_dir(&k.root.join("containers")), BTreeSet::new());
}

/// The third field of line `n` (0-based) of `out` (an mtime we do not fix).
fn line_field(out: &str, n: usize) -> String {
    out.lines()
        .nth(n)
        .and_then(|l| l.split_whitespace().nth(3))
        .unwrap_or("?")
        .to_string()
}

#[test]
fn vfs_driver() {
    each_mode(|k: &Kist| scenario(k, "vfs"));
}

#[test]
fn fuse_overlayfs_driver() {
    if !common::have("fuse-overlayfs") {
        return;
    }
    each_mode(|k: &Kist| scenario(k, "fuse-overlayfs"));
}

#[test]
fn info_shows_the_driver_in_use() {
    each_mode(|k: &Kist| {
        for d in ["vfs", "fuse-overlayfs", "overlay"] {
            let got = k.ok(&["--storage-driver", d, "info", "--format", "{{.Driver}}"]);
            assert_eq!(got.trim(), d, "{:?}", k.mode);
        }
        // Not configured: probed; native overlay works on these kernels.
        let got = k.ok(&["info", "--format", "{{.Driver}}"]);
        assert_eq!(got.trim(), "overlay", "{:?}", k.mode);
    });
}
