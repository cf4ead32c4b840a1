//! Image commands: images, image ls/rm/inspect/history/prune/tag, rmi, tag,
//! history, inspect.

use clap::{ArgAction, Args, Subcommand};
use serde_json::{json, Value};

use super::archive::{ImportArgs, LoadArgs, SaveArgs};
use super::output::{ellipsis, image_id, print_inspected, print_list, since};
use crate::config::Settings;
use crate::engine::filters::ImageFilters;
use crate::engine::{self, history::HistoryRow, images::ImageRow, remove::Removed};
use crate::format::units;
use crate::store::Store;

#[derive(Subcommand, Debug)]
pub enum ImageCommand {
    /// List images
    #[command(visible_alias = "list")]
    Ls(ImagesArgs),
    /// Remove one or more images
    #[command(visible_alias = "remove")]
    Rm(RmiArgs),
    /// Display detailed information on one or more images
    Inspect(ImageInspectArgs),
    /// Show the history of an image
    History(HistoryArgs),
    /// Remove unused images
    Prune(PruneArgs),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(TagArgs),
    /// Load images from a tar archive or standard input
    Load(LoadArgs),
    /// Save one or more images to a tar archive
    Save(SaveArgs),
    /// Import the contents of a tarball to create a filesystem image
    Import(ImportArgs),
}

pub fn dispatch(store: &Store, cmd: ImageCommand) -> anyhow::Result<i32> {
    match cmd {
        ImageCommand::Ls(a) => list(store, &a),
        ImageCommand::Rm(a) => rmi(store, &a),
        ImageCommand::Inspect(a) => inspect_images(store, &a.images, a.format.as_deref()),
        ImageCommand::History(a) => history(store, &a),
        ImageCommand::Prune(a) => prune(store, &a),
        ImageCommand::Tag(a) => tag(store, &a),
        ImageCommand::Load(a) => super::archive::load(store, &a),
        ImageCommand::Save(a) => super::archive::save(store, &a),
        ImageCommand::Import(a) => super::archive::import(store, &a),
    }
}

#[derive(Args, Debug)]
pub struct ImagesArgs {
    /// Only images of this repository (and tag)
    #[arg(value_name = "REPOSITORY[:TAG]")]
    pub reference: Option<String>,
    /// Show all images (default hides intermediate images)
    #[arg(short, long)]
    pub all: bool,
    /// Only show image IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Show digests
    #[arg(long)]
    pub digests: bool,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Filter output based on conditions provided (dangling, label, reference, before, since)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Format output using a Go template, "table", "table TEMPLATE" or "json"
    #[arg(long)]
    pub format: Option<String>,
}

const IMAGES_TABLE: &str = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
const IMAGES_TABLE_DIGESTS: &str =
    "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

pub fn list(store: &Store, a: &ImagesArgs) -> anyhow::Result<i32> {
    let mut filter = a.filter.clone();
    if let Some(r) = &a.reference {
        filter.push(format!("reference={r}"));
    }
    let opts = engine::images::ListOptions {
        all: a.all,
        filters: ImageFilters::parse(&filter, engine::images::LIST_FILTERS, 0)?,
    };
    let rows = engine::images::list(store, &opts)?;
    if a.quiet {
        let mut seen = Vec::new();
        for r in &rows {
            let id = image_id(&r.id, a.no_trunc);
            if !seen.contains(&id) {
                println!("{id}");
                seen.push(id);
            }
        }
        return Ok(0);
    }
    let values: Vec<Value> = rows.iter().map(|r| image_row(r, a.no_trunc)).collect();
    let headers = json!({
        "Repository": "REPOSITORY", "Tag": "TAG", "ID": "IMAGE ID", "CreatedSince": "CREATED",
        "CreatedAt": "CREATED AT", "Size": "SIZE", "Digest": "DIGEST", "Containers": "CONTAINERS",
        "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE", "VirtualSize": "VIRTUAL SIZE",
    });
    let default = if a.digests {
        IMAGES_TABLE_DIGESTS
    } else {
        IMAGES_TABLE
    };
    print_list(a.format.as_deref(), default, &headers, &values)?;
    Ok(0)
}

fn image_row(r: &ImageRow, no_trunc: bool) -> Value {
    let none = || "<none>".to_string();
    let size = units::human_size(r.size);
    json!({
        "Containers": "N/A",
        "CreatedAt": units::format_go_time(r.created),
        "CreatedSince": since(r.created),
        "Digest": r.digest.clone().unwrap_or_else(none),
        "ID": image_id(&r.id, no_trunc),
        "Repository": r.repository.clone().unwrap_or_else(none),
        "SharedSize": "N/A",
        "Size": size,
        "Tag": r.tag.clone().unwrap_or_else(none),
        "UniqueSize": "N/A",
        "VirtualSize": size,
    })
}

#[derive(Args, Debug)]
pub struct RmiArgs {
    /// Images to remove (name, ID or short ID)
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<String>,
    /// Force removal of the image (all its names)
    #[arg(short, long)]
    pub force: bool,
    /// Do not delete untagged parents
    #[arg(long)]
    pub no_prune: bool,
}

pub fn rmi(store: &Store, a: &RmiArgs) -> anyhow::Result<i32> {
    let opts = engine::remove::RemoveOptions {
        force: a.force,
        no_prune: a.no_prune,
    };
    let mut code = 0;
    for image in &a.images {
        match engine::remove::remove(store, image, opts) {
            Ok(items) => print_removed(&items, "Untagged: ", "Deleted: "),
            Err(e) => {
                eprintln!("Error: {e}");
                code = super::EXIT_KIST;
            }
        }
    }
    Ok(code)
}

fn print_removed(items: &[Removed], untagged: &str, deleted: &str) {
    for item in items {
        match item {
            Removed::Untagged(n) => println!("{untagged}{n}"),
            Removed::Deleted(d) => println!("{deleted}{d}"),
        }
    }
}

#[derive(Args, Debug)]
pub struct TagArgs {
    #[arg(value_name = "SOURCE_IMAGE[:TAG]")]
    pub source: String,
    #[arg(value_name = "TARGET_IMAGE[:TAG]")]
    pub target: String,
}

pub fn tag(store: &Store, a: &TagArgs) -> anyhow::Result<i32> {
    engine::tag::tag(store, &a.source, &a.target)?;
    Ok(0)
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Print sizes and dates in human readable format
    #[arg(short = 'H', long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub human: bool,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Only show image IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Format output using a Go template, "table", "table TEMPLATE" or "json"
    #[arg(long)]
    pub format: Option<String>,
}

const HISTORY_TABLE: &str =
    "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";

pub fn history(store: &Store, a: &HistoryArgs) -> anyhow::Result<i32> {
    let rows = engine::history::history(store, &a.image)?;
    let id = |r: &HistoryRow| match &r.id {
        Some(d) => image_id(d, a.no_trunc),
        None => "<missing>".into(),
    };
    if a.quiet {
        rows.iter().for_each(|r| println!("{}", id(r)));
        return Ok(0);
    }
    let values: Vec<Value> = rows
        .iter()
        .map(|r| {
            let created_by = r.created_by.replace('\t', " ");
            json!({
                "ID": id(r),
                "CreatedSince": if a.human { since(r.created) } else { units::format_rfc3339_nano(r.created, 0) },
                "CreatedAt": units::format_rfc3339_nano(r.created, 0),
                "CreatedBy": if a.no_trunc { created_by } else { ellipsis(&created_by, 45) },
                "Size": if a.human { units::human_size(r.size) } else { r.size.to_string() },
                "Comment": r.comment,
                "Tags": r.tags.join(", "),
            })
        })
        .collect();
    let headers = json!({
        "ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
        "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT", "Tags": "TAGS",
    });
    print_list(a.format.as_deref(), HISTORY_TABLE, &headers, &values)?;
    Ok(0)
}

#[derive(Args, Debug)]
pub struct ImageInspectArgs {
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<String>,
    /// Format output using a Go template or "json"
    #[arg(short, long)]
    pub format: Option<String>,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    #[arg(required = true, value_name = "NAME|ID")]
    pub names: Vec<String>,
    /// Format output using a Go template or "json"
    #[arg(short, long)]
    pub format: Option<String>,
    /// Only inspect objects of this type: container, image or network
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,
}

pub fn inspect(store: &Store, settings: &Settings, a: &InspectArgs) -> anyhow::Result<i32> {
    match a.kind.as_deref() {
        None => super::containers_read::inspect_any(store, settings, &a.names, a.format.as_deref()),
        Some("container") => super::containers_read::inspect(
            store,
            settings,
            &super::containers_read::ContainerInspectArgs {
                containers: a.names.clone(),
                format: a.format.clone(),
                size: false,
            },
        ),
        Some("image") => inspect_images(store, &a.names, a.format.as_deref()),
        Some("network") => super::networks::inspect(store, &a.names, a.format.as_deref()),
        Some(other) => {
            Err(engine::EngineError::NotSupported(format!("inspect --type {other}")).into())
        }
    }
}

fn inspect_images(store: &Store, names: &[String], format: Option<&str>) -> anyhow::Result<i32> {
    print_inspected(engine::inspect::inspect(store, names)?, format)
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Remove all unused images, not just dangling ones
    #[arg(short, long)]
    pub all: bool,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Provide filter values (until=TIMESTAMP, label=KEY[=VALUE])
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
}

pub fn prune(store: &Store, a: &PruneArgs) -> anyhow::Result<i32> {
    let now = units::now().0;
    let opts = engine::remove::PruneOptions {
        all: a.all,
        filters: ImageFilters::parse(&a.filter, engine::remove::PRUNE_FILTERS, now)?,
    };
    let what = if a.all {
        "all images without at least one container associated to them"
    } else {
        "all dangling images"
    };
    if !a.force && !super::confirm(what) {
        return Ok(0);
    }
    let report = engine::remove::prune(store, &opts)?;
    if !report.removed.is_empty() {
        println!("Deleted Images:");
        print_removed(&report.removed, "untagged: ", "deleted: ");
        println!();
    }
    println!(
        "Total reclaimed space: {}",
        units::human_size(report.reclaimed)
    );
    Ok(0)
}
