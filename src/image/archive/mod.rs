//! Docker and OCI image archives (`docker save` / `oci-archive:` files).
//!
//! Reading indexes the outer tar once (names → offsets), so that each layer
//! can then be streamed from its own file handle, several at a time.
//! Writing produces docker's current layout, which is an OCI image layout
//! plus docker's `manifest.json` and `repositories`.

pub mod plan;
pub mod write;

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub use plan::{plan, LayerSource, LoadImage};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot read {what}: {source}")]
    Io { what: String, source: io::Error },
    #[error("archive {what} is corrupt or truncated: {detail}")]
    Corrupt { what: String, detail: String },
    #[error("archive {what} has no entry {name:?}")]
    Missing { what: String, name: String },
    #[error("{what} is neither a docker archive (no manifest.json) nor an OCI archive (no index.json)\nhint: make one with kist save, docker save, podman save or skopeo copy")]
    UnknownFormat { what: String },
    #[error("archive {what}: {name} is not valid: {detail}")]
    BadJson {
        what: String,
        name: String,
        detail: String,
    },
    #[error("archive {what}: unknown media type {media_type:?} for {name}")]
    UnknownMediaType {
        what: String,
        name: String,
        media_type: String,
    },
    #[error("archive {what}: digest mismatch for {name}: expected {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        name: String,
        expected: String,
        actual: String,
    },
    #[error("archive {what}: {name} is {size} bytes, more than the {max} bytes allowed")]
    TooLarge {
        what: String,
        name: String,
        size: u64,
        max: u64,
    },
    #[error("archive {what}: {detail}")]
    Invalid { what: String, detail: String },
}

#[derive(Debug, Clone)]
enum Entry {
    File { offset: u64, size: u64 },
    Link(String),
}

/// An indexed archive file.
pub struct Archive {
    path: PathBuf,
    /// How errors name the archive.
    pub what: String,
    entries: HashMap<String, Entry>,
}

fn clean(name: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in name.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

impl Archive {
    pub fn index(path: &Path, what: &str) -> Result<Archive, ArchiveError> {
        let io = |source| ArchiveError::Io {
            what: what.to_string(),
            source,
        };
        // Details may quote raw bytes of a damaged header: keep them printable.
        let printable = |e: io::Error| {
            e.to_string()
                .chars()
                .map(|c| {
                    if c.is_control() || c == '\u{fffd}' {
                        '?'
                    } else {
                        c
                    }
                })
                .collect::<String>()
        };
        let corrupt = |e: io::Error| ArchiveError::Corrupt {
            what: what.to_string(),
            detail: printable(e),
        };
        let not_tar = |_: io::Error| ArchiveError::Corrupt {
            what: what.to_string(),
            detail: "it is not a tar archive: its first header is not valid".into(),
        };
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let mut tar = tar::Archive::new(BufReader::with_capacity(64 * 1024, file));
        let mut entries = HashMap::new();
        for entry in tar.entries_with_seek().map_err(not_tar)? {
            let entry = match entry {
                Ok(e) => e,
                Err(e) if entries.is_empty() => return Err(not_tar(e)),
                Err(e) => return Err(corrupt(e)),
            };
            let name = clean(&String::from_utf8_lossy(&entry.path_bytes()));
            let kind = entry.header().entry_type();
            if kind.is_file() {
                let (offset, size) = (entry.raw_file_position(), entry.size());
                if offset + size > len {
                    return Err(ArchiveError::Corrupt {
                        what: what.into(),
                        detail: format!("entry {name:?} ends past the end of the file"),
                    });
                }
                entries.insert(name, Entry::File { offset, size });
            } else if kind.is_symlink() || kind.is_hard_link() {
                let target = String::from_utf8_lossy(&entry.link_name_bytes().unwrap_or_default())
                    .to_string();
                let base = match (kind.is_symlink(), name.rsplit_once('/')) {
                    (true, Some((dir, _))) => format!("{dir}/"),
                    _ => String::new(),
                };
                entries.insert(name, Entry::Link(clean(&format!("{base}{target}"))));
            }
        }
        if entries.is_empty() {
            return Err(ArchiveError::Corrupt {
                what: what.into(),
                detail: "it holds no files (is it a tar archive?)".into(),
            });
        }
        Ok(Archive {
            path: path.to_path_buf(),
            what: what.to_string(),
            entries,
        })
    }

    pub fn has(&self, name: &str) -> bool {
        self.locate(name).is_ok()
    }

    fn locate(&self, name: &str) -> Result<(u64, u64), ArchiveError> {
        let mut name = clean(name);
        for _ in 0..16 {
            match self.entries.get(&name) {
                Some(Entry::File { offset, size }) => return Ok((*offset, *size)),
                Some(Entry::Link(target)) => name = target.clone(),
                None => break,
            }
        }
        Err(ArchiveError::Missing {
            what: self.what.clone(),
            name,
        })
    }

    /// The size of an entry's content.
    pub fn size(&self, name: &str) -> Result<u64, ArchiveError> {
        self.locate(name).map(|(_, size)| size)
    }

    /// A reader of one entry's content, on its own file handle; reading
    /// past the end of a truncated file is an error, not a short read.
    /// Unbuffered: callers read in large blocks.
    pub fn open(&self, name: &str) -> Result<ExactReader<File>, ArchiveError> {
        let (offset, size) = self.locate(name)?;
        let io = |source| ArchiveError::Io {
            what: self.what.clone(),
            source,
        };
        let mut file = File::open(&self.path).map_err(io)?;
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        Ok(ExactReader {
            inner: file,
            left: size,
        })
    }

    /// A small entry (a manifest or config), read whole.
    pub fn read(&self, name: &str, max: u64) -> Result<Vec<u8>, ArchiveError> {
        let size = self.size(name)?;
        if size > max {
            return Err(ArchiveError::TooLarge {
                what: self.what.clone(),
                name: name.into(),
                size,
                max,
            });
        }
        let mut data = Vec::with_capacity(size as usize);
        self.open(name)?
            .read_to_end(&mut data)
            .map_err(|e| ArchiveError::Corrupt {
                what: self.what.clone(),
                detail: format!("{name}: {e}"),
            })?;
        Ok(data)
    }

    pub fn read_json<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, ArchiveError> {
        let data = self.read(name, 8 << 20)?;
        serde_json::from_slice(&data).map_err(|e| ArchiveError::BadJson {
            what: self.what.clone(),
            name: name.into(),
            detail: e.to_string(),
        })
    }
}

/// Reads exactly `left` bytes; an early end of file is an error.
pub struct ExactReader<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for ExactReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let want = buf.len().min(self.left as usize);
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the archive ends in the middle of this entry",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}
