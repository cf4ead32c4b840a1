//! The container verbs, declared once and served both at the top level
//! (`kist run`) and under `kist container` (`kist container run`).

use clap::Subcommand;

use super::{containers, containers_read, exec};
use crate::config::Settings;
use crate::store::Store;

#[derive(Subcommand, Debug)]
pub enum ContainerVerb {
    /// Fetch the logs of a container
    Logs(containers_read::LogsArgs),
    /// Create and run a new container from an image
    #[command(disable_help_flag = true)]
    Run(containers::RunArgs),
    /// Create a new container
    #[command(disable_help_flag = true)]
    Create(containers::CreateArgs),
    /// Start one or more stopped containers
    Start(containers::StartArgs),
    /// Stop one or more running containers
    Stop(containers::StopArgs),
    /// Restart one or more containers
    Restart(containers::RestartArgs),
    /// Kill one or more running containers
    Kill(containers::KillArgs),
    /// Remove one or more containers
    Rm(containers::RmArgs),
    /// Block until one or more containers stop, then print their exit codes
    Wait(containers::WaitArgs),
    /// Execute a command in a running container
    Exec(exec::ExecArgs),
    /// Attach local standard input, output, and error streams to a running container
    Attach(containers::AttachArgs),
    /// Rename a container
    Rename(containers::RenameArgs),
    /// Export a container's filesystem as a tar archive
    Export(containers::ExportArgs),
    /// List port mappings or a specific mapping for the container
    Port(containers::PortArgs),
}

/// `kist container …`: the verbs plus the container-only ones.
#[derive(Subcommand, Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing would only complicate clap's flatten"
)]
pub enum ContainerCommand {
    /// List containers
    #[command(visible_aliases = ["list", "ps"])]
    Ls(containers_read::PsArgs),
    /// Display detailed information on one or more containers
    Inspect(containers_read::ContainerInspectArgs),
    /// Remove all stopped containers
    Prune(containers::ContainerPruneArgs),
    #[command(flatten)]
    Verb(ContainerVerb),
}

impl ContainerVerb {
    /// Rootless, export reads files of subordinate ids: it runs in kist's
    /// user namespace.
    pub fn needs_userns(&self) -> bool {
        matches!(self, ContainerVerb::Export(_))
    }

    /// exec joins the container's user namespace from the host's: it must
    /// never be re-executed into kist's own.
    pub fn host_namespaces_only(&self) -> bool {
        matches!(self, ContainerVerb::Exec(_))
    }

    pub fn run(self, store: &Store, settings: &Settings) -> anyhow::Result<i32> {
        use ContainerVerb as V;
        match self {
            V::Logs(a) => containers_read::logs(store, &a),
            V::Run(a) => containers::run_cmd(store, settings, &a),
            V::Create(a) => containers::create_cmd(store, settings, &a),
            V::Start(a) => containers::start_cmd(store, settings, &a),
            V::Stop(a) => containers::stop_cmd(store, settings, &a),
            V::Restart(a) => containers::restart_cmd(store, settings, &a),
            V::Kill(a) => containers::kill_cmd(store, settings, &a),
            V::Rm(a) => containers::rm_cmd(store, settings, &a),
            V::Wait(a) => containers::wait_cmd(store, settings, &a),
            V::Exec(a) => exec::exec_cmd(store, settings, &a),
            V::Attach(a) => containers::attach_cmd(store, settings, &a),
            V::Rename(a) => containers::rename_cmd(store, &a),
            V::Export(a) => containers::export_cmd(store, &a),
            V::Port(a) => containers::port_cmd(store, &a),
        }
    }
}

impl ContainerCommand {
    pub fn verb(&self) -> Option<&ContainerVerb> {
        match self {
            ContainerCommand::Verb(v) => Some(v),
            _ => None,
        }
    }

    pub fn run(self, store: &Store, settings: &Settings) -> anyhow::Result<i32> {
        match self {
            ContainerCommand::Ls(a) => containers_read::ps(store, settings, &a),
            ContainerCommand::Inspect(a) => containers_read::inspect(store, settings, &a),
            ContainerCommand::Prune(a) => containers::container_prune_cmd(store, settings, &a),
            ContainerCommand::Verb(v) => v.run(store, settings),
        }
    }
}
