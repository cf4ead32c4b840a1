//! `kist ps`: the container list with docker's filters and order (newest
//! first). Reads only `container.json` and `state.json` of each container
//! (and `upper/` with `--size`), so listing stays fast.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::config::Settings;
use crate::engine::{EngineError, Result};
use crate::store::containers::{ContainerRecord, ContainerState, Status};
use crate::store::{Digest, Store};

#[derive(Debug, Default, Clone)]
pub struct PsOptions {
    /// Show every container (default: only running ones).
    pub all: bool,
    /// Only the `n` most recently created containers, in any state (`-n`,
    /// `-l` is 1).
    pub last: Option<usize>,
    /// Compute the size of each container's writable layer.
    pub size: bool,
    pub filters: ContainerFilters,
}

/// The `--filter` keys `ps` takes.
pub const PS_FILTERS: &[&str] = &[
    "id", "name", "status", "ancestor", "label", "exited", "before", "since",
];

/// docker's container states, the values of `status=`.
pub const STATUSES: &[&str] = &[
    "created",
    "restarting",
    "running",
    "removing",
    "paused",
    "exited",
    "dead",
];

/// `ps --filter` values, parsed. Values of one key are alternatives; keys
/// must all match.
#[derive(Debug, Default, Clone)]
pub struct ContainerFilters {
    /// `id=`: docker's unanchored regular expression on the full ID (so a
    /// prefix or any part matches).
    pub ids: Vec<String>,
    /// `name=`: regular expression on the name (as docker: `/NAME`).
    pub names: Vec<String>,
    pub statuses: Vec<String>,
    /// `ancestor=IMAGE`: containers of that image or of images built on it.
    pub ancestors: Vec<String>,
    /// `label=key` or `label=key=value`; all must match.
    pub labels: Vec<(String, Option<String>)>,
    /// `exited=CODE`: exited containers with one of these codes.
    pub exited: Vec<i32>,
    /// `before=` / `since=` a container (name or ID), by creation time.
    pub before: Option<String>,
    pub since: Option<String>,
}

impl ContainerFilters {
    pub fn parse(items: &[String]) -> Result<ContainerFilters> {
        let mut f = ContainerFilters::default();
        for item in items {
            let (key, value) = item.split_once('=').ok_or_else(|| {
                EngineError::Invalid(format!(
                    "bad format of filter {item:?} (expected name=value)"
                ))
            })?;
            let key = key.to_ascii_lowercase();
            match key.as_str() {
                "id" => f.ids.push(value.into()),
                "name" => f.names.push(value.into()),
                "status" => {
                    if !STATUSES.contains(&value) {
                        return Err(EngineError::Invalid(format!(
                            "invalid filter 'status={value}'\nhint: a status is one of {}",
                            STATUSES.join(", ")
                        )));
                    }
                    f.statuses.push(value.into())
                }
                "ancestor" => f.ancestors.push(value.into()),
                "label" => f.labels.push(match value.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (value.to_string(), None),
                }),
                "exited" => f.exited.push(value.parse().map_err(|_| {
                    EngineError::Invalid(format!(
                        "invalid filter 'exited={value}'\nhint: give an exit code, such as exited=0"
                    ))
                })?),
                "before" => f.before = Some(value.into()),
                "since" => f.since = Some(value.into()),
                _ => {
                    return Err(EngineError::Invalid(format!(
                        "invalid filter {key:?}\nhint: valid filters are {}",
                        PS_FILTERS.join(", ")
                    )))
                }
            }
        }
        Ok(f)
    }

    fn labels_match(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|(k, v)| match (labels.get(k), v) {
            (Some(_), None) => true,
            (Some(actual), Some(want)) => actual == want,
            (None, _) => false,
        })
    }
}

/// One row of the list.
#[derive(Debug, Clone)]
pub struct ContainerRow {
    pub id: String,
    pub name: String,
    /// The image as the user named it, or its ID (`sha256:…`) when that
    /// name now means another image (as docker shows it).
    pub image: String,
    pub image_id: Digest,
    /// docker's command line: the program, then the arguments, those with
    /// a space in single quotes (`sh -c 'echo hi'`).
    pub command: String,
    /// Unix seconds.
    pub created: i64,
    /// The effective state (a dead supervisor means exited).
    pub state: ContainerState,
    pub labels: BTreeMap<String, String>,
    /// Bind sources.
    pub mounts: Vec<String>,
    /// The network mode, while kist has no networks.
    pub networks: Vec<String>,
    /// docker's PORTS column (published ports while it runs, exposed ones).
    pub ports: String,
    /// With `size`: bytes in the writable layer, and that plus the image.
    pub size_rw: Option<u64>,
    pub size_root: Option<u64>,
}

/// Finds a container by name, ID or ID prefix.
pub fn find(store: &Store, query: &str) -> Result<String> {
    store
        .find_container(query)
        .map_err(|e| EngineError::Invalid(e.to_string()))
}

/// (seconds, nanoseconds) of a record's creation, for exact ordering.
fn created_at(rec: &ContainerRecord) -> (i64, u32) {
    crate::format::units::parse_rfc3339(&rec.created).unwrap_or((0, 0))
}

pub fn list(store: &Store, settings: &Settings, opts: &PsOptions) -> Result<Vec<ContainerRow>> {
    let f = &opts.filters;
    // docker: a status filter or -n shows stopped containers too.
    let all = opts.all || opts.last.is_some() || !f.statuses.is_empty();
    let time_of = |q: &str| -> Result<(i64, u32)> {
        let id = find(store, q)?;
        Ok(created_at(&store.read_container(&id)?))
    };
    let before = f.before.as_deref().map(time_of).transpose()?;
    let since = f.since.as_deref().map(time_of).transpose()?;
    let mut found = Vec::new();
    for id in store.container_ids() {
        // Read the state first: without -a most containers stop here.
        let Ok(state) = store.read_state(&id) else {
            continue;
        };
        let state = super::state::settle(store, settings, &id, state);
        if !all && state.status != Status::Running {
            continue;
        }
        // A container being created or removed has no (or no more) record.
        let Ok(rec) = store.read_container(&id) else {
            continue;
        };
        let at = created_at(&rec);
        if before.is_some_and(|b| at >= b) || since.is_some_and(|s| at <= s) {
            continue;
        }
        found.push((at, rec, state));
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));

    let index = store.index()?;
    let ancestors = ancestor_ids(&index, &f.ancestors);
    let parents: HashMap<&Digest, &Digest> = index
        .images
        .iter()
        .filter_map(|r| r.parent.as_ref().map(|p| (&r.id, p)))
        .collect();
    let mut rows = Vec::new();
    for (at, rec, state) in found {
        if !matches(f, &rec, &state) {
            continue;
        }
        if !f.ancestors.is_empty()
            && !f.ancestors.contains(&rec.image)
            && !descends(&parents, &ancestors, &rec.image_id)
        {
            continue;
        }
        let (size_rw, size_root) = if opts.size {
            let rw = dir_size(&store.container_dir(&rec.id).join("upper"));
            let image = index
                .images
                .iter()
                .find(|i| i.id == rec.image_id)
                .map_or(0, |i| i.size);
            (Some(rw), Some(rw + image))
        } else {
            (None, None)
        };
        // docker keeps the name the user gave while it still means the
        // image the container runs; otherwise it shows the image ID.
        let image = match index.find(&rec.image) {
            Ok(i) if index.images[i].id == rec.image_id => rec.image.clone(),
            _ if rec.image.is_empty() => String::new(),
            _ => rec.image_id.to_string(),
        };
        rows.push(ContainerRow {
            command: command_line(&rec),
            created: at.0,
            image,
            image_id: rec.image_id,
            labels: rec.config.labels,
            mounts: rec
                .host_config
                .binds
                .iter()
                .map(|b| b.split(':').next().unwrap_or_default().to_string())
                .collect(),
            networks: Some(rec.host_config.network_mode)
                .filter(|n| !n.is_empty())
                .into_iter()
                .collect(),
            // docker shows ports only while the container runs.
            ports: match (&state.network, state.status) {
                (Some(n), Status::Running) => {
                    crate::net::ports::ps_column(&n.ports, &rec.config.exposed_ports)
                }
                _ => String::new(),
            },
            id: rec.id,
            name: rec.name,
            state,
            size_rw,
            size_root,
        });
        if opts.last.is_some_and(|n| rows.len() >= n) {
            break;
        }
    }
    Ok(rows)
}

/// The filters that need only the record and the state.
fn matches(f: &ContainerFilters, rec: &ContainerRecord, state: &ContainerState) -> bool {
    let slash_name = format!("/{}", rec.name);
    (f.ids.is_empty() || f.ids.iter().any(|p| regex_lite(p, &rec.id)))
        && (f.names.is_empty()
            || f.names
                .iter()
                .any(|p| regex_lite(p, &slash_name) || regex_lite(p, &rec.name)))
        && (f.statuses.is_empty() || f.statuses.iter().any(|s| s == state.status.as_str()))
        // docker: a container that ran and does not run now.
        && (f.exited.is_empty()
            || (state.status != Status::Running
                && !state.started_at.is_empty()
                && f.exited.contains(&state.exit_code)))
        && f.labels_match(&rec.config.labels)
}

/// Whether image `id` is one of `ancestors` or built on one (through its
/// parents).
fn descends(parents: &HashMap<&Digest, &Digest>, ancestors: &HashSet<Digest>, id: &Digest) -> bool {
    let mut id = id;
    for _ in 0..1000 {
        if ancestors.contains(id) {
            return true;
        }
        match parents.get(id) {
            Some(p) => id = p,
            None => return false,
        }
    }
    false
}

/// The images that `ancestor=` values name (those that exist).
fn ancestor_ids(index: &crate::store::Index, queries: &[String]) -> HashSet<Digest> {
    queries
        .iter()
        .filter_map(|q| index.find(q).ok())
        .map(|i| index.images[i].id.clone())
        .collect()
}

/// docker's `Command` of a container: path, then arguments, an argument
/// with a space in single quotes.
pub fn command_line(rec: &ContainerRecord) -> String {
    let mut argv = rec.config.entrypoint.iter().chain(&rec.config.cmd);
    let Some(path) = argv.next() else {
        return String::new();
    };
    let mut out = path.clone();
    for a in argv {
        out.push(' ');
        if a.contains(' ') {
            out.push('\'');
            out.push_str(a);
            out.push('\'');
        } else {
            out.push_str(a);
        }
    }
    out
}

/// docker's `Status` column: "Up 5 seconds", "Exited (0) 2 minutes ago",
/// "Created".
pub fn status_text(state: &ContainerState, now: i64) -> String {
    let ago = |t: &str| {
        // An unset time (a state written by hand) is not 56 years ago.
        let secs = Some(crate::engine::unix_time(t))
            .filter(|&s| s > 0)
            .unwrap_or(now);
        crate::format::units::human_duration(now.saturating_sub(secs).max(0) as u64)
    };
    match state.status {
        Status::Running => format!("Up {}", ago(&state.started_at)),
        Status::Removing => "Removal In Progress".into(),
        Status::Dead => "Dead".into(),
        Status::Created => "Created".into(),
        Status::Exited if state.started_at.is_empty() => "Created".into(),
        // docker prints nothing here; the code is worth showing.
        Status::Exited if state.finished_at.is_empty() => format!("Exited ({})", state.exit_code),
        Status::Exited => format!(
            "Exited ({}) {} ago",
            state.exit_code,
            ago(&state.finished_at)
        ),
    }
}

/// Bytes in the files under `dir` (hard links once), as docker sizes a
/// writable layer. Unreadable parts (rootless: files of other ids) are
/// skipped.
pub fn dir_size(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0;
    let mut seen = HashSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let Ok(md) = e.metadata() else {
                continue;
            };
            if md.is_dir() {
                stack.push(e.path());
            } else if md.nlink() < 2 || seen.insert((md.dev(), md.ino())) {
                total += md.len();
            }
        }
    }
    total
}

/// docker matches `id=` and `name=` as unanchored Go regular expressions.
/// This takes the parts people use: `^`, `$`, `|`, `.`, `*`, `+`, `?` and
/// `\` escapes; anything else is literal text.
pub fn regex_lite(pattern: &str, text: &str) -> bool {
    if pattern == text {
        return true;
    }
    let text: Vec<char> = text.chars().collect();
    split_alternatives(pattern).iter().any(|alt| {
        let (start, toks, end) = compile(alt);
        if start {
            match_here(&toks, &text, end)
        } else {
            (0..=text.len()).any(|i| match_here(&toks, &text[i..], end))
        }
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Atom {
    Any,
    Lit(char),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Rep {
    One,
    Opt,
    Star,
    Plus,
}

fn split_alternatives(pattern: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let last = out.last_mut().expect("one alternative");
                last.push('\\');
                if let Some(n) = chars.next() {
                    last.push(n);
                }
            }
            '|' => out.push(String::new()),
            c => out.last_mut().expect("one alternative").push(c),
        }
    }
    out
}

fn compile(pattern: &str) -> (bool, Vec<(Atom, Rep)>, bool) {
    let mut chars: Vec<char> = pattern.chars().collect();
    let start = chars.first() == Some(&'^');
    if start {
        chars.remove(0);
    }
    let escaped_end = chars.len() >= 2 && chars[chars.len() - 2] == '\\';
    let end = chars.last() == Some(&'$') && !escaped_end;
    if end {
        chars.pop();
    }
    let mut toks: Vec<(Atom, Rep)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let atom = match chars[i] {
            '\\' if i + 1 < chars.len() => {
                i += 1;
                Atom::Lit(chars[i])
            }
            '.' => Atom::Any,
            c @ ('*' | '+' | '?') => match toks.last_mut() {
                Some(last) if last.1 == Rep::One => {
                    last.1 = match c {
                        '*' => Rep::Star,
                        '+' => Rep::Plus,
                        _ => Rep::Opt,
                    };
                    i += 1;
                    continue;
                }
                _ => Atom::Lit(c),
            },
            c => Atom::Lit(c),
        };
        toks.push((atom, Rep::One));
        i += 1;
    }
    (start, toks, end)
}

fn match_here(toks: &[(Atom, Rep)], t: &[char], end: bool) -> bool {
    let Some(((atom, rep), rest)) = toks.split_first() else {
        return !end || t.is_empty();
    };
    let ok = |c: char| match atom {
        Atom::Any => c != '\n',
        Atom::Lit(l) => *l == c,
    };
    match rep {
        Rep::One => !t.is_empty() && ok(t[0]) && match_here(rest, &t[1..], end),
        Rep::Opt => {
            (!t.is_empty() && ok(t[0]) && match_here(rest, &t[1..], end))
                || match_here(rest, t, end)
        }
        Rep::Star | Rep::Plus => {
            let min = usize::from(*rep == Rep::Plus);
            let n = t.iter().take_while(|&&c| ok(c)).count();
            n >= min && (min..=n).rev().any(|k| match_here(rest, &t[k..], end))
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::format::units::{format_rfc3339_nano, now};
    use crate::store::containers::{process_start_time, ContainerConfig, HostConfig};
    use crate::store::ImageRecord;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh empty store under $TMPDIR.
    /// Settings of a root kist on `store` (its runroot inside it).
    pub fn settings_of(store: &Store) -> Settings {
        Settings {
            root: store.root.clone(),
            runroot: store.root.join("run"),
            storage_driver: "overlay".into(),
            storage_driver_set: true,
            runtime: crate::runtime::external::BUILTIN.into(),
            rootless: false,
            uid: 0,
            gid: 0,
            id_map: Default::default(),
            config_file: None,
            registry: Default::default(),
            network_backend: None,
        }
    }

    pub fn temp_store(tag: &str) -> Store {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("kist-ctr-tests/{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Store::open_at(&dir, false, false).unwrap()
    }

    pub fn digest(n: u8) -> Digest {
        Digest::parse(&format!("sha256:{}", format!("{n:02x}").repeat(32))).unwrap()
    }

    /// A container created `age` seconds ago, with a running/exited/created
    /// state.
    pub fn add(store: &Store, name: &str, age: i64, status: Status, exit: i32) -> ContainerRecord {
        let id = Digest::of(name.as_bytes()).hex().to_string();
        let created = now().0 - age;
        let rec = ContainerRecord {
            id: id.clone(),
            name: name.into(),
            created: format_rfc3339_nano(created, 5),
            image: "busybox".into(),
            image_id: digest(1),
            layers: vec![digest(10), digest(11)],
            config: ContainerConfig {
                cmd: vec!["sh".into(), "-c".into(), "echo hi".into()],
                labels: [("app".to_string(), name.to_string())].into(),
                ..Default::default()
            },
            host_config: HostConfig {
                binds: vec!["/srv/data:/data:ro".into()],
                network_mode: "none".into(),
                ..Default::default()
            },
            networks: Default::default(),
        };
        std::fs::create_dir_all(store.container_dir(&id).join("upper")).unwrap();
        store.write_container(&rec).unwrap();
        set_state(store, &id, status, exit);
        store.claim_name(name, &id).unwrap();
        rec
    }

    pub fn set_state(store: &Store, id: &str, status: Status, exit: i32) {
        let me = std::process::id() as i32;
        let t = |ago: i64| format_rfc3339_nano(now().0 - ago, 0);
        let state = ContainerState {
            status,
            pid: if status == Status::Running { me } else { 0 },
            supervisor: me,
            supervisor_start: process_start_time(me).unwrap(),
            exit_code: exit,
            started_at: if status == Status::Created {
                String::new()
            } else {
                t(10)
            },
            finished_at: if status == Status::Exited {
                t(3)
            } else {
                String::new()
            },
            error: String::new(),
            network: None,
            endpoints: Default::default(),
        };
        store.write_state(id, &state).unwrap();
    }

    pub fn add_image(store: &Store, id: Digest, name: &str, parent: Option<Digest>) {
        let mut index = store.index().unwrap();
        index.images.push(ImageRecord {
            id,
            names: if name.is_empty() {
                vec![]
            } else {
                vec![format!("docker.io/library/{name}:latest")]
            },
            digests: vec![],
            manifest: None,
            layers: vec![],
            created: String::new(),
            size: 1000,
            parent,
            tagged_at: None,
        });
        index.save(&store.index_path()).unwrap();
    }

    fn names(store: &Store, opts: &PsOptions) -> Vec<String> {
        list(store, &settings_of(store), opts)
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect()
    }

    fn filtered(store: &Store, all: bool, f: &[&str]) -> Vec<String> {
        let items: Vec<String> = f.iter().map(|s| s.to_string()).collect();
        let opts = PsOptions {
            all,
            filters: ContainerFilters::parse(&items).unwrap(),
            ..Default::default()
        };
        names(store, &opts)
    }

    fn sample() -> Store {
        let store = temp_store("ps");
        add_image(&store, digest(1), "busybox", None);
        add(&store, "oldest", 300, Status::Exited, 0);
        add(&store, "middle", 200, Status::Running, 0);
        add(&store, "newer", 100, Status::Exited, 3);
        add(&store, "newest", 10, Status::Created, 0);
        store
    }

    #[test]
    fn lists_running_or_all_newest_first() {
        let store = sample();
        assert_eq!(names(&store, &PsOptions::default()), ["middle"]);
        let all = PsOptions {
            all: true,
            ..Default::default()
        };
        assert_eq!(names(&store, &all), ["newest", "newer", "middle", "oldest"]);
        let last = PsOptions {
            last: Some(2),
            ..Default::default()
        };
        assert_eq!(names(&store, &last), ["newest", "newer"]);
        let row = &list(&store, &settings_of(&store), &all).unwrap()[1];
        assert_eq!(row.command, "sh -c 'echo hi'");
        assert_eq!(row.image, "busybox");
        assert_eq!(row.state.exit_code, 3);
        assert_eq!(row.mounts, ["/srv/data"]);
        assert!(row.size_rw.is_none());
    }

    #[test]
    fn dead_supervisor_means_exited() {
        let store = sample();
        let id = find(&store, "middle").unwrap();
        let mut st = store.read_state(&id).unwrap();
        st.supervisor_start += 1;
        store.write_state(&id, &st).unwrap();
        assert!(names(&store, &PsOptions::default()).is_empty());
        assert_eq!(
            filtered(&store, false, &["exited=137"]),
            Vec::<String>::new()
        );
        assert_eq!(filtered(&store, true, &["exited=137"]), ["middle"]);
    }

    #[test]
    fn filters() {
        let store = sample();
        let id = find(&store, "newer").unwrap();
        assert_eq!(
            filtered(&store, true, &[&format!("id={}", &id[..10])]),
            ["newer"]
        );
        assert_eq!(filtered(&store, true, &["name=new"]), ["newest", "newer"]);
        assert_eq!(filtered(&store, true, &["name=^/newer$"]), ["newer"]);
        assert_eq!(filtered(&store, true, &["name=^newer$"]), ["newer"]);
        assert_eq!(
            filtered(&store, true, &["name=mid", "name=old"]),
            ["middle", "oldest"]
        );
        // status implies -a
        assert_eq!(
            filtered(&store, false, &["status=exited"]),
            ["newer", "oldest"]
        );
        assert_eq!(filtered(&store, false, &["status=created"]), ["newest"]);
        assert!(filtered(&store, false, &["status=paused"]).is_empty());
        assert_eq!(filtered(&store, true, &["exited=3"]), ["newer"]);
        assert_eq!(filtered(&store, true, &["exited=0"]), ["oldest"]);
        assert_eq!(filtered(&store, true, &["label=app"]).len(), 4);
        assert_eq!(filtered(&store, true, &["label=app=middle"]), ["middle"]);
        assert!(filtered(&store, true, &["label=nope"]).is_empty());
        assert_eq!(filtered(&store, true, &["before=middle"]), ["oldest"]);
        assert_eq!(
            filtered(&store, true, &["since=middle"]),
            ["newest", "newer"]
        );
        assert_eq!(
            filtered(
                &store,
                true,
                &["since=oldest", "before=newest", "status=exited"]
            ),
            ["newer"]
        );
        assert!(ContainerFilters::parse(&["status=sleeping".into()]).is_err());
        assert!(ContainerFilters::parse(&["exited=x".into()]).is_err());
        assert!(ContainerFilters::parse(&["volume=x".into()]).is_err());
        assert!(ContainerFilters::parse(&["name".into()]).is_err());
        let bad = PsOptions {
            filters: ContainerFilters::parse(&["since=ghost".into()]).unwrap(),
            ..Default::default()
        };
        let err = list(&store, &settings_of(&store), &bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no such container: ghost"), "{err}");
    }

    #[test]
    fn ancestor_filter() {
        let store = sample();
        // A child image of busybox, and a container of it.
        add_image(&store, digest(2), "child", Some(digest(1)));
        let mut rec = add(&store, "kid", 1, Status::Running, 0);
        rec.image = "child".into();
        rec.image_id = digest(2);
        store.write_container(&rec).unwrap();
        assert_eq!(
            filtered(&store, false, &["ancestor=busybox"]),
            ["kid", "middle"]
        );
        assert_eq!(filtered(&store, false, &["ancestor=child"]), ["kid"]);
        assert_eq!(filtered(&store, false, &["ancestor=child:latest"]), ["kid"]);
        assert_eq!(
            filtered(
                &store,
                false,
                &[&format!("ancestor={}", &digest(1).hex()[..12])]
            )
            .len(),
            2
        );
        assert!(filtered(&store, false, &["ancestor=ghost"]).is_empty());
        // The tag moved: ps shows the image ID.
        let mut index = store.index().unwrap();
        index.images.retain(|i| i.id != digest(2));
        index.save(&store.index_path()).unwrap();
        let rows = list(&store, &settings_of(&store), &PsOptions::default()).unwrap();
        assert_eq!(rows[0].image, digest(2).to_string());
        // The image string still matches.
        assert_eq!(filtered(&store, false, &["ancestor=child"]), ["kid"]);
    }

    #[test]
    fn sizes() {
        let store = sample();
        let id = find(&store, "middle").unwrap();
        let upper = store.container_dir(&id).join("upper");
        std::fs::create_dir_all(upper.join("a/b")).unwrap();
        std::fs::write(upper.join("a/b/f"), [0u8; 300]).unwrap();
        std::fs::write(upper.join("g"), [0u8; 12]).unwrap();
        std::fs::hard_link(upper.join("g"), upper.join("h")).unwrap();
        let opts = PsOptions {
            size: true,
            ..Default::default()
        };
        let row = &list(&store, &settings_of(&store), &opts).unwrap()[0];
        assert_eq!(row.size_rw, Some(312));
        assert_eq!(row.size_root, Some(1312));
    }

    #[test]
    fn status_strings() {
        let now = now().0;
        let t = |ago: i64| format_rfc3339_nano(now - ago, 0);
        let mut st = ContainerState::default();
        assert_eq!(status_text(&st, now), "Created");
        st.status = Status::Running;
        st.started_at = t(5);
        assert_eq!(status_text(&st, now), "Up 5 seconds");
        st.status = Status::Exited;
        st.finished_at = t(120);
        assert_eq!(status_text(&st, now), "Exited (0) 2 minutes ago");
        st.exit_code = 137;
        st.finished_at.clear();
        assert_eq!(status_text(&st, now), "Exited (137)");
        st.started_at.clear();
        assert_eq!(status_text(&st, now), "Created");
        st.status = Status::Dead;
        assert_eq!(status_text(&st, now), "Dead");
    }

    #[test]
    fn regexes() {
        assert!(regex_lite("abc", "xxabcxx"));
        assert!(!regex_lite("^abc", "xxabc"));
        assert!(regex_lite("^/web$", "/web"));
        assert!(!regex_lite("^/web$", "/web1"));
        assert!(regex_lite("web.*1$", "/web-a-1"));
        assert!(regex_lite("^a+b?c$", "aaac"));
        assert!(!regex_lite("^a+b?c$", "bc"));
        assert!(regex_lite("foo|bar", "xbar"));
        assert!(regex_lite("a\\.b", "a.b"));
        assert!(!regex_lite("a\\.b", "axb"));
        assert!(regex_lite("^$", ""));
        assert!(regex_lite("", "anything"));
    }

    #[test]
    fn fifty_containers_are_fast() {
        let store = temp_store("ps-speed");
        add_image(&store, digest(1), "busybox", None);
        for i in 0..50 {
            add(&store, &format!("c{i:02}x"), i, Status::Exited, 0);
        }
        let opts = PsOptions {
            all: true,
            ..Default::default()
        };
        let t = std::time::Instant::now();
        assert_eq!(list(&store, &settings_of(&store), &opts).unwrap().len(), 50);
        let took = t.elapsed();
        // Generous for debug builds on a busy machine; release is ~1 ms.
        assert!(took.as_millis() < 200, "{took:?}");
    }
}
