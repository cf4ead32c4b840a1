//! Registry commands: pull, push, login, logout, search, manifest inspect.

use std::path::PathBuf;

use clap::Args;

use super::progress::{reporter, Verb};
use crate::config::Settings;
use crate::engine::pull::{self as pull_engine, PullOptions};
use crate::engine::remote::RemoteOptions;
use crate::image::spec::Platform;
use crate::store::Store;

/// The flags every registry command takes (podman's).
#[derive(Args, Debug, Clone)]
pub struct RemoteArgs {
    /// Require HTTPS and verify certificates (default: as registries.conf
    /// says; loopback registries may use plain HTTP, as with docker)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,
    /// A directory with the registry's CA (ca.crt) and client certificates
    #[arg(long, value_name = "DIR")]
    pub cert_dir: Option<PathBuf>,
    /// Credentials (USERNAME[:PASSWORD]) to use instead of stored ones
    #[arg(long, value_name = "USER:PASSWORD")]
    pub creds: Option<String>,
    /// The credentials file (default: podman's auth.json, then docker's config.json)
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<PathBuf>,
}

impl RemoteArgs {
    pub fn options(&self) -> anyhow::Result<RemoteOptions> {
        let creds = match &self.creds {
            None => None,
            Some(c) => {
                let (user, pass) = match c.split_once(':') {
                    Some((u, p)) => (u.to_string(), p.to_string()),
                    None => (
                        c.clone(),
                        super::prompt_password(&format!("Password for {c}: "))?,
                    ),
                };
                if user.is_empty() {
                    anyhow::bail!("--creds {c:?} has no username\nhint: use --creds USER:PASSWORD");
                }
                Some((user, pass))
            }
        };
        Ok(RemoteOptions {
            tls_verify: self.tls_verify,
            cert_dir: self.cert_dir.clone(),
            creds,
            authfile: self.authfile.clone(),
        })
    }
}

/// How a platform is chosen (docker's --platform, podman's --os/--arch/--variant).
#[derive(Args, Debug, Clone)]
pub struct PlatformArgs {
    /// Platform OS/ARCH[/VARIANT] (default: the host's)
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// Architecture (overrides --platform's)
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<String>,
    /// Operating system (overrides --platform's)
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,
    /// Architecture variant (overrides --platform's)
    #[arg(long, value_name = "VARIANT")]
    pub variant: Option<String>,
}

impl PlatformArgs {
    pub fn resolve(&self) -> anyhow::Result<Platform> {
        Platform::resolve(
            self.platform.as_deref(),
            self.os.as_deref(),
            self.arch.as_deref(),
            self.variant.as_deref(),
        )
        .map_err(anyhow::Error::msg)
    }
}

#[derive(Args, Debug)]
pub struct PullArgs {
    /// NAME[:TAG|@DIGEST]
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Download all tagged images in the repository
    #[arg(short, long)]
    pub all_tags: bool,
    /// Suppress progress output (the image ID is still printed)
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub platform: PlatformArgs,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

pub fn pull(store: &Store, settings: &Settings, a: &PullArgs) -> anyhow::Result<i32> {
    let opts = PullOptions {
        reference: a.name.clone(),
        platform: a.platform.resolve()?,
        all_tags: a.all_tags,
        remote: a.remote.options()?,
    };
    let progress = reporter(Verb::Pull, a.quiet);
    let report = pull_engine::pull(store, settings, &opts, progress.as_ref())?;
    for w in &report.warnings {
        eprintln!("WARNING: {w}");
    }
    for p in &report.images {
        if !a.quiet {
            eprintln!("Digest: {}", p.digest);
            let status = if p.fresh {
                "Downloaded newer image for"
            } else {
                "Image is up to date for"
            };
            eprintln!("Status: {status} {}", p.reference);
        }
        println!("{}", p.id.hex());
    }
    Ok(0)
}

#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum CompressionFormat {
    Gzip,
    Zstd,
}

#[derive(Args, Debug)]
pub struct PushArgs {
    /// The local image: NAME[:TAG] or ID
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Where to push (default: the image's name)
    #[arg(value_name = "DESTINATION")]
    pub destination: Option<String>,
    /// Suppress progress output
    #[arg(short, long)]
    pub quiet: bool,
    /// Layer compression
    #[arg(long, value_enum, default_value = "gzip")]
    pub compression_format: CompressionFormat,
    /// Compression level (gzip 0-9, default 1, the fastest; zstd 1-19, default 3)
    #[arg(long, value_name = "LEVEL")]
    pub compression_level: Option<i32>,
    /// Write the pushed manifest's digest to this file
    #[arg(long, value_name = "FILE")]
    pub digestfile: Option<PathBuf>,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

pub fn push(store: &Store, settings: &Settings, a: &PushArgs) -> anyhow::Result<i32> {
    use crate::engine::push::{push as push_engine, PushOptions};
    use crate::image::compression::Compression;
    let opts = PushOptions {
        image: a.image.clone(),
        destination: a.destination.clone(),
        compression: match a.compression_format {
            CompressionFormat::Gzip => Compression::Gzip,
            CompressionFormat::Zstd => Compression::Zstd,
        },
        level: a.compression_level,
        remote: a.remote.options()?,
    };
    let progress = reporter(Verb::Push, a.quiet);
    let report = push_engine(store, settings, &opts, progress.as_ref())?;
    if let Some(path) = &a.digestfile {
        std::fs::write(path, report.digest.as_str())
            .map_err(|e| anyhow::anyhow!("cannot write digest file {}: {e}", path.display()))?;
    }
    if !a.quiet {
        let tag = crate::image::reference::Reference::parse(&report.reference)
            .ok()
            .and_then(|r| r.tag)
            .unwrap_or_default();
        println!("{tag}: digest: {} size: {}", report.digest, report.size);
    }
    Ok(0)
}

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// The registry (default: docker.io)
    #[arg(value_name = "SERVER")]
    pub server: Option<String>,
    /// Username
    #[arg(short, long)]
    pub username: Option<String>,
    /// Password (prefer --password-stdin)
    #[arg(short, long)]
    pub password: Option<String>,
    /// Take the password from standard input
    #[arg(long)]
    pub password_stdin: bool,
    /// Print the username stored for the registry
    #[arg(long)]
    pub get_login: bool,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

pub fn login(settings: &Settings, a: &LoginArgs) -> anyhow::Result<i32> {
    use crate::engine::login as engine;
    use std::io::{BufRead, IsTerminal, Read, Write};
    if a.remote.creds.is_some() {
        anyhow::bail!(
            "kist login does not take --creds: it stores the credentials it is given\nhint: kist login -u USER --password-stdin SERVER"
        );
    }
    let remote = a.remote.options()?;
    if a.get_login {
        println!(
            "{}",
            engine::stored_login(settings, a.server.as_deref(), remote)?
        );
        return Ok(0);
    }
    let username = match &a.username {
        Some(u) => u.clone(),
        None if std::io::stdin().is_terminal() && !a.password_stdin => {
            eprint!("Username: ");
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim().to_string()
        }
        None => anyhow::bail!("a username is required\nhint: kist login -u USER --password-stdin"),
    };
    let password = if a.password_stdin {
        if a.password.is_some() {
            anyhow::bail!("--password and --password-stdin are mutually exclusive");
        }
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text.trim_end_matches(['\n', '\r']).to_string()
    } else if let Some(p) = &a.password {
        eprintln!("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        p.clone()
    } else {
        super::prompt_password("Password: ")?
    };
    let opts = engine::LoginOptions {
        registry: a.server.clone(),
        username,
        password,
        remote,
    };
    let stored = engine::login(settings, &opts)?;
    eprintln!("Credentials saved in {stored}");
    println!("Login Succeeded");
    Ok(0)
}

#[derive(Args, Debug)]
pub struct LogoutArgs {
    /// The registry (default: docker.io)
    #[arg(value_name = "SERVER")]
    pub server: Option<String>,
    /// The credentials file
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<PathBuf>,
}

pub fn logout(settings: &Settings, a: &LogoutArgs) -> anyhow::Result<i32> {
    let remote = RemoteOptions {
        authfile: a.authfile.clone(),
        ..Default::default()
    };
    let registry = crate::engine::login::logout(settings, a.server.as_deref(), remote)?;
    println!("Removing login credentials for {registry}");
    Ok(0)
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// What to look for ([REGISTRY/]TERM)
    #[arg(value_name = "TERM")]
    pub term: String,
    /// At most this many results per registry
    #[arg(long, default_value_t = 25)]
    pub limit: usize,
    /// Filter: stars=N, is-official=true|false
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Go template, or table / json
    #[arg(long)]
    pub format: Option<String>,
    /// Do not truncate descriptions
    #[arg(long)]
    pub no_trunc: bool,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

pub fn search(settings: &Settings, a: &SearchArgs) -> anyhow::Result<i32> {
    use crate::engine::search::{search as engine, SearchOptions};
    let mut min_stars = 0;
    let mut official = None;
    for f in &a.filter {
        match f.split_once('=') {
            Some(("stars", n)) => {
                min_stars = n
                    .parse()
                    .map_err(|_| anyhow::anyhow!("invalid filter {f:?}: stars takes a number"))?
            }
            Some(("is-official", v)) => {
                official = Some(v.parse::<bool>().map_err(|_| {
                    anyhow::anyhow!("invalid filter {f:?}: is-official takes true or false")
                })?)
            }
            _ => anyhow::bail!("invalid filter {f:?}\nhint: use stars=N or is-official=true|false"),
        }
    }
    let opts = SearchOptions {
        term: a.term.clone(),
        limit: a.limit,
        remote: a.remote.options()?,
    };
    let results: Vec<_> = engine(settings, &opts)?
        .into_iter()
        .filter(|r| r.stars >= min_stars && official.is_none_or(|o| o == r.official))
        .collect();
    let no_trunc = a.no_trunc;
    let rows: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            let desc = if no_trunc || r.description.chars().count() <= 45 {
                r.description.clone()
            } else {
                format!("{}...", r.description.chars().take(42).collect::<String>())
            };
            v["Description"] = desc.into();
            v["Official"] = (if r.official { "[OK]" } else { "" }).into();
            v
        })
        .collect();
    let default = "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.Official}}";
    let headers = serde_json::json!({
        "Name": "NAME", "Description": "DESCRIPTION", "StarCount": "STARS",
        "Official": "OFFICIAL", "IsOfficial": "OFFICIAL", "IsAutomated": "AUTOMATED", "Index": "INDEX"
    });
    super::output::print_list(a.format.as_deref(), default, &headers, &rows)?;
    Ok(0)
}

#[derive(clap::Subcommand, Debug)]
pub enum ManifestCommand {
    /// Show a manifest or image index from a registry
    Inspect(ManifestInspectArgs),
}

#[derive(Args, Debug)]
pub struct ManifestInspectArgs {
    /// NAME[:TAG|@DIGEST]
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Allow plain HTTP and unverified TLS (docker's flag; same as --tls-verify=false)
    #[arg(long)]
    pub insecure: bool,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

pub fn manifest(settings: &Settings, c: &ManifestCommand) -> anyhow::Result<i32> {
    let ManifestCommand::Inspect(a) = c;
    let mut remote = a.remote.options()?;
    if a.insecure {
        remote.tls_verify = Some(false);
    }
    let (bytes, _, _) = crate::engine::manifest::inspect(settings, &a.name, remote)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)?;
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(0)
}
