//! Container commands end to end, as root and rootless: run (exit codes,
//! ids, capabilities, seccomp, masked paths, mounts, users, environment,
//! stdin), create/start, stop/kill/wait/restart, rm and --rm, ps, logs,
//! inspect, supervisor death, and what is left behind.
//!
//! The image is a full busybox (every applet) made with `kist import`.

mod common;
mod container_kit;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{each_mode, list_dir, Kist};
use container_kit::*;

// ---------------------------------------------------------------- run

#[test]
fn run_output_and_exit_codes() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let (code, stdout, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                IMG,
                "echo",
                "hello",
                "world",
            ],
        );
        assert_eq!((code, stdout.as_str()), (0, "hello world\n"), "{stderr}");
        assert_eq!(stderr, "", "{:?}: stderr of a clean run", k.mode);

        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                IMG,
                "sh",
                "-c",
                "exit 3",
            ],
        );
        assert_eq!(code, 3, "{:?}: {stderr}", k.mode);
        let (code, _, _) = out(k, &["run", "--rm", "--network", "none", IMG, "false"]);
        assert_eq!(code, 1, "{:?}", k.mode);

        // A missing command: 127, naming it.
        let (code, _, stderr) = out(
            k,
            &["run", "--rm", "--network", "none", IMG, "no-such-command"],
        );
        assert_eq!(code, 127, "{:?}: {stderr}", k.mode);
        assert!(stderr.contains("no-such-command"), "{stderr}");
        let (code, _, stderr) = out(
            k,
            &["run", "--rm", "--network", "none", IMG, "/bin/no-such-file"],
        );
        assert_eq!(code, 127, "{:?}: {stderr}", k.mode);

        // A file without the execute bit, and a directory: 126.
        let (code, _, stderr) = out(k, &["run", "--rm", "--network", "none", IMG, "/noexec"]);
        assert_eq!(code, 126, "{:?}: {stderr}", k.mode);
        assert!(stderr.contains("/noexec"), "{stderr}");
        let (code, _, stderr) = out(k, &["run", "--rm", "--network", "none", IMG, "/tmp"]);
        assert_eq!(code, 126, "{:?}: {stderr}", k.mode);

        // An unknown image: 125, naming it.
        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "kist-test/nope:v9",
                "true",
            ],
        );
        assert_eq!(code, 125, "{:?}: {stderr}", k.mode);
        assert!(stderr.contains("kist-test/nope"), "{stderr}");

        // A killed container: 128 + the signal.
        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                IMG,
                "sh",
                "-c",
                "sh -c 'kill -9 $$'; exit $?",
            ],
        );
        assert_eq!(code, 137, "{:?}: {stderr}", k.mode);

        // --rm removed them all, including those that could not start.
        assert_eq!(k.ok(&["ps", "-a", "-q"]), "", "{:?}", k.mode);
        assert_eq!(
            list_dir(&k.root.join("containers")),
            BTreeSet::new(),
            "{:?}",
            k.mode
        );
        assert_clean(k, &[]);
    });
}

#[test]
fn user_namespace_id_maps() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let maps = sh(k, "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map");
        let (uid_map, gid_map) = maps.split_once("--\n").unwrap();
        let rows = |t: &str| -> Vec<Vec<u64>> {
            t.lines()
                .map(|l| l.split_whitespace().map(|f| f.parse().unwrap()).collect())
                .collect()
        };
        if k.rootless() {
            let u = common::test_user();
            assert_eq!(
                rows(uid_map),
                vec![vec![0, u.uid as u64, 1], vec![1, u.subuid as u64, 65536]],
                "uid_map:\n{uid_map}"
            );
            assert_eq!(
                rows(gid_map),
                vec![vec![0, u.gid as u64, 1], vec![1, u.subgid as u64, 65536]],
                "gid_map:\n{gid_map}"
            );
        } else {
            assert_eq!(rows(uid_map), vec![vec![0, 0, 4294967295]], "{uid_map}");
        }
        assert_eq!(sh(k, "id -u; id -g"), "0\n0\n");
    });
}

#[test]
fn capabilities() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let capeff = |extra: &[&str]| {
            proc_status_field(&sh_with(k, extra, "cat /proc/self/status"), "CapEff")
        };
        assert_eq!(capeff(&[]), DEFAULT_CAPS, "{:?}: default", k.mode);
        // CAP_CHOWN is bit 0, CAP_NET_ADMIN bit 12, CAP_SYS_ADMIN bit 21.
        assert_eq!(capeff(&["--cap-drop", "CHOWN"]), "00000000a80425fa");
        assert_eq!(capeff(&["--cap-add", "NET_ADMIN"]), "00000000a80435fb");
        assert_eq!(
            capeff(&["--cap-add", "CAP_SYS_ADMIN", "--cap-drop", "chown"]),
            "00000000a82425fa"
        );
        assert_eq!(capeff(&["--cap-drop", "ALL"]), "0000000000000000");
        // The bounding set follows, so a dropped capability cannot return.
        let st = sh_with(k, &["--cap-drop", "CHOWN"], "cat /proc/self/status");
        assert_eq!(proc_status_field(&st, "CapBnd"), "00000000a80425fa");
        // Without CAP_CHOWN, chown fails.
        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "--cap-drop",
                "CHOWN",
                IMG,
                "chown",
                "1000",
                "/tmp",
            ],
        );
        assert_ne!(code, 0, "{:?}: chown without CAP_CHOWN: {stderr}", k.mode);
        assert_eq!(sh(k, "chown 1000 /tmp && stat -c %u /tmp"), "1000\n");
        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "--cap-add",
                "NOPE",
                IMG,
                "true",
            ],
        );
        assert_eq!(code, 125, "{stderr}");
        assert!(stderr.contains("NOPE"), "{stderr}");
        // Last: it fails as root when the caller lacks a capability.
        assert_eq!(
            capeff(&["--privileged"]),
            privileged_caps(k),
            "{:?}: --privileged",
            k.mode
        );
    });
}

#[test]
fn seccomp_and_no_new_privileges() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let st = sh(k, "cat /proc/self/status");
        assert_eq!(proc_status_field(&st, "Seccomp"), "2", "{:?}", k.mode);
        assert_eq!(proc_status_field(&st, "NoNewPrivs"), "0", "{:?}", k.mode);
        // docker's profile refuses new user namespaces without CAP_SYS_ADMIN.
        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                IMG,
                "unshare",
                "-U",
                "true",
            ],
        );
        assert_ne!(code, 0, "{:?}: unshare -U under seccomp", k.mode);
        assert!(
            stderr.contains("not permitted") || stderr.contains("denied"),
            "{stderr}"
        );

        let off = ["--security-opt", "seccomp=unconfined"];
        let st = sh_with(k, &off, "cat /proc/self/status");
        assert_eq!(proc_status_field(&st, "Seccomp"), "0", "{:?}", k.mode);
        assert_eq!(sh_with(k, &off, "unshare -U true && echo ok"), "ok\n");

        let st = sh_with(
            k,
            &["--security-opt", "no-new-privileges"],
            "cat /proc/self/status",
        );
        assert_eq!(proc_status_field(&st, "NoNewPrivs"), "1");
        assert_eq!(proc_status_field(&st, "Seccomp"), "2");

        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "--security-opt",
                "seccomp=/no/such.json",
                IMG,
                "true",
            ],
        );
        assert_eq!(code, 125, "{stderr}");
        assert!(stderr.contains("/no/such.json"), "{stderr}");

        // A profile of one's own: everything allowed but mkdir.
        let profile = k.dir.join("no-mkdir.json");
        std::fs::write(
            &profile,
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}"#,
        )
        .unwrap();
        std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o644)).unwrap();
        let own = format!("seccomp={}", profile.display());
        let got = sh_with(
            k,
            &["--security-opt", &own],
            "mkdir /tmp/d 2>&1; echo rc=$?; touch /tmp/f && echo touched",
        );
        assert!(
            got.contains("Operation not permitted") && got.contains("rc=1"),
            "{got}"
        );
        assert!(got.ends_with("touched\n"), "{got}");

        // No SELinux here: label=disable is what kist does anyway; a label
        // it would drop is refused.
        assert_eq!(
            sh_with(k, &["--security-opt", "label=disable"], "echo ok"),
            "ok\n"
        );
        let (code, err) = k.fails(&["create", "--security-opt", "label=type:spc_t", IMG]);
        assert_eq!(code, 125);
        assert!(err.contains("not supported yet"), "{err}");

        // --privileged: no seccomp.
        let st = sh_with(k, &["--privileged"], "cat /proc/self/status");
        assert_eq!(proc_status_field(&st, "Seccomp"), "0", "--privileged");
    });
}

#[test]
fn masked_and_read_only_paths() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        // /proc/keys is masked: empty or unreadable.
        let keys = k.run(&["run", "--rm", "--network", "none", IMG, "cat", "/proc/keys"]);
        assert!(
            !keys.status.success() || keys.stdout.is_empty(),
            "{:?}: /proc/keys shows {:?}",
            k.mode,
            String::from_utf8_lossy(&keys.stdout)
        );
        if Path::new("/proc/kcore").exists() {
            let kcore = sh(k, "wc -c < /proc/kcore 2>/dev/null || echo fail");
            assert!(kcore == "0\n" || kcore.contains("fail"), "{kcore}");
        }
        // /proc/timer_list and /sys/firmware are masked too (docker).
        let timer = sh(k, "cat /proc/timer_list 2>/dev/null | wc -c");
        assert_eq!(timer, "0\n", "{:?}: /proc/timer_list", k.mode);
        let fw = sh(k, "ls /sys/firmware 2>/dev/null | wc -l");
        assert_eq!(fw, "0\n", "{:?}: /sys/firmware", k.mode);

        // /proc/sys is read-only.
        let mounts = sh(k, "cat /proc/mounts");
        let sys = mounts
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some("/proc/sys"))
            .unwrap_or_else(|| panic!("no /proc/sys mount:\n{mounts}"));
        let opts = sys.split_whitespace().nth(3).unwrap();
        assert!(opts.split(',').any(|o| o == "ro"), "{sys}");
        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "--cap-add",
                "SYS_ADMIN",
                IMG,
                "sh",
                "-c",
                "echo x > /proc/sys/kernel/hostname",
            ],
        );
        assert_ne!(code, 0, "{:?}: wrote /proc/sys", k.mode);
        assert!(stderr.contains("Read-only file system"), "{stderr}");

        // Masked paths are mounts over them (/dev/null, or a read-only
        // tmpfs for directories); --privileged has none of them.
        let mount_points = |extra: &[&str]| -> BTreeSet<String> {
            sh_with(k, extra, "cat /proc/self/mountinfo")
                .lines()
                .filter_map(|l| l.split_whitespace().nth(4).map(String::from))
                .collect()
        };
        let plain = mount_points(&[]);
        for p in ["/proc/keys", "/proc/timer_list", "/sys/firmware"] {
            if Path::new(p).exists() {
                assert!(
                    plain.contains(p),
                    "{:?}: {p} is not masked: {plain:?}",
                    k.mode
                );
            }
        }
        let privileged = mount_points(&["--privileged"]);
        // … and /proc/sys is not made read-only.
        for p in [
            "/proc/keys",
            "/proc/timer_list",
            "/sys/firmware",
            "/proc/sys",
        ] {
            assert!(
                !privileged.contains(p),
                "{:?}: --privileged masks {p}",
                k.mode
            );
        }
    });
}

#[test]
fn read_only_root() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        assert_eq!(sh(k, "echo x > /x && cat /x"), "x\n");
        let vol = k.path("rw");
        std::fs::create_dir(&vol).unwrap();
        nix::unistd::chown(
            &vol,
            Some(nix::unistd::Uid::from_raw(k.uid)),
            Some(nix::unistd::Gid::from_raw(k.gid)),
        )
        .unwrap();
        let bind = format!("{}:/rw", vol.display());
        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "--read-only",
                "-v",
                &bind,
                IMG,
                "sh",
                "-c",
                "echo ok > /rw/f && echo x > /x",
            ],
        );
        assert_ne!(code, 0, "{:?}: wrote to a --read-only root", k.mode);
        assert!(stderr.contains("Read-only file system"), "{stderr}");
        // A volume stays writable.
        assert_eq!(std::fs::read_to_string(vol.join("f")).unwrap(), "ok\n");
        let mounts = sh_with(k, &["--read-only"], "cat /proc/mounts");
        let root = mounts
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some("/"))
            .unwrap();
        assert!(
            root.split_whitespace()
                .nth(3)
                .unwrap()
                .split(',')
                .any(|o| o == "ro"),
            "{root}"
        );
    });
}

#[test]
fn bind_mounts_and_ownership() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let vol = k.path("vol");
        std::fs::create_dir(&vol).unwrap();
        std::fs::set_permissions(&vol, std::fs::Permissions::from_mode(0o777)).unwrap();
        nix::unistd::chown(
            &vol,
            Some(nix::unistd::Uid::from_raw(k.uid)),
            Some(nix::unistd::Gid::from_raw(k.gid)),
        )
        .unwrap();
        std::fs::write(vol.join("in"), "from the host\n").unwrap();
        std::fs::set_permissions(vol.join("in"), std::fs::Permissions::from_mode(0o644)).unwrap();
        nix::unistd::chown(
            &vol.join("in"),
            Some(nix::unistd::Uid::from_raw(k.uid)),
            Some(nix::unistd::Gid::from_raw(k.gid)),
        )
        .unwrap();
        let bind = format!("{}:/data/vol", vol.display());
        let got = sh_with(
            k,
            &["-v", &bind],
            "cat /data/vol/in; echo written > /data/vol/by-root; stat -c %u /data/vol/in",
        );
        // The host user's files belong to container root.
        assert_eq!(got, "from the host\n0\n", "{:?}", k.mode);
        // Container root writes as the host user kist runs as.
        let m = std::fs::metadata(vol.join("by-root")).unwrap();
        assert_eq!(
            (m.uid(), m.gid()),
            (k.uid, k.gid),
            "{:?}: owner of a file container root wrote",
            k.mode
        );
        assert_eq!(
            std::fs::read_to_string(vol.join("by-root")).unwrap(),
            "written\n"
        );
        // A file written by uid 1000: the host id 1000 maps to.
        sh_with(
            k,
            &["-v", &bind, "-u", "1000"],
            "echo u > /data/vol/by-1000",
        );
        let m = std::fs::metadata(vol.join("by-1000")).unwrap();
        assert_eq!(m.uid(), k.host_uid(1000), "{:?}", k.mode);

        // :ro
        let ro = format!("{}:/data/vol:ro", vol.display());
        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "-v",
                &ro,
                IMG,
                "sh",
                "-c",
                "cat /data/vol/in && echo x > /data/vol/nope",
            ],
        );
        assert_ne!(code, 0, "{:?}: wrote to a :ro volume", k.mode);
        assert!(stderr.contains("Read-only file system"), "{stderr}");
        assert!(!vol.join("nope").exists());

        // A file as a volume, and a missing source.
        let file = k.write("single.txt", b"single\n");
        let fbind = format!("{}:/etc/single.txt", file.display());
        assert_eq!(
            sh_with(k, &["-v", &fbind], "cat /etc/single.txt"),
            "single\n"
        );
        let missing = format!("{}:/x", k.path("missing").display());
        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "-v",
                &missing,
                IMG,
                "true",
            ],
        );
        // docker creates a missing source directory; kist may refuse, but
        // then with 125 and the path.
        if code != 0 {
            assert_eq!(code, 125, "{stderr}");
            assert!(stderr.contains("missing"), "{stderr}");
        }
        assert_eq!(k.ok(&["ps", "-a", "-q"]), "");
    });
}

#[test]
fn user_option_and_upper_dir_ownership() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        assert_eq!(
            sh_with(k, &["-u", "1000"], "id -u; id -g; echo $HOME"),
            "1000\n1000\n/home/user\n"
        );
        assert_eq!(sh_with(k, &["-u", "user"], "id -u"), "1000\n");
        assert_eq!(sh_with(k, &["-u", "1000:0"], "id -u; id -g"), "1000\n0\n");
        assert_eq!(sh_with(k, &["-u", "4242"], "id -u"), "4242\n");
        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "-u",
                "nobody-here",
                IMG,
                "true",
            ],
        );
        assert_eq!(code, 125, "{stderr}");
        assert!(stderr.contains("nobody-here"), "{stderr}");
        // Not root: no capabilities.
        let st = sh_with(k, &["-u", "1000"], "cat /proc/self/status");
        assert_eq!(proc_status_field(&st, "CapEff"), "0000000000000000");

        // A file uid 1000 writes lands in the upper dir owned by the host id
        // of 1000 (rootless: subuid + 999).
        let id = k
            .ok(&[
                "create",
                "--network",
                "none",
                "-u",
                "1000",
                IMG,
                "sh",
                "-c",
                "echo mine > /tmp/mine",
            ])
            .trim()
            .to_string();
        assert!(is_full_id(&id), "{id}");
        assert_eq!(k.ok(&["start", "-a", &id]), "");
        let f = k.root.join("containers").join(&id).join("upper/tmp/mine");
        let st = k.lstat(&f);
        assert_eq!(st.uid(), k.host_uid(1000), "{:?}: {}", k.mode, f.display());
        assert_eq!(st.gid(), k.host_gid(1000), "{:?}", k.mode);
        if k.rootless() {
            assert_eq!(st.uid(), common::test_user().subuid + 999);
        }
        k.ok(&["rm", &id]);
    });
}

#[test]
fn environment_workdir_entrypoint_hostname() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let envf = k.write(
            "env.list",
            b"# a comment\nFROM_FILE=1\nOVER=file\n\nSPACED=a b c\n",
        );
        let envf = envf.to_str().unwrap();
        let env = sh_with(
            k,
            &[
                "--env-file",
                envf,
                "-e",
                "OVER=flag",
                "-e",
                "X=1=2",
                "-e",
                "USER",
                "-e",
                "NOT_SET_ANYWHERE",
            ],
            "env",
        );
        let vars: BTreeSet<&str> = env.lines().collect();
        let user = if k.rootless() {
            common::test_user().name.clone()
        } else {
            "root".to_string()
        };
        for want in [
            "FROM_FILE=1",
            "OVER=flag",
            "SPACED=a b c",
            "X=1=2",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME=/root",
        ] {
            assert!(vars.contains(want), "{:?}: no {want} in:\n{env}", k.mode);
        }
        assert!(vars.contains(format!("USER={user}").as_str()), "{env}");
        assert!(!env.contains("OVER=file"), "{env}");
        assert!(!env.contains("NOT_SET_ANYWHERE"), "{env}");

        // HOSTNAME, /etc/hostname and /etc/hosts: the short ID by default.
        let id = k
            .ok(&[
                "create",
                "--network",
                "none",
                IMG,
                "sh",
                "-c",
                "echo $HOSTNAME; hostname; cat /etc/hostname; cat /etc/hosts",
            ])
            .trim()
            .to_string();
        let got = k.ok(&["start", "-a", &id]);
        let short = &id[..12];
        let mut lines = got.lines();
        assert_eq!(lines.next(), Some(short), "{got}");
        assert_eq!(lines.next(), Some(short), "{got}");
        assert_eq!(lines.next(), Some(short), "{got}");
        assert!(got.contains("localhost"), "{got}");
        assert!(
            got.lines()
                .any(|l| l.split_whitespace().skip(1).any(|h| h == short)),
            "/etc/hosts does not name {short}:\n{got}"
        );
        k.ok(&["rm", &id]);

        let got = sh_with(
            k,
            &["--hostname", "box.example"],
            "echo $HOSTNAME; hostname; cat /etc/hostname; grep -c box.example /etc/hosts",
        );
        assert_eq!(got, "box.example\nbox.example\nbox.example\n1\n");
        assert_eq!(
            sh_with(k, &["-h", "short-h"], "hostname"),
            "short-h\n",
            "-h is --hostname"
        );

        // -w: an existing directory, and one docker creates.
        assert_eq!(sh_with(k, &["-w", "/tmp"], "pwd"), "/tmp\n");
        assert_eq!(
            sh_with(k, &["-w", "/new/work/dir"], "pwd"),
            "/new/work/dir\n"
        );
        assert_eq!(
            sh_with(k, &["--workdir", "/home/user"], "pwd"),
            "/home/user\n"
        );

        // --entrypoint replaces the image's; the arguments follow.
        assert_eq!(
            k.ok(&[
                "run",
                "--rm",
                "--network",
                "none",
                "--entrypoint",
                "echo",
                IMG,
                "a",
                "b",
            ]),
            "a b\n"
        );
        assert_eq!(
            k.ok(&[
                "run",
                "--rm",
                "--network",
                "none",
                "--entrypoint",
                "/bin/pwd",
                IMG,
            ]),
            "/\n"
        );
        assert_eq!(
            k.ok(&[
                "run",
                "--rm",
                "--network",
                "none",
                "--entrypoint",
                "",
                IMG,
                "echo",
                "x"
            ]),
            "x\n"
        );
        // The image's CMD (sh) with stdin at EOF.
        assert_eq!(k.ok(&["run", "--rm", "--network", "none", IMG]), "");
    });
}

#[test]
fn interactive_stdin() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let got = k.ok_stdin(
            &["run", "-i", "--rm", "--network", "none", IMG, "cat"],
            b"hi\n",
        );
        assert_eq!(got, "hi\n", "{:?}", k.mode);
        // Without -i the container's stdin is empty.
        let got = k.ok_stdin(
            &["run", "--rm", "--network", "none", IMG, "cat"],
            b"ignored\n",
        );
        assert_eq!(got, "", "{:?}", k.mode);
        // The exit code comes back with -i too.
        let (code, _) = k.fails_stdin(
            &[
                "run",
                "-i",
                "--rm",
                "--network",
                "none",
                IMG,
                "sh",
                "-c",
                "read x; exit $x",
            ],
            b"5\n",
        );
        assert_eq!(code, 5);
        // Without a terminal, ctrl-p ctrl-q are data, not detach keys
        // (docker applies detach keys only with -t).
        let got = k.run_stdin(
            &["run", "-i", "--rm", "--network", "none", IMG, "cat"],
            b"a\x10\x11b\n",
        );
        assert_eq!(
            (got.status.code(), got.stdout.as_slice()),
            (Some(0), &b"a\x10\x11b\n"[..]),
            "{:?}: ctrl-p ctrl-q in piped stdin",
            k.mode
        );
        // A bigger stream, through a pipe both ways.
        let data = common::fixtures::random_bytes(7, 3 << 20);
        let got = k.ok_stdin(
            &["run", "-i", "--rm", "--network", "none", IMG, "wc", "-c"],
            &data,
        );
        assert_eq!(got.trim(), (3 << 20).to_string(), "{:?}", k.mode);
        let got = k.run_stdin(
            &["run", "-i", "--rm", "--network", "none", IMG, "cat"],
            &data,
        );
        assert!(got.status.success());
        assert!(got.stdout == data, "{:?}: cat -i changed the bytes", k.mode);
    });
}

// ------------------------------------------------------ detach, ps, logs

#[test]
fn detach_returns_the_id_at_once() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let t = Instant::now();
        let (code, stdout, stderr) =
            out(k, &["run", "-d", "--network", "none", IMG, "sleep", "1000"]);
        let took = t.elapsed();
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(stderr, "");
        let id = stdout.trim();
        assert!(is_full_id(id), "{stdout:?}");
        assert_eq!(stdout, format!("{id}\n"));
        assert!(took < Duration::from_secs(3), "run -d took {took:?}");
        assert_eq!(status(k, id), "running");
        assert_eq!(k.ok(&["ps", "-q"]), format!("{}\n", &id[..12]));
        assert_eq!(k.ok(&["ps", "-q", "--no-trunc"]), format!("{id}\n"));
        let pid = inspect(k, id)["State"]["Pid"].as_i64().unwrap() as i32;
        assert!(alive(pid), "{:?}: State.Pid {pid} is not running", k.mode);
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
        assert_eq!(cmdline, b"sleep\x001000\x00");
        assert_eq!(supervisors(id).len(), 1, "{:?}: one supervisor", k.mode);
        assert_eq!(k.ok(&["rm", "-f", id]), format!("{id}\n"));
        assert!(
            wait_until(5, || !alive(pid)),
            "{:?}: rm -f left {pid}",
            k.mode
        );
        assert_clean(k, &[id.to_string()]);
    });
}

#[test]
fn ps_lists_filters_and_formats() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        k.ok(&["run", "--name", "ok", "--network", "none", IMG, "true"]);
        std::thread::sleep(Duration::from_millis(20));
        let (code, _, _) = out(
            k,
            &[
                "run",
                "--name",
                "bad",
                "--network",
                "none",
                "-l",
                "tier=batch",
                IMG,
                "sh",
                "-c",
                "exit 3",
            ],
        );
        assert_eq!(code, 3);
        std::thread::sleep(Duration::from_millis(20));
        let up = detach(k, &["--name", "up", "-l", "app=web"], &["sleep", "1000"]);
        let created = k
            .ok(&[
                "create",
                "--name",
                "fresh",
                "--network",
                "none",
                IMG,
                "true",
            ])
            .trim()
            .to_string();

        let names = |args: &[&str]| {
            let mut a = vec!["ps", "--format", "{{.Names}}"];
            a.extend_from_slice(args);
            k.ok(&a)
        };
        assert_eq!(names(&[]), "up\n", "{:?}: ps shows running ones", k.mode);
        // Newest first.
        assert_eq!(names(&["-a"]), "fresh\nup\nbad\nok\n", "{:?}", k.mode);
        assert_eq!(k.ok(&["ps", "-a", "-q"]).lines().count(), 4);
        for l in k.ok(&["ps", "-a", "-q"]).lines() {
            assert_eq!(l.len(), 12, "{l}");
        }
        assert_eq!(names(&["-a", "--filter", "status=exited"]), "bad\nok\n");
        assert_eq!(names(&["-a", "--filter", "status=created"]), "fresh\n");
        assert_eq!(names(&["-a", "--filter", "status=running"]), "up\n");
        assert_eq!(names(&["-a", "--filter", "exited=3"]), "bad\n");
        assert_eq!(names(&["-a", "--filter", "exited=0"]), "ok\n");
        assert_eq!(names(&["-a", "--filter", "label=app=web"]), "up\n");
        assert_eq!(names(&["-a", "--filter", "label=tier"]), "bad\n");
        assert_eq!(names(&["-a", "--filter", "name=^ok$"]), "ok\n");
        assert_eq!(names(&["-a", "--filter", "name=u"]), "up\n");
        assert_eq!(
            names(&["-a", "--filter", &format!("id={}", &up[..10])]),
            "up\n"
        );
        assert_eq!(
            names(&["-a", "--filter", &format!("ancestor={IMG}")])
                .lines()
                .count(),
            4
        );
        assert_eq!(names(&["-n", "2"]), "fresh\nup\n");
        assert_eq!(names(&["-l"]), "fresh\n");
        assert_eq!(
            names(&["-a", "--filter", "status=exited", "--filter", "name=bad"]),
            "bad\n"
        );
        let (code, _, stderr) = out(k, &["ps", "--filter", "colour=red"]);
        assert_eq!(code, 125, "{stderr}");
        assert!(stderr.contains("colour"), "{stderr}");

        let st = k.ok(&["ps", "-a", "--format", "{{.Names}}|{{.Status}}|{{.State}}"]);
        let row = |n: &str| {
            st.lines()
                .find(|l| l.starts_with(&format!("{n}|")))
                .unwrap_or_else(|| panic!("no {n} in\n{st}"))
                .to_string()
        };
        assert!(row("up").contains("|Up "), "{st}");
        assert!(row("up").ends_with("|running"), "{st}");
        assert!(row("bad").contains("|Exited (3) "), "{st}");
        assert!(row("ok").contains("|Exited (0) "), "{st}");
        assert_eq!(row("fresh"), "fresh|Created|created");

        // The table.
        let table = k.ok(&["ps", "-a"]);
        let mut lines = table.lines();
        let head = lines.next().unwrap();
        for col in [
            "CONTAINER ID",
            "IMAGE",
            "COMMAND",
            "CREATED",
            "STATUS",
            "PORTS",
            "NAMES",
        ] {
            assert!(head.contains(col), "{head}");
        }
        let upline = lines.find(|l| l.ends_with(" up")).expect("the up row");
        assert!(upline.starts_with(&up[..12]), "{upline}");
        assert!(upline.contains(IMG), "{upline}");
        assert!(upline.contains("\"sleep 1000\""), "{upline}");

        // json: one object a line.
        let js = k.ok(&["ps", "-a", "--format", "json"]);
        let objs: Vec<serde_json::Value> = js
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        assert_eq!(objs.len(), 4);
        let o = objs.iter().find(|o| o["Names"] == "up").unwrap();
        assert_eq!(o["ID"], &up[..12]);
        assert_eq!(o["State"], "running");
        assert!(o["Labels"].as_str().unwrap().contains("app=web"), "{o}");
        k.ok(&["rm", "-f", &up, &created]);
        assert_eq!(names(&["-a"]), "bad\nok\n");
    });
}

#[test]
fn logs_streams_tail_timestamps() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let (code, stdout, stderr) = out(
            k,
            &[
                "run",
                "--name",
                "talk",
                "--network",
                "none",
                IMG,
                "sh",
                "-c",
                "echo out1; echo err1 >&2; echo out2; echo err2 >&2; printf partial",
            ],
        );
        assert_eq!(code, 0);
        // Attached: the streams stay apart.
        assert_eq!(stdout, "out1\nout2\npartial");
        assert_eq!(stderr, "err1\nerr2\n");
        let (code, stdout, stderr) = out(k, &["logs", "talk"]);
        assert_eq!(code, 0);
        assert_eq!(stdout, "out1\nout2\npartial", "{:?}: logs stdout", k.mode);
        assert_eq!(stderr, "err1\nerr2\n", "{:?}: logs stderr", k.mode);

        // docker's json-file, one entry a line.
        let id = inspect(k, "talk")["Id"].as_str().unwrap().to_string();
        let log = k.root.join("containers").join(&id).join("ctr.log");
        let text = String::from_utf8(k.read(&log)).unwrap();
        let entries: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        assert_eq!(entries.len(), 5, "{text}");
        for e in &entries {
            let s = e["stream"].as_str().unwrap();
            assert!(s == "stdout" || s == "stderr", "{e}");
            assert!(e["time"].as_str().unwrap().ends_with('Z'), "{e}");
        }
        assert!(entries
            .iter()
            .any(|e| e["log"] == "err1\n" && e["stream"] == "stderr"));
        assert!(entries
            .iter()
            .any(|e| e["log"] == "out1\n" && e["stream"] == "stdout"));

        // -t: RFC 3339 with nanoseconds, then the line.
        let ts = k.ok(&["logs", "-t", "talk"]);
        for l in ts.lines() {
            let (time, rest) = l.split_once(' ').unwrap();
            assert_eq!(time.len(), 30, "{l}");
            assert!(time.ends_with('Z') && time.as_bytes()[10] == b'T', "{l}");
            assert!(rest.starts_with("out") || rest == "partial", "{l}");
        }

        // --tail
        k.ok(&[
            "run",
            "--name",
            "seq",
            "--network",
            "none",
            IMG,
            "seq",
            "1",
            "5",
        ]);
        assert_eq!(k.ok(&["logs", "--tail", "2", "seq"]), "4\n5\n");
        assert_eq!(k.ok(&["logs", "-n", "0", "seq"]), "");
        assert_eq!(k.ok(&["logs", "--tail", "all", "seq"]), "1\n2\n3\n4\n5\n");
        assert_eq!(
            k.ok(&["logs", "--until", "1970-01-02T00:00:00Z", "seq"]),
            ""
        );

        // -f follows a running container until it exits.
        let id = detach(
            k,
            &[],
            &[
                "sh",
                "-c",
                "echo one; sleep 1; echo two; sleep 1; echo three",
            ],
        );
        let t = Instant::now();
        let mut child = k
            .command(&["logs", "-f", &id])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert_eq!(line, "one\n");
        // Streamed while the container still runs (it has 2 s to go).
        assert_eq!(
            status(k, &id),
            "running",
            "{:?}: the first line came only after the exit ({:?})",
            k.mode,
            t.elapsed()
        );
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
        let st = child.wait().unwrap();
        let took = t.elapsed();
        assert!(st.success());
        assert_eq!(rest, "two\nthree\n");
        assert!(
            took >= Duration::from_millis(1500) && took < Duration::from_secs(10),
            "{:?}: logs -f took {took:?}",
            k.mode
        );
        assert_eq!(status(k, &id), "exited");
        // -f of an exited container returns at once.
        assert_eq!(k.ok(&["logs", "-f", &id]), "one\ntwo\nthree\n");
    });
}

// ------------------------------------------------ wait, stop, kill, rm

#[test]
fn wait_prints_the_exit_code() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let id = detach(k, &[], &["sh", "-c", "sleep 0.5; exit 7"]);
        let t = Instant::now();
        assert_eq!(k.ok(&["wait", &id]), "7\n");
        assert!(t.elapsed() < Duration::from_secs(5));
        // Again, once it has exited.
        assert_eq!(k.ok(&["wait", &id]), "7\n");
        let other = detach(k, &[], &["true"]);
        assert_eq!(k.ok(&["wait", &id, &other]), "7\n0\n");
        let v = inspect(k, &id);
        assert_eq!(v["State"]["ExitCode"], 7);
        assert_eq!(v["State"]["Status"], "exited");
        assert_eq!(v["State"]["Pid"], 0);
    });
}

#[test]
fn stop_signal_and_timeout() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        // sh with a TERM trap exits 0 at once.
        let trap = detach(
            k,
            &["--name", "trap"],
            &[
                "sh",
                "-c",
                "trap 'echo got-term; exit 0' TERM; echo ready; while :; do sleep 0.1; done",
            ],
        );
        wait_for_log(k, "trap", "ready");
        let t = Instant::now();
        assert_eq!(k.ok(&["stop", "trap"]), "trap\n");
        let took = t.elapsed();
        assert!(
            took < Duration::from_secs(5),
            "{:?}: stop took {took:?}",
            k.mode
        );
        let v = inspect(k, &trap);
        assert_eq!(v["State"]["Status"], "exited", "{:?}", k.mode);
        assert_eq!(v["State"]["ExitCode"], 0, "{:?}", k.mode);
        assert!(k.ok(&["logs", "trap"]).contains("got-term"));

        // sleep as pid 1 ignores TERM: killed after -t 1.
        let sl = detach(k, &[], &["sleep", "1000"]);
        let pid = inspect(k, &sl)["State"]["Pid"].as_i64().unwrap() as i32;
        let t = Instant::now();
        assert_eq!(k.ok(&["stop", "-t", "1", &sl]), format!("{sl}\n"));
        let took = t.elapsed();
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(8),
            "{:?}: stop -t 1 took {took:?}",
            k.mode
        );
        assert_eq!(inspect(k, &sl)["State"]["ExitCode"], 137, "{:?}", k.mode);
        assert!(!alive(pid));

        // --stop-timeout is the default for stop.
        let st = detach(k, &["--stop-timeout", "1"], &["sleep", "1000"]);
        let t = Instant::now();
        k.ok(&["stop", &st]);
        let took = t.elapsed();
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(8),
            "{:?}: --stop-timeout 1: stop took {took:?}",
            k.mode
        );
        assert_eq!(inspect(k, &st)["State"]["ExitCode"], 137);

        // --stop-signal: an unknown one is refused at create, as docker.
        let (code, err) = k.fails(&["create", "--stop-signal", "BOGUS", IMG]);
        assert_eq!(code, 125);
        assert!(err.contains("invalid signal: BOGUS"), "{err}");
        let usr = detach(
            k,
            &["--name", "usr", "--stop-signal", "USR1"],
            &[
                "sh",
                "-c",
                "trap 'exit 10' USR1; trap 'exit 20' TERM; echo ready; while :; do sleep 0.1; done",
            ],
        );
        wait_for_log(k, "usr", "ready");
        let t = Instant::now();
        k.ok(&["stop", "usr"]);
        assert!(t.elapsed() < Duration::from_secs(5));
        assert_eq!(inspect(k, &usr)["State"]["ExitCode"], 10, "{:?}", k.mode);
        // stop -s overrides it.
        k.ok(&["start", "usr"]);
        assert!(
            wait_until(10, || k.ok(&["logs", "usr"]).matches("ready").count() == 2),
            "{:?}: the restarted container never got ready",
            k.mode
        );
        k.ok(&["stop", "-s", "TERM", "usr"]);
        assert_eq!(inspect(k, &usr)["State"]["ExitCode"], 20, "{:?}", k.mode);

        // Stopping a stopped container is fine.
        assert_eq!(k.ok(&["stop", "usr"]), "usr\n");
        let (code, _, stderr) = out(k, &["stop", "no-such-ctr"]);
        assert_eq!(code, 125);
        assert!(stderr.contains("no-such-ctr"), "{stderr}");
    });
}

#[test]
fn kill_delivers_signals() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let id = detach(
            k,
            &["--name", "k1"],
            &[
                "sh",
                "-c",
                "trap 'echo got-usr1; exit 9' USR1; echo ready; while :; do sleep 0.1; done",
            ],
        );
        wait_for_log(k, "k1", "ready");
        assert_eq!(k.ok(&["kill", "-s", "USR1", "k1"]), "k1\n");
        assert_eq!(k.ok(&["wait", "k1"]), "9\n", "{:?}", k.mode);
        assert!(k.ok(&["logs", "k1"]).contains("got-usr1"));
        assert_eq!(inspect(k, &id)["State"]["ExitCode"], 9);

        // Default: KILL.
        let s = detach(k, &[], &["sleep", "1000"]);
        k.ok(&["kill", &s]);
        assert_eq!(k.ok(&["wait", &s]), "137\n");
        // Numbers and SIG names.
        let n = detach(
            k,
            &["--name", "k2"],
            &[
                "sh",
                "-c",
                "trap 'exit 3' HUP; echo ready; while :; do sleep 0.1; done",
            ],
        );
        wait_for_log(k, "k2", "ready");
        k.ok(&["kill", "--signal", "1", &n]);
        assert_eq!(k.ok(&["wait", &n]), "3\n");

        // A stopped container cannot be killed; a bad signal is refused.
        let (code, _, stderr) = out(k, &["kill", &s]);
        assert_eq!(code, 125);
        assert!(stderr.contains("not running"), "{stderr}");
        let live = detach(k, &[], &["sleep", "1000"]);
        let (code, _, stderr) = out(k, &["kill", "-s", "BOGUS", &live]);
        assert_eq!(code, 125);
        assert!(stderr.contains("BOGUS"), "{stderr}");
        assert_eq!(status(k, &live), "running");
    });
}

#[test]
fn rm_running_and_force() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let id = detach(k, &["--name", "busy"], &["sleep", "1000"]);
        let pid = inspect(k, &id)["State"]["Pid"].as_i64().unwrap() as i32;
        let (code, _, stderr) = out(k, &["rm", "busy"]);
        assert_eq!(code, 125, "{:?}: {stderr}", k.mode);
        assert!(stderr.contains("running"), "{stderr}");
        assert!(stderr.contains("busy"), "{stderr}");
        assert_eq!(status(k, "busy"), "running");
        assert!(alive(pid));

        assert_eq!(k.ok(&["rm", "-f", "busy"]), "busy\n");
        assert!(
            wait_until(5, || !alive(pid)),
            "{:?}: pid {pid} survived",
            k.mode
        );
        assert_eq!(k.ok(&["ps", "-a", "-q"]), "");
        assert!(!k.root.join("containers").join(&id).exists());
        let (code, _, stderr) = out(k, &["inspect", &id]);
        assert_eq!(code, 125, "{stderr}");
        // The name is free again.
        let again = detach(k, &["--name", "busy"], &["true"]);
        k.ok(&["wait", "busy"]);
        assert_eq!(k.ok(&["rm", "busy"]), "busy\n");
        // rm of several, one missing: the others go, 125.
        let a = k
            .ok(&["create", "--network", "none", IMG, "true"])
            .trim()
            .to_string();
        let (code, stdout, stderr) = out(k, &["rm", &a, "not-there"]);
        assert_eq!(code, 125);
        assert_eq!(stdout, format!("{a}\n"));
        assert!(stderr.contains("not-there"), "{stderr}");
        assert_eq!(list_dir(&k.root.join("containers")), BTreeSet::new());
        assert_clean(k, &[id, again, a]);
    });
}

#[test]
fn auto_remove_leaves_nothing() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        assert_eq!(
            k.ok(&["run", "--rm", "--network", "none", IMG, "echo", "bye"]),
            "bye\n"
        );
        let (code, _, _) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                IMG,
                "sh",
                "-c",
                "exit 4",
            ],
        );
        assert_eq!(code, 4);
        // A container that writes as another user (files of subordinate ids
        // in its upper dir).
        sh_with(
            k,
            &["-u", "1000"],
            "mkdir -p /tmp/a/b && echo x > /tmp/a/b/c",
        );
        // Detached: gone once it exits.
        let id = detach(k, &["--rm"], &["sh", "-c", "sleep 0.5"]);
        assert_eq!(inspect(k, &id)["HostConfig"]["AutoRemove"], true);
        let gone = wait_until(10, || k.ok(&["ps", "-a", "-q"]).is_empty());
        assert!(gone, "{:?}: --rm -d container still listed", k.mode);
        assert_eq!(list_dir(&k.root.join("containers")), BTreeSet::new());
        assert_eq!(k.ok(&["ps", "-a"]).lines().count(), 1, "only the header");
        assert_clean(k, &[id]);
        // Nothing of the names is left either: the names can be reused.
        k.ok(&[
            "run",
            "--rm",
            "--name",
            "again",
            "--network",
            "none",
            IMG,
            "true",
        ]);
        k.ok(&[
            "run",
            "--rm",
            "--name",
            "again",
            "--network",
            "none",
            IMG,
            "true",
        ]);
    });
}

#[test]
fn name_conflict_and_unknown_container() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let owner = k
            .ok(&["create", "--name", "web", "--network", "none", IMG, "true"])
            .trim()
            .to_string();
        let (code, _, stderr) = out(
            k,
            &["run", "--name", "web", "--network", "none", IMG, "true"],
        );
        assert_eq!(code, 125, "{:?}: {stderr}", k.mode);
        assert!(stderr.contains("/web"), "{stderr}");
        assert!(
            stderr.contains(&owner),
            "the message names the owner: {stderr}"
        );
        assert_eq!(k.ok(&["ps", "-a", "-q"]).lines().count(), 1);
        let (code, _, _) = out(k, &["create", "--name", "bad/name", IMG, "true"]);
        assert_eq!(code, 125);

        for cmd in [
            &["stop", "ghost"][..],
            &["start", "ghost"],
            &["restart", "ghost"],
            &["kill", "ghost"],
            &["rm", "ghost"],
            &["wait", "ghost"],
            &["logs", "ghost"],
            &["container", "inspect", "ghost"],
            &["inspect", "ghost"],
        ] {
            let (code, _, stderr) = out(k, cmd);
            assert_eq!(code, 125, "{:?}: kist {cmd:?}: {stderr}", k.mode);
            assert!(stderr.contains("ghost"), "kist {cmd:?}: {stderr}");
        }
    });
}

#[test]
fn restart_and_start_attach() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let id = detach(
            k,
            &["--name", "re"],
            &[
                "sh",
                "-c",
                "trap 'exit 0' TERM; echo started; while :; do sleep 0.1; done",
            ],
        );
        wait_for_log(k, "re", "started");
        let v = inspect(k, &id);
        let (pid1, at1) = (
            v["State"]["Pid"].as_i64().unwrap(),
            v["State"]["StartedAt"].as_str().unwrap().to_string(),
        );
        assert_eq!(k.ok(&["restart", "-t", "5", "re"]), "re\n");
        let v = inspect(k, &id);
        assert_eq!(v["State"]["Status"], "running", "{:?}", k.mode);
        assert_ne!(v["State"]["Pid"].as_i64().unwrap(), pid1);
        assert_ne!(v["State"]["StartedAt"].as_str().unwrap(), at1);
        assert!(
            wait_until(5, || k.ok(&["logs", "re"]) == "started\nstarted\n"),
            "{:?}: logs after restart:\n{}",
            k.mode,
            k.ok(&["logs", "re"])
        );
        assert_eq!(supervisors(&id).len(), 1, "{:?}: one supervisor", k.mode);
        k.ok(&["stop", "re"]);
        // restart of a stopped container starts it.
        k.ok(&["restart", "re"]);
        assert_eq!(status(k, "re"), "running");

        // start -a of a created container: its output and exit code.
        let c = k
            .ok(&[
                "create",
                "--network",
                "none",
                IMG,
                "sh",
                "-c",
                "echo hello; echo oops >&2; exit 4",
            ])
            .trim()
            .to_string();
        assert_eq!(status(k, &c), "created");
        let (code, stdout, stderr) = out(k, &["start", "-a", &c]);
        assert_eq!(
            (code, stdout.as_str()),
            (4, "hello\n"),
            "{:?}: {stderr}",
            k.mode
        );
        assert_eq!(stderr, "oops\n");
        // Again: a second run of the same container.
        let (code, stdout, _) = out(k, &["start", "-a", &c]);
        assert_eq!((code, stdout.as_str()), (4, "hello\n"));
        assert_eq!(k.ok(&["logs", &c]), "hello\nhello\n");
        // start without -a prints the name given and returns.
        let d = k
            .ok(&[
                "create",
                "--name",
                "bg",
                "--network",
                "none",
                IMG,
                "sleep",
                "1000",
            ])
            .trim()
            .to_string();
        assert_eq!(k.ok(&["start", "bg"]), "bg\n");
        assert_eq!(status(k, &d), "running");
        // start -ai: stdin.
        let i = k
            .ok(&["create", "-i", "--network", "none", IMG, "tr", "a-z", "A-Z"])
            .trim()
            .to_string();
        assert_eq!(
            k.ok_stdin(&["start", "-a", "-i", &i], b"shout\n"),
            "SHOUT\n"
        );
        // A created container whose command is missing: 127 from start.
        let m = k
            .ok(&["create", "--network", "none", IMG, "no-such-command"])
            .trim()
            .to_string();
        let (code, _, stderr) = out(k, &["start", "-a", &m]);
        assert_eq!(code, 127, "{stderr}");
    });
}

#[test]
fn inspect_fields() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let id = detach(
            k,
            &[
                "--rm", "--name", "insp", "-l", "a=b", "-e", "E=1", "-w", "/tmp",
            ],
            &["sleep", "1000"],
        );
        let v = inspect(k, "insp");
        assert_eq!(v["Id"], id);
        assert_eq!(v["Name"], "/insp");
        assert_eq!(v["State"]["Status"], "running");
        assert_eq!(v["State"]["Running"], true);
        assert_eq!(v["State"]["ExitCode"], 0);
        let pid = v["State"]["Pid"].as_i64().unwrap() as i32;
        assert!(pid > 0 && alive(pid), "{v}");
        assert_eq!(v["Config"]["Cmd"], serde_json::json!(["sleep", "1000"]));
        assert_eq!(v["Config"]["Image"], IMG);
        assert_eq!(v["Config"]["Labels"]["a"], "b");
        assert_eq!(v["Config"]["WorkingDir"], "/tmp");
        assert!(
            v["Config"]["Env"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e == "E=1"),
            "{v}"
        );
        assert_eq!(v["Config"]["Hostname"], &id[..12]);
        assert_eq!(v["HostConfig"]["AutoRemove"], true);
        assert_eq!(v["HostConfig"]["NetworkMode"], "none");
        assert_eq!(v["Path"], "sleep");
        assert_eq!(v["Args"], serde_json::json!(["1000"]));
        assert!(v["Image"].as_str().unwrap().starts_with("sha256:"), "{v}");
        // Prefix, -f, and the untyped inspect.
        assert_eq!(
            k.ok(&["inspect", "-f", "{{.State.Status}} {{.Name}}", &id[..8]]),
            "running /insp\n"
        );
        assert_eq!(
            k.ok(&["container", "inspect", "--format", "{{.State.Pid}}", "insp"]),
            format!("{pid}\n")
        );

        let e = k
            .ok(&[
                "create",
                "--name",
                "done",
                "--network",
                "none",
                IMG,
                "sh",
                "-c",
                "exit 2",
            ])
            .trim()
            .to_string();
        let v = inspect(k, &e);
        assert_eq!(v["State"]["Status"], "created");
        assert_eq!(v["HostConfig"]["AutoRemove"], false);
        assert_eq!(
            v["Config"]["Cmd"],
            serde_json::json!(["sh", "-c", "exit 2"])
        );
        let (code, _, _) = out(k, &["start", "-a", "done"]);
        assert_eq!(code, 2);
        let v = inspect(k, "done");
        assert_eq!(v["State"]["Status"], "exited");
        assert_eq!(v["State"]["ExitCode"], 2);
        assert_eq!(v["State"]["Pid"], 0);
        assert_eq!(v["State"]["Running"], false);
        assert!(
            !v["State"]["FinishedAt"]
                .as_str()
                .unwrap()
                .starts_with("0001"),
            "{v}"
        );
        // Both, one missing: the found one printed, 125.
        let (code, stdout, stderr) = out(k, &["container", "inspect", "done", "ghost"]);
        assert_eq!(code, 125);
        assert!(stderr.contains("ghost"), "{stderr}");
        let arr: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(arr.as_array().unwrap().len(), 1);
    });
}

#[test]
fn rmi_of_an_image_in_use_is_refused() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let id = k
            .ok(&["create", "--network", "none", IMG, "true"])
            .trim()
            .to_string();
        let (code, _, stderr) = out(k, &["rmi", IMG]);
        assert_ne!(code, 0, "{:?}: rmi of an image in use", k.mode);
        assert!(
            stderr.contains(&id[..12]),
            "the message names the container: {stderr}"
        );
        assert_eq!(k.ok(&["images", "-q"]).lines().count(), 1);
        // Still usable.
        assert_eq!(k.ok(&["start", "-a", &id]), "");
        k.ok(&["rm", &id]);
        k.ok(&["rmi", IMG]);
        assert_eq!(k.ok(&["images", "-q"]), "");
    });
}

// --------------------------------------------------- supervisor, leftovers

#[test]
fn supervisor_killed_takes_the_container() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let id = detach(k, &["--name", "orphan"], &["sleep", "1000"]);
        let pid = inspect(k, &id)["State"]["Pid"].as_i64().unwrap() as i32;
        let sup = ppid(pid).expect("the container's parent");
        assert_eq!(
            supervisors(&id),
            vec![sup],
            "{:?}: the container's parent is its supervisor",
            k.mode
        );
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(sup),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
        let died = wait_until(5, || !alive(pid));
        if !died {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        assert!(
            died,
            "{:?}: the container (pid {pid}) outlived its supervisor",
            k.mode
        );
        let st = k.ok(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
        assert!(st.starts_with("orphan Exited (137)"), "{:?}: {st}", k.mode);
        let v = inspect(k, &id);
        assert_eq!(v["State"]["Status"], "exited");
        assert_eq!(v["State"]["ExitCode"], 137);
        assert_eq!(v["State"]["Pid"], 0);
        assert!(
            v["State"]["Error"].as_str().unwrap().contains("supervisor"),
            "{v}"
        );
        assert_eq!(k.ok(&["wait", &id]), "137\n");
        // It can be started again, and removed.
        k.ok(&["start", &id]);
        assert_eq!(status(k, &id), "running");
        k.ok(&["rm", "-f", &id]);
        assert_clean(k, &[id]);
    });
}

#[test]
fn nothing_left_after_rm() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let mut ids = Vec::new();
        let mut pids = Vec::new();
        for i in 0..3 {
            let id = detach(
                k,
                &["-v", &format!("{}:/v", k.dir.display())],
                &["sh", "-c", &format!("echo {i} > /tmp/f; sleep 1000")],
            );
            pids.push(inspect(k, &id)["State"]["Pid"].as_i64().unwrap() as i32);
            ids.push(id);
        }
        let done = k
            .ok(&["run", "-d", "--network", "none", IMG, "true"])
            .trim()
            .to_string();
        k.ok(&["wait", &done]);
        ids.push(done);
        let mut args = vec!["rm", "-f"];
        args.extend(ids.iter().map(|s| s.as_str()));
        k.ok(&args);
        for p in &pids {
            assert!(
                wait_until(5, || !alive(*p)),
                "{:?}: pid {p} survived rm -f",
                k.mode
            );
        }
        assert_eq!(k.ok(&["ps", "-a", "-q"]), "");
        assert_eq!(list_dir(&k.root.join("containers")), BTreeSet::new());
        // No attach sockets either.
        assert_eq!(list_dir(&k.runroot.join("s")), BTreeSet::new());
        assert_clean(k, &ids);
        // Every process of the test user is accounted for.
        for p in pgrep("__supervise") {
            let cmd = std::fs::read_to_string(format!("/proc/{p}/cmdline")).unwrap_or_default();
            assert!(
                !cmd.contains(k.root.to_str().unwrap()),
                "{:?}: stray supervisor {p}: {cmd:?}",
                k.mode
            );
        }
    });
}

#[test]
fn rm_force_of_an_auto_remove_container() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        // rm -f kills it; its supervisor's --rm cleanup must not make rm
        // fail.
        let id = detach(k, &["--rm", "--name", "short"], &["sleep", "1000"]);
        let pid = inspect(k, &id)["State"]["Pid"].as_i64().unwrap() as i32;
        let (code, stdout, stderr) = out(k, &["rm", "-f", "short"]);
        assert_eq!(
            (code, stdout.as_str(), stderr.as_str()),
            (0, "short\n", ""),
            "{:?}: rm -f of a running --rm container",
            k.mode
        );
        assert!(wait_until(5, || !alive(pid)));
        assert_eq!(k.ok(&["ps", "-a", "-q"]), "");
        assert_eq!(list_dir(&k.root.join("containers")), BTreeSet::new());
        assert_clean(k, &[id]);
        // stop of a running --rm container: it goes.
        let id = detach(
            k,
            &["--rm", "--name", "short2"],
            &[
                "sh",
                "-c",
                "trap 'exit 0' TERM; echo ready; while :; do sleep 0.1; done",
            ],
        );
        wait_for_log(k, "short2", "ready");
        let (code, _, stderr) = out(k, &["stop", "short2"]);
        assert_eq!(code, 0, "{:?}: stop of a --rm container: {stderr}", k.mode);
        assert!(wait_until(5, || k.ok(&["ps", "-a", "-q"]).is_empty()));
        assert_clean(k, &[id]);
    });
}

#[test]
fn log_rotation() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        // 2000 lines of 100 bytes: 200 kB of output, 10k per file, 3 files.
        let id = k
            .ok(&[
                "run",
                "-d",
                "--network",
                "none",
                "--log-opt",
                "max-size=10k",
                "--log-opt",
                "max-file=3",
                IMG,
                "sh",
                "-c",
                "i=0; while [ $i -lt 2000 ]; do printf '%099d\\n' $i; i=$((i+1)); done",
            ])
            .trim()
            .to_string();
        assert_eq!(k.ok(&["wait", &id]), "0\n");
        let dir = k.root.join("containers").join(&id);
        let logs: BTreeSet<String> = list_dir(&dir)
            .into_iter()
            .filter(|n| n.starts_with("ctr.log"))
            .collect();
        assert!(
            logs.len() <= 3 && logs.contains("ctr.log"),
            "{:?}: log files {logs:?}",
            k.mode
        );
        for f in &logs {
            let len = k.lstat(&dir.join(f)).len();
            // One entry may overshoot the limit.
            assert!(len <= 10 * 1024 + 512, "{f}: {len} bytes");
        }
        // logs shows the newest lines, in order, ending with the last.
        let text = k.ok(&["logs", &id]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(!lines.is_empty() && lines.len() < 2000, "{}", lines.len());
        assert_eq!(*lines.last().unwrap(), format!("{:099}", 1999));
        let nums: Vec<u32> = lines.iter().map(|l| l.parse().unwrap()).collect();
        assert!(nums.windows(2).all(|w| w[1] == w[0] + 1), "gaps in the log");
        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "--log-opt",
                "colour=red",
                IMG,
                "true",
            ],
        );
        assert_eq!(code, 125, "{stderr}");
    });
}

#[test]
fn network_modes() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let ifaces = |net: Option<&str>| {
            let mut args = vec!["run", "--rm"];
            if let Some(n) = net {
                args.extend_from_slice(&["--network", n]);
            }
            args.extend_from_slice(&[IMG, "ls", "/sys/class/net"]);
            let (code, stdout, stderr) = out(k, &args);
            assert_eq!(code, 0, "{:?}: --network {net:?}: {stderr}", k.mode);
            let set: BTreeSet<String> = stdout.split_whitespace().map(String::from).collect();
            (set, stderr)
        };
        let (none, stderr) = ifaces(Some("none"));
        assert_eq!(none, BTreeSet::from(["lo".to_string()]), "{:?}", k.mode);
        assert_eq!(stderr, "");
        let host: BTreeSet<String> = list_dir(Path::new("/sys/class/net"));
        let (shared, _) = ifaces(Some("host"));
        assert_eq!(shared, host, "{:?}: --network host", k.mode);
        // The default network (tests/network.rs has the rest): eth0 too.
        let (default, stderr) = ifaces(None);
        assert_eq!(
            default,
            BTreeSet::from(["eth0".to_string(), "lo".to_string()]),
            "{:?}: {stderr}",
            k.mode
        );
        let (code, _, stderr) = out(k, &["run", "--rm", "--network", "bridge0", IMG, "true"]);
        assert_eq!(code, 125, "{stderr}");
        assert!(stderr.contains("bridge0"), "{stderr}");
        // host: the host's /etc/hosts and, as docker, its host name.
        let hosts = k.ok(&["run", "--rm", "--network", "host", IMG, "cat", "/etc/hosts"]);
        assert_eq!(hosts, std::fs::read_to_string("/etc/hosts").unwrap());
        let name = k.ok(&["run", "--rm", "--network", "host", IMG, "hostname"]);
        let host_name = nix::unistd::gethostname().unwrap();
        assert_eq!(
            name.trim(),
            host_name.to_str().unwrap(),
            "{:?}: --network host keeps the host's name",
            k.mode
        );
    });
}

#[test]
fn generated_names_are_unique() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        // More containers than a small name space survives without retries
        // (docker retries a taken generated name).
        let mut names = BTreeSet::new();
        for i in 0..120 {
            let (code, stdout, stderr) = out(k, &["create", "--network", "none", IMG, "true"]);
            assert_eq!(
                code, 0,
                "{:?}: create #{i} without --name: {stdout}{stderr}",
                k.mode
            );
            let id = stdout.trim().to_string();
            let name = inspect(k, &id)["Name"].as_str().unwrap().to_string();
            assert!(names.insert(name.clone()), "{name} given twice");
        }
        assert_eq!(k.ok(&["ps", "-a", "-q"]).lines().count(), 120);
    });
}

#[test]
fn closed_stdout_is_not_a_panic() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let id = k
            .ok(&[
                "run",
                "--name",
                "pipe",
                "--network",
                "none",
                IMG,
                "seq",
                "1",
                "2000",
            ])
            .lines()
            .count();
        assert_eq!(id, 2000);
        // As `kist … | head -1` once head has gone: the read end is closed
        // before kist writes.
        for args in [
            &["ps", "-a", "-q"][..],
            &["ps", "-a"],
            &["ps", "-a", "--format", "json"],
            &["logs", "pipe"],
            &["container", "inspect", "pipe"],
        ] {
            let mut child = k
                .command(args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            drop(child.stdout.take());
            let o = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert!(
                !stderr.contains("panicked") && !matches!(o.status.code(), Some(101 | 134)),
                "{:?}: kist {args:?} with a closed stdout: {} {stderr}",
                k.mode,
                o.status
            );
        }
    });
}

#[test]
fn pseudo_terminal() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        // An interactive shell on the container's own terminal.
        let (code, text) = on_a_terminal(
            k,
            &["run", "-it", "--rm", "--network", "none", IMG, "sh"],
            b"tty; echo $((6*7)); exit 3\n",
        );
        assert_eq!(code, 3, "{:?}: {text}", k.mode);
        assert!(text.contains("/dev/pts/0"), "{:?}: {text}", k.mode);
        assert!(text.contains("42"), "{:?}: {text}", k.mode);
        // ctrl-p ctrl-q detaches; the container keeps running.
        let (code, text) = on_a_terminal(
            k,
            &[
                "run",
                "-it",
                "--name",
                "tty1",
                "--network",
                "none",
                IMG,
                "sh",
            ],
            b"\x10\x11",
        );
        assert_eq!(code, 0, "{:?}: {text}", k.mode);
        assert_eq!(
            k.ok(&["inspect", "--format", "{{.State.Status}}", "tty1"])
                .trim(),
            "running"
        );
        // exec -it gets a terminal of its own in the container's devpts.
        let (code, text) = on_a_terminal(k, &["exec", "-it", "tty1", "sh"], b"tty; exit 5\n");
        assert_eq!(code, 5, "{:?}: {text}", k.mode);
        assert!(text.contains("/dev/pts/1"), "{:?}: {text}", k.mode);
        k.ok(&["rm", "-f", "tty1"]);
    });
}

#[test]
fn attach_to_a_running_container() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        k.ok(&[
            "run",
            "-d",
            "--name",
            "att1",
            "--network",
            "none",
            IMG,
            "sh",
            "-c",
            "sleep 1; echo late; echo oops >&2; exit 3",
        ]);
        // Attached after the start: what the container writes from now on,
        // stdout and stderr apart, and its exit code.
        let out = k.run(&["attach", "att1"]);
        assert_eq!(out.status.code(), Some(3), "{:?}: {out:?}", k.mode);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "late\n");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "oops\n");
        // A stopped container cannot be attached to.
        let (code, err) = k.fails(&["attach", "att1"]);
        assert_eq!(code, 125, "{err}");
        assert!(err.contains("start it first"), "{err}");
    });
}
