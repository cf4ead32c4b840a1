//! Seccomp: docker's default profile, docker-format profile files, and a pure Rust
//! compiler from the OCI `linux.seccomp` section to a BPF program.
//!
//! The same resolved [`LinuxSeccomp`] goes into config.json (so runc applies the same
//! policy) and is compiled by [`compile`] for kist's own runtime.

use std::collections::BTreeMap;

use oci_spec::runtime::{
    Arch, LinuxSeccomp, LinuxSeccompAction as Action, LinuxSeccompArg, LinuxSeccompFilterFlag,
    LinuxSeccompOperator as Op, LinuxSyscall,
};
use seccompiler::{sock_filter, BpfProgram};
use serde::Deserialize;

/// docker's default profile, as kist's own data in docker's profile format.
const DEFAULT_PROFILE: &str = include_str!("seccomp_default.json");

const EPERM: u32 = 1;

/// What can go wrong turning a profile into a filter.
#[derive(Debug, thiserror::Error)]
pub enum SeccompError {
    /// The profile is not valid JSON or does not have docker's profile shape.
    #[error("invalid seccomp profile: {0}")]
    Profile(#[from] serde_json::Error),
    /// The profile asks for something kist cannot enforce.
    #[error("unsupported seccomp profile: {0}")]
    Unsupported(String),
    /// This host's architecture has no syscall table here.
    #[error("seccomp is not supported on architecture {0}")]
    Arch(&'static str),
    /// Installing the filter failed.
    #[error("cannot install seccomp filter: {0}")]
    Install(#[from] seccompiler::Error),
}

/// A docker-format profile (`--security-opt seccomp=FILE`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerProfile {
    default_action: Action,
    default_errno_ret: Option<u32>,
    #[serde(default)]
    architectures: Vec<Arch>,
    #[serde(default)]
    arch_map: Vec<DockerArchMap>,
    #[serde(default)]
    flags: Vec<LinuxSeccompFilterFlag>,
    #[serde(default)]
    syscalls: Vec<DockerSyscall>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerArchMap {
    architecture: Arch,
    #[serde(default)]
    sub_architectures: Option<Vec<Arch>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerSyscall {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    names: Vec<String>,
    action: Action,
    errno_ret: Option<u32>,
    #[serde(default)]
    args: Vec<LinuxSeccompArg>,
    #[serde(default)]
    includes: Filter,
    #[serde(default)]
    excludes: Filter,
}

/// docker's `includes` / `excludes` conditions on an entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    #[serde(default)]
    arches: Vec<String>,
    #[serde(default)]
    caps: Vec<String>,
    min_kernel: Option<String>,
}

/// docker's (Go's) name for this host's architecture, as used in `includes.arches`.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

fn native_arch() -> Option<Arch> {
    match std::env::consts::ARCH {
        "x86_64" => Some(Arch::ScmpArchX86_64),
        "aarch64" => Some(Arch::ScmpArchAarch64),
        "riscv64" => Some(Arch::ScmpArchRiscv64),
        "s390x" => Some(Arch::ScmpArchS390x),
        _ => None,
    }
}

/// The running kernel's (major, minor).
fn kernel_version() -> (u32, u32) {
    let release = nix::sys::utsname::uname()
        .map(|u| u.release().to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_version(&release).unwrap_or((0, 0))
}

fn parse_version(s: &str) -> Option<(u32, u32)> {
    let mut parts = s.split(|c: char| !c.is_ascii_digit());
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// docker's profile resolved for a container with these effective capabilities (names like
/// "CAP_SYS_ADMIN") on this host's architecture.
pub fn default_profile(caps: &[String]) -> LinuxSeccomp {
    profile_from_docker_json(DEFAULT_PROFILE, caps).expect("built-in seccomp profile is valid")
}

/// A docker-format profile file (`--security-opt seccomp=FILE`), resolved the same way.
pub fn profile_from_docker_json(json: &str, caps: &[String]) -> Result<LinuxSeccomp, SeccompError> {
    let profile: DockerProfile = serde_json::from_str(json)?;
    let has_cap = |c: &String| caps.iter().any(|have| have.eq_ignore_ascii_case(c));
    let arch = go_arch();
    let kernel = kernel_version();

    let mut syscalls = Vec::new();
    for (i, entry) in profile.syscalls.into_iter().enumerate() {
        let mut names = entry.names;
        if entry.name.is_some() && !names.is_empty() {
            return Err(SeccompError::Unsupported(format!(
                "syscalls[{i}] has both name and names"
            )));
        }
        names.extend(entry.name);
        if names.is_empty() {
            return Err(SeccompError::Unsupported(format!(
                "syscalls[{i}] names no syscall"
            )));
        }
        let inc = &entry.includes;
        let exc = &entry.excludes;
        if !inc.arches.is_empty() && !inc.arches.iter().any(|a| a == arch)
            || !inc.caps.iter().all(has_cap)
            || exc.arches.iter().any(|a| a == arch)
            || exc.caps.iter().any(has_cap)
        {
            continue;
        }
        if let Some(min) = &inc.min_kernel {
            let min = parse_version(min).ok_or_else(|| {
                SeccompError::Unsupported(format!("syscalls[{i}]: bad minKernel {min:?}"))
            })?;
            if kernel < min {
                continue;
            }
        }
        let mut sc = LinuxSyscall::default();
        sc.set_names(names);
        sc.set_action(entry.action);
        sc.set_errno_ret(entry.errno_ret);
        sc.set_args((!entry.args.is_empty()).then_some(entry.args));
        syscalls.push(sc);
    }

    // Like docker: the native architecture's entry in archMap brings its sub-architectures.
    let mut arches = profile.architectures;
    for map in profile.arch_map {
        if Some(map.architecture) == native_arch() {
            arches.push(map.architecture);
            arches.extend(map.sub_architectures.unwrap_or_default());
        }
    }

    let mut out = LinuxSeccomp::default();
    out.set_default_action(profile.default_action);
    out.set_default_errno_ret(profile.default_errno_ret);
    out.set_architectures((!arches.is_empty()).then_some(arches));
    out.set_flags((!profile.flags.is_empty()).then_some(profile.flags));
    out.set_syscalls(Some(syscalls));
    Ok(out)
}

// Classic BPF opcodes and the layout of `struct seccomp_data`.
const LD_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JEQ: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JGT: u16 = 0x25;
const JGE: u16 = 0x35;
const JA: u16 = 0x05;
const AND: u16 = 0x54; // BPF_ALU | BPF_AND | BPF_K
const RET: u16 = 0x06;
const NR_OFF: u32 = 0;
const ARCH_OFF: u32 = 4;
const ARGS_OFF: u32 = 16;
const RET_KILL_PROCESS: u32 = 0x8000_0000;

fn insn(code: u16, jt: u8, jf: u8, k: u32) -> sock_filter {
    sock_filter { code, jt, jf, k }
}

/// The seccomp return value of an OCI action.
fn action_ret(action: Action, errno: Option<u32>) -> Result<u32, SeccompError> {
    Ok(match action {
        Action::ScmpActAllow => 0x7fff_0000,
        Action::ScmpActLog => 0x7ffc_0000,
        Action::ScmpActErrno => 0x0005_0000 | (errno.unwrap_or(EPERM) & 0xffff),
        Action::ScmpActTrace => 0x7ff0_0000 | (errno.unwrap_or(EPERM) & 0xffff),
        Action::ScmpActTrap => 0x0003_0000,
        Action::ScmpActKill | Action::ScmpActKillThread => 0,
        Action::ScmpActKillProcess => RET_KILL_PROCESS,
        Action::ScmpActNotify => {
            return Err(SeccompError::Unsupported(
                "SCMP_ACT_NOTIFY needs a seccomp agent".into(),
            ))
        }
    })
}

/// Where a jump in a condition block goes.
#[derive(Clone, Copy)]
enum To {
    Next,
    Pass,
    Fail,
}

/// BPF for one 64-bit argument comparison. Falls through when it holds, jumps `fail`
/// instructions past its end when it does not.
fn condition(arg: &LinuxSeccompArg, fail: usize) -> Result<Vec<sock_filter>, SeccompError> {
    use To::*;
    let index = arg.index();
    if index > 5 {
        return Err(SeccompError::Unsupported(format!("argument index {index}")));
    }
    let (mut v, mut mask) = (arg.value(), u64::MAX);
    if arg.op() == Op::ScmpCmpMaskedEq {
        (mask, v) = (v, arg.value_two().unwrap_or(0));
    }
    let (hi, lo) = ((v >> 32) as u32, v as u32);
    // Little-endian `seccomp_data.args[index]`: low word first.
    let (lo_off, hi_off) = (ARGS_OFF + 8 * index as u32, ARGS_OFF + 8 * index as u32 + 4);
    let ld = |off| (LD_ABS, Next, Next, off);
    let (mask_hi, mask_lo) = ((mask >> 32) as u32, mask as u32);
    let mut code = Vec::new();
    match arg.op() {
        Op::ScmpCmpEq | Op::ScmpCmpMaskedEq => {
            for (off, m, want, last) in [(hi_off, mask_hi, hi, false), (lo_off, mask_lo, lo, true)]
            {
                code.push(ld(off));
                if m != u32::MAX {
                    code.push((AND, Next, Next, m));
                }
                code.push((JEQ, if last { Pass } else { Next }, Fail, want));
            }
        }
        Op::ScmpCmpNe => code.extend([
            ld(hi_off),
            (JEQ, Next, Pass, hi),
            ld(lo_off),
            (JEQ, Fail, Pass, lo),
        ]),
        Op::ScmpCmpGt | Op::ScmpCmpGe => {
            let low = if arg.op() == Op::ScmpCmpGt { JGT } else { JGE };
            code.extend([
                ld(hi_off),
                (JGT, Pass, Next, hi),
                (JEQ, Next, Fail, hi),
                ld(lo_off),
            ]);
            code.push((low, Pass, Fail, lo));
        }
        Op::ScmpCmpLt | Op::ScmpCmpLe => {
            let low = if arg.op() == Op::ScmpCmpLt { JGE } else { JGT };
            code.extend([
                ld(hi_off),
                (JGT, Fail, Next, hi),
                (JEQ, Next, Pass, hi),
                ld(lo_off),
            ]);
            code.push((low, Fail, Pass, lo));
        }
    }
    let n = code.len();
    let off = |i: usize, to: To| -> Result<u8, SeccompError> {
        let d = match to {
            Next => 0,
            Pass => n - i - 1,
            Fail => n - i - 1 + fail,
        };
        u8::try_from(d).map_err(|_| SeccompError::Unsupported("rule too long".into()))
    };
    let mut out = Vec::with_capacity(n);
    for (i, &(op, jt, jf, k)) in code.iter().enumerate() {
        out.push(insn(op, off(i, jt)?, off(i, jf)?, k));
    }
    Ok(out)
}

/// The host's syscall number for `name`, from seccompiler's tables (None: not on this arch).
fn syscall_nr(name: &str, arch: seccompiler::TargetArch) -> Option<u32> {
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let probe = format!(
        r#"{{"p":{{"mismatch_action":"allow","match_action":"trap","filter":[{{"syscall":"{name}"}}]}}}}"#
    );
    let prog = seccompiler::compile_from_json(probe.as_bytes(), arch)
        .ok()?
        .remove("p")?;
    // After the architecture check: `ld [nr]` then `jeq NR`.
    let at = prog
        .iter()
        .position(|i| i.code == LD_ABS && i.k == NR_OFF)?;
    prog[at + 1..].iter().find(|i| i.code == JEQ).map(|i| i.k)
}

/// Compiles an OCI seccomp section to BPF for the host architecture. Unknown syscall names are
/// skipped (as runc does), not errors.
pub fn compile(spec: &LinuxSeccomp) -> Result<BpfProgram, SeccompError> {
    let arch = seccompiler::TargetArch::try_from(std::env::consts::ARCH)
        .map_err(|_| SeccompError::Arch(std::env::consts::ARCH))?;
    let audit_arch = match arch {
        seccompiler::TargetArch::x86_64 => 0xc000_003e,
        seccompiler::TargetArch::aarch64 => 0xc000_00b7,
        seccompiler::TargetArch::riscv64 => 0xc000_00f3,
    };
    let default = action_ret(spec.default_action(), spec.default_errno_ret())?;

    // Per syscall number: its conditional rules in order, and its unconditional action
    // (the first one listed), which applies when no conditional rule matches.
    type Rules = (Vec<(Vec<LinuxSeccompArg>, u32)>, Option<u32>);
    let mut table: BTreeMap<u32, Rules> = BTreeMap::new();
    for sc in spec.syscalls().iter().flatten() {
        let ret = action_ret(sc.action(), sc.errno_ret())?;
        let args = sc.args().clone().unwrap_or_default();
        for nr in sc.names().iter().filter_map(|n| syscall_nr(n, arch)) {
            let entry = table.entry(nr).or_default();
            if args.is_empty() {
                entry.1.get_or_insert(ret);
            } else {
                entry.0.push((args.clone(), ret));
            }
        }
    }

    let mut prog = vec![
        insn(LD_ABS, 0, 0, ARCH_OFF),
        insn(JEQ, 1, 0, audit_arch),
        insn(RET, 0, 0, RET_KILL_PROCESS),
        insn(LD_ABS, 0, 0, NR_OFF),
    ];
    for (nr, (rules, fallback)) in table {
        let mut body = Vec::new();
        for (args, ret) in rules {
            // Built backwards so each condition knows how far its failure jump goes.
            let mut rule = vec![insn(RET, 0, 0, ret)];
            for arg in args.iter().rev() {
                let mut c = condition(arg, rule.len())?;
                c.append(&mut rule);
                rule = c;
            }
            body.append(&mut rule);
        }
        body.push(insn(RET, 0, 0, fallback.unwrap_or(default)));
        if body.len() == 1 {
            prog.extend([insn(JEQ, 0, 1, nr), body[0].clone()]);
        } else {
            let skip = u32::try_from(body.len()).expect("small");
            prog.extend([insn(JEQ, 1, 0, nr), insn(JA, 0, 0, skip)]);
            prog.append(&mut body);
        }
    }
    prog.push(insn(RET, 0, 0, default));
    if prog.len() > 4096 {
        return Err(SeccompError::Unsupported(format!(
            "{} BPF instructions",
            prog.len()
        )));
    }
    Ok(prog)
}

/// `compile`, with the program kept in `cache_dir` under the digest of the
/// profile: compiling docker's profile costs milliseconds, reading it back
/// microseconds. A damaged cache entry is compiled again.
pub fn compile_cached(
    spec: &LinuxSeccomp,
    cache_dir: Option<&std::path::Path>,
) -> Result<BpfProgram, SeccompError> {
    let Some(dir) = cache_dir else {
        return compile(spec);
    };
    let key = serde_json::to_vec(spec).map_err(SeccompError::Profile)?;
    let name = format!(
        "{}-{}.bpf",
        std::env::consts::ARCH,
        crate::store::Digest::of(&key).hex()
    );
    let path = dir.join(name);
    if let Ok(bytes) = std::fs::read(&path) {
        if !bytes.is_empty() && bytes.len() % 8 == 0 {
            return Ok(bytes
                .chunks_exact(8)
                .map(|c| sock_filter {
                    code: u16::from_ne_bytes([c[0], c[1]]),
                    jt: c[2],
                    jf: c[3],
                    k: u32::from_ne_bytes([c[4], c[5], c[6], c[7]]),
                })
                .collect());
        }
    }
    let prog = compile(spec)?;
    let mut bytes = Vec::with_capacity(prog.len() * 8);
    for f in &prog {
        bytes.extend_from_slice(&f.code.to_ne_bytes());
        bytes.extend_from_slice(&[f.jt, f.jf]);
        bytes.extend_from_slice(&f.k.to_ne_bytes());
    }
    // Best effort, written whole then renamed: a reader sees all or nothing.
    let _ = std::fs::create_dir_all(dir);
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, &bytes).is_ok() {
        let _ = std::fs::rename(&tmp, &path);
    }
    Ok(prog)
}

/// Installs it in the calling thread (after PR_SET_NO_NEW_PRIVS).
pub fn install(prog: &BpfProgram) -> Result<(), SeccompError> {
    Ok(seccompiler::apply_filter(prog)?)
}

/// Installs it without setting PR_SET_NO_NEW_PRIVS, as runc does when the container did not ask
/// for no-new-privileges (setuid programs keep working). Needs CAP_SYS_ADMIN in the caller's
/// user namespace, so it must run before capabilities are dropped.
pub fn install_keep_privileges(prog: &BpfProgram) -> Result<(), SeccompError> {
    let fprog = nix::libc::sock_fprog {
        len: u16::try_from(prog.len())
            .map_err(|_| SeccompError::Unsupported("filter too long".into()))?,
        filter: prog.as_ptr().cast_mut().cast(),
    };
    // SAFETY: `fprog` points at `prog`, a live array of `len` instructions laid out like the
    // kernel's `struct sock_filter` (seccompiler's is `repr(C)`); the kernel copies it.
    let rc = unsafe {
        nix::libc::syscall(
            nix::libc::SYS_seccomp,
            nix::libc::SECCOMP_SET_MODE_FILTER,
            0,
            &fprog as *const nix::libc::sock_fprog,
        )
    };
    if rc != 0 {
        let err = std::io::Error::last_os_error();
        return Err(SeccompError::Install(seccompiler::Error::Seccomp(err)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::libc;

    fn caps(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    fn rules_for<'a>(p: &'a LinuxSeccomp, name: &str) -> Vec<&'a LinuxSyscall> {
        let all = p.syscalls().as_deref().unwrap_or_default();
        all.iter()
            .filter(|s| s.names().iter().any(|n| n == name))
            .collect()
    }

    #[test]
    fn default_profile_matches_docker() {
        let p = default_profile(&[]);
        assert_eq!(p.default_action(), Action::ScmpActErrno);
        assert_eq!(p.default_errno_ret(), Some(EPERM));
        let mut allowed: Vec<&String> = p
            .syscalls()
            .iter()
            .flatten()
            .filter(|s| s.action() == Action::ScmpActAllow && s.args().is_none())
            .flat_map(|s| s.names())
            .collect();
        allowed.sort();
        allowed.dedup();
        assert!(
            (350..420).contains(&allowed.len()),
            "{} allowed",
            allowed.len()
        );
        for name in [
            "mount", "unshare", "setns", "keyctl", "reboot", "swapon", "bpf",
        ] {
            assert!(
                rules_for(&p, name).is_empty(),
                "{name} allowed without caps"
            );
        }
        let clone3 = rules_for(&p, "clone3");
        assert_eq!(clone3.len(), 1);
        assert_eq!(
            (clone3[0].action(), clone3[0].errno_ret()),
            (Action::ScmpActErrno, Some(38))
        );
        let clone = rules_for(&p, "clone");
        assert_eq!(clone.len(), 1);
        let arg = clone[0].args().as_ref().unwrap()[0];
        assert_eq!(
            (arg.index(), arg.value(), arg.op()),
            (0, 0x7e02_0000, Op::ScmpCmpMaskedEq)
        );
        assert_eq!(rules_for(&p, "personality").len(), 5);
        if cfg!(target_arch = "x86_64") {
            let arches = [Arch::ScmpArchX86_64, Arch::ScmpArchX86, Arch::ScmpArchX32];
            assert_eq!(p.architectures().as_deref(), Some(&arches[..]));
            assert_eq!(rules_for(&p, "arch_prctl").len(), 1);
        }

        let admin = default_profile(&caps(&["CAP_SYS_ADMIN"]));
        for name in ["mount", "unshare", "setns", "clone", "clone3"] {
            let r = rules_for(&admin, name);
            assert!(r
                .iter()
                .any(|s| s.action() == Action::ScmpActAllow && s.args().is_none()));
            assert!(
                r.iter().all(|s| s.action() == Action::ScmpActAllow),
                "{name}"
            );
        }
        assert!(rules_for(&admin, "ptrace").len() == 1 && rules_for(&admin, "kcmp").is_empty());
        let ptrace = default_profile(&caps(&["CAP_SYS_PTRACE", "CAP_SYS_MODULE"]));
        assert!(
            !rules_for(&ptrace, "kcmp").is_empty() && !rules_for(&ptrace, "init_module").is_empty()
        );
    }

    #[test]
    fn docker_json_round_trip_and_errors() {
        let p = default_profile(&caps(&["CAP_SYS_CHROOT"]));
        // The resolved OCI section is itself a valid docker profile and resolves to itself.
        let oci = serde_json::to_string(&p).unwrap();
        let again = profile_from_docker_json(&oci, &caps(&["CAP_SYS_CHROOT"])).unwrap();
        assert_eq!(again, p);
        assert_eq!(serde_json::from_str::<LinuxSeccomp>(&oci).unwrap(), p);

        let err = profile_from_docker_json("{not json", &[])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid seccomp profile"), "{err}");
        let bad = r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_MAYBE"}]}"#;
        let err = profile_from_docker_json(bad, &[]).unwrap_err().to_string();
        assert!(err.contains("SCMP_ACT_MAYBE"), "{err}");
        let err = profile_from_docker_json(r#"{"syscalls":[]}"#, &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("defaultAction"), "{err}");
        let noname =
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}"#;
        assert!(profile_from_docker_json(noname, &[]).is_err());
        let notify = r#"{"defaultAction":"SCMP_ACT_NOTIFY"}"#;
        let err = compile(&profile_from_docker_json(notify, &[]).unwrap()).unwrap_err();
        assert!(err.to_string().contains("SCMP_ACT_NOTIFY"), "{err}");
    }

    /// A classic-BPF interpreter for the instructions `compile` emits.
    fn run(prog: &[sock_filter], arch: u32, nr: u32, args: [u64; 6]) -> u32 {
        let word = |off: u32| match off {
            0 => nr,
            4 => arch,
            o if o >= 16 => {
                let a = args[(o as usize - 16) / 8];
                if o % 8 == 0 {
                    a as u32
                } else {
                    (a >> 32) as u32
                }
            }
            _ => unreachable!(),
        };
        let (mut pc, mut acc) = (0usize, 0u32);
        loop {
            let i = &prog[pc];
            pc += 1;
            let jump = |t: bool| usize::from(if t { i.jt } else { i.jf });
            match i.code {
                LD_ABS => acc = word(i.k),
                AND => acc &= i.k,
                JA => pc += i.k as usize,
                JEQ => pc += jump(acc == i.k),
                JGT => pc += jump(acc > i.k),
                JGE => pc += jump(acc >= i.k),
                RET => return i.k,
                c => panic!("unexpected opcode {c:#x}"),
            }
        }
    }

    #[test]
    fn compiled_conditions_behave_like_libseccomp() {
        let native = compile(&default_profile(&[])).unwrap()[1].k;
        let nr = syscall_nr(
            "personality",
            seccompiler::TargetArch::try_from(std::env::consts::ARCH).unwrap(),
        )
        .unwrap();
        assert_eq!(i64::from(nr), libc::SYS_personality);
        let values = [
            0u64,
            1,
            7,
            8,
            9,
            0xffff_ffff,
            0x1_0000_0000,
            0x1_0000_0008,
            u64::MAX,
        ];
        let ops = [
            Op::ScmpCmpEq,
            Op::ScmpCmpNe,
            Op::ScmpCmpLt,
            Op::ScmpCmpLe,
            Op::ScmpCmpGt,
            Op::ScmpCmpGe,
            Op::ScmpCmpMaskedEq,
        ];
        for op in ops {
            for &v in &values {
                let json = format!(
                    r#"{{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{{"names":["personality","no_such_call"],"action":"SCMP_ACT_ALLOW","args":[{{"index":2,"value":{v},"valueTwo":8,"op":"{op}"}}]}}]}}"#
                );
                let prog = compile(&profile_from_docker_json(&json, &[]).unwrap()).unwrap();
                for &a in &values {
                    let want = match op {
                        Op::ScmpCmpEq => a == v,
                        Op::ScmpCmpNe => a != v,
                        Op::ScmpCmpLt => a < v,
                        Op::ScmpCmpLe => a <= v,
                        Op::ScmpCmpGt => a > v,
                        Op::ScmpCmpGe => a >= v,
                        Op::ScmpCmpMaskedEq => a & v == 8,
                    };
                    let got = run(&prog, native, nr, [0, 0, a, 0, 0, 0]);
                    assert_eq!(
                        got,
                        if want { 0x7fff_0000 } else { 0x0005_0001 },
                        "{op} {v:#x} on {a:#x}"
                    );
                }
                assert_eq!(run(&prog, native, nr + 1, [0; 6]), 0x0005_0001);
                assert_eq!(run(&prog, 0x4000_0003, nr, [0; 6]), RET_KILL_PROCESS);
            }
        }
        // Two conditions are AND, two entries are OR, and the unconditional entry is the fallback.
        let json = r#"{"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[
            {"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":22,"args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":2,"op":"SCMP_CMP_EQ"}]},
            {"names":["personality"],"action":"SCMP_ACT_TRAP","args":[{"index":0,"value":5,"op":"SCMP_CMP_EQ"}]},
            {"names":["personality"],"action":"SCMP_ACT_LOG"}]}"#;
        let prog = compile(&profile_from_docker_json(json, &[]).unwrap()).unwrap();
        assert_eq!(run(&prog, native, nr, [1, 2, 0, 0, 0, 0]), 0x0005_0016);
        assert_eq!(run(&prog, native, nr, [1, 3, 0, 0, 0, 0]), 0x7ffc_0000);
        assert_eq!(run(&prog, native, nr, [5, 3, 0, 0, 0, 0]), 0x0003_0000);
        assert_eq!(run(&prog, native, nr + 1, [0; 6]), RET_KILL_PROCESS);
    }

    const CHILD_ENV: &str = "KIST_SECCOMP_TEST_CHILD";

    /// errno of a raw syscall (0 when it succeeded).
    fn raw(nr: libc::c_long, a: [usize; 5]) -> i32 {
        // SAFETY: every probe passes integers or null pointers, which the kernel validates;
        // a clone that succeeds is handled by the caller before anything else runs.
        let r = unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3], a[4]) };
        match r {
            -1 => std::io::Error::last_os_error().raw_os_error().unwrap_or(-1),
            0 if nr == libc::SYS_clone => {
                // SAFETY: in the cloned child only async-signal-safe `_exit` runs.
                unsafe { libc::_exit(0) }
            }
            _ => 0,
        }
    }

    fn probes() -> Vec<(&'static str, i32)> {
        let ns = libc::CLONE_NEWUSER as usize;
        let mnt = |p: &[u8]| p.as_ptr() as usize;
        let mut out = vec![
            ("unshare", raw(libc::SYS_unshare, [ns | 1, 0, 0, 0, 0])),
            (
                "mount",
                raw(
                    libc::SYS_mount,
                    [
                        mnt(b"none\0"),
                        mnt(b"/no/such/dir\0"),
                        mnt(b"tmpfs\0"),
                        0,
                        0,
                    ],
                ),
            ),
            ("keyctl", raw(libc::SYS_keyctl, [9999, 0, 0, 0, 0])),
            ("ptrace", raw(libc::SYS_ptrace, [0xdead, 0, 0, 0, 0])),
            ("reboot", raw(libc::SYS_reboot, [0, 0, 0, 0, 0])),
            ("swapon", raw(libc::SYS_swapon, [0, 0, 0, 0, 0])),
            ("clone3", raw(libc::SYS_clone3, [0, 0, 0, 0, 0])),
            (
                "clone_newuser",
                raw(libc::SYS_clone, [ns | libc::SIGCHLD as usize, 0, 0, 0, 0]),
            ),
            (
                "clone",
                raw(libc::SYS_clone, [libc::SIGCHLD as usize, 0, 0, 0, 0]),
            ),
            (
                "personality_query",
                raw(libc::SYS_personality, [0xffff_ffff, 0, 0, 0, 0]),
            ),
            (
                "personality_rie",
                raw(libc::SYS_personality, [0x4_0000, 0, 0, 0, 0]),
            ),
            (
                "socket_vsock",
                raw(libc::SYS_socket, [40, libc::SOCK_STREAM as usize, 0, 0, 0]),
            ),
            (
                "socket_unix",
                raw(libc::SYS_socket, [1, libc::SOCK_STREAM as usize, 0, 0, 0]),
            ),
            ("getpid", raw(libc::SYS_getpid, [0; 5])),
            (
                "no_new_privs",
                i32::from(nix::sys::prctl::get_no_new_privs().unwrap_or(true)),
            ),
        ];
        let io = (|| {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::fs::File::open("/proc/self/status")?, &mut s)?;
            let (r, w) = nix::unistd::pipe()?;
            nix::unistd::write(&w, s.as_bytes()[..4].as_ref())?;
            let mut buf = [0u8; 4];
            nix::unistd::read(&r, &mut buf)?;
            std::process::Command::new("/bin/true")
                .status()?
                .success()
                .then_some(())
                .ok_or(std::io::Error::other("exit"))
        })();
        out.push((
            "open_read_write_spawn",
            io.err()
                .and_then(|e| e.raw_os_error())
                .map_or(0, |e| e.max(1)),
        ));
        out
    }

    /// Runs in a re-executed test binary: probes, installs the filter, probes again.
    #[test]
    fn filter_child() {
        let Ok(scenario) = std::env::var(CHILD_ENV) else {
            return;
        };
        let before = probes();
        let caps: Vec<String> = scenario
            .split(',')
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect();
        let prog = compile(&default_profile(&caps)).unwrap();
        match caps.first().map(String::as_str) {
            // Without CAP_SYS_ADMIN (rootless test runs) only the no-new-privs way works.
            Some("keep") if nix::unistd::geteuid().is_root() => {
                install_keep_privileges(&prog).unwrap()
            }
            _ => install(&prog).unwrap(),
        }
        for ((name, b), (_, a)) in before.into_iter().zip(probes()) {
            println!("PROBE {name} {b} {a}");
        }
    }

    fn run_child(caps: &str) -> BTreeMap<String, (i32, i32)> {
        let test = module_path!().split_once("::").unwrap().1.to_string() + "::filter_child";
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", &test, "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, caps)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let probes: BTreeMap<_, _> = stdout
            .lines()
            .filter_map(|l| Some(&l[l.find("PROBE ")? + 6..]))
            .map(|l| {
                let f: Vec<&str> = l.split(' ').collect();
                (
                    f[0].to_string(),
                    (f[1].parse().unwrap(), f[2].parse().unwrap()),
                )
            })
            .collect();
        assert_eq!(probes.len(), 16, "{stdout}");
        probes
    }

    #[test]
    fn installed_default_filter_blocks_and_allows() {
        let p = run_child("");
        for name in [
            "unshare",
            "mount",
            "keyctl",
            "reboot",
            "swapon",
            "clone_newuser",
            "personality_rie",
            "socket_vsock",
        ] {
            assert_eq!(p[name].1, libc::EPERM, "{name}: {:?}", p[name]);
        }
        assert_eq!(p["clone3"].1, libc::ENOSYS);
        for name in [
            "clone",
            "getpid",
            "personality_query",
            "socket_unix",
            "open_read_write_spawn",
        ] {
            assert_eq!(p[name].1, 0, "{name}: {:?}", p[name]);
        }
        // docker allows ptrace on kernels >= 4.8: the kernel itself answers (no such process).
        assert_eq!(p["ptrace"].1, p["ptrace"].0);
        // The kernel's own answer, when it is not EPERM, proves the filter made the difference.
        assert!(p.values().filter(|(b, a)| b != a).count() >= 3, "{p:?}");

        assert_eq!(p["no_new_privs"], (0, 1));

        let admin = run_child("keep,CAP_SYS_ADMIN");
        let nnp = i32::from(!nix::unistd::geteuid().is_root());
        assert_eq!(admin["no_new_privs"], (0, nnp));
        for name in ["unshare", "mount", "clone3", "swapon"] {
            let (before, after) = admin[name];
            assert_eq!(
                after,
                if name == "swapon" {
                    libc::EPERM
                } else {
                    before
                },
                "{name}"
            );
        }
        assert_eq!(admin["reboot"].1, libc::EPERM);
    }
}
