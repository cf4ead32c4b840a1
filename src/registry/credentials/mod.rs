//! Registry credentials, where docker and podman keep them.
//!
//! Read (podman's order): `--authfile` alone if given; else
//! `$XDG_RUNTIME_DIR/containers/auth.json`, `~/.config/containers/auth.json`,
//! then docker's `$DOCKER_CONFIG/config.json` (`~/.docker/config.json`). In
//! each file: a `credHelpers` entry for the registry runs that helper; else
//! an `auths` entry (base64 `user:pass` in `auth`, or an `identitytoken`),
//! where `host/namespace` keys (podman) win for repositories under them;
//! else a `credsStore` helper. Keys are compared as registries: a URL's
//! scheme and path are dropped and docker hub's names all mean docker.io.
//!
//! Written where docker writes (so the docker CLI sees the login too): the
//! `--authfile`, else docker's config.json, atomically, keeping every other
//! key; through the file's helper when it names one. Helpers are docker's
//! `docker-credential-NAME get|store|erase` programs, found on `$PATH`.
//! Identity tokens travel as user `<token>`, as in docker's helpers.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;
use serde_json::{json, Map, Value};

const DOCKER_HUB: &str = "docker.io";
/// docker's key (and helper server URL) for docker hub.
const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";
/// The user name of an identity token.
pub const TOKEN_USER: &str = "<token>";
/// What helpers print when they have nothing for a server.
const NOT_FOUND: &str = "credentials not found";
/// Larger helper input could fill the pipe it is written to in advance.
const MAX_HELPER_INPUT: usize = 32 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub struct Credentials {
    pub username: String,
    /// The password, or the identity token when `username` is `<token>`.
    pub secret: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CredError {
    #[error("cannot read credentials file {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("invalid credentials file {path}: {message}\nhint: fix the file or remove it (kist does not overwrite it)")]
    Malformed { path: PathBuf, message: String },
    #[error("cannot write credentials file {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("credential helper docker-credential-{helper} (named in {file}) is not in $PATH\nhint: install docker-credential-{helper}, or remove it from {file}")]
    HelperNotFound { helper: String, file: PathBuf },
    #[error("credential helper docker-credential-{helper} failed to {action} credentials for {server}: {detail}")]
    Helper {
        helper: String,
        action: &'static str,
        server: String,
        detail: String,
    },
    #[error("credential helper docker-credential-{helper} cannot store credentials for {key}: helpers keep one login per registry\nhint: log in to the registry itself, or pass --authfile")]
    Namespaced { helper: String, key: String },
    #[error("nowhere to store credentials: HOME and DOCKER_CONFIG are not set\nhint: set one of them, or pass --authfile")]
    NoHome,
}

/// The credential files of one user (see the module documentation).
#[derive(Debug, Clone)]
pub struct AuthFiles {
    authfile: Option<PathBuf>,
    home: Option<PathBuf>,
    runtime_dir: Option<PathBuf>,
    docker_config: Option<PathBuf>,
    /// Where helpers are looked up ($PATH; tests give their own).
    search_path: Option<OsString>,
}

impl AuthFiles {
    /// authfile: --authfile / $REGISTRY_AUTH_FILE. home: $HOME. runtime_dir:
    /// $XDG_RUNTIME_DIR. docker_config: $DOCKER_CONFIG. Empty paths count
    /// as unset.
    pub fn new(
        authfile: Option<PathBuf>,
        home: Option<PathBuf>,
        runtime_dir: Option<PathBuf>,
        docker_config: Option<PathBuf>,
    ) -> AuthFiles {
        let set = |p: Option<PathBuf>| p.filter(|p| !p.as_os_str().is_empty());
        AuthFiles {
            authfile: set(authfile),
            home: set(home),
            runtime_dir: set(runtime_dir),
            docker_config: set(docker_config),
            search_path: std::env::var_os("PATH"),
        }
    }

    /// The credentials for `registry` (`host[:port]`), or for `repository`
    /// on it when a file has a key for that repository or a namespace of it.
    pub fn get(
        &self,
        registry: &str,
        repository: Option<&str>,
    ) -> Result<Option<Credentials>, CredError> {
        let registry = normalize(registry);
        for path in self.read_paths() {
            let file = AuthFile::read(&path)?;
            if let Some(creds) = self.get_in(&file, &registry, repository)? {
                return Ok(Some(creds));
            }
        }
        Ok(None)
    }

    /// Stores `creds` for `registry` where docker would; returns where
    /// they went (a path, or "credential helper docker-credential-X").
    pub fn store(&self, registry: &str, creds: &Credentials) -> Result<String, CredError> {
        let key = normalize(registry);
        let path = self.store_path().ok_or(CredError::NoHome)?;
        let mut file = AuthFile::read(&path)?;
        let file_key = if key == DOCKER_HUB {
            DOCKER_HUB_KEY
        } else {
            &key
        };
        if let Some(helper) = file.helper_for(host_of(&key)) {
            if key.contains('/') {
                return Err(CredError::Namespaced { helper, key });
            }
            let server = helper_servers(&key)[0];
            let input =
                json!({"ServerURL": server, "Username": creds.username, "Secret": creds.secret});
            match self.run_helper(
                &helper,
                "store",
                server,
                input.to_string().as_bytes(),
                &path,
            )? {
                Some(_) => {}
                None => return Err(helper_error(&helper, "store", server, NOT_FOUND.into())),
            }
            // As docker does: an empty entry marks the login, and replaces
            // any older credentials kept in the file itself.
            file.set_entry(file_key, json!({}));
            file.write()?;
            return Ok(format!("credential helper docker-credential-{helper}"));
        }
        let mut entry = Map::new();
        if creds.username == TOKEN_USER {
            entry.insert(
                "auth".into(),
                super::base64::encode(format!("{TOKEN_USER}:").as_bytes()).into(),
            );
            entry.insert("identitytoken".into(), creds.secret.clone().into());
        } else {
            let pair = format!("{}:{}", creds.username, creds.secret);
            entry.insert("auth".into(), super::base64::encode(pair.as_bytes()).into());
        }
        file.set_entry(file_key, Value::Object(entry));
        file.write()?;
        Ok(path.display().to_string())
    }

    /// Removes `registry`'s credentials from every file (and helper) that
    /// has them; false when none had any.
    pub fn erase(&self, registry: &str) -> Result<bool, CredError> {
        let key = normalize(registry);
        let mut found = false;
        for path in self.read_paths() {
            let mut file = AuthFile::read(&path)?;
            if !file.exists {
                continue;
            }
            if let Some(helper) = file
                .helper_for(host_of(&key))
                .filter(|_| !key.contains('/'))
            {
                for server in helper_servers(&key) {
                    found |= self
                        .run_helper(&helper, "erase", server, server.as_bytes(), &path)?
                        .is_some();
                }
            }
            if file.remove_entries(&key) {
                file.write()?;
                found = true;
            }
        }
        Ok(found)
    }

    /// Files to read, in order.
    fn read_paths(&self) -> Vec<PathBuf> {
        if let Some(file) = &self.authfile {
            return vec![file.clone()];
        }
        let mut paths = Vec::new();
        if let Some(dir) = &self.runtime_dir {
            paths.push(dir.join("containers/auth.json"));
        }
        if let Some(home) = &self.home {
            paths.push(home.join(".config/containers/auth.json"));
        }
        paths.extend(self.docker_path());
        paths.dedup();
        paths
    }

    fn docker_path(&self) -> Option<PathBuf> {
        match (&self.docker_config, &self.home) {
            (Some(dir), _) => Some(dir.join("config.json")),
            (None, Some(home)) => Some(home.join(".docker/config.json")),
            (None, None) => None,
        }
    }

    fn store_path(&self) -> Option<PathBuf> {
        self.authfile.clone().or_else(|| self.docker_path())
    }

    fn get_in(
        &self,
        file: &AuthFile,
        registry: &str,
        repository: Option<&str>,
    ) -> Result<Option<Credentials>, CredError> {
        if let Some(helper) = file.cred_helper(registry) {
            return self.helper_get(&helper, registry, &file.path);
        }
        if let Some(auths) = file.auths() {
            // "registry/a/b/c", "registry/a/b", "registry/a": longest first.
            let mut key = repository.map(|r| format!("{registry}/{r}"));
            while let Some(k) = key.filter(|k| k.len() > registry.len()) {
                if let Some(entry) = auths.get(&k) {
                    if let Some(creds) = file.decode(&k, entry)? {
                        return Ok(Some(creds));
                    }
                }
                key = k.rsplit_once('/').map(|(head, _)| head.to_string());
            }
            let exact = auths.get_key_value(registry);
            let aliases = auths
                .iter()
                .filter(|(k, _)| is_registry_key(k) && normalize(k) == registry);
            for (k, entry) in exact.into_iter().chain(aliases) {
                if let Some(creds) = file.decode(k, entry)? {
                    return Ok(Some(creds));
                }
            }
        }
        match file.creds_store() {
            Some(helper) => self.helper_get(&helper, registry, &file.path),
            None => Ok(None),
        }
    }

    fn helper_get(
        &self,
        helper: &str,
        registry: &str,
        file: &Path,
    ) -> Result<Option<Credentials>, CredError> {
        #[derive(serde::Deserialize)]
        struct Reply {
            #[serde(rename = "Username", default)]
            username: String,
            #[serde(rename = "Secret", default)]
            secret: String,
        }
        for server in helper_servers(registry) {
            let Some(out) = self.run_helper(helper, "get", server, server.as_bytes(), file)? else {
                continue;
            };
            let reply: Reply = serde_json::from_slice(&out)
                .map_err(|e| helper_error(helper, "get", server, format!("invalid output: {e}")))?;
            if !reply.username.is_empty() || !reply.secret.is_empty() {
                return Ok(Some(Credentials {
                    username: reply.username,
                    secret: reply.secret,
                }));
            }
        }
        Ok(None)
    }

    /// Runs `docker-credential-HELPER ACTION` with `input` on stdin: its
    /// stdout, or None when it reports that it has no credentials.
    fn run_helper(
        &self,
        helper: &str,
        action: &'static str,
        server: &str,
        input: &[u8],
        file: &Path,
    ) -> Result<Option<Vec<u8>>, CredError> {
        let program = self.find_helper(helper, file)?;
        let fail = |detail: String| helper_error(helper, action, server, detail);
        if input.len() > MAX_HELPER_INPUT {
            return Err(fail(format!("{} bytes of input is too much", input.len())));
        }
        // The input is in the pipe before the helper starts: a helper that
        // exits without reading it cannot raise SIGPIPE in kist.
        let (reader, mut writer) = io::pipe().map_err(|e| fail(e.to_string()))?;
        writer.write_all(input).map_err(|e| fail(e.to_string()))?;
        drop(writer);
        let mut cmd = Command::new(&program);
        cmd.arg(action)
            .stdin(Stdio::from(reader))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child =
            spawn(&mut cmd).map_err(|e| fail(format!("cannot run {}: {e}", program.display())))?;
        let out = child.wait_with_output().map_err(|e| fail(e.to_string()))?;
        if out.status.success() {
            return Ok(Some(out.stdout));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stdout.contains(NOT_FOUND) || stderr.contains(NOT_FOUND) {
            return Ok(None);
        }
        let detail = [stderr.trim(), stdout.trim()]
            .into_iter()
            .find(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| out.status.to_string());
        Err(fail(detail))
    }

    fn find_helper(&self, helper: &str, file: &Path) -> Result<PathBuf, CredError> {
        let name = format!("docker-credential-{helper}");
        let dirs = self.search_path.as_deref().map(std::env::split_paths);
        let found = dirs.into_iter().flatten().find_map(|dir| {
            let path = dir.join(&name);
            let meta = fs::metadata(&path).ok()?;
            let executable = meta.is_file() && meta.permissions().mode() & 0o111 != 0;
            (dir.is_absolute() && !helper.contains('/') && executable).then_some(path)
        });
        found.ok_or_else(|| CredError::HelperNotFound {
            helper: helper.to_string(),
            file: file.to_path_buf(),
        })
    }
}

/// Spawns, retrying while the program is still open for writing somewhere
/// (a helper installed at this moment; another thread's fork holding the
/// file a test just wrote).
fn spawn(cmd: &mut Command) -> io::Result<std::process::Child> {
    let mut tries = 0;
    loop {
        match cmd.spawn() {
            Err(e) if e.kind() == io::ErrorKind::ExecutableFileBusy && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            result => return result,
        }
    }
}

fn helper_error(helper: &str, action: &'static str, server: &str, detail: String) -> CredError {
    CredError::Helper {
        helper: helper.to_string(),
        action,
        server: server.to_string(),
        detail,
    }
}

/// Server URLs a helper may know docker hub by (docker's first).
fn helper_servers(registry: &str) -> Vec<&str> {
    if registry == DOCKER_HUB {
        vec![DOCKER_HUB_KEY, DOCKER_HUB]
    } else {
        vec![registry]
    }
}

/// A registry or auth-file key as a registry: a URL's scheme and path
/// dropped, docker hub's names as docker.io; podman's `host/namespace`
/// keys stay as they are.
fn normalize(key: &str) -> String {
    let key = key.trim_end_matches('/');
    let host = match key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
    {
        Some(url) => url.split('/').next().unwrap_or_default(),
        None => key,
    };
    match host {
        "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_string(),
        _ => host.to_string(),
    }
}

/// A key for a whole registry: a URL or a bare `host[:port]`.
fn is_registry_key(key: &str) -> bool {
    key.starts_with("https://") || key.starts_with("http://") || !key.contains('/')
}

fn host_of(key: &str) -> &str {
    key.split('/').next().unwrap_or_default()
}

mod file;
#[cfg(test)]
mod tests;

use file::AuthFile;
