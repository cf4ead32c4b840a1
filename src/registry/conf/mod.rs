//! registries.conf: where to pull a repository from, as podman reads it
//! (containers-registries.conf(5), containers/image `sysregistriesv2`).
//!
//! Files: `$CONTAINERS_REGISTRIES_CONF` if set, else
//! `~/.config/containers/registries.conf` if it exists, else
//! `/etc/containers/registries.conf`; each file's `FILE.d/*.conf` drop-ins
//! (`registries.conf.d/`) are read after it, in name order. A later file
//! replaces the `[[registry]]` entries with the same `prefix` and, when it
//! sets it, `unqualified-search-registries`.
//!
//! A repository `domain/path` is matched against the entries' prefixes
//! (`host[:port][/namespace...]`, or `*.example.com` for any subdomain; the
//! longest wins). Its endpoints are the entry's mirrors, then its location,
//! each with the prefix rewritten to the endpoint's location. The v1 format
//! (`[registries.search]`, `[registries.insecure]`, `[registries.block]`)
//! is read too. Short-name aliases and `short-name-mode` are ignored.

use std::path::{Path, PathBuf};

use serde::de::IgnoredAny;
use serde::Deserialize;

const SYSTEM_FILE: &str = "/etc/containers/registries.conf";
const USER_FILE: &str = ".config/containers/registries.conf";
const ENV_FILE: &str = "CONTAINERS_REGISTRIES_CONF";
const HINT: &str = "hint: see containers-registries.conf(5) for the format";

/// The merged configuration of one or more registries.conf files.
#[derive(Debug, Default, Clone)]
pub struct RegistriesConf {
    search: Vec<String>,
    registries: Vec<Registry>,
}

/// One place to pull a repository from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `host[:port]` ("docker.io" stays as is).
    pub host: String,
    /// The repository path at that endpoint, after prefix rewriting.
    pub path: String,
    /// Plain HTTP and unverified TLS are allowed.
    pub insecure: bool,
    /// A mirror (failures move on to the next endpoint).
    pub mirror: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfError {
    #[error("cannot read registries configuration {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid registries configuration {path}: {message}\n{HINT}")]
    Invalid { path: PathBuf, message: String },
    #[error("registry {registry} is blocked in {path} (the [[registry]] entry with prefix {prefix:?})\nhint: remove `blocked = true` from that entry, or use another registry")]
    Blocked {
        registry: String,
        prefix: String,
        path: PathBuf,
    },
    #[error("the [[registry]] entry with prefix {prefix:?} in {path} rewrites {name} to {rewritten:?}, which is not a repository name\nhint: a location is a host[:port] with an optional namespace, and must leave a repository path")]
    Rewrite {
        name: String,
        rewritten: String,
        prefix: String,
        path: PathBuf,
    },
}

#[derive(Debug, Clone)]
struct Registry {
    prefix: String,
    /// Empty for a `*.example.com` prefix without location: no rewriting.
    location: String,
    insecure: bool,
    blocked: bool,
    mirror_by_digest_only: bool,
    mirrors: Vec<Mirror>,
    origin: PathBuf,
}

#[derive(Debug, Clone)]
struct Mirror {
    location: String,
    insecure: bool,
    pull_from: PullFrom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PullFrom {
    All,
    DigestOnly,
    TagOnly,
}

/// A file as written: v2 and v1 keys side by side (mixing them is an error).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct FileToml {
    unqualified_search_registries: Option<Vec<String>>,
    #[serde(default)]
    registry: Vec<RegistryToml>,
    short_name_mode: Option<IgnoredAny>,
    aliases: Option<IgnoredAny>,
    credential_helpers: Option<IgnoredAny>,
    /// v1: `[registries.search]`, `[registries.insecure]`, `[registries.block]`.
    registries: Option<V1Toml>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RegistryToml {
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    insecure: bool,
    #[serde(default)]
    blocked: bool,
    #[serde(default)]
    mirror_by_digest_only: bool,
    #[serde(default)]
    mirror: Vec<MirrorToml>,
    pull_from_mirror: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct MirrorToml {
    #[serde(default)]
    location: String,
    #[serde(default)]
    insecure: bool,
    pull_from_mirror: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct V1Toml {
    #[serde(default)]
    search: V1List,
    #[serde(default)]
    insecure: V1List,
    #[serde(default)]
    block: V1List,
}

#[derive(Debug, Default, Deserialize)]
struct V1List {
    #[serde(default)]
    registries: Vec<String>,
}

/// One file, validated.
struct Parsed {
    search: Option<Vec<String>>,
    registries: Vec<Registry>,
}

impl RegistriesConf {
    /// Reads `files` (increasing precedence) and their `.d/*.conf` drop-ins;
    /// missing files and directories are skipped.
    pub fn load(files: &[PathBuf]) -> Result<RegistriesConf, ConfError> {
        let mut conf = RegistriesConf::default();
        for file in files {
            conf.merge_file(file)?;
            let mut dir = file.clone().into_os_string();
            dir.push(".d");
            for dropin in dropins(Path::new(&dir))? {
                conf.merge_file(&dropin)?;
            }
        }
        Ok(conf)
    }

    /// The files podman reads: `$CONTAINERS_REGISTRIES_CONF` alone if set;
    /// else the user's file alone if it exists; else the system file, then
    /// the (missing) user file, whose drop-in directory is still read.
    pub fn default_files(home: Option<&Path>) -> Vec<PathBuf> {
        default_files_with(std::env::var_os(ENV_FILE).map(PathBuf::from), home)
    }

    /// Parses one file's text; `origin` names it in errors.
    #[cfg(test)]
    pub fn from_str(text: &str, origin: &Path) -> Result<RegistriesConf, ConfError> {
        let mut conf = RegistriesConf::default();
        conf.merge(parse(text, origin)?);
        Ok(conf)
    }

    /// `unqualified-search-registries`, in order.
    pub fn unqualified_search(&self) -> &[String] {
        &self.search
    }

    /// Endpoints to try, in order, for repository `domain/path`: the
    /// matching entry's mirrors (those that serve this kind of pull), then
    /// its location; without an entry, the domain itself.
    pub fn endpoints(
        &self,
        domain: &str,
        path: &str,
        by_digest: bool,
    ) -> Result<Vec<Endpoint>, ConfError> {
        let name = format!("{domain}/{path}");
        let Some(reg) = self.find(&name) else {
            return Ok(vec![Endpoint {
                host: domain.to_string(),
                path: path.to_string(),
                insecure: false,
                mirror: false,
            }]);
        };
        if reg.blocked {
            return Err(ConfError::Blocked {
                registry: domain.to_string(),
                prefix: reg.prefix.clone(),
                path: reg.origin.clone(),
            });
        }
        let mirrors = reg.mirrors.iter().filter(|m| {
            if reg.mirror_by_digest_only {
                return by_digest;
            }
            match m.pull_from {
                PullFrom::All => true,
                PullFrom::DigestOnly => by_digest,
                PullFrom::TagOnly => !by_digest,
            }
        });
        let mut out = Vec::new();
        for m in mirrors {
            out.push(self.endpoint(reg, &name, &m.location, m.insecure, true)?);
        }
        out.push(self.endpoint(reg, &name, &reg.location, reg.insecure, false)?);
        Ok(out)
    }

    /// Whether the `[[registry]]` entry for `host` (`host[:port]`) allows
    /// plain HTTP and unverified TLS.
    pub fn is_insecure(&self, host: &str) -> bool {
        self.find(host).is_some_and(|r| r.insecure)
    }

    /// `FindRegistry`: the entry with the longest matching prefix (the
    /// first of equals).
    fn find(&self, name: &str) -> Option<&Registry> {
        let mut best: Option<&Registry> = None;
        for reg in &self.registries {
            if match_prefix(name, &reg.prefix).is_some()
                && best.is_none_or(|b| reg.prefix.len() > b.prefix.len())
            {
                best = Some(reg);
            }
        }
        best
    }

    fn endpoint(
        &self,
        reg: &Registry,
        name: &str,
        location: &str,
        insecure: bool,
        mirror: bool,
    ) -> Result<Endpoint, ConfError> {
        let rewritten = match match_prefix(name, &reg.prefix) {
            Some(n) if !location.is_empty() => format!("{location}{}", &name[n..]),
            _ => name.to_string(),
        };
        let Some((host, path)) = split_name(&rewritten) else {
            return Err(ConfError::Rewrite {
                name: name.to_string(),
                rewritten,
                prefix: reg.prefix.clone(),
                path: reg.origin.clone(),
            });
        };
        // The rewritten name's own entry may mark its host insecure too.
        let insecure = insecure
            || self
                .find(&format!("{host}/{path}"))
                .is_some_and(|r| r.insecure);
        Ok(Endpoint {
            host,
            path,
            insecure,
            mirror,
        })
    }

    fn merge_file(&mut self, file: &Path) -> Result<(), ConfError> {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => {
                return Err(ConfError::Read {
                    path: file.to_path_buf(),
                    source,
                })
            }
        };
        self.merge(parse(&text, file)?);
        Ok(())
    }

    /// A later file replaces the entries with the same prefix, and the
    /// search list when it has one. Entries are kept sorted by prefix, as
    /// podman keeps them: of two equally long matches, the first wins.
    fn merge(&mut self, parsed: Parsed) {
        self.registries
            .retain(|r| !parsed.registries.iter().any(|n| n.prefix == r.prefix));
        self.registries.extend(parsed.registries);
        self.registries.sort_by(|a, b| a.prefix.cmp(&b.prefix));
        if let Some(search) = parsed.search {
            self.search = search;
        }
    }
}

fn default_files_with(env: Option<PathBuf>, home: Option<&Path>) -> Vec<PathBuf> {
    if let Some(file) = env.filter(|f| !f.as_os_str().is_empty()) {
        return vec![file];
    }
    match home.map(|h| h.join(USER_FILE)) {
        Some(user) if user.exists() => vec![user],
        Some(user) => vec![PathBuf::from(SYSTEM_FILE), user],
        None => vec![PathBuf::from(SYSTEM_FILE)],
    }
}

/// The `*.conf` files of a drop-in directory, by name (none if it is missing).
fn dropins(dir: &Path) -> Result<Vec<PathBuf>, ConfError> {
    let read_err = |source| ConfError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(read_err(e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(read_err)?.path();
        let conf = path.extension().is_some_and(|e| e == "conf");
        if conf && !path.is_dir() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn parse(text: &str, origin: &Path) -> Result<Parsed, ConfError> {
    let invalid = |message: String| ConfError::Invalid {
        path: origin.to_path_buf(),
        message,
    };
    let file: FileToml =
        toml::from_str(text).map_err(|e| invalid(e.to_string().trim_end().into()))?;
    let v1 = file.registries.as_ref().filter(|v1| {
        !(v1.search.registries.is_empty()
            && v1.insecure.registries.is_empty()
            && v1.block.registries.is_empty())
    });
    let (search, entries) = match v1 {
        Some(v1) => {
            let v2 = !file.registry.is_empty()
                || file.unqualified_search_registries.is_some()
                || file.short_name_mode.is_some()
                || file.aliases.is_some()
                || file.credential_helpers.is_some();
            if v2 {
                return Err(invalid(
                    "mixing the v1 format ([registries.search], [registries.insecure], [registries.block]) with the v2 format is not supported".into(),
                ));
            }
            (Some(v1.search.registries.clone()), from_v1(v1))
        }
        None => (file.unqualified_search_registries, file.registry),
    };
    let mut all = Vec::new();
    for entry in entries {
        all.push(registry(entry, origin).map_err(invalid)?);
    }
    check_conflicts(&all).map_err(invalid)?;
    // The first of several entries with one prefix wins, as in podman.
    let mut registries: Vec<Registry> = Vec::new();
    for reg in all {
        if !registries.iter().any(|r| r.prefix == reg.prefix) {
            registries.push(reg);
        }
    }
    let search = match search {
        Some(list) => Some(
            list.iter()
                .map(|s| search_entry(s))
                .collect::<Result<Vec<_>, _>>()
                .map_err(invalid)?,
        ),
        None => None,
    };
    Ok(Parsed { search, registries })
}

/// v1 → v2: one entry per blocked or insecure registry.
fn from_v1(v1: &V1Toml) -> Vec<RegistryToml> {
    let mut out: Vec<RegistryToml> = Vec::new();
    let lists = [(&v1.block, true), (&v1.insecure, false)];
    for (list, blocked) in lists {
        for location in &list.registries {
            let location = location.trim_end_matches('/');
            let i = match out.iter().position(|r| r.location == location) {
                Some(i) => i,
                None => {
                    out.push(RegistryToml {
                        location: location.to_string(),
                        ..Default::default()
                    });
                    out.len() - 1
                }
            };
            if blocked {
                out[i].blocked = true;
            } else {
                out[i].insecure = true;
            }
        }
    }
    out
}

fn registry(t: RegistryToml, origin: &Path) -> Result<Registry, String> {
    let location = parse_location(&t.location)?;
    let prefix = if t.prefix.is_empty() {
        if location.is_empty() {
            return Err("a [[registry]] entry sets neither location nor prefix".into());
        }
        location.clone()
    } else {
        parse_location(&t.prefix)?
    };
    if let Some(rest) = prefix.strip_prefix("*.") {
        if rest.contains(['/', '@', ':']) || rest.is_empty() {
            return Err(format!(
                "wildcard prefix {prefix:?} must have the form *.example.com"
            ));
        }
    } else if location.is_empty() {
        return Err(format!(
            "the [[registry]] entry with prefix {prefix:?} has no location (only a *.example.com prefix may omit it)"
        ));
    }
    if t.pull_from_mirror.is_some() {
        return Err(format!(
            "pull-from-mirror is set on the [[registry]] entry with prefix {prefix:?}; it belongs in its [[registry.mirror]] entries"
        ));
    }
    let mut mirrors = Vec::new();
    for m in t.mirror {
        let mirror_location = parse_location(&m.location)?;
        if mirror_location.is_empty() {
            return Err(format!(
                "a [[registry.mirror]] of prefix {prefix:?} has no location"
            ));
        }
        let pull_from = match m.pull_from_mirror.as_deref() {
            None | Some("") | Some("all") => PullFrom::All,
            Some("digest-only") => PullFrom::DigestOnly,
            Some("tag-only") => PullFrom::TagOnly,
            Some(other) => {
                return Err(format!(
                    "pull-from-mirror = {other:?} of mirror {mirror_location:?}: use \"all\", \"digest-only\" or \"tag-only\""
                ))
            }
        };
        if t.mirror_by_digest_only && m.pull_from_mirror.is_some() {
            return Err(format!(
                "the [[registry]] entry with prefix {prefix:?} sets mirror-by-digest-only and its mirror {mirror_location:?} sets pull-from-mirror; use only one"
            ));
        }
        mirrors.push(Mirror {
            location: mirror_location,
            insecure: m.insecure,
            pull_from,
        });
    }
    Ok(Registry {
        prefix,
        location,
        insecure: t.insecure,
        blocked: t.blocked,
        mirror_by_digest_only: t.mirror_by_digest_only,
        mirrors,
        origin: origin.to_path_buf(),
    })
}

/// Entries for one location must agree on `insecure` and `blocked`.
fn check_conflicts(registries: &[Registry]) -> Result<(), String> {
    let key = |r: &Registry| {
        if r.location.is_empty() {
            r.prefix.clone()
        } else {
            r.location.clone()
        }
    };
    for (i, a) in registries.iter().enumerate() {
        for b in registries[i + 1..].iter().filter(|b| key(b) == key(a)) {
            for (what, differ) in [
                ("insecure", a.insecure != b.insecure),
                ("blocked", a.blocked != b.blocked),
            ] {
                if differ {
                    return Err(format!(
                        "registry {:?} is defined several times with different {what} settings",
                        key(a)
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A location or prefix: trailing slashes dropped, no URL scheme.
fn parse_location(s: &str) -> Result<String, String> {
    if s.starts_with("http://") || s.starts_with("https://") {
        return Err(format!(
            "{s:?}: URL schemes are not supported, give host[:port][/namespace]"
        ));
    }
    Ok(s.trim_end_matches('/').to_string())
}

/// An `unqualified-search-registries` entry: a `host[:port]`.
fn search_entry(s: &str) -> Result<String, String> {
    let s = parse_location(s)?;
    let ok = !s.is_empty()
        && !s.starts_with(['.', '-', ':'])
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".-:[]_".contains(&c));
    if !ok {
        return Err(format!(
            "unqualified-search-registries entry {s:?} is not a host[:port]"
        ));
    }
    Ok(s)
}

/// `prefix` matches `name` ("domain/path") at a component boundary;
/// `*.example.com` matches any subdomain's names. Returns the length of
/// the matched part of `name`.
fn match_prefix(name: &str, prefix: &str) -> Option<usize> {
    let boundary = |n: usize| n == name.len() || matches!(name.as_bytes()[n], b':' | b'/' | b'@');
    if let Some(suffix) = prefix.strip_prefix('*') {
        let index = name.find(suffix)?;
        let end = index + suffix.len();
        return (!name[..index].contains('/') && boundary(end)).then_some(end);
    }
    (name.starts_with(prefix) && boundary(prefix.len())).then_some(prefix.len())
}

/// Splits a rewritten name as docker would parse it: the first component
/// is the host if it looks like one, else the name is on docker.io (and a
/// one-component docker.io path is in `library/`). None when what follows
/// the host is not a repository path.
fn split_name(name: &str) -> Option<(String, String)> {
    let (first, rest) = name.split_once('/')?;
    let (host, path) =
        if first.contains(['.', ':']) || first == "localhost" || first.to_lowercase() != first {
            (first, rest)
        } else {
            ("docker.io", name)
        };
    let valid = path.split('/').all(|c| {
        !c.is_empty()
            && c.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    });
    if !valid {
        return None;
    }
    let host = if host == "index.docker.io" {
        "docker.io"
    } else {
        host
    };
    let path = if host == "docker.io" && !path.contains('/') {
        format!("library/{path}")
    } else {
        path.to_string()
    };
    Some((host.to_string(), path))
}

#[cfg(test)]
mod tests;
