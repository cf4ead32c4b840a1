//! Keeping a long-lived, mostly idle process (the supervisor) small: once
//! it is idle it gives back the pages its last burst of work mapped.
//!
//! - Read-only file mappings without private copies (program and library
//!   text and constants) are dropped from the page tables. They stay in the
//!   page cache; only the pages touched again come back.
//! - The kernel maps a whole 64 kB window (or a whole large folio) per
//!   fault on such mappings ("fault-around"), which would bring most of the
//!   text straight back. Registering them with a userfaultfd in
//!   asynchronous write-protect mode turns fault-around off for them
//!   (Linux ≥ 6.7; read-only mappings never take a write-protect fault).
//!   Without it, shrinking still works, with fault-around.
//! - Stack pages below the stack pointer are dead and dropped.
//! - Free heap goes back to the kernel.
//!
//! Mappings with private copies (relocated RELRO data, written pages) are
//! left alone: dropping them would lose the copies.

use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::OnceLock;

use nix::libc;

/// `UFFD_USER_MODE_ONLY`: faults from user space only, allowed unprivileged.
const UFFD_USER_MODE_ONLY: libc::c_int = 1;
/// `UFFD_API`, the protocol version.
const UFFD_API: u64 = 0xAA;
/// `UFFD_FEATURE_WP_ASYNC`: the kernel resolves write-protect faults itself.
const UFFD_FEATURE_WP_ASYNC: u64 = 1 << 15;
/// `UFFDIO_REGISTER_MODE_WP`.
const UFFDIO_REGISTER_MODE_WP: u64 = 1 << 1;
/// `_IOWR(0xAA, 0x3F, struct uffdio_api)`.
const UFFDIO_API: libc::c_ulong = 0xC018_AA3F;
/// `_IOWR(0xAA, 0x00, struct uffdio_register)`.
const UFFDIO_REGISTER: libc::c_ulong = 0xC020_AA00;

#[repr(C)]
struct UffdioApi {
    api: u64,
    features: u64,
    ioctls: u64,
}

#[repr(C)]
struct UffdioRegister {
    start: u64,
    len: u64,
    mode: u64,
    ioctls: u64,
}

/// Gives back what an idle process does not need resident (module doc).
pub fn shrink() {
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return;
    };
    let maps = parse(&smaps);
    let fault_one_page = no_fault_around(&maps.text);
    for &(start, end) in &maps.text {
        // SAFETY: the range is a whole read-only, file-backed private
        // mapping of this process without private copies: MADV_DONTNEED
        // only drops page-table entries that are refilled from the
        // unchanged file on next access.
        unsafe {
            if !fault_one_page {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_RANDOM);
            }
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
        }
    }
    if let Some((start, _)) = maps.stack {
        drop_stack_below_sp(start);
    }
    // SAFETY: malloc_trim only returns free heap memory to the kernel.
    unsafe { libc::malloc_trim(0) };
}

#[derive(Debug, Default, PartialEq)]
struct Maps {
    /// Read-only, file-backed private mappings without private copies.
    text: Vec<(usize, usize)>,
    /// The main thread's stack.
    stack: Option<(usize, usize)>,
}

fn parse(smaps: &str) -> Maps {
    let mut maps = Maps::default();
    let mut current: Option<(usize, usize)> = None;
    for line in smaps.lines() {
        let mut f = line.split_whitespace();
        let first = f.next().unwrap_or("");
        if let Some((a, b)) = first.split_once('-') {
            // A mapping header: "start-end perms offset dev inode [path]".
            current = None;
            let (Ok(start), Ok(end)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
            else {
                continue;
            };
            let perms = f.next().unwrap_or("");
            let inode = f.nth(2).unwrap_or("0");
            let path = f.next().unwrap_or("");
            let read_only_private = perms.as_bytes().get(1) == Some(&b'-') && perms.ends_with('p');
            if read_only_private && inode != "0" {
                current = Some((start, end));
            } else if path == "[stack]" {
                maps.stack = Some((start, end));
            }
        } else if first == "Anonymous:" {
            let anon: u64 = f.next().and_then(|n| n.parse().ok()).unwrap_or(1);
            if let (Some(range), 0) = (current.take(), anon) {
                maps.text.push(range);
            }
        }
    }
    maps
}

/// Registers `ranges` with a userfaultfd in asynchronous write-protect mode,
/// which turns fault-around off for them. The descriptor must stay open
/// (closing it ends the registration), so it is kept for the process's
/// life; a fork does not inherit the registration. Returns whether the
/// ranges now fault one page at a time.
fn no_fault_around(ranges: &[(usize, usize)]) -> bool {
    static UFFD: OnceLock<Option<OwnedFd>> = OnceLock::new();
    let Some(uffd) = UFFD.get_or_init(open_uffd) else {
        return false;
    };
    let fd = std::os::fd::AsRawFd::as_raw_fd(uffd);
    let mut all = true;
    for &(start, end) in ranges {
        let mut reg = UffdioRegister {
            start: start as u64,
            len: (end - start) as u64,
            mode: UFFDIO_REGISTER_MODE_WP,
            ioctls: 0,
        };
        // SAFETY: UFFDIO_REGISTER reads and writes `reg`, valid for the
        // call. Write-protecting a read-only mapping changes nothing but
        // how its pages fault in; in async mode no thread has to answer.
        // EBUSY (already registered by an earlier shrink) is fine.
        let rc = unsafe { libc::ioctl(fd, UFFDIO_REGISTER, &mut reg) };
        if rc != 0 && nix::errno::Errno::last() != nix::errno::Errno::EBUSY {
            all = false;
        }
    }
    all
}

fn open_uffd() -> Option<OwnedFd> {
    // SAFETY: userfaultfd(2) takes flags and returns a new descriptor or -1.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_userfaultfd,
            libc::O_CLOEXEC | libc::O_NONBLOCK | UFFD_USER_MODE_ONLY,
        )
    };
    if fd < 0 {
        return None;
    }
    // SAFETY: `fd` was just returned by userfaultfd and is owned by no one else.
    let uffd = unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) };
    let mut api = UffdioApi {
        api: UFFD_API,
        features: UFFD_FEATURE_WP_ASYNC,
        ioctls: 0,
    };
    // SAFETY: UFFDIO_API reads and writes `api`, valid for the call.
    let rc = unsafe { libc::ioctl(std::os::fd::AsRawFd::as_raw_fd(&uffd), UFFDIO_API, &mut api) };
    (rc == 0).then_some(uffd)
}

/// Drops the stack pages below the current stack pointer (less a page of
/// margin): they hold nothing live, and come back zeroed when touched.
#[inline(never)]
fn drop_stack_below_sp(stack_start: usize) {
    let marker = 0u8;
    let sp = std::hint::black_box(&marker) as *const u8 as usize;
    let page = 4096;
    let end = (sp & !(page - 1)).saturating_sub(page);
    if end > stack_start {
        // SAFETY: [stack_start, end) lies in this thread's stack mapping
        // wholly below the stack pointer: no frame lives there, and
        // MADV_DONTNEED makes its pages read back as zeroes.
        unsafe {
            libc::madvise(
                stack_start as *mut libc::c_void,
                end - stack_start,
                libc::MADV_DONTNEED,
            )
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_clean_read_only_file_mappings_and_the_stack() {
        let smaps = "\
55b7a132f000-55b7a1b08000 r-xp 001fb000 fe:00 10010838   /usr/bin/kist
Rss:                 576 kB
Anonymous:             0 kB
55b7a1b08000-55b7a1b62000 r--p 009d3000 fe:00 10010838   /usr/bin/kist
Rss:                 360 kB
Anonymous:           360 kB
55b7a84c8000-55b7a8559000 rw-p 00000000 00:00 0          [heap]
Anonymous:           184 kB
7f37fc997000-7f37fc999000 r-xp 00000000 00:00 0          [vdso]
Anonymous:             0 kB
7fffb289c000-7fffb28bd000 rw-p 00000000 00:00 0          [stack]
Anonymous:           116 kB
";
        let maps = parse(smaps);
        assert_eq!(maps.text, vec![(0x55b7a132f000, 0x55b7a1b08000)]);
        assert_eq!(maps.stack, Some((0x7fffb289c000, 0x7fffb28bd000)));
    }
}
