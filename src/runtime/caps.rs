//! Credentials and process attributes of the container process.
//!
//! Parent side: capability names to bit masks, rlimit types, and writing the
//! child's uid/gid maps. Child side: standard streams, signal dispositions,
//! oom score, and the switch to the configured user with exactly the
//! configured capability sets.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::process::{Command, Stdio as ProcStdio};

use nix::errno::Errno;
use nix::fcntl::{open, OFlag};
use nix::libc;
use nix::sys::prctl::set_keepcaps;
use nix::sys::resource::Resource;
use nix::sys::signal::{sigprocmask, SigHandler, SigSet, SigmaskHow, Signal};
use nix::sys::stat::Mode;
use nix::unistd::{setgroups, setresgid, setresuid, Gid, Pid, Uid};
use oci_spec::runtime::{Capabilities, LinuxCapabilities, PosixRlimitType};

use super::container::SpawnError;
use super::idmap::{helper_args, IdMap, IdRange};

/// Capability names in kernel number order (CAP_CHOWN = 0 …).
#[rustfmt::skip]
const NAMES: [&str; 41] = [
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
    "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
    "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
    "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
    "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
    "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
];

/// The kernel number of a capability named `CAP_X` or `X` (any case).
pub(crate) fn cap_number(name: &str) -> Option<u32> {
    let upper = name.to_ascii_uppercase();
    let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
    NAMES.iter().position(|n| *n == bare).map(|i| i as u32)
}

fn mask(set: &Option<Capabilities>) -> Result<u64, String> {
    let mut m = 0u64;
    for cap in set.iter().flatten() {
        let name = cap.to_string();
        let n = cap_number(&name).ok_or_else(|| format!("unknown capability {name}"))?;
        m |= 1 << n;
    }
    Ok(m)
}

/// The five sets as bit masks; absent sets are empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct CapSets {
    pub bounding: u64,
    pub effective: u64,
    pub permitted: u64,
    pub inheritable: u64,
    pub ambient: u64,
}

impl CapSets {
    pub(crate) fn from_spec(c: &LinuxCapabilities) -> Result<CapSets, String> {
        Ok(CapSets {
            bounding: mask(c.bounding())?,
            effective: mask(c.effective())?,
            permitted: mask(c.permitted())?,
            inheritable: mask(c.inheritable())?,
            ambient: mask(c.ambient())?,
        })
    }
}

/// Drops every capability outside `bounding` from the bounding set.
pub(crate) fn drop_bounding(bounding: u64) -> Result<(), String> {
    for cap in 0..64u32 {
        if bounding & (1 << cap) != 0 {
            continue;
        }
        // SAFETY: PR_CAPBSET_DROP takes an integer argument only.
        let r = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) };
        match Errno::result(r) {
            Ok(_) => {}
            Err(Errno::EINVAL) => break, // past the kernel's last capability
            Err(e) => return Err(format!("drop capability {cap} from the bounding set: {e}")),
        }
    }
    Ok(())
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const CAP_V3: u32 = 0x2008_0522;

/// Sets effective, permitted and inheritable in one capset(2), then the
/// ambient set (cleared first).
pub(crate) fn apply(c: &CapSets) -> Result<(), String> {
    let hdr = CapHeader {
        version: CAP_V3,
        pid: 0,
    };
    let lo = |m: u64| m as u32;
    let hi = |m: u64| (m >> 32) as u32;
    let data = [
        CapData {
            effective: lo(c.effective),
            permitted: lo(c.permitted),
            inheritable: lo(c.inheritable),
        },
        CapData {
            effective: hi(c.effective),
            permitted: hi(c.permitted),
            inheritable: hi(c.inheritable),
        },
    ];
    // SAFETY: `hdr` is a v3 header and `data` the two-element array v3 expects;
    // both are repr(C) and outlive the call.
    let r = unsafe { libc::syscall(libc::SYS_capset, &hdr as *const CapHeader, data.as_ptr()) };
    Errno::result(r).map_err(|e| format!("capset: {e}"))?;
    let ambient = |op: libc::c_int, cap: u64| {
        // SAFETY: PR_CAP_AMBIENT takes integer arguments only.
        let r = unsafe {
            libc::prctl(
                libc::PR_CAP_AMBIENT,
                op as libc::c_ulong,
                cap as libc::c_ulong,
                0,
                0,
            )
        };
        Errno::result(r).map(drop)
    };
    ambient(libc::PR_CAP_AMBIENT_CLEAR_ALL, 0).map_err(|e| format!("clear ambient: {e}"))?;
    for cap in (0..64u64).filter(|i| c.ambient & (1 << i) != 0) {
        ambient(libc::PR_CAP_AMBIENT_RAISE, cap)
            .map_err(|e| format!("raise ambient capability {cap}: {e}"))?;
    }
    Ok(())
}

/// Drops the bounding set, switches to `uid`/`gid` (with `groups` when
/// setgroups is allowed) keeping the permitted set, then sets the others.
pub(crate) fn switch_user(
    caps: Option<&CapSets>,
    uid: u32,
    gid: u32,
    groups: Option<&[Gid]>,
) -> Result<(), String> {
    if let Some(c) = caps {
        drop_bounding(c.bounding)?;
    }
    if uid != 0 {
        set_keepcaps(true).map_err(|e| format!("PR_SET_KEEPCAPS: {e}"))?;
    }
    if let Some(groups) = groups {
        setgroups(groups).map_err(|e| format!("setgroups {groups:?}: {e}"))?;
    }
    let (g, u) = (Gid::from_raw(gid), Uid::from_raw(uid));
    setresgid(g, g, g).map_err(|e| format!("setresgid {g}: {e}"))?;
    setresuid(u, u, u).map_err(|e| format!("setresuid {u}: {e}"))?;
    caps.map_or(Ok(()), apply)
}

/// The resource of an OCI rlimit type.
pub(crate) fn rlimit(t: PosixRlimitType) -> Resource {
    use PosixRlimitType as T;
    match t {
        T::RlimitCpu => Resource::RLIMIT_CPU,
        T::RlimitFsize => Resource::RLIMIT_FSIZE,
        T::RlimitData => Resource::RLIMIT_DATA,
        T::RlimitStack => Resource::RLIMIT_STACK,
        T::RlimitCore => Resource::RLIMIT_CORE,
        T::RlimitRss => Resource::RLIMIT_RSS,
        T::RlimitNproc => Resource::RLIMIT_NPROC,
        T::RlimitNofile => Resource::RLIMIT_NOFILE,
        T::RlimitMemlock => Resource::RLIMIT_MEMLOCK,
        T::RlimitAs => Resource::RLIMIT_AS,
        T::RlimitLocks => Resource::RLIMIT_LOCKS,
        T::RlimitSigpending => Resource::RLIMIT_SIGPENDING,
        T::RlimitMsgqueue => Resource::RLIMIT_MSGQUEUE,
        T::RlimitNice => Resource::RLIMIT_NICE,
        T::RlimitRtprio => Resource::RLIMIT_RTPRIO,
        T::RlimitRttime => Resource::RLIMIT_RTTIME,
    }
}

/// Writes the child's uid/gid maps: newuidmap + newgidmap run side by side,
/// or a single-id map written directly.
pub(crate) fn write_maps(pid: Pid, map: &IdMap) -> Result<(), SpawnError> {
    if !map.has_ranges() {
        let write = |file: &str, text: String| {
            std::fs::write(format!("/proc/{pid}/{file}"), text)
                .map_err(|e| SpawnError::Setup(format!("write /proc/{pid}/{file}: {e}")))
        };
        let (u, g) = (map.uids.first(), map.gids.first());
        let (Some(u), Some(g)) = (u, g) else {
            return Err(SpawnError::Setup("empty id map".into()));
        };
        write("uid_map", format!("0 {} 1\n", u.host))?;
        write("setgroups", "deny".into())?;
        return write("gid_map", format!("0 {} 1\n", g.host));
    }
    let start = |helper: &str, ranges: &[IdRange]| {
        Command::new(helper)
            .arg(pid.to_string())
            .args(helper_args(ranges))
            .stdin(ProcStdio::null())
            .stdout(ProcStdio::null())
            .stderr(ProcStdio::piped())
            .spawn()
            .map_err(|e| SpawnError::Setup(format!("{helper}: {e}")))
    };
    let finish = |helper: &str, child: std::process::Child| {
        let out = child
            .wait_with_output()
            .map_err(|e| SpawnError::Setup(format!("{helper}: {e}")))?;
        if out.status.success() {
            return Ok(());
        }
        let msg = String::from_utf8_lossy(&out.stderr);
        Err(SpawnError::Setup(format!(
            "{helper} {pid}: {} ({})",
            msg.trim(),
            out.status
        )))
    };
    let uid_helper = start("newuidmap", &map.uids)?;
    let gid_helper = start("newgidmap", &map.gids);
    let u = finish("newuidmap", uid_helper);
    let g = gid_helper.and_then(|c| finish("newgidmap", c));
    u.and(g)
}

pub(crate) fn mapped(ranges: &[IdRange], id: u32) -> bool {
    ranges
        .iter()
        .any(|r| id >= r.inner && u64::from(id) < u64::from(r.inner) + u64::from(r.count))
}

pub(crate) fn setup_stdio(fds: &[OwnedFd; 3]) -> Result<(), SpawnError> {
    let mut raw: [RawFd; 3] = [fds[0].as_raw_fd(), fds[1].as_raw_fd(), fds[2].as_raw_fd()];
    let clash = raw
        .iter()
        .enumerate()
        .any(|(i, &fd)| fd < 3 && fd != i as RawFd);
    if clash {
        for fd in raw.iter_mut() {
            // SAFETY: duplicating an fd we own; the copy is CLOEXEC.
            *fd = Errno::result(unsafe { libc::fcntl(*fd, libc::F_DUPFD_CLOEXEC, 3) })
                .map_err(|e| setup("dup stdio", e))?;
        }
    }
    for (i, &fd) in raw.iter().enumerate() {
        let target = i as RawFd;
        // SAFETY: plain fd syscalls on descriptors this process owns; dup2
        // replaces 0-2, which the container is meant to get.
        let r = unsafe {
            if fd == target {
                libc::fcntl(fd, libc::F_SETFD, 0)
            } else {
                libc::dup2(fd, target)
            }
        };
        Errno::result(r).map_err(|e| setup(format!("set up fd {i}"), e))?;
    }
    // SAFETY: marks every other inherited descriptor close-on-exec.
    let r = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            3u32,
            u32::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    Errno::result(r).map_err(|e| setup("close_range", e))?;
    Ok(())
}

/// Signals a supervisor may ignore (SIG_IGN survives exec).
#[rustfmt::skip]
const MAYBE_IGNORED: [Signal; 11] = {
    use Signal::*;
    [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTTIN, SIGTTOU, SIGTSTP, SIGCHLD, SIGUSR1, SIGUSR2]
};

/// Undoes what the supervisor may have set that exec would keep: a blocked
/// signal mask and ignored signals (Rust ignores SIGPIPE).
pub(crate) fn reset_signals() {
    let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None);
    for sig in MAYBE_IGNORED {
        // SAFETY: installing SIG_DFL runs no code of ours in signal context.
        let _ = unsafe { nix::sys::signal::signal(sig, SigHandler::SigDfl) };
    }
}

pub(crate) fn set_oom_score_adj(adj: i32, rootless: bool) -> Result<(), SpawnError> {
    let path = c"/proc/self/oom_score_adj";
    let written = open(path, OFlag::O_WRONLY | OFlag::O_CLOEXEC, Mode::empty())
        .and_then(|fd| nix::unistd::write(&fd, adj.to_string().as_bytes()));
    match written {
        Ok(_) => Ok(()),
        // Lowering the score needs CAP_SYS_RESOURCE on the host: runc too
        // carries on without it when rootless.
        Err(Errno::EACCES | Errno::EPERM) if rootless => Ok(()),
        Err(e) => Err(setup(format!("write {adj} to /proc/self/oom_score_adj"), e)),
    }
}

fn setup(what: impl std::fmt::Display, e: Errno) -> SpawnError {
    SpawnError::Setup(format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oci_spec::runtime::Capability;
    use std::str::FromStr;

    #[test]
    fn names_map_to_numbers() {
        assert_eq!(cap_number("CAP_CHOWN"), Some(0));
        assert_eq!(cap_number("cap_sys_admin"), Some(21));
        assert_eq!(cap_number("AUDIT_READ"), Some(37));
        assert_eq!(cap_number("CAP_CHECKPOINT_RESTORE"), Some(40));
        assert_eq!(cap_number("CAP_NOPE"), None);
        // Every oci-spec capability has a number.
        for n in NAMES {
            let cap = Capability::from_str(n).expect(n);
            assert_eq!(cap_number(&cap.to_string()), cap_number(n));
        }
    }

    #[test]
    fn docker_default_set() {
        let names = "CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP \
                     SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE";
        let set: Capabilities = names
            .split_whitespace()
            .map(|n| Capability::from_str(n).unwrap())
            .collect();
        assert_eq!(mask(&Some(set)).unwrap(), 0xa804_25fb);
        assert_eq!(mask(&None).unwrap(), 0);
    }

    #[test]
    fn id_ranges() {
        let range = |inner, host, count| IdRange { inner, host, count };
        let r = [range(0, 1001, 1), range(1, 100000, 65536)];
        assert!(mapped(&r, 0) && mapped(&r, 5) && mapped(&r, 65536));
        assert!(!mapped(&r, 65537));
        assert!(!mapped(&r[..1], 5));
    }
}
