//! The user-level network namespace of rootless user-defined networks (as
//! podman's rootless-netns): one per user, held by a small process, kist
//! re-executed (`kist __netns`), that is root of a user namespace mapped
//! with the user's subordinate ranges and sits in a network namespace of
//! its own, connected outward by pasta. The bridges of user networks, their
//! NAT rules and aardvark-dns live there; containers on those networks are
//! created inside its user namespace (so netavark, run there, may move
//! their interfaces). The holder lives until it is killed; its pid and
//! pasta's are kept in `RUNROOT/netns/holder.json`, and the next container
//! that needs it starts a new one when it is gone.
//!
//! Also: running a command inside it (`enter`), and the clean-up of a
//! container whose supervisor was killed (`teardown_stale`).

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use nix::fcntl::{open, Flock, FlockArg, OFlag};
use nix::sched::{setns, unshare, CloneFlags};
use nix::sys::signal::{kill, Signal};
use nix::sys::stat::Mode;
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::net::netavark::{self, Tools};
use crate::store::containers::process_start_time;

#[derive(Debug, Default, Serialize, Deserialize)]
struct HolderRecord {
    pid: i32,
    start: u64,
    pasta: i32,
    pasta_start: u64,
}

fn dir(runroot: &Path) -> PathBuf {
    runroot.join("netns")
}

/// netavark's and aardvark-dns's state for the bridges (emptied with a
/// new holder: a new namespace has no bridges).
pub fn netavark_dir(runroot: &Path) -> PathBuf {
    runroot.join("netavark")
}

fn alive(pid: i32, start: u64) -> bool {
    pid > 0 && process_start_time(pid) == Some(start)
}

/// The holder's namespaces, opened.
pub struct Namespaces {
    pub user: OwnedFd,
    pub net: OwnedFd,
}

fn open_ns(pid: i32, kind: &str) -> Result<OwnedFd, String> {
    let path = format!("/proc/{pid}/ns/{kind}");
    open(
        path.as_str(),
        OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| format!("open {path}: {e}"))
}

/// The rootless network namespace, started when it does not run.
pub fn ensure(settings: &Settings) -> Result<Namespaces, String> {
    let d = dir(&settings.runroot);
    fs::create_dir_all(&d).map_err(|e| format!("create {}: {e}", d.display()))?;
    let lock_path = d.join("lock");
    let lock =
        File::create(&lock_path).map_err(|e| format!("create {}: {e}", lock_path.display()))?;
    let _lock = Flock::lock(lock, FlockArg::LockExclusive)
        .map_err(|(_, e)| format!("lock {}: {e}", lock_path.display()))?;
    let rec_path = d.join("holder.json");
    let rec: HolderRecord = fs::read(&rec_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    if alive(rec.pid, rec.start) && alive(rec.pasta, rec.pasta_start) {
        return Ok(Namespaces {
            user: open_ns(rec.pid, "user")?,
            net: open_ns(rec.pid, "net")?,
        });
    }
    for (pid, start) in [(rec.pid, rec.start), (rec.pasta, rec.pasta_start)] {
        if alive(pid, start) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
    let _ = fs::remove_dir_all(netavark_dir(&settings.runroot));
    let rec = start(settings, &d)?;
    let data = serde_json::to_vec(&rec).expect("a holder record serializes");
    crate::store::fsutil::write_replace(&rec_path, &data).map_err(|e| e.to_string())?;
    Ok(Namespaces {
        user: open_ns(rec.pid, "user")?,
        net: open_ns(rec.pid, "net")?,
    })
}

fn start(settings: &Settings, d: &Path) -> Result<HolderRecord, String> {
    let mut cmd = Command::new("/proc/self/exe");
    cmd.arg0("kist")
        .arg("__netns")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = crate::runtime::userns::spawn_mapped(cmd, &settings.id_map)
        .map_err(|e| format!("start the rootless network namespace: {e}"))?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let pid = child.id() as i32;
    if line.trim() != "ready" {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!(
            "the rootless network namespace did not start: {}",
            line.trim()
        ));
    }
    // The holder outlives this supervisor: never waited for here (it
    // becomes init's child when we exit).
    std::mem::forget(child);
    let pasta = crate::net::Backend::Pasta
        .binary()
        .map_err(|e| e.to_string())?;
    let pid_file = d.join("pasta.pid");
    let _ = fs::remove_file(&pid_file);
    let out = Command::new(pasta)
        .args(["--config-net", "--quiet", "-t", "none", "-u", "none"])
        .args(["-T", "none", "-U", "none", "-P"])
        .arg(&pid_file)
        .arg(pid.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("start pasta: {e}"))?;
    let pasta_pid: i32 = fs::read_to_string(&pid_file)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    if !out.status.success() || pasta_pid <= 0 {
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        return Err(format!(
            "pasta could not connect the rootless network namespace: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(HolderRecord {
        pid,
        start: process_start_time(pid).unwrap_or(0),
        pasta: pasta_pid,
        pasta_start: process_start_time(pasta_pid).unwrap_or(0),
    })
}

/// `kist __netns`: the holder itself, already root of its user namespace
/// (see `runtime::userns::child_stage`). Never returns.
pub fn holder_main() -> i32 {
    let fail = |what: &str, e: nix::Error| -> i32 {
        println!("{what}: {e}");
        125
    };
    // It outlives the supervisor that started it.
    if let Err(e) = nix::sys::prctl::set_pdeathsig(None) {
        return fail("prctl", e);
    }
    let _ = nix::unistd::setsid();
    if let Err(e) = unshare(CloneFlags::CLONE_NEWNET) {
        return fail("unshare the network namespace", e);
    }
    if let Err(e) = crate::runtime::sys::loopback_up() {
        return fail("bring up the loopback interface", e);
    }
    println!("ready");
    // Nothing more to say: stdout goes nowhere from here.
    if let Ok(null) = File::options().write(true).open("/dev/null") {
        let _ = nix::unistd::dup2_stdout(null);
    }
    loop {
        nix::unistd::pause();
    }
}

/// Makes `cmd` run in the bridges' namespaces: rootless, the holder's
/// network namespace (the caller is already in its user namespace); as
/// root, nothing to do.
pub fn enter(cmd: &mut Command, net: Option<&OwnedFd>) {
    let Some(net) = net else {
        return;
    };
    let fd = net.as_raw_fd();
    // SAFETY: the closure runs in the forked child before exec and only
    // makes the setns system call on a descriptor that stays open in the
    // child (it is not close-on-exec'd before exec); it allocates nothing
    // and takes no lock, so it is safe after fork even in a process with
    // threads.
    unsafe {
        cmd.pre_exec(move || {
            let fd = std::os::fd::BorrowedFd::borrow_raw(fd);
            setns(fd, CloneFlags::CLONE_NEWNET).map_err(std::io::Error::from)
        });
    }
}

/// What a supervisor on user networks leaves for the clean-up of its
/// container should it be killed: `RUNROOT/net/ID.bridge`.
#[derive(Debug, Serialize, Deserialize)]
pub struct StaleRecord {
    pub supervisor: i32,
    pub supervisor_start: u64,
    pub rootless: bool,
    /// netavark's options for the container.
    pub options: serde_json::Value,
    /// (network, address) leases.
    pub leases: Vec<(String, std::net::Ipv4Addr)>,
}

/// Tears down the networks of containers whose supervisor was killed:
/// netavark needs a network namespace with the container's interface in
/// it, long gone with the container; a new one with a stand-in `eth0`
/// lets it remove the rest (DNS entries, firewall rules, an unused bridge).
pub fn teardown_stale(settings: &Settings) {
    let d = crate::net::helper::dir(&settings.runroot);
    let Ok(entries) = fs::read_dir(&d) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().and_then(|x| x.to_str()) != Some("bridge") {
            continue;
        }
        let Some(rec) = fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<StaleRecord>(&b).ok())
        else {
            let _ = fs::remove_file(&path);
            continue;
        };
        if alive(rec.supervisor, rec.supervisor_start) {
            continue;
        }
        // One cleaner at a time: whoever renames the record does it.
        let mine = path.with_extension("cleaning");
        if fs::rename(&path, &mine).is_err() {
            continue;
        }
        let _ = teardown_in_standin(settings, &rec);
        for (net, ip) in &rec.leases {
            crate::net::lease::release(&settings.runroot, net, *ip, rec.supervisor);
        }
        let _ = fs::remove_file(&mine);
    }
}

fn teardown_in_standin(settings: &Settings, rec: &StaleRecord) -> Result<(), String> {
    let tools = Tools::find().map_err(|e| e.to_string())?;
    let ns = match rec.rootless {
        true => Some(ensure_existing(settings)?),
        false => None,
    };
    // The stand-in: `ip` in a new network namespace (rootless, inside the
    // holder's user namespace), making eth0 and then sleeping.
    let mut standin = Command::new("sh");
    standin
        .args([
            "-c",
            "ip link add eth0 type veth peer name kist-standin && echo ok && exec sleep 30",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let user = ns.as_ref().map(|n| n.user.as_raw_fd());
    // SAFETY: only setns/unshare system calls between fork and exec, on a
    // descriptor that stays open until exec; nothing allocates or locks.
    unsafe {
        standin.pre_exec(move || {
            if let Some(fd) = user {
                let fd = std::os::fd::BorrowedFd::borrow_raw(fd);
                setns(fd, CloneFlags::CLONE_NEWUSER).map_err(std::io::Error::from)?;
            }
            unshare(CloneFlags::CLONE_NEWNET).map_err(std::io::Error::from)
        });
    }
    let mut child = standin
        .spawn()
        .map_err(|e| format!("start a stand-in: {e}"))?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let result = match line.trim() {
        "ok" => {
            let path = format!("/proc/{}/ns/net", child.id());
            let mut cmd_hook = |cmd: &mut Command| {
                if let Some(n) = &ns {
                    enter_user_and_net(cmd, n);
                }
            };
            netavark::run(
                &tools,
                &netavark_dir(&settings.runroot),
                "teardown",
                &path,
                &rec.options,
                rec.rootless,
                &mut cmd_hook,
            )
            .map(drop)
            .map_err(|e| e.to_string())
        }
        _ => Err("the stand-in namespace did not start".into()),
    };
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// The holder's namespaces if it runs (a clean-up never starts one).
fn ensure_existing(settings: &Settings) -> Result<Namespaces, String> {
    let rec: HolderRecord = fs::read(dir(&settings.runroot).join("holder.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("no rootless network namespace")?;
    if !alive(rec.pid, rec.start) {
        return Err("the rootless network namespace is gone".into());
    }
    Ok(Namespaces {
        user: open_ns(rec.pid, "user")?,
        net: open_ns(rec.pid, "net")?,
    })
}

/// For a process outside the holder's user namespace (a CLI command):
/// joins both its user and its network namespace before exec.
fn enter_user_and_net(cmd: &mut Command, ns: &Namespaces) {
    let (user, net) = (ns.user.as_raw_fd(), ns.net.as_raw_fd());
    // SAFETY: as in `enter`: setns system calls only, on descriptors that
    // stay open until exec.
    unsafe {
        cmd.pre_exec(move || {
            let u = std::os::fd::BorrowedFd::borrow_raw(user);
            setns(u, CloneFlags::CLONE_NEWUSER).map_err(std::io::Error::from)?;
            let n = std::os::fd::BorrowedFd::borrow_raw(net);
            setns(n, CloneFlags::CLONE_NEWNET).map_err(std::io::Error::from)
        });
    }
}
