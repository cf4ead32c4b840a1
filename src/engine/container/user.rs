//! `USER` / `-u` resolution against the image's own /etc/passwd and
//! /etc/group, read from its layers (the topmost layer that has the file).

use std::path::PathBuf;

use super::super::{EngineError, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedUser {
    pub uid: u32,
    pub gid: u32,
    pub additional_gids: Vec<u32>,
    pub home: String,
}

/// The file at `rel` in the image's merged view: the topmost layer that
/// has it decides (a whiteout there means absent).
fn image_file(layers_top_first: &[PathBuf], rel: &str) -> Option<String> {
    for dir in layers_top_first {
        let path = dir.join(rel);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() => return std::fs::read_to_string(&path).ok(),
            Ok(_) => return None,
            Err(_) => continue,
        }
    }
    None
}

/// Resolves `spec` (`name`, `uid`, `name:group`, `uid:gid`, empty = root).
pub fn resolve(spec: &str, layers_top_first: &[PathBuf]) -> Result<ResolvedUser> {
    let passwd = image_file(layers_top_first, "etc/passwd").unwrap_or_default();
    let group = image_file(layers_top_first, "etc/group").unwrap_or_default();
    resolve_in(spec, &passwd, &group)
}

pub fn resolve_in(spec: &str, passwd: &str, group: &str) -> Result<ResolvedUser> {
    let (user, grp) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let user = if user.is_empty() { "0" } else { user };
    let entries: Vec<Vec<&str>> = passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .filter(|f| f.len() >= 7)
        .collect();
    let found = entries
        .iter()
        .find(|f| f[0] == user || (user.parse::<u32>().is_ok() && f[2] == user));
    let (uid, mut gid, name, home) = match (found, user.parse::<u32>()) {
        (Some(f), _) => (
            f[2].parse().unwrap_or(0),
            f[3].parse().unwrap_or(0),
            f[0].to_string(),
            f[5].to_string(),
        ),
        (None, Ok(uid)) => (uid, uid, String::new(), "/".to_string()),
        (None, Err(_)) => {
            return Err(EngineError::Invalid(format!(
                "unable to find user {user}: no matching entries in the image's /etc/passwd\nhint: use a numeric uid (-u 1000) or a user the image defines"
            )))
        }
    };
    let groups: Vec<Vec<&str>> = group
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .filter(|f| f.len() >= 4)
        .collect();
    if let Some(g) = grp {
        gid = match (groups.iter().find(|f| f[0] == g), g.parse::<u32>()) {
            (_, Ok(n)) => n,
            (Some(f), _) => f[2].parse().unwrap_or(0),
            (None, Err(_)) => {
                return Err(EngineError::Invalid(format!(
                    "unable to find group {g}: no matching entries in the image's /etc/group"
                )))
            }
        };
    }
    let mut additional_gids: Vec<u32> = groups
        .iter()
        .filter(|f| !name.is_empty() && f[3].split(',').any(|m| m == name))
        .filter_map(|f| f[2].parse().ok())
        .filter(|g| *g != gid)
        .collect();
    additional_gids.dedup();
    Ok(ResolvedUser {
        uid,
        gid,
        additional_gids,
        home: if home.is_empty() { "/".into() } else { home },
    })
}

/// Layer diff directories, top first.
pub fn layer_dirs(store: &crate::store::Store, layers: &[crate::store::Digest]) -> Vec<PathBuf> {
    layers
        .iter()
        .rev()
        .map(|d| store.layer_path(d).join("diff"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:u:/home/user:/bin/sh\n";
    const GROUP: &str = "root:x:0:\nuser:x:1000:\nwheel:x:10:user,bob\naudio:x:29:user\n";

    #[test]
    fn resolves_users() {
        let r = resolve_in("", PASSWD, GROUP).unwrap();
        assert_eq!((r.uid, r.gid, r.home.as_str()), (0, 0, "/root"));
        let u = resolve_in("user", PASSWD, GROUP).unwrap();
        assert_eq!((u.uid, u.gid), (1000, 1000));
        assert_eq!(u.additional_gids, vec![10, 29]);
        assert_eq!(resolve_in("1000", PASSWD, GROUP).unwrap().uid, 1000);
        let n = resolve_in("4242:wheel", PASSWD, GROUP).unwrap();
        assert_eq!((n.uid, n.gid), (4242, 10));
        assert_eq!(resolve_in("user:7", PASSWD, GROUP).unwrap().gid, 7);
        assert!(resolve_in("nobody", PASSWD, GROUP).is_err());
        assert!(resolve_in("user:nogroup", PASSWD, GROUP).is_err());
    }
}
