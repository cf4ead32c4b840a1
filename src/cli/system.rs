//! System commands: version, info, unshare.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;

use clap::Args;

use crate::config::Settings;
use crate::engine::system;
use crate::format::units;
use crate::store::Store;

#[derive(Args, Debug)]
pub struct VersionArgs {
    /// Format output using a Go template or "json"
    #[arg(short, long)]
    pub format: Option<String>,
}

pub fn version(a: &VersionArgs) -> anyhow::Result<i32> {
    let report = system::version();
    if let Some(f) = &a.format {
        print!(
            "{}",
            crate::format::render_one(f, &serde_json::to_value(&report)?)?
        );
        return Ok(0);
    }
    let c = &report.client;
    println!("Client:");
    println!(" Version:           {}", c.version);
    println!(" API version:       {}", c.api_version);
    println!(" OS/Arch:           {}/{}", c.os, c.arch);
    println!(" Kernel version:    {}", c.kernel_version);
    println!(" Platform:          {}", c.platform.name);
    Ok(0)
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// Format output using a Go template or "json"
    #[arg(short, long)]
    pub format: Option<String>,
}

pub fn info(settings: &Settings, store: &Store, a: &InfoArgs) -> anyhow::Result<i32> {
    let report = system::info(settings, store)?;
    let v = serde_json::to_value(&report)?;
    if let Some(f) = &a.format {
        print!("{}", crate::format::render_one(f, &v)?);
        return Ok(0);
    }
    let r = &report;
    println!(
        "Client:\n Version:    {}\n Context:    daemonless\n",
        r.server_version
    );
    println!("Server:");
    println!(" Containers: {}", r.containers);
    println!(
        "  Running: {}\n  Paused: {}\n  Stopped: {}",
        r.containers_running, r.containers_paused, r.containers_stopped
    );
    println!(" Images: {}", r.images);
    println!(" Server Version: {} (kist, daemonless)", r.server_version);
    println!(" Storage Driver: {}", r.driver);
    for [k, v] in &r.driver_status {
        println!("  {k}: {v}");
    }
    println!(
        " Cgroup Driver: {}\n Cgroup Version: {}",
        r.cgroup_driver, r.cgroup_version
    );
    println!(" Security Options:");
    for s in &r.security_options {
        println!(
            "  {}",
            s.trim_start_matches("name=")
                .replace(",profile=", "\n   Profile: ")
        );
    }
    println!(" Rootless: {}", r.rootless);
    if r.rootless {
        let show = |ranges: &[crate::runtime::idmap::IdRange]| {
            ranges
                .iter()
                .map(|x| format!("{}->{} ({})", x.inner, x.host, x.count))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            " ID Mappings:\n  UIDs: {}\n  GIDs: {}",
            show(&r.id_mappings.uid_map),
            show(&r.id_mappings.gid_map)
        );
        if r.id_mappings.uid_map.len() < 2 {
            println!("  WARNING: no range in /etc/subuid or /etc/subgid: images are stored with every file owned by you");
        }
    }
    println!(" Kernel Version: {}", r.kernel_version);
    println!(" Operating System: {}", r.operating_system);
    println!(
        " OSType: {}\n Architecture: {}\n CPUs: {}",
        r.os_type, r.architecture, r.ncpu
    );
    println!(" Total Memory: {}", human_binary(r.mem_total));
    println!(" Name: {}", r.name);
    println!(
        " Kist Root Dir: {}\n Run Root: {}",
        r.docker_root_dir, r.run_root
    );
    if !r.config_file.is_empty() {
        println!(" Config File: {}", r.config_file);
    }
    Ok(0)
}

fn human_binary(bytes: u64) -> String {
    let gib = bytes as f64 / (1u64 << 30) as f64;
    if gib >= 1.0 {
        format!("{gib:.2}GiB")
    } else {
        units::human_size(bytes)
    }
}

#[derive(Args, Debug)]
pub struct UnshareArgs {
    /// The command to run (default: $SHELL)
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<OsString>,
}

pub fn unshare(a: &UnshareArgs) -> anyhow::Result<i32> {
    let mut argv = a.command.clone();
    if argv.is_empty() {
        argv.push(std::env::var_os("SHELL").unwrap_or_else(|| "/bin/sh".into()));
    }
    let err = std::process::Command::new(&argv[0]).args(&argv[1..]).exec();
    let code = if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    };
    eprintln!("Error: cannot run {:?}: {err}", argv[0]);
    Ok(code)
}
