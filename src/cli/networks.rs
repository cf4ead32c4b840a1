//! `kist network …`: create, ls, inspect, rm, prune, connect, disconnect.

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::output::{print_inspected, print_list};
use crate::config::Settings;
use crate::engine::filters::ImageFilters;
use crate::engine::network::{connect, create, list, remove, Network};
use crate::format::units;
use crate::store::Store;

#[derive(Subcommand, Debug)]
pub enum NetworkCommand {
    /// Create a network
    Create(CreateArgs),
    /// List networks
    #[command(visible_alias = "list")]
    Ls(LsArgs),
    /// Display detailed information on one or more networks
    Inspect(InspectArgs),
    /// Remove one or more networks
    #[command(visible_alias = "remove")]
    Rm(RmArgs),
    /// Remove all unused networks
    Prune(PruneArgs),
    /// Connect a container to a network
    Connect(ConnectArgs),
    /// Disconnect a container from a network
    Disconnect(DisconnectArgs),
}

pub fn dispatch(store: &Store, settings: &Settings, cmd: NetworkCommand) -> anyhow::Result<i32> {
    match cmd {
        NetworkCommand::Create(a) => create_cmd(store, &a),
        NetworkCommand::Ls(a) => ls(store, &a),
        NetworkCommand::Inspect(a) => inspect(store, &a.networks, a.format.as_deref()),
        NetworkCommand::Rm(a) => rm(store, settings, &a),
        NetworkCommand::Prune(a) => prune(store, settings, &a),
        NetworkCommand::Connect(a) => connect_cmd(store, &settings.runroot, &a),
        NetworkCommand::Disconnect(a) => disconnect_cmd(store, &settings.runroot, &a),
    }
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Driver to manage the network (bridge)
    #[arg(short, long, default_value = "bridge")]
    pub driver: String,
    /// Subnet in CIDR format [default: the first free one of 10.89.1.0/24 … 10.89.255.0/24]
    #[arg(long, value_name = "CIDR")]
    pub subnet: Option<String>,
    /// IPv4 gateway for the subnet [default: its first address]
    #[arg(long, value_name = "IP")]
    pub gateway: Option<String>,
    /// Restrict external access to the network
    #[arg(long)]
    pub internal: bool,
    /// Set metadata on a network
    #[arg(long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Allocate container IPs from a sub-range (not supported yet)
    #[arg(long, value_name = "CIDR")]
    pub ip_range: Option<String>,
    /// Enable IPv6 networking (not supported yet)
    #[arg(long)]
    pub ipv6: bool,
    /// Set driver specific options (not supported yet)
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub opt: Vec<String>,
    #[arg(value_name = "NETWORK")]
    pub name: String,
}

fn create_cmd(store: &Store, a: &CreateArgs) -> anyhow::Result<i32> {
    let opts = create::CreateOptions {
        name: a.name.clone(),
        driver: a.driver.clone(),
        subnet: a.subnet.clone(),
        gateway: a.gateway.clone(),
        internal: a.internal,
        labels: a.label.clone(),
        ip_range: a.ip_range.clone(),
        ipv6: a.ipv6,
        options: a.opt.clone(),
    };
    let rec = create::create(store, &opts)?;
    println!("{}", rec.id);
    Ok(0)
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// Only display network IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not truncate the output
    #[arg(long)]
    pub no_trunc: bool,
    /// Filter output based on conditions provided (name, id, driver, label, scope, type=custom|builtin, dangling)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Format output using a Go template, "table", "table TEMPLATE" or "json"
    #[arg(long)]
    pub format: Option<String>,
}

const LS_TABLE: &str = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";

fn ls(store: &Store, a: &LsArgs) -> anyhow::Result<i32> {
    let filters = list::NetworkFilters::parse(&a.filter)?;
    let nets = list::list(store, &filters)?;
    if a.quiet {
        nets.iter().for_each(|n| println!("{}", id(n, a.no_trunc)));
        return Ok(0);
    }
    let values: Vec<Value> = nets.iter().map(|n| row(n, a.no_trunc)).collect();
    let headers = json!({
        "ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE",
        "IPv6": "IPV6", "Internal": "INTERNAL", "Labels": "LABELS", "CreatedAt": "CREATED AT",
    });
    print_list(a.format.as_deref(), LS_TABLE, &headers, &values)?;
    Ok(0)
}

fn id(n: &Network, no_trunc: bool) -> String {
    match no_trunc {
        true => n.rec.id.clone(),
        false => n.rec.id.chars().take(12).collect(),
    }
}

/// docker's row, its fields in the order `--format json` prints them.
fn row(n: &Network, no_trunc: bool) -> Value {
    let r = &n.rec;
    let labels: Vec<String> = r.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let created = match units::parse_rfc3339(&r.created) {
        Some((s, _)) if !n.builtin => units::format_go_time(s),
        _ => "0001-01-01 00:00:00 +0000 UTC".into(),
    };
    json!({
        "CreatedAt": created,
        "Driver": r.driver,
        "ID": id(n, no_trunc),
        "IPv6": "false",
        "Internal": r.internal.to_string(),
        "Labels": labels.join(","),
        "Name": r.name,
        "Scope": "local",
    })
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    #[arg(required = true, value_name = "NETWORK")]
    pub networks: Vec<String>,
    /// Format output using a Go template or "json"
    #[arg(short, long)]
    pub format: Option<String>,
}

/// Prints the networks found; each one missing is an error on stderr and
/// exit status 125 (the found ones are still printed).
pub fn inspect(store: &Store, names: &[String], format: Option<&str>) -> anyhow::Result<i32> {
    print_inspected(list::inspect(store, names)?, format)
}

#[derive(Args, Debug)]
pub struct RmArgs {
    #[arg(required = true, value_name = "NETWORK")]
    pub networks: Vec<String>,
    /// Do not error if the network does not exist
    #[arg(short, long)]
    pub force: bool,
}

fn rm(store: &Store, settings: &Settings, a: &RmArgs) -> anyhow::Result<i32> {
    let mut code = 0;
    for n in &a.networks {
        match remove::remove(store, &settings.runroot, n, a.force) {
            Ok(Some(_)) => println!("{n}"),
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
pub struct PruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Provide filter values (until=TIMESTAMP, label=KEY[=VALUE])
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
}

fn prune(store: &Store, settings: &Settings, a: &PruneArgs) -> anyhow::Result<i32> {
    let now = units::now().0;
    let filters = ImageFilters::parse(&a.filter, remove::PRUNE_FILTERS, now)?;
    if !a.force && !super::confirm("all custom networks not used by at least one container") {
        return Ok(0);
    }
    let removed = remove::prune(store, &settings.runroot, &filters)?;
    if !removed.is_empty() {
        println!("Deleted Networks:");
        removed.iter().for_each(|n| println!("{n}"));
        println!();
    }
    Ok(0)
}

#[derive(Args, Debug)]
pub struct ConnectArgs {
    /// Add network-scoped alias for the container
    #[arg(long, value_name = "ALIAS")]
    pub alias: Vec<String>,
    /// IPv4 address (e.g., "10.89.1.7")
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
    /// IPv6 address (not supported yet)
    #[arg(long, value_name = "IP")]
    pub ip6: Option<String>,
    #[arg(value_name = "NETWORK")]
    pub network: String,
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

fn connect_cmd(store: &Store, runroot: &std::path::Path, a: &ConnectArgs) -> anyhow::Result<i32> {
    let opts = connect::ConnectOptions {
        network: a.network.clone(),
        container: a.container.clone(),
        aliases: a.alias.clone(),
        ip: a.ip.clone(),
        ip6: a.ip6.clone(),
    };
    connect::connect(store, runroot, &opts)?;
    Ok(0)
}

#[derive(Args, Debug)]
pub struct DisconnectArgs {
    /// Force the container to disconnect from a network
    #[arg(short, long)]
    pub force: bool,
    #[arg(value_name = "NETWORK")]
    pub network: String,
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

fn disconnect_cmd(
    store: &Store,
    runroot: &std::path::Path,
    a: &DisconnectArgs,
) -> anyhow::Result<i32> {
    connect::disconnect(store, runroot, &a.network, &a.container, a.force)?;
    Ok(0)
}
