//! Archive commands: load, save, import.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::engine::input::Input;
use crate::engine::load::Loaded;
use crate::engine::save::{ArchiveFormat, Output};
use crate::engine::{import as import_engine, load as load_engine, save as save_engine};
use crate::store::Store;

#[derive(Args, Debug)]
pub struct LoadArgs {
    /// Read from tar archive file, instead of standard input
    #[arg(short, long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Suppress the load progress
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn load(store: &Store, a: &LoadArgs) -> anyhow::Result<i32> {
    let input = match &a.input {
        Some(p) => Input::Path(p.clone()),
        None => Input::Stdin,
    };
    let report = load_engine::load(store, &load_engine::LoadOptions { input })?;
    for w in &report.warnings {
        eprintln!("Warning: {w}");
    }
    for l in &report.loaded {
        match l {
            Loaded::Name(n) => println!("Loaded image: {n}"),
            Loaded::Id(id) => println!("Loaded image ID: {id}"),
        }
    }
    Ok(0)
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum SaveFormat {
    /// docker save's layout (also a valid OCI layout)
    DockerArchive,
    /// An OCI image layout in a tar archive
    OciArchive,
}

#[derive(Args, Debug)]
pub struct SaveArgs {
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<String>,
    /// Write to a file, instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Archive format
    #[arg(long, value_enum, default_value = "docker-archive")]
    pub format: SaveFormat,
}

pub fn save(store: &Store, a: &SaveArgs) -> anyhow::Result<i32> {
    let opts = save_engine::SaveOptions {
        images: a.images.clone(),
        format: match a.format {
            SaveFormat::DockerArchive => ArchiveFormat::Docker,
            SaveFormat::OciArchive => ArchiveFormat::Oci,
        },
        output: match &a.output {
            Some(p) => Output::Path(p.clone()),
            None => Output::Stdout,
        },
    };
    save_engine::save(store, &opts)?;
    Ok(0)
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// A tarball of a root filesystem (plain, gzip or zstd), or - for standard input
    #[arg(value_name = "file|-")]
    pub source: String,
    /// Name of the new image
    #[arg(value_name = "REPOSITORY[:TAG]")]
    pub reference: Option<String>,
    /// Apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)
    #[arg(short, long, value_name = "INSTRUCTION")]
    pub change: Vec<String>,
    /// Set a commit message for the imported image
    #[arg(short, long)]
    pub message: Option<String>,
    /// Set the platform (os/arch[/variant]) of the image
    #[arg(long)]
    pub platform: Option<String>,
}

pub fn import(store: &Store, a: &ImportArgs) -> anyhow::Result<i32> {
    if a.source.contains("://") {
        return Err(crate::engine::EngineError::NotSupported(format!(
            "importing from a URL ({})\nhint: download it first, then kist import FILE",
            a.source
        ))
        .into());
    }
    let input = if a.source == "-" {
        Input::Stdin
    } else {
        Input::Path(PathBuf::from(&a.source))
    };
    let opts = import_engine::ImportOptions {
        input,
        source_name: a.source.clone(),
        reference: a.reference.clone(),
        changes: a.change.clone(),
        message: a.message.clone(),
        platform: a.platform.clone(),
    };
    let report = import_engine::import(store, &opts)?;
    for w in &report.warnings {
        eprintln!("Warning: {w}");
    }
    println!("{}", report.id);
    Ok(0)
}
