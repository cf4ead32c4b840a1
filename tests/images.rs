//! Image commands: images (filters, formats), tag, rmi, history, image
//! prune, import.

mod common;

use common::fixtures::{self, DockerArchive};
use common::{each_mode, inspect_json, Kist};

const A: &str = "2024-01-01T00:00:00Z";
const B: &str = "2024-02-01T00:00:00Z";
const C: &str = "2024-03-01T00:00:00Z";

/// Loads `fixtures::small(tag, created)` named `name`; returns its ID hex.
fn load_small(k: &Kist, tag: &str, created: &str, name: &str) -> String {
    let img = fixtures::small(tag, created);
    let names: Vec<&str> = if name.is_empty() { vec![] } else { vec![name] };
    let f = k.write(
        &format!("small-{tag}.tar"),
        &DockerArchive::new(&img, &names).build(),
    );
    k.load(&f);
    img.id()
}

/// busybox (2024-01-02) and small a, b, c (Jan, Feb, Mar 2024).
fn populate(k: &Kist) -> [String; 4] {
    k.load(&common::busybox_docker_archive());
    let a = load_small(k, "a", A, "kist-test/small:a");
    let b = load_small(k, "b", B, "kist-test/small:b");
    let c = load_small(k, "c", C, "kist-test/small:c");
    [fixtures::busybox().id(), a, b, c]
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(String::from).collect()
}

#[test]
fn images_table_quiet_and_no_trunc() {
    each_mode(|k: &Kist| {
        let [bb, a, b, c] = populate(k);
        let out = k.ok(&["images"]);
        let rows = lines(&out);
        assert_eq!(
            rows[0].split_whitespace().collect::<Vec<_>>(),
            ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"],
            "{out}"
        );
        assert_eq!(rows.len(), 5, "{out}");
        // Newest first.
        let order: Vec<Vec<&str>> = rows[1..]
            .iter()
            .map(|r| r.split_whitespace().take(3).collect())
            .collect();
        assert_eq!(
            order,
            vec![
                vec!["kist-test/small", "c", &c[..12]],
                vec!["kist-test/small", "b", &b[..12]],
                vec!["kist-test/busybox", "latest", &bb[..12]],
                vec!["kist-test/small", "a", &a[..12]],
            ],
            "{out}"
        );
        // Columns line up: every row starts its IMAGE ID where the header does.
        let col = rows[0].find("IMAGE ID").unwrap();
        for r in &rows[1..] {
            assert_eq!(r.get(col..col + 12), r.split_whitespace().nth(2), "{out}");
        }
        assert!(rows[1].contains("ago"), "{out}");
        let q = k.ok(&["images", "-q"]);
        assert_eq!(
            lines(&q),
            vec![
                c[..12].to_string(),
                b[..12].to_string(),
                bb[..12].to_string(),
                a[..12].to_string()
            ]
        );
        let q = k.ok(&["images", "--quiet", "--no-trunc"]);
        assert_eq!(lines(&q)[0], format!("sha256:{c}"));
        let full = k.ok(&["images", "--no-trunc"]);
        assert!(full.contains(&format!("sha256:{c}")), "{full}");
        // -a: no intermediate images here, the same list.
        assert_eq!(k.ok(&["images", "-a", "-q"]), k.ok(&["images", "-q"]));
        assert_eq!(k.ok(&["image", "ls", "-q"]), k.ok(&["images", "-q"]));
        assert_eq!(k.ok(&["image", "list", "-q"]), k.ok(&["images", "-q"]));
        // A repository argument.
        let out = k.ok(&["images", "kist-test/small", "--format", "{{.Tag}}"]);
        assert_eq!(lines(&out), ["c", "b", "a"]);
        let out = k.ok(&["images", "kist-test/small:b", "-q"]);
        assert_eq!(lines(&out), [&b[..12]]);
        // --digests adds a DIGEST column.
        let out = k.ok(&["images", "--digests"]);
        assert_eq!(
            lines(&out)[0].split_whitespace().collect::<Vec<_>>(),
            [
                "REPOSITORY",
                "TAG",
                "DIGEST",
                "IMAGE",
                "ID",
                "CREATED",
                "SIZE"
            ],
            "{out}"
        );
        assert_eq!(
            lines(&out)[1].split_whitespace().nth(2),
            Some("<none>"),
            "{out}"
        );
    });
}

#[test]
fn images_format_templates() {
    each_mode(|k: &Kist| {
        let [bb, _, _, c] = populate(k);
        let out = k.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
        assert_eq!(
            lines(&out),
            [
                "kist-test/small:c",
                "kist-test/small:b",
                "kist-test/busybox:latest",
                "kist-test/small:a"
            ]
        );
        let out = k.ok(&["images", "--format", "table {{.Repository}}\t{{.Tag}}"]);
        let rows = lines(&out);
        assert_eq!(
            rows[0].split_whitespace().collect::<Vec<_>>(),
            ["REPOSITORY", "TAG"],
            "{out}"
        );
        assert_eq!(rows.len(), 5);
        let out = k.ok(&["images", "--format", "table"]);
        assert_eq!(
            lines(&out)[0].split_whitespace().next(),
            Some("REPOSITORY"),
            "{out}"
        );
        let out = k.ok(&["images", "--format", "json"]);
        let objs: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        assert_eq!(objs.len(), 4);
        assert_eq!(objs[0]["Repository"], "kist-test/small");
        assert_eq!(objs[0]["Tag"], "c");
        assert_eq!(objs[0]["ID"], &c[..12]);
        let out = k.ok(&[
            "images",
            "--format",
            "{{json .ID}} {{.Size}} {{.CreatedAt}}",
            "kist-test/busybox",
        ]);
        assert!(out.starts_with(&format!("\"{}\" ", &bb[..12])), "{out}");
        assert!(out.contains("2024-01-02 03:04:05 +0000 UTC"), "{out}");
        let size = out.split_whitespace().nth(1).unwrap();
        assert!(size.ends_with("MB") || size.ends_with("kB"), "{out}");
        // A bad template is an error naming it.
        let (code, err) = k.fails(&["images", "--format", "{{.Nope"]);
        assert_eq!(code, 125, "{err}");
    });
}

#[test]
fn images_filters() {
    each_mode(|k: &Kist| {
        let [bb, a, b, c] = populate(k);
        let q = |args: &[&str]| {
            let mut v = vec!["images", "-q"];
            v.extend_from_slice(args);
            lines(&k.ok(&v))
        };
        let s = |id: &String| id[..12].to_string();
        assert_eq!(
            q(&["--filter", "reference=kist-test/small"]),
            [s(&c), s(&b), s(&a)]
        );
        assert_eq!(
            q(&["--filter", "reference=kist-test/s*"]),
            [s(&c), s(&b), s(&a)]
        );
        assert_eq!(q(&["--filter", "reference=kist-test/small:b"]), [s(&b)]);
        assert_eq!(q(&["--filter", "reference=*/busy*"]), [s(&bb)]);
        assert_eq!(
            q(&[
                "-f",
                "reference=kist-test/small:a",
                "-f",
                "reference=kist-test/small:c"
            ]),
            [s(&c), s(&a)]
        );
        assert!(q(&["--filter", "reference=nothing*"]).is_empty());
        assert_eq!(q(&["--filter", "label=org.kist.test"]), [s(&bb)]);
        assert_eq!(q(&["--filter", "label=org.kist.test=yes"]), [s(&bb)]);
        assert!(q(&["--filter", "label=org.kist.test=no"]).is_empty());
        assert_eq!(q(&["--filter", "label=org.kist.small=b"]), [s(&b)]);
        assert_eq!(
            q(&["--filter", "label=org.kist.small"]),
            [s(&c), s(&b), s(&a)]
        );
        assert_eq!(
            q(&["--filter", "before=kist-test/small:b"]),
            [s(&bb), s(&a)]
        );
        assert_eq!(q(&["--filter", "since=kist-test/small:b"]), [s(&c)]);
        assert_eq!(
            q(&[
                "--filter",
                "since=kist-test/small:a",
                "--filter",
                "before=kist-test/small:c"
            ]),
            [s(&b), s(&bb)]
        );
        assert_eq!(
            q(&["--filter", &format!("before={}", &c[..12])]),
            [s(&b), s(&bb), s(&a)]
        );
        assert!(q(&["--filter", "dangling=true"]).is_empty());
        assert_eq!(q(&["--filter", "dangling=false"]).len(), 4);
        // An untagged image is dangling.
        k.ok(&["tag", "kist-test/small:c", "kist-test/small:a"]);
        assert_eq!(q(&["--filter", "dangling=true"]), [s(&a)]);
        assert_eq!(q(&["--filter", "dangling=false"]), [s(&c), s(&b), s(&bb)]);
        // Bad filters.
        let (code, err) = k.fails(&["images", "--filter", "color=red"]);
        assert_eq!(code, 125);
        assert!(err.contains("color"), "{err}");
        let (code, err) = k.fails(&["images", "--filter", "dangling=maybe"]);
        assert_eq!(code, 125);
        assert!(err.contains("maybe"), "{err}");
        let (code, err) = k.fails(&["images", "--filter", "before=kist-test/none:x"]);
        assert_eq!(code, 125);
        assert!(err.contains("kist-test/none"), "{err}");
    });
}

#[test]
fn tag_moves_a_name() {
    each_mode(|k: &Kist| {
        let [bb, a, b, _] = populate(k);
        k.ok(&["tag", "kist-test/small:a", "kist-test/moved:x"]);
        assert_eq!(
            k.inspect("kist-test/moved:x", "{{.Id}}"),
            format!("sha256:{a}")
        );
        let tags: Vec<String> = serde_json::from_str(&k.inspect(&a, "{{json .RepoTags}}")).unwrap();
        let mut sorted = tags.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            ["kist-test/moved:x", "kist-test/small:a"],
            "{tags:?}"
        );
        // Moving it to b leaves a with its other name.
        k.ok(&["tag", &b[..12], "kist-test/moved:x"]);
        assert_eq!(
            k.inspect("kist-test/moved:x", "{{.Id}}"),
            format!("sha256:{b}")
        );
        assert_eq!(
            k.inspect(&a, "{{json .RepoTags}}"),
            r#"["kist-test/small:a"]"#
        );
        // Moving a's only name to busybox makes a dangling.
        k.ok(&["image", "tag", "kist-test/busybox", "kist-test/small:a"]);
        let list = k.image_list();
        assert!(
            list.contains(&format!("<none>:<none> sha256:{a}")),
            "{list:?}"
        );
        assert!(
            list.contains(&format!("kist-test/small:a sha256:{bb}")),
            "{list:?}"
        );
        // Tag with the default tag and a registry name.
        k.ok(&["tag", "kist-test/small:b", "localhost:5000/kist/b"]);
        assert_eq!(
            k.inspect("localhost:5000/kist/b:latest", "{{.Id}}"),
            format!("sha256:{b}")
        );
        let (code, err) = k.fails(&["tag", "kist-test/nope:1", "kist-test/x:1"]);
        assert_eq!(code, 125);
        assert!(err.contains("kist-test/nope:1"), "{err}");
        let (code, err) = k.fails(&["tag", "kist-test/small:b", "Bad Name"]);
        assert_eq!(code, 125);
        assert!(err.contains("Bad Name"), "{err}");
    });
}

#[test]
fn rmi_by_name_id_and_short_id() {
    each_mode(|k: &Kist| {
        let [bb, a, b, c] = populate(k);
        let layer_of =
            |tag: &str, created: &str| fixtures::small(tag, created).diff_ids()[0].clone();
        let out = k.ok(&["rmi", "kist-test/small:a"]);
        assert_eq!(
            lines(&out),
            [
                "Untagged: kist-test/small:a".to_string(),
                format!("Deleted: sha256:{a}"),
                format!("Deleted: sha256:{}", layer_of("a", A)),
            ]
        );
        assert!(!k.layer_dirs().contains(&layer_of("a", A)));
        let out = k.ok(&["rmi", &format!("sha256:{b}")]);
        assert!(
            out.contains("Untagged: kist-test/small:b")
                && out.contains(&format!("Deleted: sha256:{b}")),
            "{out}"
        );
        let out = k.ok(&["image", "rm", &c[..12]]);
        assert!(out.contains(&format!("Deleted: sha256:{c}")), "{out}");
        assert_eq!(k.image_list(), [format!("{} sha256:{bb}", fixtures::NAME)]);
        assert_eq!(k.layer_dirs().len(), 3);
        // Unknown images: 125 and the name.
        let (code, err) = k.fails(&["rmi", "kist-test/nothing:here"]);
        assert_eq!(code, 125);
        assert!(err.contains("kist-test/nothing:here"), "{err}");
        let (code, err) = k.fails(&["rmi", "0123456789ab"]);
        assert_eq!(code, 125);
        assert!(err.contains("0123456789ab"), "{err}");
        // One unknown among others: the others go, the exit code is 125.
        let out = k.run(&["rmi", "kist-test/nothing:here", fixtures::NAME]);
        assert_eq!(out.status.code(), Some(125));
        assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("Deleted: sha256:{bb}")));
        assert!(k.image_list().is_empty());
        assert!(k.layer_dirs().is_empty(), "{:?}", k.layer_dirs());
        k.assert_tmp_empty();
    });
}

#[test]
fn rmi_names_repositories_and_shared_layers() {
    each_mode(|k: &Kist| {
        let a = load_small(k, "a", A, "kist-test/small:a");
        k.ok(&["tag", "kist-test/small:a", "kist-test/small:also"]);
        k.ok(&["tag", "kist-test/small:a", "kist-test/other:x"]);
        // By ID with names in two repositories: refused without -f.
        let (code, err) = k.fails(&["rmi", &a[..12]]);
        assert_eq!(code, 125);
        assert!(
            err.contains(&a[..12]) && err.contains("multiple repositories"),
            "{err}"
        );
        assert_eq!(k.image_list().len(), 3);
        // By name: only untags.
        let out = k.ok(&["rmi", "kist-test/other:x"]);
        assert_eq!(out, "Untagged: kist-test/other:x\n");
        // Now one repository, two tags: by ID removes it all.
        k.ok(&["tag", "kist-test/small:a", "kist-test/other:x"]);
        let out = k.ok(&["rmi", "-f", &a[..12]]);
        for n in [
            "kist-test/small:a",
            "kist-test/small:also",
            "kist-test/other:x",
        ] {
            assert!(out.contains(&format!("Untagged: {n}")), "{out}");
        }
        assert!(out.contains(&format!("Deleted: sha256:{a}")), "{out}");
        assert!(k.image_list().is_empty());
        // Shared layers stay while an image uses them.
        k.load(&common::busybox_docker_archive());
        let child = fixtures::busybox_child("x");
        let f = k.write(
            "child.tar",
            &DockerArchive::new(&child, &["kist-test/child:x"]).build(),
        );
        k.load(&f);
        assert_eq!(k.layer_dirs().len(), 4);
        k.ok(&["rmi", fixtures::NAME]);
        let left: std::collections::BTreeSet<String> = child.diff_ids().into_iter().collect();
        assert_eq!(k.layer_dirs(), left);
        // The child is whole: save reproduces its layers.
        let out = k.path("child-saved.tar");
        k.ok(&["save", "-o", out.to_str().unwrap(), "kist-test/child:x"]);
        k.ok(&["rmi", "kist-test/child:x"]);
        assert!(k.layer_dirs().is_empty());
        k.assert_tmp_empty();
    });
}

#[test]
fn history_rows_and_sizes() {
    each_mode(|k: &Kist| {
        k.load(&common::busybox_docker_archive());
        let id = fixtures::busybox().id();
        let out = k.ok(&["history", fixtures::NAME]);
        let rows = lines(&out);
        assert_eq!(
            rows[0].split_whitespace().collect::<Vec<_>>(),
            ["IMAGE", "CREATED", "CREATED", "BY", "SIZE", "COMMENT"],
            "{out}"
        );
        assert_eq!(rows.len(), 5, "{out}");
        assert!(rows[1].starts_with(&id[..12]), "{out}");
        for r in &rows[2..] {
            assert!(r.starts_with("<missing>"), "{out}");
        }
        let out = k.ok(&[
            "history",
            "--no-trunc",
            "-H=false",
            "--format",
            "{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}|{{.CreatedSince}}",
            fixtures::NAME,
        ]);
        let rows: Vec<Vec<String>> = out
            .lines()
            .map(|l| l.split('|').map(String::from).collect())
            .collect();
        assert_eq!(rows.len(), 4, "{out}");
        assert_eq!(rows[0][0], format!("sha256:{id}"));
        assert_eq!(
            rows[0][1],
            "/bin/sh -c rm /etc/motd && rm -rf /opt/data/* && echo new > /opt/data/new"
        );
        assert_eq!(rows[0][3], "layer 3");
        assert_eq!(rows[1][1], "/bin/sh -c #(nop)  ENV GREETING=hello");
        assert_eq!(rows[1][2], "0", "the empty layer has size 0: {out}");
        assert_eq!(rows[3][1], "/bin/sh -c #(nop) ADD file:busybox in /");
        let bb_size: u64 = rows[3][2].parse().unwrap();
        let bb = fixtures::busybox_bytes().len() as u64;
        let tar1 = fixtures::busybox().layers[0].len() as u64;
        assert!(
            bb_size >= bb && bb_size <= tar1,
            "layer 1 size {bb_size}, busybox {bb}"
        );
        let small: u64 = rows[0][2].parse().unwrap();
        assert!(small > 0 && small < 4096, "layer 3 size {small}");
        assert!(
            rows[0][4].starts_with("2024-01-02T03:04:05"),
            "-H=false shows the date: {out}"
        );
        // Human sizes by default.
        let out = k.ok(&["history", "--format", "{{.Size}}", fixtures::NAME]);
        assert_eq!(lines(&out)[1], "0B", "{out}");
        assert!(lines(&out)[3].ends_with("MB"), "{out}");
        // Truncated CREATED BY: at most 45 characters.
        let out = k.ok(&["history", "--format", "{{.CreatedBy}}", fixtures::NAME]);
        assert!(
            lines(&out)[0].chars().count() <= 45 && lines(&out)[0].ends_with('…'),
            "{out}"
        );
        let out = k.ok(&["image", "history", "-q", fixtures::NAME]);
        assert_eq!(
            lines(&out),
            [&id[..12], "<missing>", "<missing>", "<missing>"]
        );
        let (code, err) = k.fails(&["history", "kist-test/nope"]);
        assert_eq!(code, 125);
        assert!(err.contains("kist-test/nope"), "{err}");
    });
}

#[test]
fn inspect_formats_and_errors() {
    each_mode(|k: &Kist| {
        k.load(&common::busybox_docker_archive());
        let out = k.ok(&["inspect", fixtures::NAME]);
        assert!(
            out.starts_with("[\n    {\n        \""),
            "4-space indent: {out}"
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v[0]["Id"], fixtures::busybox().full_id());
        assert_eq!(v[0]["Config"]["Env"][1], "GREETING=hello");
        // podman's History: the config's, empty layers included.
        let history = v[0]["History"].as_array().unwrap();
        assert_eq!(history.len(), 4, "{history:?}");
        assert_eq!(
            history[0]["created_by"],
            "/bin/sh -c #(nop) ADD file:busybox in /"
        );
        assert_eq!(history[2]["empty_layer"], true);
        assert_eq!(
            k.ok(&["inspect", "-f", "{{.Config.Labels}}", fixtures::NAME]),
            "map[org.kist.test:yes]\n"
        );
        assert_eq!(
            k.ok(&[
                "inspect",
                "--format",
                "{{index .RepoTags 0}}",
                fixtures::NAME
            ]),
            format!("{}\n", fixtures::NAME)
        );
        // Two images, one unknown: the known one printed, exit 125.
        let out = k.run(&["image", "inspect", fixtures::NAME, "kist-test/nope:1"]);
        assert_eq!(out.status.code(), Some(125));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1);
        assert!(String::from_utf8_lossy(&out.stderr).contains("kist-test/nope:1"));
        let (code, err) = k.fails(&["inspect", "--type", "container", fixtures::NAME]);
        assert_eq!(code, 125, "{err}");
    });
}

#[test]
fn image_prune_dangling_and_all() {
    each_mode(|k: &Kist| {
        let [bb, a, b, _c] = populate(k);
        // Make a dangling: move its name away.
        k.ok(&["tag", "kist-test/small:b", "kist-test/small:a"]);
        // Without -f, answering no keeps everything.
        let out = k.run_stdin(&["image", "prune"], b"n\n");
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Are you sure"),
            "{out:?}"
        );
        assert_eq!(k.image_list().len(), 5);
        let out = k.ok(&["image", "prune", "-f"]);
        let l = lines(&out);
        assert_eq!(l[0], "Deleted Images:", "{out}");
        assert!(out.contains(&format!("deleted: sha256:{a}")), "{out}");
        assert!(
            l.last().unwrap().starts_with("Total reclaimed space: "),
            "{out}"
        );
        assert_eq!(k.image_list().len(), 4);
        assert!(!k
            .layer_dirs()
            .contains(&fixtures::small("a", A).diff_ids()[0]));
        // Nothing dangling left.
        let out = k.ok(&["image", "prune", "--force"]);
        assert_eq!(out, "Total reclaimed space: 0B\n");
        // --filter label: only the matching tagged images, with -a.
        let out = k.ok(&[
            "image",
            "prune",
            "-a",
            "-f",
            "--filter",
            "label=org.kist.test",
        ]);
        assert!(out.contains(&format!("deleted: sha256:{bb}")), "{out}");
        assert!(out.contains("untagged: kist-test/busybox:latest"), "{out}");
        assert_eq!(k.image_list().len(), 3);
        // y on stdin confirms; -a removes every image.
        let out = k.ok_stdin(&["image", "prune", "-a"], b"y\n");
        assert!(out.contains(&format!("deleted: sha256:{b}")), "{out}");
        assert!(k.image_list().is_empty());
        assert!(k.layer_dirs().is_empty());
        k.assert_tmp_empty();
    });
}

fn rootfs_tar() -> Vec<u8> {
    fixtures::Layer::new()
        .dir("app/", 0o755, 0, 0)
        .file("app/run.sh", 0o755, 0, 0, b"#!/bin/sh\necho hi\n")
        .file("app/owned", 0o644, 1000, 1000, b"owned\n")
        .dir("app/tmp/", 0o1777, 0, 0)
        .finish()
}

#[test]
fn import_with_changes_and_message() {
    let tar = rootfs_tar();
    let diff = fixtures::sha256_hex(&tar);
    each_mode(|k: &Kist| {
        let f = k.write("rootfs.tar", &tar);
        let out = k.ok(&[
            "import",
            "-c",
            r#"CMD ["/app/run.sh", "arg"]"#,
            "--change",
            "ENV FOO=bar",
            "-c",
            "EXPOSE 8080/tcp",
            "-c",
            "WORKDIR /app",
            "-c",
            "LABEL org.kist.imported=1",
            "-m",
            "my import message",
            f.to_str().unwrap(),
            "kist-test/imported:1",
        ]);
        let id = out.trim().to_string();
        assert!(id.starts_with("sha256:") && id.len() == 71, "{out}");
        let v = inspect_json(k, "kist-test/imported:1");
        assert_eq!(v["Id"], id);
        assert_eq!(
            v["Config"]["Cmd"],
            serde_json::json!(["/app/run.sh", "arg"])
        );
        assert!(
            v["Config"]["Env"]
                .as_array()
                .unwrap()
                .contains(&"FOO=bar".into()),
            "{}",
            v["Config"]
        );
        assert_eq!(
            v["Config"]["ExposedPorts"],
            serde_json::json!({"8080/tcp": {}})
        );
        assert_eq!(v["Config"]["WorkingDir"], "/app");
        assert_eq!(v["Config"]["Labels"]["org.kist.imported"], "1");
        assert_eq!(
            v["RootFS"]["Layers"],
            serde_json::json!([format!("sha256:{diff}")])
        );
        assert_eq!(v["Architecture"], fixtures::host_arch());
        let comment = k.ok(&[
            "history",
            "--format",
            "{{.Comment}}",
            "kist-test/imported:1",
        ]);
        assert_eq!(comment, "my import message\n");
        // The image ID is the digest of its config (as saved).
        let saved = k.path("imported.tar");
        k.ok(&[
            "save",
            "-o",
            saved.to_str().unwrap(),
            "kist-test/imported:1",
        ]);
        let data = std::fs::read(&saved).unwrap();
        let mut ar = tar::Archive::new(&data[..]);
        let mut found = false;
        for e in ar.entries().unwrap() {
            let mut e = e.unwrap();
            let p = e.path().unwrap().to_string_lossy().to_string();
            let hex = id.strip_prefix("sha256:").unwrap();
            if p == format!("{hex}.json") || p == format!("blobs/sha256/{hex}") {
                let mut buf = Vec::new();
                std::io::Read::read_to_end(&mut e, &mut buf).unwrap();
                assert_eq!(fixtures::sha256_hex(&buf), hex);
                found = true;
            }
        }
        assert!(found, "config of {id} not in the saved archive");
        // Files on disk with their owners.
        let owned = k.layer_diff(&diff).join("app/owned");
        let m = k.lstat(&owned);
        assert_eq!(m.uid(), k.host_uid(1000), "{:?}", k.mode);
        assert_eq!(
            k.lstat(&k.layer_diff(&diff).join("app/tmp")).mode() & 0o7777,
            0o1777
        );
        k.assert_tmp_empty();
    });
}

#[test]
fn import_from_stdin_compressed_platform_and_errors() {
    let tar = rootfs_tar();
    let diff = fixtures::sha256_hex(&tar);
    each_mode(|k: &Kist| {
        let out = k.ok_stdin(
            &["import", "-", "kist-test/imported:stdin"],
            &fixtures::gzip(&tar),
        );
        let id = out.trim().to_string();
        assert_eq!(k.inspect("kist-test/imported:stdin", "{{.Id}}"), id);
        assert_eq!(
            k.inspect("kist-test/imported:stdin", "{{index .RootFS.Layers 0}}"),
            format!("sha256:{diff}"),
            "the diff_id is the digest of the uncompressed tar"
        );
        let comment = k.ok(&[
            "history",
            "--format",
            "{{.Comment}}",
            "kist-test/imported:stdin",
        ]);
        assert_eq!(comment, "Imported from -\n");
        // zstd, no name, another platform.
        let f = k.write("rootfs.tar.zst", &fixtures::zstd(&tar));
        let out = k.ok(&[
            "image",
            "import",
            "--platform",
            "linux/arm64/v8",
            f.to_str().unwrap(),
        ]);
        let id2 = out.trim().to_string();
        assert_eq!(
            k.inspect(&id2, "{{.Architecture}}/{{.Os}}/{{.Variant}}"),
            "arm64/linux/v8"
        );
        assert!(
            k.image_list().contains(&format!("<none>:<none> {id2}")),
            "{:?}",
            k.image_list()
        );
        // The same layer is stored once.
        assert_eq!(k.layer_dirs().len(), 1);
        // Errors.
        let (code, err) = k.fails(&["import", "-c", "RUN rm -rf /", f.to_str().unwrap()]);
        assert_eq!(code, 125);
        assert!(err.contains("RUN"), "{err}");
        let (code, err) = k.fails(&["import", "--platform", "linux", f.to_str().unwrap()]);
        assert_eq!(code, 125);
        assert!(err.contains("linux"), "{err}");
        let (code, err) = k.fails(&["import", "https://example.com/rootfs.tar"]);
        assert_eq!(code, 125);
        assert!(err.contains("https://example.com/rootfs.tar"), "{err}");
        let (code, err) = k.fails(&["import", k.path("missing.tar").to_str().unwrap()]);
        assert_eq!(code, 125);
        assert!(err.contains("missing.tar"), "{err}");
        let (code, err) = k.fails(&["import", f.to_str().unwrap(), "kist-test/Bad:x"]);
        assert_eq!(code, 125);
        assert!(err.contains("kist-test/Bad"), "{err}");
        assert_eq!(k.image_list().len(), 2);
        k.assert_tmp_empty();
    });
}

/// Docker Hub names are shown and matched in their familiar form; images
/// saved by ID load back unnamed; an image given twice is saved once.
#[test]
fn familiar_names_and_save_by_id() {
    each_mode(|k: &Kist| {
        let img = fixtures::small("hub", A);
        let f = k.write(
            "hub.tar",
            &DockerArchive::new(&img, &["busybox:1.36", "docker.io/kisttest/app:2"]).build(),
        );
        assert_eq!(
            k.load(&f),
            "Loaded image: busybox:1.36\nLoaded image: kisttest/app:2\n"
        );
        let out = k.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
        let mut l = lines(&out);
        l.sort();
        assert_eq!(l, ["busybox:1.36", "kisttest/app:2"]);
        for r in [
            "busybox:1.36",
            "library/busybox:1.36",
            "docker.io/library/busybox:1.36",
            "index.docker.io/library/busybox:1.36",
            "docker.io/kisttest/app:2",
        ] {
            assert_eq!(k.inspect(r, "{{.Id}}"), img.full_id(), "{r}");
        }
        assert_eq!(
            k.ok(&["images", "-q", "--filter", "reference=busybox"]),
            format!("{}\n", &img.id()[..12])
        );
        assert_eq!(
            k.ok(&["images", "-q", "--filter", "reference=kisttest/*"]),
            format!("{}\n", &img.id()[..12])
        );
        // By ID, twice: one image, no names.
        let out = k.path("by-id.tar");
        k.ok(&[
            "save",
            "-o",
            out.to_str().unwrap(),
            &img.id()[..12],
            &img.full_id(),
        ]);
        let data = std::fs::read(&out).unwrap();
        let mut manifest = None;
        for e in tar::Archive::new(&data[..]).entries().unwrap() {
            let mut e = e.unwrap();
            if e.path().unwrap().to_str() == Some("manifest.json") {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut e, &mut s).unwrap();
                manifest = Some(serde_json::from_str::<serde_json::Value>(&s).unwrap());
            }
        }
        let m = manifest.expect("manifest.json");
        assert_eq!(m.as_array().unwrap().len(), 1, "{m}");
        let tags = &m[0]["RepoTags"];
        assert!(
            tags.is_null() || tags.as_array().is_some_and(|a| a.is_empty()),
            "{m}"
        );
        k.ok(&["rmi", "-f", &img.id()[..12]]);
        assert_eq!(
            k.load(&out),
            format!("Loaded image ID: {}\n", img.full_id())
        );
        // A name and the same image's ID: saved once, with the name.
        k.ok(&["tag", &img.id()[..12], "kist-test/named:1"]);
        k.ok(&[
            "save",
            "-o",
            out.to_str().unwrap(),
            "kist-test/named:1",
            &img.id()[..12],
        ]);
        let data = std::fs::read(&out).unwrap();
        for e in tar::Archive::new(&data[..]).entries().unwrap() {
            let mut e = e.unwrap();
            if e.path().unwrap().to_str() == Some("manifest.json") {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut e, &mut s).unwrap();
                let m: serde_json::Value = serde_json::from_str(&s).unwrap();
                assert_eq!(m.as_array().unwrap().len(), 1, "{m}");
                assert_eq!(m[0]["RepoTags"], serde_json::json!(["kist-test/named:1"]));
            }
        }
    });
}

/// docker's units.HumanSizeWithPrecision(size, 3).
fn docker_size(size: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = size as f64;
    let mut i = 0;
    while v >= 1000.0 && i + 1 < units.len() {
        v /= 1000.0;
        i += 1;
    }
    // Go's %.3g: 3 significant digits, no trailing zeros.
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let mut s = format!("{v:.digits$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{s}{}", units[i])
}

/// docker's units.HumanDuration.
fn docker_duration(secs: i64) -> String {
    let hours = secs / 3600;
    match secs {
        s if s < 1 => "Less than a second".into(),
        1 => "1 second".into(),
        s if s < 60 => format!("{s} seconds"),
        s if s / 60 == 1 => "About a minute".into(),
        s if s / 60 < 60 => format!("{} minutes", s / 60),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        _ => format!("{} years", hours / 24 / 365),
    }
}

#[test]
fn sizes_and_ages_as_docker_prints_them() {
    each_mode(|k: &Kist| {
        populate(k);
        let out = k.ok(&["images", "--format", "{{.ID}} {{.Size}} {{.CreatedSince}}"]);
        for row in out.lines() {
            let (id, rest) = row.split_once(' ').unwrap();
            let (size, since) = rest.split_once(' ').unwrap();
            let v = inspect_json(k, id);
            let bytes = v["Size"].as_u64().unwrap();
            assert_eq!(size, docker_size(bytes), "{row}");
            let created = v["Created"].as_str().unwrap();
            let out = std::process::Command::new("date")
                .args(["-u", "-d", created, "+%s"])
                .output()
                .unwrap();
            let t: i64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64;
            assert_eq!(since, format!("{} ago", docker_duration(now - t)), "{row}");
        }
        assert_eq!(docker_size(2_123_456), "2.12MB");
        assert_eq!(docker_size(999), "999B");
        assert_eq!(docker_size(12_000), "12kB");
    });
}
