//! Container commands: run, create, start, stop, restart, kill, rm, wait,
//! and the hidden `__supervise` entry of the supervisor.

use std::os::fd::OwnedFd;
use std::path::PathBuf;

use clap::Args;

use crate::config::Settings;
use crate::engine::container::attach::{self, AttachStreams};
use crate::engine::container::network::NetworkOptions;
use crate::engine::container::state::SignalTarget;
use crate::engine::container::{create::CreateOptions, port, remove, run, start, stop};
use crate::store::Store;

#[derive(Args, Debug, Clone)]
pub struct CreateArgs {
    /// Print help (-h is --hostname, as in docker)
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    /// Assign a name to the container
    #[arg(long)]
    pub name: Option<String>,
    /// Keep STDIN open even if not attached
    #[arg(short, long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short, long)]
    pub tty: bool,
    /// Set environment variables
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Working directory inside the container
    #[arg(short, long, value_name = "DIR")]
    pub workdir: Option<String>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short, long)]
    pub user: Option<String>,
    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long)]
    pub entrypoint: Option<String>,
    /// Container host name
    #[arg(short = 'h', long)]
    pub hostname: Option<String>,
    /// Bind mount a volume (HOST:CONTAINER[:ro])
    #[arg(short, long, value_name = "HOST:CONTAINER[:ro]")]
    pub volume: Vec<String>,
    /// Mount the container's root filesystem as read only
    #[arg(long)]
    pub read_only: bool,
    /// Set meta data on a container
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Automatically remove the container when it exits
    #[arg(long)]
    pub rm: bool,
    /// Connect a container to a network: the default network (pasta, else slirp4netns), none, host, container:NAME, pasta, slirp4netns, or a user-defined network (repeat for more user-defined networks)
    #[arg(long, visible_alias = "net", value_name = "NETWORK")]
    pub network: Vec<String>,
    /// Publish a container's port(s) to the host ([IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp], ranges)
    #[arg(short, long, value_name = "PORTS")]
    pub publish: Vec<String>,
    /// Publish all exposed ports to free host ports
    #[arg(short = 'P', long)]
    pub publish_all: bool,
    /// Expose a port or a range of ports (PORT[/PROTO])
    #[arg(long, value_name = "PORT")]
    pub expose: Vec<String>,
    /// Set custom DNS servers
    #[arg(long, value_name = "IP")]
    pub dns: Vec<String>,
    /// Set custom DNS search domains ("." for none)
    #[arg(long, value_name = "DOMAIN")]
    pub dns_search: Vec<String>,
    /// Set DNS options
    #[arg(long, visible_alias = "dns-opt", value_name = "OPTION")]
    pub dns_option: Vec<String>,
    /// Add a custom host-to-IP mapping (HOST:IP; IP may be host-gateway)
    #[arg(long, value_name = "HOST:IP")]
    pub add_host: Vec<String>,
    /// IPv4 address on the (first) user-defined network
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
    /// IPv6 address on a user-defined network (not supported yet)
    #[arg(long, value_name = "IP")]
    pub ip6: Option<String>,
    /// Network-scoped alias on the user-defined networks
    #[arg(long, visible_alias = "net-alias", value_name = "ALIAS")]
    pub network_alias: Vec<String>,
    /// Add Linux capabilities
    #[arg(long, value_name = "CAP")]
    pub cap_add: Vec<String>,
    /// Drop Linux capabilities
    #[arg(long, value_name = "CAP")]
    pub cap_drop: Vec<String>,
    /// Give extended privileges to this container
    #[arg(long)]
    pub privileged: bool,
    /// Security options
    #[arg(long, value_name = "OPT")]
    pub security_opt: Vec<String>,
    /// Ulimit options, as NAME=SOFT[:HARD] (e.g. nofile=1024:2048; -1 is unlimited)
    #[arg(long, value_name = "ULIMIT", value_parser = crate::engine::container::ulimit::parse_arg)]
    pub ulimit: Vec<crate::store::containers::Ulimit>,
    /// Signal to stop the container
    #[arg(long, value_name = "SIGNAL")]
    pub stop_signal: Option<String>,
    /// Timeout (in seconds) to stop a container
    #[arg(long, value_name = "SECONDS", allow_hyphen_values = true)]
    pub stop_timeout: Option<i64>,
    /// User namespace to use: keep-id (rootless: you keep your uid and gid inside)
    #[arg(long, value_name = "MODE")]
    pub userns: Option<String>,
    /// Pull the image: missing (when not stored), always, never, newer
    #[arg(long, value_name = "POLICY", default_value = "missing", num_args = 0..=1, require_equals = true, default_missing_value = "always")]
    pub pull: crate::engine::pull::PullPolicy,
    /// Platform of the image to pull (OS/ARCH[/VARIANT])
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// Run an init inside the container that forwards signals and reaps processes
    #[arg(long)]
    pub init: bool,
    /// Log driver options (max-size, max-file)
    #[arg(long, value_name = "OPT")]
    pub log_opt: Vec<String>,
    /// Runtime to use for this container (kist, runc, crun, youki or a path)
    #[arg(long, value_name = "RUNTIME")]
    pub runtime: Option<String>,
    /// The image to run
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// The command and its arguments
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

impl CreateArgs {
    fn options(&self) -> CreateOptions {
        CreateOptions {
            image: self.image.clone(),
            name: self.name.clone(),
            command: self.command.clone(),
            entrypoint: self.entrypoint.clone(),
            env: self.env.clone(),
            env_files: self.env_file.clone(),
            workdir: self.workdir.clone(),
            user: self.user.clone(),
            hostname: self.hostname.clone(),
            tty: self.tty,
            interactive: self.interactive,
            volumes: self.volume.clone(),
            read_only: self.read_only,
            labels: self.label.clone(),
            auto_remove: self.rm,
            net: NetworkOptions {
                network: self.network.first().cloned(),
                more_networks: self.network.iter().skip(1).cloned().collect(),
                publish: self.publish.clone(),
                publish_all: self.publish_all,
                expose: self.expose.clone(),
                dns: self.dns.clone(),
                dns_search: self.dns_search.clone(),
                dns_options: self.dns_option.clone(),
                add_hosts: self.add_host.clone(),
                ip: self.ip.clone(),
                ip6: self.ip6.clone(),
                aliases: self.network_alias.clone(),
            },
            cap_add: self.cap_add.clone(),
            cap_drop: self.cap_drop.clone(),
            privileged: self.privileged,
            security_opt: self.security_opt.clone(),
            stop_signal: self.stop_signal.clone(),
            stop_timeout: self.stop_timeout,
            log_opts: self.log_opt.clone(),
            runtime: self.runtime.clone(),
            init: self.init,
            userns: self.userns.clone(),
            pull: self.pull,
            ulimits: self.ulimit.clone(),
            platform: self.platform.clone(),
        }
    }
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Run container in background and print container ID
    #[arg(short, long)]
    pub detach: bool,
    /// Attach to STDIN, STDOUT or STDERR
    #[arg(short, long, value_name = "STREAM", value_parser = ["stdin", "stdout", "stderr"])]
    pub attach: Vec<String>,
    /// Proxy received signals to the process
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub sig_proxy: bool,
    /// Override the key sequence for detaching a container
    #[arg(long, default_value = "ctrl-p,ctrl-q", value_name = "KEYS")]
    pub detach_keys: String,
    #[command(flatten)]
    pub create: CreateArgs,
}

fn std_fd(fd: i32) -> anyhow::Result<OwnedFd> {
    let borrowed = match fd {
        0 => std::io::stdin().as_fd_owned()?,
        1 => std::io::stdout().as_fd_owned()?,
        _ => std::io::stderr().as_fd_owned()?,
    };
    Ok(borrowed)
}

trait DupFd {
    fn as_fd_owned(&self) -> std::io::Result<OwnedFd>;
}

impl<T: std::os::fd::AsFd> DupFd for T {
    fn as_fd_owned(&self) -> std::io::Result<OwnedFd> {
        self.as_fd().try_clone_to_owned()
    }
}

fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("WARNING: {w}");
    }
}

fn streams(
    interactive: bool,
    tty: bool,
    only: &[String],
    sig_proxy: bool,
    keys: &str,
) -> anyhow::Result<AttachStreams> {
    let want = |s: &str| only.is_empty() || only.iter().any(|o| o == s);
    Ok(AttachStreams {
        stdin: if interactive && want("stdin") {
            Some(std_fd(0)?)
        } else {
            None
        },
        stdout: if want("stdout") {
            Some(std_fd(1)?)
        } else {
            None
        },
        stderr: if want("stderr") {
            Some(std_fd(2)?)
        } else {
            None
        },
        // The pid is filled in once the container runs.
        proxy_signals_to: (sig_proxy && !tty).then_some(SignalTarget::Pid(0)),
        tty,
        detach_keys: attach::parse_detach_keys(keys)?,
    })
}

fn end_code(end: Option<attach::AttachEnd>) -> i32 {
    match end {
        Some(attach::AttachEnd::Exited(c)) => c,
        Some(attach::AttachEnd::Detached) | None => 0,
        Some(attach::AttachEnd::Lost) => 125,
    }
}

pub fn run_cmd(store: &Store, settings: &Settings, a: &RunArgs) -> anyhow::Result<i32> {
    let c = &a.create;
    let attach = if a.detach {
        None
    } else {
        Some(streams(
            c.interactive,
            c.tty,
            &a.attach,
            a.sig_proxy,
            &a.detach_keys,
        )?)
    };
    let report = run::run(
        store,
        settings,
        run::RunOptions {
            create: a.create.options(),
            attach,
        },
    )?;
    warn(&report.warnings);
    if a.detach {
        println!("{}", report.id);
        return Ok(0);
    }
    Ok(end_code(report.end))
}

pub fn create_cmd(store: &Store, settings: &Settings, a: &CreateArgs) -> anyhow::Result<i32> {
    let report = crate::engine::container::create::create(store, settings, &a.options())?;
    warn(&report.warnings);
    println!("{}", report.id);
    Ok(0)
}

#[derive(Args, Debug)]
pub struct StartArgs {
    /// Attach STDOUT/STDERR and forward signals
    #[arg(short, long)]
    pub attach: bool,
    /// Attach container's STDIN
    #[arg(short, long)]
    pub interactive: bool,
    /// Override the key sequence for detaching a container
    #[arg(long, default_value = "ctrl-p,ctrl-q", value_name = "KEYS")]
    pub detach_keys: String,
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

pub fn start_cmd(store: &Store, settings: &Settings, a: &StartArgs) -> anyhow::Result<i32> {
    let mut code = 0;
    for c in &a.containers {
        let attach = a.attach || a.interactive;
        match start::start(store, settings, c, attach) {
            Ok(started) => match (started.attach, attach) {
                (Some(sock), true) => {
                    let mut io = streams(a.interactive, started.tty, &[], true, &a.detach_keys)?;
                    io.proxy_signals_to = io.proxy_signals_to.map(|_| started.signals.clone());
                    code = end_code(Some(attach::relay(sock, io)?));
                }
                _ => println!("{c}"),
            },
            Err(e) => {
                eprintln!("Error: {e}");
                code = super::exit_code_of(&e);
            }
        }
    }
    Ok(code)
}

#[derive(Args, Debug)]
pub struct StopArgs {
    /// Seconds to wait before killing the container
    #[arg(short, long, visible_alias = "time", allow_hyphen_values = true)]
    pub timeout: Option<i64>,
    /// Signal to send to the container (default: its stop signal)
    #[arg(short, long)]
    pub signal: Option<String>,
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

fn each(containers: &[String], mut f: impl FnMut(&str) -> crate::engine::Result<()>) -> i32 {
    let mut code = 0;
    for c in containers {
        match f(c) {
            Ok(()) => println!("{c}"),
            Err(e) => {
                eprintln!("Error: {e}");
                code = super::EXIT_KIST;
            }
        }
    }
    code
}

pub fn stop_cmd(store: &Store, settings: &Settings, a: &StopArgs) -> anyhow::Result<i32> {
    let signal = a.signal.as_deref().map(stop::parse_signal).transpose()?;
    Ok(each(&a.containers, |c| {
        stop::stop(store, settings, c, a.timeout, signal).map(|_| ())
    }))
}

#[derive(Args, Debug)]
pub struct RestartArgs {
    /// Seconds to wait before killing the container
    #[arg(short, long, visible_alias = "time", allow_hyphen_values = true)]
    pub timeout: Option<i64>,
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

pub fn restart_cmd(store: &Store, settings: &Settings, a: &RestartArgs) -> anyhow::Result<i32> {
    Ok(each(&a.containers, |c| {
        stop::restart(store, settings, c, a.timeout).map(|_| ())
    }))
}

#[derive(Args, Debug)]
pub struct KillArgs {
    /// Signal to send to the container
    #[arg(short, long, default_value = "KILL")]
    pub signal: String,
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

pub fn kill_cmd(store: &Store, settings: &Settings, a: &KillArgs) -> anyhow::Result<i32> {
    let sig = stop::parse_signal(&a.signal)?;
    Ok(each(&a.containers, |c| {
        stop::kill(store, settings, c, sig).map(|_| ())
    }))
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Force the removal of a running container (uses SIGKILL)
    #[arg(short, long)]
    pub force: bool,
    /// Remove anonymous volumes associated with the container (kist makes
    /// none yet: `-v` takes bind mounts only, which are never removed)
    #[arg(short, long)]
    pub volumes: bool,
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

pub fn rm_cmd(store: &Store, settings: &Settings, a: &RmArgs) -> anyhow::Result<i32> {
    let opts = remove::RmOptions { force: a.force };
    let mut code = 0;
    for c in &a.containers {
        match remove::remove(store, settings, c, opts) {
            Ok(Some(_)) => println!("{c}"),
            Ok(None) => {}
            Err(e) => {
                eprintln!("Error: {e}");
                code = super::EXIT_KIST;
            }
        }
    }
    Ok(code)
}

#[derive(Args, Debug)]
pub struct WaitArgs {
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

pub fn wait_cmd(store: &Store, settings: &Settings, a: &WaitArgs) -> anyhow::Result<i32> {
    let mut code = 0;
    for c in &a.containers {
        match stop::wait(store, settings, c) {
            Ok(exit) => println!("{exit}"),
            Err(e) => {
                eprintln!("Error: {e}");
                code = super::EXIT_KIST;
            }
        }
    }
    Ok(code)
}

#[derive(Args, Debug)]
pub struct SuperviseArgs {
    pub id: String,
}

#[derive(Args, Debug)]
pub struct AttachArgs {
    /// Do not attach STDIN
    #[arg(long)]
    pub no_stdin: bool,
    /// Proxy all received signals to the process
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub sig_proxy: bool,
    /// Override the key sequence for detaching a container
    #[arg(long, default_value = "ctrl-p,ctrl-q", value_name = "KEYS")]
    pub detach_keys: String,
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn attach_cmd(store: &Store, settings: &Settings, a: &AttachArgs) -> anyhow::Result<i32> {
    let at = attach::attach(store, settings, &a.container)?;
    let mut io = streams(
        at.open_stdin && !a.no_stdin,
        at.tty,
        &[],
        a.sig_proxy,
        &a.detach_keys,
    )?;
    io.proxy_signals_to = io.proxy_signals_to.map(|_| at.signals.clone());
    Ok(end_code(Some(attach::relay(at.sock, io)?)))
}

#[derive(Args, Debug)]
pub struct RenameArgs {
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    #[arg(value_name = "NEW_NAME")]
    pub new_name: String,
}

pub fn rename_cmd(store: &Store, a: &RenameArgs) -> anyhow::Result<i32> {
    remove::rename(store, &a.container, &a.new_name)?;
    Ok(0)
}

#[derive(Args, Debug)]
pub struct ContainerPruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Provide filter values (until=TIMESTAMP, label=KEY[=VALUE])
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
}

pub fn container_prune_cmd(
    store: &Store,
    settings: &Settings,
    a: &ContainerPruneArgs,
) -> anyhow::Result<i32> {
    let now = crate::format::units::now().0;
    let filters = crate::engine::filters::ImageFilters::parse(&a.filter, &["until", "label"], now)?;
    if !a.force && !super::confirm("all stopped containers") {
        return Ok(0);
    }
    let report = remove::prune(store, settings, &filters)?;
    if !report.removed.is_empty() {
        println!("Deleted Containers:");
        for id in &report.removed {
            println!("{id}");
        }
        println!();
    }
    println!(
        "Total reclaimed space: {}",
        crate::format::units::human_size(report.reclaimed)
    );
    Ok(0)
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Write to a file, instead of STDOUT
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn export_cmd(store: &Store, a: &ExportArgs) -> anyhow::Result<i32> {
    let output = match &a.output {
        Some(p) => crate::engine::save::Output::Path(p.clone()),
        None => crate::engine::save::Output::Stdout,
    };
    crate::engine::container::export::export(store, &a.container, &output)?;
    Ok(0)
}

#[derive(Args, Debug)]
pub struct PortArgs {
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Only this container port (PORT[/PROTO])
    #[arg(value_name = "PRIVATE_PORT")]
    pub private: Option<String>,
}

/// `kist port`: `80/tcp -> 0.0.0.0:8080` per mapping, or only the host
/// end when a port is given (docker's output).
pub fn port_cmd(store: &Store, a: &PortArgs) -> anyhow::Result<i32> {
    for m in port::port(store, &a.container, a.private.as_deref())? {
        match a.private {
            Some(_) => println!("{}", m.public),
            None => println!("{} -> {}", m.private, m.public),
        }
    }
    Ok(0)
}
