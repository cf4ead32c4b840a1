//! Deterministic fixture images, built byte for byte in Rust: layer tars,
//! image configs, docker-archive and oci-archive writers, and broken
//! archives for the bad-input tests.
//!
//! The standard image has three layers made from the host's /bin/busybox:
//! 1. `bin/busybox` and symlinks to it;
//! 2. `etc/passwd`, `etc/group`, `etc/motd`, `home/user` owned by 1000:1000,
//!    a setuid file, `tmp` with mode 1777, `opt/data/{a,b}` and a hard link;
//! 3. a whiteout of `etc/motd` and an opaque `opt/data` with `opt/data/new`.

use std::io::Write;

use sha2::{Digest as _, Sha256};

/// Every entry's mtime unless told otherwise (2023-11-14T22:13:20Z).
pub const MTIME: u64 = 1_700_000_000;
/// The mtime of `home/user/file` (2020-09-13T12:26:40Z).
pub const USER_FILE_MTIME: u64 = 1_600_000_000;
pub const CREATED: &str = "2024-01-02T03:04:05Z";
pub const NAME: &str = "kist-test/busybox:latest";
pub const MOTD: &[u8] = b"welcome to the kist fixture\n";
pub const USER_FILE: &[u8] = b"owned by uid 1000\n";

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The architecture name of the host, as image configs spell it.
pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "arm" => "arm",
        "powerpc64" => "ppc64le",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        other => other,
    }
}

/// A tar stream built entry by entry, with raw control over names (so that
/// `../x` and `/x` can be written, which the tar crate refuses).
pub struct Layer {
    buf: Vec<u8>,
}

impl Default for Layer {
    fn default() -> Self {
        Self::new()
    }
}

impl Layer {
    pub fn new() -> Layer {
        Layer { buf: Vec::new() }
    }

    #[allow(clippy::too_many_arguments)]
    fn header(
        &mut self,
        path: &str,
        kind: tar::EntryType,
        mode: u32,
        uid: u64,
        gid: u64,
        mtime: u64,
        size: u64,
        link: &str,
    ) {
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_uid(uid);
        h.set_gid(gid);
        h.set_mtime(mtime);
        h.set_size(size);
        {
            let old = h.as_old_mut();
            assert!(
                path.len() <= 100 && link.len() <= 100,
                "fixture name too long"
            );
            old.name = [0; 100];
            old.name[..path.len()].copy_from_slice(path.as_bytes());
            old.linkname = [0; 100];
            old.linkname[..link.len()].copy_from_slice(link.as_bytes());
        }
        if let Some(u) = h.as_ustar_mut() {
            u.uname = [0; 32];
            u.gname = [0; 32];
            let (un, gn) = (
                if uid == 0 { "root" } else { "" },
                if gid == 0 { "root" } else { "" },
            );
            u.uname[..un.len()].copy_from_slice(un.as_bytes());
            u.gname[..gn.len()].copy_from_slice(gn.as_bytes());
        }
        h.set_cksum();
        self.buf.extend_from_slice(h.as_bytes());
    }

    fn data(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        self.buf.extend(std::iter::repeat_n(0u8, pad));
    }

    pub fn dir(mut self, path: &str, mode: u32, uid: u64, gid: u64) -> Layer {
        self.header(
            path,
            tar::EntryType::Directory,
            mode,
            uid,
            gid,
            MTIME,
            0,
            "",
        );
        self
    }

    pub fn file(self, path: &str, mode: u32, uid: u64, gid: u64, data: &[u8]) -> Layer {
        self.file_at(path, mode, uid, gid, MTIME, data)
    }

    pub fn file_at(
        mut self,
        path: &str,
        mode: u32,
        uid: u64,
        gid: u64,
        mtime: u64,
        data: &[u8],
    ) -> Layer {
        self.header(
            path,
            tar::EntryType::Regular,
            mode,
            uid,
            gid,
            mtime,
            data.len() as u64,
            "",
        );
        self.data(data);
        self
    }

    pub fn symlink(mut self, path: &str, target: &str) -> Layer {
        self.header(path, tar::EntryType::Symlink, 0o777, 0, 0, MTIME, 0, target);
        self
    }

    pub fn hardlink(mut self, path: &str, target: &str) -> Layer {
        self.header(path, tar::EntryType::Link, 0o644, 0, 0, MTIME, 0, target);
        self
    }

    /// A PAX extended header (`x`) for the next entry.
    pub fn pax(mut self, records: &[(&str, &[u8])]) -> Layer {
        let mut data = Vec::new();
        for (k, v) in records {
            // "LEN key=value\n", where LEN counts itself.
            let body = k.len() + v.len() + 3;
            let mut len = body + 1;
            while len != body + len.to_string().len() {
                len = body + len.to_string().len();
            }
            data.extend_from_slice(format!("{len} {k}=").as_bytes());
            data.extend_from_slice(v);
            data.push(b'\n');
        }
        self.header(
            "PaxHeaders/x",
            tar::EntryType::XHeader,
            0o644,
            0,
            0,
            MTIME,
            data.len() as u64,
            "",
        );
        self.data(&data);
        self
    }

    /// A GNU long name (`L`) entry for the next entry.
    pub fn gnu_long_name(mut self, name: &str) -> Layer {
        let mut data = name.as_bytes().to_vec();
        data.push(0);
        self.header(
            "././@LongLink",
            tar::EntryType::GNULongName,
            0o644,
            0,
            0,
            MTIME,
            data.len() as u64,
            "",
        );
        self.data(&data);
        self
    }

    /// A character device, block device or fifo.
    pub fn special(mut self, path: &str, kind: tar::EntryType, major: u32, minor: u32) -> Layer {
        self.header(path, kind, 0o666, 0, 0, MTIME, 0, "");
        // Patch the device numbers into the header just written.
        let at = self.buf.len() - 512;
        let mut h = tar::Header::from_byte_slice(&self.buf[at..]).clone();
        h.set_device_major(major).unwrap();
        h.set_device_minor(minor).unwrap();
        h.set_cksum();
        self.buf[at..].copy_from_slice(h.as_bytes());
        self
    }

    /// The finished tar (with its two zero blocks).
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.extend(std::iter::repeat_n(0u8, 1024));
        self.buf
    }
}

pub fn busybox_bytes() -> Vec<u8> {
    std::fs::read("/bin/busybox")
        .expect("/bin/busybox is missing: install busybox-static (scripts/install-deps)")
}

pub const BUSYBOX_LINKS: [&str; 6] = ["sh", "ls", "cat", "echo", "id", "rm"];

pub fn layer1() -> Vec<u8> {
    let mut l =
        Layer::new()
            .dir("bin/", 0o755, 0, 0)
            .file("bin/busybox", 0o755, 0, 0, &busybox_bytes());
    for name in BUSYBOX_LINKS {
        l = l.symlink(&format!("bin/{name}"), "busybox");
    }
    l.finish()
}

pub fn layer2() -> Vec<u8> {
    Layer::new()
        .dir("etc/", 0o755, 0, 0)
        .file(
            "etc/passwd",
            0o644,
            0,
            0,
            b"root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n",
        )
        .file("etc/group", 0o644, 0, 0, b"root:x:0:\nuser:x:1000:\n")
        .file("etc/motd", 0o644, 0, 0, MOTD)
        .dir("home/", 0o755, 0, 0)
        .dir("home/user/", 0o750, 1000, 1000)
        .file_at(
            "home/user/file",
            0o640,
            1000,
            1000,
            USER_FILE_MTIME,
            USER_FILE,
        )
        .dir("usr/", 0o755, 0, 0)
        .dir("usr/bin/", 0o755, 0, 0)
        .file("usr/bin/suid", 0o4755, 0, 0, b"#!/bin/sh\necho suid\n")
        .dir("tmp/", 0o1777, 0, 0)
        .dir("opt/", 0o755, 0, 0)
        .dir("opt/data/", 0o755, 0, 0)
        .file("opt/data/a", 0o644, 0, 0, b"a\n")
        .file("opt/data/b", 0o600, 0, 0, b"b\n")
        .hardlink("opt/a-link", "opt/data/a")
        .finish()
}

pub fn layer3() -> Vec<u8> {
    Layer::new()
        .dir("etc/", 0o755, 0, 0)
        .file("etc/.wh.motd", 0o644, 0, 0, b"")
        .dir("opt/", 0o755, 0, 0)
        .dir("opt/data/", 0o755, 0, 0)
        .file("opt/data/.wh..wh..opq", 0o644, 0, 0, b"")
        .file("opt/data/new", 0o644, 0, 0, b"new\n")
        .finish()
}

/// An image: uncompressed layer tars and the config that names them.
#[derive(Clone)]
pub struct Image {
    pub layers: Vec<Vec<u8>>,
    pub config: Vec<u8>,
}

impl Image {
    /// The image ID's hex (sha256 of the config).
    pub fn id(&self) -> String {
        sha256_hex(&self.config)
    }

    pub fn full_id(&self) -> String {
        format!("sha256:{}", self.id())
    }

    pub fn diff_ids(&self) -> Vec<String> {
        self.layers.iter().map(|l| sha256_hex(l)).collect()
    }

    /// The sum of the layers' uncompressed tar sizes.
    pub fn tar_size(&self) -> u64 {
        self.layers.iter().map(|l| l.len() as u64).sum()
    }
}

pub struct ConfigSpec<'a> {
    pub created: &'a str,
    pub cmd: &'a [&'a str],
    pub labels: &'a [(&'a str, &'a str)],
    /// `created_by` per layer; an empty_layer entry is added before the last.
    pub history: &'a [&'a str],
}

pub fn config(layers: &[Vec<u8>], spec: &ConfigSpec) -> Vec<u8> {
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", sha256_hex(l)))
        .collect();
    let mut history = Vec::new();
    for (i, by) in spec.history.iter().enumerate() {
        if i + 1 == spec.history.len() && i > 0 {
            history.push(serde_json::json!({
                "created": spec.created,
                "created_by": "/bin/sh -c #(nop)  ENV GREETING=hello",
                "empty_layer": true,
            }));
        }
        history.push(serde_json::json!({
            "created": spec.created,
            "created_by": by,
            "comment": format!("layer {}", i + 1),
        }));
    }
    let labels: serde_json::Map<String, serde_json::Value> = spec
        .labels
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
        .collect();
    let cfg = serde_json::json!({
        "architecture": host_arch(),
        "os": "linux",
        "created": spec.created,
        "author": "kist tests",
        "config": {
            "Cmd": spec.cmd,
            "Env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "GREETING=hello",
            ],
            "Labels": labels,
            "WorkingDir": "/",
        },
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
        "history": history,
    });
    serde_json::to_vec(&cfg).unwrap()
}

/// The standard three-layer busybox image.
pub fn busybox() -> Image {
    let layers = vec![layer1(), layer2(), layer3()];
    let config = config(
        &layers,
        &ConfigSpec {
            created: CREATED,
            cmd: &["/bin/sh"],
            labels: &[("org.kist.test", "yes")],
            history: &[
                "/bin/sh -c #(nop) ADD file:busybox in /",
                "/bin/sh -c #(nop) COPY dir:files in /",
                "/bin/sh -c rm /etc/motd && rm -rf /opt/data/* && echo new > /opt/data/new",
            ],
        },
    );
    Image { layers, config }
}

/// A small single-layer image, distinct per `tag` (its file content and
/// label differ); `created` sets its date.
pub fn small(tag: &str, created: &str) -> Image {
    let layers = vec![Layer::new()
        .dir("data/", 0o755, 0, 0)
        .file("data/tag", 0o644, 0, 0, tag.as_bytes())
        .finish()];
    let config = config(
        &layers,
        &ConfigSpec {
            created,
            cmd: &["/bin/sh"],
            labels: &[("org.kist.small", tag)],
            history: &["/bin/sh -c #(nop) ADD file:tag in /data"],
        },
    );
    Image { layers, config }
}

/// An image on top of the busybox image's first two layers plus one of its
/// own (shares two layers with `busybox()`).
pub fn busybox_child(tag: &str) -> Image {
    let base = busybox();
    let own = Layer::new()
        .dir("child/", 0o755, 0, 0)
        .file("child/tag", 0o644, 0, 0, tag.as_bytes())
        .finish();
    let layers = vec![base.layers[0].clone(), base.layers[1].clone(), own];
    let config = config(
        &layers,
        &ConfigSpec {
            created: CREATED,
            cmd: &["/bin/sh"],
            labels: &[("org.kist.child", tag)],
            history: &["ADD busybox", "COPY files", "ADD child"],
        },
    );
    Image { layers, config }
}

/// Appends one outer-archive entry (a regular file or a directory).
pub fn put(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut h = tar::Header::new_ustar();
    h.set_path(path).unwrap();
    h.set_mode(0o644);
    h.set_mtime(MTIME);
    h.set_size(data.len() as u64);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    b.append(&h, data).unwrap();
}

fn put_dir(b: &mut tar::Builder<Vec<u8>>, path: &str) {
    let mut h = tar::Header::new_ustar();
    h.set_path(path).unwrap();
    h.set_mode(0o755);
    h.set_mtime(MTIME);
    h.set_size(0);
    h.set_entry_type(tar::EntryType::Directory);
    h.set_cksum();
    b.append(&h, &[][..]).unwrap();
}

/// Layer bytes as stored in an archive.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Compress {
    None,
    Gzip,
    Zstd,
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

fn compress(data: &[u8], c: Compress) -> Vec<u8> {
    match c {
        Compress::None => data.to_vec(),
        Compress::Gzip => gzip(data),
        Compress::Zstd => zstd(data),
    }
}

/// A docker-archive (docker's classic `docker save` layout) of these
/// images, each with its RepoTags. `layer_data` replaces the bytes stored
/// for a layer (by index into the image's layers) without changing its
/// config.
pub struct DockerArchive<'a> {
    pub images: Vec<(&'a Image, Vec<&'a str>)>,
    pub compress: Compress,
    pub layer_data: Option<(usize, Vec<u8>)>,
}

impl<'a> DockerArchive<'a> {
    pub fn new(image: &'a Image, tags: &[&'a str]) -> DockerArchive<'a> {
        DockerArchive {
            images: vec![(image, tags.to_vec())],
            compress: Compress::None,
            layer_data: None,
        }
    }

    pub fn build(&self) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut written: Vec<String> = Vec::new();
        let mut manifest = Vec::new();
        let mut repositories = serde_json::Map::new();
        for (img, tags) in &self.images {
            let mut layer_paths = Vec::new();
            for (i, layer) in img.layers.iter().enumerate() {
                let id = sha256_hex(layer);
                let path = format!("{id}/layer.tar");
                if !written.contains(&id) {
                    let data = match &self.layer_data {
                        Some((at, d)) if *at == i => d.clone(),
                        _ => compress(layer, self.compress),
                    };
                    put_dir(&mut b, &format!("{id}/"));
                    put(&mut b, &format!("{id}/VERSION"), b"1.0");
                    put(&mut b, &path, &data);
                    written.push(id.clone());
                }
                layer_paths.push(path);
            }
            let cfg = format!("{}.json", img.id());
            put(&mut b, &cfg, &img.config);
            manifest.push(serde_json::json!({
                "Config": cfg,
                "RepoTags": tags,
                "Layers": layer_paths,
            }));
            for t in tags {
                let (repo, tag) = t.rsplit_once(':').unwrap();
                let last = sha256_hex(img.layers.last().unwrap());
                repositories
                    .entry(repo.to_string())
                    .or_insert_with(|| serde_json::json!({}))
                    .as_object_mut()
                    .unwrap()
                    .insert(tag.to_string(), last.into());
            }
        }
        put(
            &mut b,
            "manifest.json",
            &serde_json::to_vec(&manifest).unwrap(),
        );
        if !repositories.is_empty() {
            put(
                &mut b,
                "repositories",
                &serde_json::to_vec(&repositories).unwrap(),
            );
        }
        b.into_inner().unwrap()
    }
}

pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

/// An oci-archive of one image: gzip layers (or per-layer choices), the
/// name in `io.containerd.image.name` and the tag in
/// `org.opencontainers.image.ref.name`.
pub struct OciArchive<'a> {
    pub image: &'a Image,
    pub name: Option<&'a str>,
    pub compress: Vec<Compress>,
    /// Replaces a layer's media type (by index).
    pub media_type: Option<(usize, &'a str)>,
    /// Stores these bytes under the config's digest.
    pub config_data: Option<Vec<u8>>,
    /// Replaces the index descriptor's annotations.
    pub annotations: Option<serde_json::Value>,
}

impl<'a> OciArchive<'a> {
    pub fn new(image: &'a Image, name: Option<&'a str>) -> OciArchive<'a> {
        OciArchive {
            image,
            name,
            compress: vec![Compress::Gzip; image.layers.len()],
            media_type: None,
            config_data: None,
            annotations: None,
        }
    }

    /// The manifest's digest (hex).
    pub fn manifest_digest(&self) -> String {
        sha256_hex(&self.manifest().0)
    }

    /// The manifest and the blobs (hex, bytes) of the layers.
    pub fn manifest(&self) -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
        let mut blobs = Vec::new();
        let mut descs = Vec::new();
        for (i, layer) in self.image.layers.iter().enumerate() {
            let c = self.compress[i];
            let data = compress(layer, c);
            let mut media = match c {
                Compress::None => OCI_LAYER,
                Compress::Gzip => OCI_LAYER_GZIP,
                Compress::Zstd => OCI_LAYER_ZSTD,
            };
            if let Some((at, m)) = self.media_type {
                if at == i {
                    media = m;
                }
            }
            let hex = sha256_hex(&data);
            descs.push(serde_json::json!({
                "mediaType": media,
                "digest": format!("sha256:{hex}"),
                "size": data.len(),
            }));
            blobs.push((hex, data));
        }
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": self.image.full_id(),
                "size": self.image.config.len(),
            },
            "layers": descs,
        });
        (serde_json::to_vec(&manifest).unwrap(), blobs)
    }

    pub fn build(&self) -> Vec<u8> {
        let (manifest, blobs) = self.manifest();
        let mut b = tar::Builder::new(Vec::new());
        put(&mut b, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
        put_dir(&mut b, "blobs/");
        put_dir(&mut b, "blobs/sha256/");
        for (hex, data) in &blobs {
            put(&mut b, &format!("blobs/sha256/{hex}"), data);
        }
        let config = self.config_data.as_ref().unwrap_or(&self.image.config);
        put(&mut b, &format!("blobs/sha256/{}", self.image.id()), config);
        let mhex = sha256_hex(&manifest);
        put(&mut b, &format!("blobs/sha256/{mhex}"), &manifest);
        let mut desc = serde_json::json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": format!("sha256:{mhex}"),
            "size": manifest.len(),
        });
        if let Some(name) = self.name {
            let tag = name.rsplit_once(':').map(|(_, t)| t).unwrap_or("latest");
            desc["annotations"] = serde_json::json!({
                "io.containerd.image.name": name,
                "org.opencontainers.image.ref.name": tag,
            });
        }
        if let Some(a) = &self.annotations {
            desc["annotations"] = a.clone();
        }
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [desc],
        });
        put(&mut b, "index.json", &serde_json::to_vec(&index).unwrap());
        b.into_inner().unwrap()
    }
}

/// A one-layer image whose layer is `layer`, named `name`, as a
/// docker-archive.
pub fn docker_archive_of_layer(layer: Vec<u8>, name: &str) -> Vec<u8> {
    let layers = vec![layer];
    let config = config(
        &layers,
        &ConfigSpec {
            created: CREATED,
            cmd: &["/bin/sh"],
            labels: &[],
            history: &["ADD bad in /"],
        },
    );
    let img = Image { layers, config };
    DockerArchive::new(&img, &[name]).build()
}

/// Broken inputs; `outside` is a path outside the store that a vulnerable
/// loader would write.
pub mod bad {
    use super::*;

    /// The standard docker-archive cut in the middle of its first layer.
    pub fn truncated() -> Vec<u8> {
        let mut a = DockerArchive::new(&busybox(), &["kist-test/bad:truncated"]).build();
        a.truncate(a.len() / 3);
        a
    }

    /// Layer 2's stored bytes differ from the config's diff_id (one byte of
    /// a file changed). Returns the archive and the expected diff_id hex.
    pub fn diff_id_mismatch() -> (Vec<u8>, String) {
        let img = busybox();
        let mut data = img.layers[1].clone();
        let at = data
            .windows(MOTD.len())
            .position(|w| w == MOTD)
            .expect("motd in layer 2");
        data[at] ^= 0x20;
        let ar = DockerArchive {
            images: vec![(&img, vec!["kist-test/bad:diffid"])],
            compress: Compress::None,
            layer_data: Some((1, data)),
        }
        .build();
        (ar, img.diff_ids()[1].clone())
    }

    /// An oci-archive whose config blob does not match its digest. Returns
    /// the archive and the config digest hex the manifest names.
    pub fn corrupt_config() -> (Vec<u8>, String) {
        let img = busybox();
        let mut cfg = img.config.clone();
        let at = cfg
            .windows(b"org.kist.test".len())
            .position(|w| w == b"org.kist.test")
            .unwrap();
        cfg[at] = b'X';
        let mut o = OciArchive::new(&img, Some("kist-test/bad:config"));
        o.config_data = Some(cfg);
        (o.build(), img.id())
    }

    /// A layer with the entry `../../…/outside` (enough `..` to reach /).
    pub fn dotdot(outside: &str) -> (Vec<u8>, String) {
        let entry = format!("{}{}", "../".repeat(12), outside.trim_start_matches('/'));
        let layer = Layer::new()
            .dir("ok/", 0o755, 0, 0)
            .file(&entry, 0o644, 0, 0, b"escaped\n")
            .finish();
        (
            docker_archive_of_layer(layer, "kist-test/bad:dotdot"),
            entry,
        )
    }

    /// A layer with an absolute entry path.
    pub fn absolute(outside: &str) -> (Vec<u8>, String) {
        let layer = Layer::new()
            .dir("ok/", 0o755, 0, 0)
            .file(outside, 0o644, 0, 0, b"absolute\n")
            .finish();
        (
            docker_archive_of_layer(layer, "kist-test/bad:absolute"),
            outside.to_string(),
        )
    }

    /// `evil -> outside_dir` then `evil/f`.
    pub fn through_symlink(outside_dir: &str) -> (Vec<u8>, String) {
        let layer = Layer::new()
            .symlink("evil", outside_dir)
            .file("evil/f", 0o644, 0, 0, b"through the symlink\n")
            .finish();
        (
            docker_archive_of_layer(layer, "kist-test/bad:symlink"),
            "evil/f".into(),
        )
    }

    /// A hard link to `../../etc/passwd`.
    pub fn hardlink_escape() -> (Vec<u8>, String) {
        let layer = Layer::new()
            .dir("etc/", 0o755, 0, 0)
            .hardlink("etc/passwd-link", "../../etc/passwd")
            .finish();
        (
            docker_archive_of_layer(layer, "kist-test/bad:hardlink"),
            "etc/passwd-link".into(),
        )
    }

    /// An oci-archive whose last layer has an unknown media type.
    pub fn unknown_media_type() -> (Vec<u8>, String) {
        let img = busybox();
        let mut o = OciArchive::new(&img, Some("kist-test/bad:media"));
        let media = "application/vnd.example.unknown.layer";
        o.media_type = Some((2, media));
        (o.build(), media.into())
    }
}

/// A deterministic pseudo-random byte stream (xorshift), incompressible.
pub fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// An image of `layers` layers of `mb_per_layer` MiB of random data each
/// (one big file and a few small ones per layer).
pub fn big(layers: usize, mb_per_layer: usize, seed: u64) -> Image {
    let mut tars = Vec::new();
    for i in 0..layers {
        let dir = format!("big{i}/");
        let mut l = Layer::new().dir(&dir, 0o755, 0, 0);
        for j in 0..8 {
            l = l.file(
                &format!("{dir}small{j}"),
                0o644,
                0,
                0,
                &random_bytes(seed * 1000 + i as u64 * 10 + j, 4096 + j as usize * 100),
            );
        }
        l = l.file(
            &format!("{dir}blob"),
            0o644,
            0,
            0,
            &random_bytes(seed * 1000 + i as u64 * 10 + 9, mb_per_layer << 20),
        );
        tars.push(l.finish());
    }
    let history: Vec<String> = (0..layers).map(|i| format!("ADD big{i}")).collect();
    let h: Vec<&str> = history.iter().map(|s| s.as_str()).collect();
    let config = config(
        &tars,
        &ConfigSpec {
            created: CREATED,
            cmd: &["/bin/sh"],
            labels: &[("org.kist.big", "yes")],
            history: &h,
        },
    );
    Image {
        layers: tars,
        config,
    }
}

/// A root filesystem for running containers: /bin/busybox with a symlink
/// for each applet, users root and user (1000, also in group wheel), a
/// non-executable /noexec and a few directories.
pub fn full_busybox_rootfs() -> Vec<u8> {
    let list = std::process::Command::new("/bin/busybox")
        .arg("--list")
        .output()
        .expect("busybox --list");
    let applets = String::from_utf8(list.stdout).unwrap();
    let mut l =
        Layer::new()
            .dir("bin/", 0o755, 0, 0)
            .file("bin/busybox", 0o755, 0, 0, &busybox_bytes());
    for a in applets.lines().map(str::trim) {
        if !a.is_empty() && a != "busybox" && !a.contains('/') {
            l = l.symlink(&format!("bin/{a}"), "busybox");
        }
    }
    l.dir("etc/", 0o755, 0, 0)
        .file(
            "etc/passwd",
            0o644,
            0,
            0,
            b"root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n",
        )
        .file(
            "etc/group",
            0o644,
            0,
            0,
            b"root:x:0:\nuser:x:1000:\nwheel:x:10:user\n",
        )
        .dir("root/", 0o700, 0, 0)
        .dir("home/", 0o755, 0, 0)
        .dir("home/user/", 0o755, 1000, 1000)
        .dir("tmp/", 0o1777, 0, 0)
        .dir("data/", 0o755, 0, 0)
        .file("noexec", 0o644, 0, 0, b"#!/bin/sh\necho should not run\n")
        .finish()
}
