//! version, info, unshare, generated files, the default store path, exit
//! codes of command line errors.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};

use common::{each_mode, Kist, Mode};

#[test]
fn version() {
    each_mode(|k: &Kist| {
        let v = env!("CARGO_PKG_VERSION");
        assert_eq!(
            k.ok(&["version", "--format", "{{.Client.Version}}"]),
            format!("{v}\n")
        );
        let out = k.ok(&["version"]);
        assert!(out.starts_with("Client:\n"), "{out}");
        assert!(out.contains(&format!(" Version:           {v}\n")), "{out}");
        assert!(
            out.contains(&format!(
                "OS/Arch:           linux/{}",
                common::fixtures::host_arch()
            )),
            "{out}"
        );
        let j: serde_json::Value =
            serde_json::from_str(&k.ok(&["version", "--format", "{{json .}}"])).unwrap();
        assert_eq!(j["Client"]["Version"], v);
        assert_eq!(k.ok(&["--version"]), format!("kist {v}\n"));
    });
}

#[test]
fn info_rootless_and_id_mappings() {
    each_mode(|k: &Kist| {
        k.load(&common::busybox_docker_archive());
        let out = k.ok(&["info", "--format", "{{json .}}"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["Rootless"], k.rootless(), "{out}");
        assert_eq!(v["Images"], 1, "{out}");
        assert_eq!(v["Driver"], "overlay", "{out}");
        assert_eq!(v["DockerRootDir"], k.root.to_str().unwrap(), "{out}");
        assert_eq!(v["RunRoot"], k.runroot.to_str().unwrap(), "{out}");
        assert_eq!(v["OSType"], "linux");
        assert!(v["NCPU"].as_u64().unwrap() >= 1);
        let uid_map = &v["IDMappings"]["UIDMap"];
        let gid_map = &v["IDMappings"]["GIDMap"];
        if k.rootless() {
            let u = common::test_user();
            let text = uid_map.to_string();
            assert!(
                text.contains(&u.subuid.to_string())
                    && text.contains("65536")
                    && text.contains(&u.uid.to_string()),
                "UIDMap {text} does not show {}:{}:65536",
                u.uid,
                u.subuid
            );
            assert!(
                gid_map.to_string().contains(&u.subgid.to_string()),
                "{gid_map}"
            );
            let plain = k.ok(&["info"]);
            assert!(plain.contains(" Rootless: true"), "{plain}");
            assert!(
                plain.contains(&format!("1->{} (65536)", u.subuid)),
                "{plain}"
            );
        } else {
            assert_eq!(
                uid_map.as_array().map(|a| a.len()).unwrap_or(0),
                0,
                "{uid_map}"
            );
            let plain = k.ok(&["info"]);
            assert!(plain.contains(" Rootless: false"), "{plain}");
            assert!(plain.contains(" Images: 1"), "{plain}");
        }
        assert_eq!(
            k.ok(&["info", "-f", "{{.Rootless}}"]),
            format!("{}\n", k.rootless())
        );
    });
}

#[test]
fn unshare_runs_inside_the_user_namespace() {
    each_mode(|k: &Kist| {
        assert_eq!(k.ok(&["unshare", "id", "-u"]), "0\n");
        assert_eq!(k.ok(&["unshare", "id", "-g"]), "0\n");
        // Exit codes pass through; a missing command is 127.
        let out = k.run(&["unshare", "sh", "-c", "exit 3"]);
        assert_eq!(out.status.code(), Some(3));
        let out = k.run(&["unshare", "/nonexistent/cmd"]);
        assert_eq!(
            out.status.code(),
            Some(127),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Arguments with dashes go to the command.
        assert_eq!(k.ok(&["unshare", "echo", "-n", "--root"]), "--root");
        let f = k.path("chowned");
        let script = format!("touch {0} && chown 1000:1000 {0}", f.display());
        k.ok(&["unshare", "sh", "-c", &script]);
        let m = std::fs::metadata(&f).unwrap();
        assert_eq!(
            (m.uid(), m.gid()),
            (k.host_uid(1000), k.host_gid(1000)),
            "{:?}",
            k.mode
        );
        if k.rootless() {
            let map = k.ok(&["unshare", "cat", "/proc/self/uid_map"]);
            let rows: Vec<Vec<u64>> = map
                .lines()
                .map(|l| l.split_whitespace().map(|x| x.parse().unwrap()).collect())
                .collect();
            let u = common::test_user();
            assert!(rows.contains(&vec![0, u.uid as u64, 1]), "{map}");
            assert!(rows.contains(&vec![1, u.subuid as u64, 65536]), "{map}");
        }
        k.ok(&["unshare", "rm", "-f", f.to_str().unwrap()]);
        assert!(!f.exists());
    });
}

/// Without --root, rootless kist keeps its store in
/// $XDG_DATA_HOME/kist, else ~/.local/share/kist, and its runtime state in
/// $XDG_RUNTIME_DIR/kist.
#[test]
fn rootless_default_store_path() {
    let k = Kist::with_default_root(Mode::Rootless);
    let want = k.home.join(".local/share/kist");
    assert_eq!(k.root, want);
    assert_eq!(
        k.ok(&["info", "--format", "{{.DockerRootDir}}"]),
        format!("{}\n", want.display())
    );
    assert_eq!(
        k.ok(&["info", "--format", "{{.RunRoot}}"]),
        format!("{}\n", k.dir.join("xdg-run/kist").display())
    );
    k.load(&common::busybox_docker_archive());
    assert!(
        want.join("images.json").is_file(),
        "no images.json in {}",
        want.display()
    );
    let ids = common::fixtures::busybox().diff_ids();
    let busybox = want.join("layers").join(&ids[0]).join("diff/bin/busybox");
    assert!(busybox.is_file(), "{} missing", busybox.display());
    assert_eq!(std::fs::metadata(&busybox).unwrap().uid(), k.uid);
    assert_eq!(
        std::fs::metadata(&want).unwrap().mode() & 0o777,
        0o700,
        "the store is private"
    );
    assert_eq!(k.image_list().len(), 1);

    // XDG_DATA_HOME wins over HOME.
    let data = k.dir.join("xdg-data");
    let out = k
        .command(&["info", "--format", "{{.DockerRootDir}}"])
        .env("XDG_DATA_HOME", &data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}/kist\n", data.display())
    );
    // No XDG_RUNTIME_DIR: a private directory under the temp dir, made
    // 0700; one that others can enter is refused.
    let tmp = k.dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let fallback = tmp.join(format!("kist-{}", k.uid));
    let runroot = || {
        k.command(&["info", "--format", "{{.RunRoot}}"])
            .env_remove("XDG_RUNTIME_DIR")
            .env("TMPDIR", &tmp)
            .output()
            .unwrap()
    };
    let out = runroot();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", fallback.display())
    );
    assert_eq!(std::fs::metadata(&fallback).unwrap().mode() & 0o777, 0o700);
    std::fs::set_permissions(&fallback, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = runroot();
    assert_eq!(out.status.code(), Some(125));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unsafe runtime directory") && err.contains("0700"),
        "{err}"
    );

    // The default store is used by every command.
    k.ok(&["rmi", common::fixtures::NAME]);
    assert!(k.image_list().is_empty());
    assert!(common::list_dir(&want.join("layers")).is_empty());
}

#[test]
fn command_line_errors_exit_125() {
    each_mode(|k: &Kist| {
        for args in [
            vec!["no-such-command"],
            vec!["images", "--no-such-flag"],
            vec!["save"],
            vec!["tag", "only-one"],
            vec!["save", "--format", "zip", "x"],
        ] {
            let (code, err) = k.fails(&args);
            assert_eq!(code, 125, "kist {args:?}: {err}");
            assert!(!err.is_empty());
        }
        let (code, err) = k.fails(&["--storage-driver", "btrfs", "images"]);
        assert_eq!(code, 125);
        assert!(err.contains("btrfs"), "{err}");
        let out = k.run(&["--help"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage:"));
        // save to a terminal-less stdout is fine, but an unknown image is not.
        let (code, err) = k.fails(&[
            "save",
            "-o",
            k.path("x.tar").to_str().unwrap(),
            "kist-test/none:1",
        ]);
        assert_eq!(code, 125);
        assert!(err.contains("kist-test/none:1"), "{err}");
        assert!(!k.path("x.tar").exists());
    });
}

/// man/ and completions/ in the repository are what `kist generate` makes.
#[test]
fn generated_files_are_current() {
    let k = Kist::new(if common::is_root() {
        Mode::Root
    } else {
        Mode::Rootless
    });
    let repo = env!("CARGO_MANIFEST_DIR");
    let out = k.run(&["generate", "--check", "--dir", repo]);
    assert!(
        out.status.success(),
        "generated files are stale: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// generate writes the files, --check then passes, and notices a change.
#[test]
fn generate_and_check() {
    let k = Kist::new(if common::is_root() {
        Mode::Root
    } else {
        Mode::Rootless
    });
    let dir = k.path("gen");
    let d = dir.to_str().unwrap();
    k.ok(&["generate", "--dir", d]);
    assert!(dir.join("man/kist.1").is_file());
    assert!(dir.join("man/kist-load.1").is_file());
    assert!(dir.join("completions/kist.bash").is_file());
    assert!(dir.join("completions/_kist").is_file());
    assert!(dir.join("completions/kist.fish").is_file());
    k.ok(&["generate", "--check", "--dir", d]);
    std::fs::write(dir.join("man/kist-load.1"), "stale").unwrap();
    let (code, err) = k.fails(&["generate", "--check", "--dir", d]);
    assert_eq!(code, 125);
    assert!(err.contains("man/kist-load.1"), "{err}");
    std::fs::write(dir.join("man/kist-extra.1"), "extra").unwrap();
    k.ok(&["generate", "--dir", d]);
    assert!(!dir.join("man/kist-extra.1").exists());
    k.ok(&["generate", "--check", "--dir", d]);
}
