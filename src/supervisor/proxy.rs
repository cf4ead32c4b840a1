//! Published ports of a rootless container on user-defined networks. Its
//! bridges live in the rootless network namespace, which pasta connects
//! outward without any forwards; so the supervisor listens on the host
//! ports itself and relays each connection (TCP) or flow of datagrams
//! (UDP) to the container's address. The sockets towards the container
//! must be made inside that namespace (a socket stays in the namespace it
//! was made in): a small dialer child, forked into the namespace, makes
//! them on request and hands them back over a socket pair. The container
//! sees connections coming from its bridge's gateway, as with podman.

use std::io::{ErrorKind, Read, Write};
use std::net::UdpSocket;
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use nix::libc;
use nix::poll::PollFlags;
use nix::sys::socket::{socket, AddressFamily, SockFlag, SockType};

use super::netns::Namespaces;
use crate::net::ports::{Proto, Published};
use crate::runtime::sys::{recv_fd, send_fd};

/// A UDP flow without traffic for this long is forgotten.
const FLOW_IDLE: Duration = Duration::from_secs(60);
const CHUNK: usize = 65536;

pub struct PortProxy {
    tcp: Vec<(TcpListener, SocketAddrV4)>,
    udp: Vec<UdpPort>,
    conns: Vec<Conn>,
    dialer: UnixStream,
}

struct UdpPort {
    sock: UdpSocket,
    target: SocketAddrV4,
    flows: Vec<Flow>,
}

struct Flow {
    peer: SocketAddr,
    sock: UdpSocket,
    last: Instant,
}

/// One relayed TCP connection.
struct Conn {
    host: TcpStream,
    ctr: TcpStream,
    connected: bool,
    /// Read from one side, not yet written to the other.
    up: Vec<u8>,
    down: Vec<u8>,
    host_eof: bool,
    ctr_eof: bool,
    done: bool,
}

impl PortProxy {
    /// Binds the host ports and starts the dialer in `ns`; `target` is the
    /// container's address on its main network.
    pub fn start(
        published: &[Published],
        target: Ipv4Addr,
        ns: &Namespaces,
    ) -> Result<PortProxy, String> {
        let mut tcp = Vec::new();
        let mut udp = Vec::new();
        for p in published {
            let host = SocketAddr::new(
                p.host_ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
                p.host_port,
            );
            let to = SocketAddrV4::new(target, p.container_port);
            let fail =
                |e: std::io::Error| format!("publish host port {host}/{}: {e}", p.proto.name());
            match p.proto {
                Proto::Tcp => {
                    let l = TcpListener::bind(host).map_err(fail)?;
                    l.set_nonblocking(true).map_err(fail)?;
                    tcp.push((l, to));
                }
                Proto::Udp => {
                    let s = UdpSocket::bind(host).map_err(fail)?;
                    s.set_nonblocking(true).map_err(fail)?;
                    udp.push(UdpPort {
                        sock: s,
                        target: to,
                        flows: Vec::new(),
                    });
                }
            }
        }
        let dialer = start_dialer(ns)?;
        Ok(PortProxy {
            tcp,
            udp,
            conns: Vec::new(),
            dialer,
        })
    }

    /// A socket made in the container's network namespace.
    fn dial_socket(&self, kind: u8) -> Option<OwnedFd> {
        (&self.dialer).write_all(&[kind]).ok()?;
        recv_fd(&self.dialer).ok().flatten()
    }

    /// The descriptors to poll, in the order `handle` takes their events.
    pub fn poll_set(&self) -> Vec<(BorrowedFd<'_>, PollFlags)> {
        let mut set = Vec::new();
        for (l, _) in &self.tcp {
            set.push((l.as_fd(), PollFlags::POLLIN));
        }
        for u in &self.udp {
            set.push((u.sock.as_fd(), PollFlags::POLLIN));
            for f in &u.flows {
                set.push((f.sock.as_fd(), PollFlags::POLLIN));
            }
        }
        for c in &self.conns {
            let mut host = PollFlags::empty();
            let mut ctr = PollFlags::empty();
            if c.connected && c.up.is_empty() && !c.host_eof {
                host |= PollFlags::POLLIN;
            }
            if !c.down.is_empty() {
                host |= PollFlags::POLLOUT;
            }
            if !c.connected || !c.up.is_empty() {
                ctr |= PollFlags::POLLOUT;
            }
            if c.connected && c.down.is_empty() && !c.ctr_eof {
                ctr |= PollFlags::POLLIN;
            }
            set.push((c.host.as_fd(), host));
            set.push((c.ctr.as_fd(), ctr));
        }
        set
    }

    /// Acts on the events of the set `poll_set` gave, in its order.
    pub fn handle(&mut self, events: &[PollFlags]) {
        let mut ev = events.iter().copied();
        let mut next = || ev.next().unwrap_or(PollFlags::empty());
        let mut accepted = Vec::new();
        for (l, to) in &self.tcp {
            if !next().is_empty() {
                while let Ok((s, _)) = l.accept() {
                    accepted.push((s, *to));
                }
            }
        }
        let mut udp_ready = Vec::new();
        for (i, u) in self.udp.iter().enumerate() {
            let port = !next().is_empty();
            let flows: Vec<bool> = u.flows.iter().map(|_| !next().is_empty()).collect();
            udp_ready.push((i, port, flows));
        }
        let conn_ready: Vec<(PollFlags, PollFlags)> =
            self.conns.iter().map(|_| (next(), next())).collect();
        for (i, port, flows) in udp_ready {
            for (f, ready) in flows.into_iter().enumerate() {
                if ready {
                    self.udp_reply(i, f);
                }
            }
            if port {
                self.udp_forward(i);
            }
        }
        for (c, (host, ctr)) in self.conns.iter_mut().zip(conn_ready) {
            c.step(host, ctr);
        }
        self.conns.retain(|c| !c.done);
        let now = Instant::now();
        for u in &mut self.udp {
            u.flows.retain(|f| now.duration_since(f.last) < FLOW_IDLE);
        }
        for (s, to) in accepted {
            if let Some(c) = self.connect(s, to) {
                self.conns.push(c);
            }
        }
    }

    fn connect(&self, host: TcpStream, to: SocketAddrV4) -> Option<Conn> {
        let fd = self.dial_socket(b't')?;
        let ctr = TcpStream::from(fd);
        ctr.set_nonblocking(true).ok()?;
        host.set_nonblocking(true).ok()?;
        let addr = nix::sys::socket::SockaddrIn::from(to);
        match nix::sys::socket::connect(ctr.as_raw_fd(), &addr) {
            Ok(()) | Err(nix::errno::Errno::EINPROGRESS) => {}
            Err(_) => return None,
        }
        Some(Conn {
            host,
            ctr,
            connected: false,
            up: Vec::new(),
            down: Vec::new(),
            host_eof: false,
            ctr_eof: false,
            done: false,
        })
    }

    /// Datagrams from the host side: each sender gets a flow of its own.
    fn udp_forward(&mut self, i: usize) {
        let mut buf = vec![0u8; CHUNK];
        loop {
            let Ok((n, peer)) = self.udp[i].sock.recv_from(&mut buf) else {
                return;
            };
            let existing = self.udp[i].flows.iter().position(|f| f.peer == peer);
            let f = match existing {
                Some(f) => f,
                None => {
                    let Some(fd) = self.dial_socket(b'u') else {
                        continue;
                    };
                    let sock = UdpSocket::from(fd);
                    if sock.set_nonblocking(true).is_err()
                        || sock.connect(self.udp[i].target).is_err()
                    {
                        continue;
                    }
                    self.udp[i].flows.push(Flow {
                        peer,
                        sock,
                        last: Instant::now(),
                    });
                    self.udp[i].flows.len() - 1
                }
            };
            let flow = &mut self.udp[i].flows[f];
            flow.last = Instant::now();
            let _ = flow.sock.send(&buf[..n]);
        }
    }

    /// The container's answers go back to the flow's sender.
    fn udp_reply(&mut self, i: usize, f: usize) {
        let mut buf = vec![0u8; CHUNK];
        let u = &mut self.udp[i];
        while let Ok(n) = u.flows[f].sock.recv(&mut buf) {
            u.flows[f].last = Instant::now();
            let _ = u.sock.send_to(&buf[..n], u.flows[f].peer);
        }
    }
}

impl Conn {
    fn step(&mut self, host: PollFlags, ctr: PollFlags) {
        let bad = PollFlags::POLLERR | PollFlags::POLLNVAL;
        if !self.connected {
            if ctr.is_empty() {
                return;
            }
            match self.ctr.take_error() {
                Ok(None) if !ctr.intersects(bad) => self.connected = true,
                _ => {
                    self.done = true;
                    return;
                }
            }
        }
        let readable = PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR;
        if host.intersects(readable) && self.up.is_empty() && !self.host_eof {
            self.host_eof = fill(&mut self.host, &mut self.up);
        }
        if ctr.intersects(readable) && self.down.is_empty() && !self.ctr_eof {
            self.ctr_eof = fill(&mut self.ctr, &mut self.down);
        }
        let ok_up = flush(&mut self.ctr, &mut self.up);
        let ok_down = flush(&mut self.host, &mut self.down);
        if !ok_up || !ok_down {
            self.done = true;
            return;
        }
        // An end of stream passes on once what came before it has.
        if self.host_eof && self.up.is_empty() {
            let _ = self.ctr.shutdown(Shutdown::Write);
        }
        if self.ctr_eof && self.down.is_empty() {
            let _ = self.host.shutdown(Shutdown::Write);
        }
        // Both ends done, or one side gone for good (a hang-up is
        // reported whatever is asked: polling it again would spin).
        let gone = PollFlags::POLLHUP | PollFlags::POLLERR;
        let host_gone = host.intersects(gone) && self.host_eof && self.up.is_empty();
        let ctr_gone = ctr.intersects(gone) && self.ctr_eof && self.down.is_empty();
        if (self.host_eof && self.ctr_eof && self.up.is_empty() && self.down.is_empty())
            || host_gone
            || ctr_gone
        {
            self.done = true;
        }
    }
}

/// Reads what is there into `buf`; true at the end of the stream (or an
/// error, which ends it too).
/// `buf` is empty here (a side is read only once its data went on), and
/// keeps its capacity from one read to the next.
fn fill(from: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
    buf.resize(CHUNK, 0);
    let read = from.read(buf);
    let n = *read.as_ref().unwrap_or(&0);
    buf.truncate(n);
    match read {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !(e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted),
    }
}

/// Writes what it can of `buf`; false when the other side is gone.
fn flush(to: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
    while !buf.is_empty() {
        match to.write(buf) {
            Ok(0) => return false,
            Ok(n) => {
                buf.drain(..n);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
    true
}

/// Forks the dialer: it joins the rootless network namespace (and its
/// user namespace, to be allowed to) and makes sockets there on request.
/// It ends with the supervisor (its death signal) or when asked no more.
fn start_dialer(ns: &Namespaces) -> Result<UnixStream, String> {
    use nix::sched::{setns, CloneFlags};
    use nix::unistd::{fork, ForkResult};
    let (ours, theirs) =
        UnixStream::pair().map_err(|e| format!("create the port dialer's socket: {e}"))?;
    // SAFETY: the supervisor is single-threaded, so the child may run any
    // code; it joins two namespaces, closes what it does not need, serves
    // requests and ends with _exit, never returning into the supervisor.
    match unsafe { fork() }.map_err(|e| format!("fork the port dialer: {e}"))? {
        ForkResult::Child => {
            drop(ours);
            // SAFETY: PR_SET_PDEATHSIG only sets this process's death signal.
            unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) };
            let joined = setns(&ns.user, CloneFlags::CLONE_NEWUSER)
                .and_then(|_| setns(&ns.net, CloneFlags::CLONE_NEWNET));
            if joined.is_ok() {
                crate::runtime::sys::close_fds_except(&[theirs.as_raw_fd()]);
                serve_dialer(&theirs);
            }
            // SAFETY: ends the child at once, without the supervisor's
            // destructors and exit handlers.
            unsafe { libc::_exit(i32::from(joined.is_err())) }
        }
        ForkResult::Parent { .. } => Ok(ours),
    }
}

/// The dialer's side: a socket of the kind asked for (`t` TCP, `u` UDP).
fn make_socket(kind: u8) -> nix::Result<OwnedFd> {
    let ty = match kind {
        b'u' => SockType::Datagram,
        _ => SockType::Stream,
    };
    socket(AddressFamily::Inet, ty, SockFlag::SOCK_CLOEXEC, None)
}

/// Answers requests on `sock` until the supervisor goes away; a socket
/// that cannot be made is answered without one.
fn serve_dialer(sock: &UnixStream) {
    let mut req = [0u8; 1];
    while let Ok(1) = (&*sock).read(&mut req) {
        let made = make_socket(req[0]).ok();
        if send_fd(sock, made.as_ref().map(|f| f.as_fd())).is_err() {
            return;
        }
    }
}
