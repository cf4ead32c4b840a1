//! Where an archive or tarball comes from: a file or standard input. An
//! archive must be a seekable, uncompressed file to be read by offset, so a
//! pipe or a compressed file is first copied (decompressed) into the
//! command's workspace.

use std::fs::File;
use std::io::{self, BufReader, IsTerminal, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::PathBuf;

use super::{EngineError, Result};
use crate::image::compression::{self, Compression};
use crate::store::Workspace;

#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    Stdin,
}

impl Input {
    pub fn describe(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Stdin => "standard input".into(),
        }
    }

    fn io_err(&self, action: &'static str) -> impl FnOnce(io::Error) -> EngineError + '_ {
        move |source| EngineError::Io {
            action,
            path: self.describe(),
            source,
        }
    }

    /// The input as a plain file path, when it already is one.
    fn direct_path(&self) -> Option<PathBuf> {
        match self {
            Input::Path(p) => Some(p.clone()),
            Input::Stdin => {
                let meta = File::open("/proc/self/fd/0")
                    .and_then(|f| f.metadata())
                    .ok()?;
                let t = meta.file_type();
                (t.is_file() && !t.is_fifo()).then(|| PathBuf::from("/proc/self/fd/0"))
            }
        }
    }

    /// A streaming reader of the raw bytes.
    pub fn open(&self) -> Result<Box<dyn Read>> {
        match self {
            Input::Path(p) => Ok(Box::new(File::open(p).map_err(self.io_err("open"))?)),
            Input::Stdin => {
                if io::stdin().is_terminal() {
                    return Err(EngineError::Invalid(
                        "requested to read from standard input, but it is a terminal\nhint: give a file (-i FILE) or redirect the input (< FILE)".into(),
                    ));
                }
                Ok(Box::new(io::stdin()))
            }
        }
    }

    /// An uncompressed, seekable file with the input's content.
    pub fn seekable_file(&self, ws: &Workspace) -> Result<PathBuf> {
        let what = self.describe();
        let mut reader = BufReader::with_capacity(1 << 20, self.open()?);
        let kind = compression::sniff(&mut reader, &what)?;
        if kind == Compression::None {
            if let Some(path) = self.direct_path() {
                return Ok(path);
            }
        }
        let spool = ws.new_path("input");
        let mut out = File::create(&spool).map_err(|source| EngineError::Io {
            action: "create",
            path: spool.display().to_string(),
            source,
        })?;
        let mut decoded = compression::decoder(reader, kind).map_err(self.io_err("decompress"))?;
        io::copy(&mut decoded, &mut out).map_err(self.io_err("read"))?;
        Ok(spool)
    }
}
