//! Subordinate id ranges from /etc/subuid and /etc/subgid, and the mappings a
//! rootless user namespace gets from them.

use std::path::Path;

/// One contiguous range: `count` ids starting at `host` on the host, seen as
/// `inner..inner+count` inside the namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct IdRange {
    pub inner: u32,
    pub host: u32,
    pub count: u32,
}

/// The full mapping of a rootless user: inner 0 is the user, inner 1.. are
/// the subordinate ranges in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct IdMap {
    pub uids: Vec<IdRange>,
    pub gids: Vec<IdRange>,
}

impl IdMap {
    /// Whether the user has subordinate ranges (else a single-id map).
    pub fn has_ranges(&self) -> bool {
        self.uids.len() > 1 && self.gids.len() > 1
    }
}

impl IdMap {
    /// podman's `--userns=keep-id`: the user is `uid`/`gid` inside too; the
    /// subordinate ids fill the ids below and above it. `None` when the
    /// ranges are too small to reach it.
    pub fn keep_id(&self, uid: u32, gid: u32) -> Option<IdMap> {
        Some(IdMap {
            uids: keep(&self.uids, uid)?,
            gids: keep(&self.gids, gid)?,
        })
    }
}

impl IdMap {
    /// The map a container with `--userns=MODE` gets (`keep-id` or the
    /// default).
    pub fn for_userns(&self, mode: &str, uid: u32, gid: u32) -> IdMap {
        match mode {
            "keep-id" => self.keep_id(uid, gid).unwrap_or_else(|| self.clone()),
            _ => self.clone(),
        }
    }
}

fn keep(ranges: &[IdRange], id: u32) -> Option<Vec<IdRange>> {
    let own = ranges.first()?.host;
    let mut out = vec![IdRange {
        inner: id,
        host: own,
        count: 1,
    }];
    let mut next = 0u32;
    for r in ranges.iter().skip(1) {
        let (mut host, mut left) = (r.host, r.count);
        while left > 0 {
            if next == id {
                next += 1;
            }
            // Up to the kept id, or the rest of this range.
            let room = if next < id {
                (id - next).min(left)
            } else {
                left
            };
            out.push(IdRange {
                inner: next,
                host,
                count: room,
            });
            next += room;
            host += room;
            left -= room;
        }
    }
    (next > id).then_some(out)
}

/// Builds the mapping for `uid`/`gid` (named `user`) from the two files.
pub fn for_user(user: Option<&str>, uid: u32, gid: u32) -> IdMap {
    let group = group_name(gid);
    IdMap {
        uids: ranges_for(Path::new("/etc/subuid"), user, uid),
        gids: ranges_for(Path::new("/etc/subgid"), user.or(group.as_deref()), uid),
    }
    .with_self(uid, gid)
}

impl IdMap {
    fn with_self(mut self, uid: u32, gid: u32) -> IdMap {
        self.uids.insert(
            0,
            IdRange {
                inner: 0,
                host: uid,
                count: 1,
            },
        );
        self.gids.insert(
            0,
            IdRange {
                inner: 0,
                host: gid,
                count: 1,
            },
        );
        self
    }
}

fn ranges_for(file: &Path, name: Option<&str>, uid: u32) -> Vec<IdRange> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    parse_ranges(&text, name, uid)
}

/// Parses `name:start:count` / `uid:start:count` lines for one user; the
/// ranges are laid end to end inside the namespace starting at 1.
pub fn parse_ranges(text: &str, name: Option<&str>, uid: u32) -> Vec<IdRange> {
    let uid_text = uid.to_string();
    let mut next = 1u32;
    let mut out = Vec::new();
    for line in text.lines() {
        let mut parts = line.trim().split(':');
        let (Some(who), Some(start), Some(count)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if who != uid_text && Some(who) != name {
            continue;
        }
        let (Ok(host), Ok(count)) = (start.parse::<u32>(), count.parse::<u32>()) else {
            continue;
        };
        if count == 0 {
            continue;
        }
        out.push(IdRange {
            inner: next,
            host,
            count,
        });
        next = next.saturating_add(count);
    }
    out
}

/// The user name of `uid` from /etc/passwd (or $USER when it matches).
pub fn user_name(uid: u32) -> Option<String> {
    nix::unistd::User::from_uid(uid.into())
        .ok()
        .flatten()
        .map(|u| u.name)
}

fn group_name(gid: u32) -> Option<String> {
    nix::unistd::Group::from_gid(gid.into())
        .ok()
        .flatten()
        .map(|g| g.name)
}

/// The argument list for newuidmap/newgidmap: `inner host count` triples.
pub fn helper_args(ranges: &[IdRange]) -> Vec<String> {
    ranges
        .iter()
        .flat_map(|r| [r.inner.to_string(), r.host.to_string(), r.count.to_string()])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_by_name_and_uid() {
        let text = "alice:100000:65536\nbob:200000:1000\n1001:300000:10\nalice:500000:5\n";
        let r = parse_ranges(text, Some("alice"), 1000);
        assert_eq!(
            r,
            vec![
                IdRange {
                    inner: 1,
                    host: 100000,
                    count: 65536
                },
                IdRange {
                    inner: 65537,
                    host: 500000,
                    count: 5
                }
            ]
        );
        let r = parse_ranges(text, Some("carol"), 1001);
        assert_eq!(
            r,
            vec![IdRange {
                inner: 1,
                host: 300000,
                count: 10
            }]
        );
        assert!(parse_ranges("junk\n::\n", Some("x"), 5).is_empty());
    }

    #[test]
    fn keep_id_maps_the_user_to_itself() {
        let m = IdMap {
            uids: parse_ranges("u:100000:65536", Some("u"), 1000),
            gids: parse_ranges("u:100000:65536", Some("u"), 1000),
        }
        .with_self(1000, 1000);
        let k = m.keep_id(1000, 1000).unwrap();
        assert_eq!(
            k.uids,
            vec![
                IdRange {
                    inner: 1000,
                    host: 1000,
                    count: 1
                },
                IdRange {
                    inner: 0,
                    host: 100000,
                    count: 1000
                },
                IdRange {
                    inner: 1001,
                    host: 101000,
                    count: 64536
                }
            ]
        );
        assert!(m.keep_id(70000, 1000).is_none());
    }

    #[test]
    fn maps_ids() {
        let m = IdMap {
            uids: parse_ranges("u:100000:65536", Some("u"), 1000),
            gids: vec![],
        }
        .with_self(1000, 1000);
        assert!(!m.has_ranges());
        assert_eq!(
            helper_args(&m.uids),
            ["0", "1000", "1", "1", "100000", "65536"]
        );
    }
}
