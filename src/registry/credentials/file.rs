//! One credentials file (docker's config.json or podman's auth.json):
//! reading entries, rewriting it atomically.

use super::*;

/// One docker config.json or podman auth.json, as a JSON document.
pub(super) struct AuthFile {
    pub(super) path: PathBuf,
    pub(super) doc: Map<String, Value>,
    pub(super) exists: bool,
}

impl AuthFile {
    /// Reads and checks `path`; a missing (or empty) file is an empty one.
    pub(super) fn read(path: &Path) -> Result<AuthFile, CredError> {
        let mut file = AuthFile {
            path: path.to_path_buf(),
            doc: Map::new(),
            exists: true,
        };
        let text = match fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                file.exists = false;
                return Ok(file);
            }
            Err(source) => {
                return Err(CredError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(file);
        }
        file.doc = match serde_json::from_slice(&text) {
            Ok(Value::Object(doc)) => doc,
            Ok(_) => return Err(file.malformed("the top level is not a JSON object")),
            Err(e) => return Err(file.malformed(e)),
        };
        let valid = match file.doc.get("auths") {
            None | Some(Value::Null) => true,
            Some(Value::Object(auths)) => auths.values().all(Value::is_object),
            Some(_) => false,
        };
        if !valid {
            return Err(file.malformed("\"auths\" is not an object of objects"));
        }
        match file.doc.get("credHelpers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(h)) if h.values().all(Value::is_string) => {}
            Some(_) => return Err(file.malformed("\"credHelpers\" is not an object of strings")),
        }
        if !matches!(
            file.doc.get("credsStore"),
            None | Some(Value::Null | Value::String(_))
        ) {
            return Err(file.malformed("\"credsStore\" is not a string"));
        }
        Ok(file)
    }

    pub(super) fn malformed(&self, message: impl std::fmt::Display) -> CredError {
        CredError::Malformed {
            path: self.path.clone(),
            message: message.to_string(),
        }
    }

    pub(super) fn auths(&self) -> Option<&Map<String, Value>> {
        self.doc.get("auths").and_then(Value::as_object)
    }

    /// The `credHelpers` entry for a registry (an exact key first).
    pub(super) fn cred_helper(&self, registry: &str) -> Option<String> {
        let helpers = self.doc.get("credHelpers").and_then(Value::as_object)?;
        let exact = helpers.get(registry);
        let alias = || {
            helpers
                .iter()
                .find(|(k, _)| normalize(k) == registry)
                .map(|(_, v)| v)
        };
        let name = exact.or_else(alias)?.as_str()?;
        (!name.is_empty()).then(|| name.to_string())
    }

    pub(super) fn creds_store(&self) -> Option<String> {
        let name = self.doc.get("credsStore")?.as_str()?;
        (!name.is_empty()).then(|| name.to_string())
    }

    /// The helper that keeps a registry's credentials, if any.
    pub(super) fn helper_for(&self, registry: &str) -> Option<String> {
        self.cred_helper(registry).or_else(|| self.creds_store())
    }

    /// The credentials of an `auths` entry; None for an empty one (a
    /// helper's marker) or one without both a user and a secret.
    pub(super) fn decode(
        &self,
        key: &str,
        entry: &Value,
    ) -> Result<Option<Credentials>, CredError> {
        let field = |name: &str| match entry.get(name) {
            None | Some(Value::Null) => Ok(""),
            Some(Value::String(s)) => Ok(s.as_str()),
            Some(_) => Err(self.malformed(format!("{name:?} of {key:?} is not a string"))),
        };
        let token = field("identitytoken")?;
        if !token.is_empty() {
            return Ok(Some(Credentials {
                username: TOKEN_USER.into(),
                secret: token.into(),
            }));
        }
        let auth = field("auth")?;
        let (username, secret) = if auth.is_empty() {
            (
                field("username")?.to_string(),
                field("password")?.to_string(),
            )
        } else {
            let bad = || {
                self.malformed(format!(
                    "\"auth\" of {key:?} is not base64 of user:password"
                ))
            };
            let text = super::super::base64::decode(auth)
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(bad)?;
            match text.split_once(':') {
                Some((user, pass)) => (user.to_string(), pass.trim_matches('\0').to_string()),
                None => return Ok(None),
            }
        };
        if username.is_empty() || secret.is_empty() {
            return Ok(None);
        }
        Ok(Some(Credentials { username, secret }))
    }

    /// Sets `auths[key]`, dropping the other keys for the same registry.
    pub(super) fn set_entry(&mut self, key: &str, entry: Value) {
        let registry = normalize(key);
        let auths = self.doc.entry("auths").or_insert_with(|| json!({}));
        if !auths.is_object() {
            *auths = json!({});
        }
        let auths = auths.as_object_mut().expect("auths is an object");
        if is_registry_key(key) {
            auths.retain(|k, _| k == key || !is_registry_key(k) || normalize(k) != registry);
        }
        auths.insert(key.to_string(), entry);
    }

    /// Removes the `auths` entries of `key` (every alias of a registry).
    pub(super) fn remove_entries(&mut self, key: &str) -> bool {
        let Some(auths) = self.doc.get_mut("auths").and_then(Value::as_object_mut) else {
            return false;
        };
        let before = auths.len();
        auths.retain(|k, _| {
            let same = if is_registry_key(key) {
                is_registry_key(k) && normalize(k) == key
            } else {
                k == key
            };
            !same
        });
        auths.len() != before
    }

    /// Replaces the file atomically (temp + rename), 0600, its directory
    /// made 0700 if missing; a symlinked file stays a symlink.
    pub(super) fn write(&self) -> Result<(), CredError> {
        let target = fs::canonicalize(&self.path).unwrap_or_else(|_| self.path.clone());
        let err = |source| CredError::Write {
            path: self.path.clone(),
            source,
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .map_err(err)?;
        }
        let mut text = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(
            &mut text,
            serde_json::ser::PrettyFormatter::with_indent(b"\t"),
        );
        self.doc.serialize(&mut ser).map_err(|e| err(e.into()))?;
        text.push(b'\n');
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        let result = (|| {
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(&text)?;
            f.sync_all()?;
            fs::rename(&tmp, &target)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(err)
    }
}
