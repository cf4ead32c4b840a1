//! Man pages and shell completions, generated from the clap definition into
//! `man/` and `completions/`; `--check` fails when the files are stale.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// The repository root that holds man/ and completions/
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// Only check that the files are current
    #[arg(long)]
    pub check: bool,
}

pub fn run(a: &GenerateArgs) -> anyhow::Result<i32> {
    let files = render()?;
    let mut stale = Vec::new();
    for (rel, content) in &files {
        let path = a.dir.join(rel);
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(content.as_slice()) {
            continue;
        }
        if a.check {
            stale.push(rel.clone());
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, content)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    for dir in ["man", "completions"] {
        let known: Vec<&String> = files.iter().map(|(r, _)| r).collect();
        for entry in std::fs::read_dir(a.dir.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if !known.contains(&&rel) {
                if a.check {
                    stale.push(rel);
                } else {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
    if !stale.is_empty() {
        bail!(
            "generated files are stale: {}\nhint: run `cargo run -- generate` and commit the result",
            stale.join(", ")
        );
    }
    Ok(0)
}

fn render() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = super::Cli::command();
    cmd.build();
    let mut out = Vec::new();
    man_pages(&cmd, "kist", &mut out)?;
    for (shell, name) in [
        (Shell::Bash, "kist.bash"),
        (Shell::Zsh, "_kist"),
        (Shell::Fish, "kist.fish"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd.clone(), "kist", &mut buf);
        out.push((format!("completions/{name}"), buf));
    }
    Ok(out)
}

fn man_pages(
    cmd: &clap::Command,
    name: &str,
    out: &mut Vec<(String, Vec<u8>)>,
) -> anyhow::Result<()> {
    let page = cmd.clone().name(name.to_string());
    let mut buf = Vec::new();
    clap_mangen::Man::new(page).render(&mut buf)?;
    out.push((
        Path::new("man")
            .join(format!("{name}.1"))
            .display()
            .to_string(),
        buf,
    ));
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        man_pages(sub, &format!("{name}-{}", sub.get_name()), out)?;
    }
    Ok(())
}
