//! The command line: clap types and thin commands. Each command parses,
//! calls one engine function and prints its report. Errors are printed and
//! turned into docker's exit codes here, once.

mod archive;
mod containers;
mod containers_read;
mod exec;
mod generate;
mod images;
mod networks;
mod output;
mod progress;
mod registry;
mod system;
mod verbs;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{GlobalFlags, Settings};
use crate::runtime::userns;
use crate::store::Store;
use verbs::{ContainerCommand, ContainerVerb};

/// Exit status for an error of kist itself (docker's and podman's 125).
pub const EXIT_KIST: i32 = 125;

#[derive(Parser, Debug)]
#[command(
    name = "kist",
    version,
    about = "A daemonless, rootless container engine with docker's command line",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]
    #[arg(long, global = true, value_name = "DIR")]
    pub runroot: Option<PathBuf>,
    /// Storage driver: overlay, fuse-overlayfs or vfs
    #[arg(long, global = true, value_name = "DRIVER")]
    pub storage_driver: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List images
    Images(images::ImagesArgs),
    /// Manage images
    #[command(subcommand)]
    Image(images::ImageCommand),
    /// Download an image from a registry
    Pull(registry::PullArgs),
    /// Upload an image to a registry
    Push(registry::PushArgs),
    /// Log in to a registry
    Login(registry::LoginArgs),
    /// Log out from a registry
    Logout(registry::LogoutArgs),
    /// Search registries for images
    Search(registry::SearchArgs),
    /// Inspect manifests and image indexes in registries
    #[command(subcommand)]
    Manifest(registry::ManifestCommand),
    /// Load images from a tar archive or standard input
    Load(archive::LoadArgs),
    /// Save one or more images to a tar archive (standard output by default)
    Save(archive::SaveArgs),
    /// Import the contents of a tarball to create a filesystem image
    Import(archive::ImportArgs),
    /// Remove one or more images
    Rmi(images::RmiArgs),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(images::TagArgs),
    /// Show the history of an image
    History(images::HistoryArgs),
    /// Return low-level information on kist objects
    Inspect(images::InspectArgs),
    /// Show the kist version information
    Version(system::VersionArgs),
    /// Display system-wide information
    Info(system::InfoArgs),
    /// List containers
    Ps(containers_read::PsArgs),
    /// Manage containers
    #[command(subcommand)]
    Container(ContainerCommand),
    /// Manage networks
    #[command(subcommand)]
    Network(networks::NetworkCommand),
    #[command(flatten)]
    Verb(ContainerVerb),
    /// Run a command inside kist's user namespace (as `podman unshare`)
    Unshare(system::UnshareArgs),
    /// Regenerate (or check) the man pages and shell completions
    #[command(hide = true)]
    Generate(generate::GenerateArgs),
    /// The per-container supervisor (internal)
    #[command(name = "__supervise", hide = true)]
    Supervise(containers::SuperviseArgs),
    /// The holder of the rootless network namespace (internal)
    #[command(name = "__netns", hide = true)]
    Netns,
}

impl Command {
    /// Rootless commands that write or remove layer files, which only a
    /// process inside the user namespace can do.
    fn needs_userns(&self) -> bool {
        use images::ImageCommand as I;
        matches!(
            self,
            Command::Load(_)
                | Command::Pull(_)
                | Command::Push(_)
                | Command::Save(_)
                | Command::Import(_)
                | Command::Rmi(_)
                | Command::Unshare(_)
                | Command::Image(I::Rm(_) | I::Prune(_) | I::Load(_) | I::Save(_) | I::Import(_))
        ) || self.verb().is_some_and(ContainerVerb::needs_userns)
    }

    fn verb(&self) -> Option<&ContainerVerb> {
        match self {
            Command::Verb(v) => Some(v),
            Command::Container(c) => c.verb(),
            _ => None,
        }
    }
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_KIST } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("Error: {}", message(&err));
            exit_code_of_any(&err)
        }
    }
}

/// docker's confirmation prompt: true when the user answers yes.
pub fn confirm(what: &str) -> bool {
    use std::io::{BufRead, Write};
    print!("WARNING! This will remove {what}.\nAre you sure you want to continue? [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    let yes = matches!(answer.trim(), "y" | "Y" | "yes");
    if !yes {
        println!();
    }
    yes
}

/// Reads a line from the terminal without echoing it (a password).
pub fn prompt_password(prompt: &str) -> anyhow::Result<String> {
    use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        anyhow::bail!("cannot ask for a password: standard input is not a terminal\nhint: use --password-stdin, or give USER:PASSWORD");
    }
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let saved = tcgetattr(&stdin).ok();
    if let Some(t) = &saved {
        let mut quiet = t.clone();
        quiet.local_flags.remove(LocalFlags::ECHO);
        let _ = tcsetattr(&stdin, SetArg::TCSANOW, &quiet);
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if let Some(t) = &saved {
        let _ = tcsetattr(&stdin, SetArg::TCSANOW, t);
    }
    eprintln!();
    read?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// docker's exit code for an error: 126/127 when the container's command
/// could not be run, else 125.
pub fn exit_code_of(err: &crate::engine::EngineError) -> i32 {
    match err {
        crate::engine::EngineError::Start(s) => s.code,
        _ => EXIT_KIST,
    }
}

fn exit_code_of_any(err: &anyhow::Error) -> i32 {
    err.downcast_ref::<crate::engine::EngineError>()
        .map(exit_code_of)
        .unwrap_or(EXIT_KIST)
}

/// The error and its causes, each cause only once (most messages already
/// quote their source).
fn message(err: &anyhow::Error) -> String {
    let mut msg = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
    }
    msg
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    let flags = GlobalFlags {
        root: cli.root.clone(),
        runroot: cli.runroot.clone(),
        storage_driver: cli.storage_driver.clone(),
    };
    match &cli.command {
        Command::Generate(args) => return generate::run(args),
        Command::Version(args) => return system::version(args),
        Command::Netns => return Ok(crate::supervisor::netns::holder_main()),
        _ => {}
    }
    let settings = Settings::resolve(&flags)?;
    let store = Store::open(&settings)?;
    // The supervisor stays in the host namespaces: it maps the container's.
    // So does exec: it joins the container's user namespace from the host's.
    let host_only = matches!(cli.command, Command::Supervise(_))
        || cli
            .command
            .verb()
            .is_some_and(ContainerVerb::host_namespaces_only);
    let recover = !host_only && store.needs_recovery();
    if !matches!(cli.command, Command::Supervise(_)) {
        // The network helpers of supervisors that were killed.
        crate::net::helper::reap_stale(&settings.runroot);
        crate::supervisor::netns::teardown_stale(&settings);
    }
    if settings.rootless && userns::inside().is_none() && (cli.command.needs_userns() || recover) {
        return Ok(userns::reexec(&settings.id_map)?);
    }
    if recover {
        store.recover(&store.lock()?)?;
    }
    match cli.command {
        Command::Images(a) => images::list(&store, &a),
        Command::Image(c) => images::dispatch(&store, c),
        Command::Load(a) => archive::load(&store, &a),
        Command::Pull(a) => registry::pull(&store, &settings, &a),
        Command::Push(a) => registry::push(&store, &settings, &a),
        Command::Login(a) => registry::login(&settings, &a),
        Command::Logout(a) => registry::logout(&settings, &a),
        Command::Search(a) => registry::search(&settings, &a),
        Command::Manifest(c) => registry::manifest(&settings, &c),
        Command::Save(a) => archive::save(&store, &a),
        Command::Import(a) => archive::import(&store, &a),
        Command::Rmi(a) => images::rmi(&store, &a),
        Command::Tag(a) => images::tag(&store, &a),
        Command::History(a) => images::history(&store, &a),
        Command::Inspect(a) => images::inspect(&store, &settings, &a),
        Command::Info(a) => system::info(&settings, &store, &a),
        Command::Unshare(a) => system::unshare(&a),
        Command::Ps(a) => containers_read::ps(&store, &settings, &a),
        Command::Container(c) => c.run(&store, &settings),
        Command::Network(c) => networks::dispatch(&store, &settings, c),
        Command::Verb(v) => v.run(&store, &settings),
        Command::Supervise(a) => Ok(crate::supervisor::main(&store, &settings, &a.id)),
        Command::Version(_) | Command::Generate(_) | Command::Netns => Ok(0),
    }
}
