//! Layer and archive compression: detection by magic bytes and streaming
//! decompression (gzip, zstd; xz and bzip2 are recognised and refused).

use std::io::{self, BufRead, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

#[derive(Debug, thiserror::Error)]
pub enum CompressionError {
    #[error("{what} is {kind}-compressed, which is not supported yet\nhint: decompress it first (e.g. `{tool} -d`), or use gzip or zstd")]
    Unsupported {
        what: String,
        kind: &'static str,
        tool: &'static str,
    },
    #[error("cannot read {what}: {source}")]
    Io { what: String, source: io::Error },
}

/// Looks at the first bytes of `r` without consuming them.
pub fn sniff<R: BufRead>(r: &mut R, what: &str) -> Result<Compression, CompressionError> {
    let head = r.fill_buf().map_err(|source| CompressionError::Io {
        what: what.into(),
        source,
    })?;
    let unsupported = |kind, tool| CompressionError::Unsupported {
        what: what.into(),
        kind,
        tool,
    };
    Ok(match head {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => return Err(unsupported("xz", "xz")),
        [b'B', b'Z', b'h', ..] => return Err(unsupported("bzip2", "bzip2")),
        _ => Compression::None,
    })
}

/// A reader of the decompressed stream.
pub fn decoder<'a, R: BufRead + 'a>(r: R, kind: Compression) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match kind {
        Compression::None => Box::new(r),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(r)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(r)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn sniffs_and_decodes() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"hello").unwrap();
        let data = gz.finish().unwrap();
        let mut r = io::BufReader::new(&data[..]);
        assert_eq!(sniff(&mut r, "x").unwrap(), Compression::Gzip);
        let mut out = String::new();
        decoder(r, Compression::Gzip)
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "hello");
        let z = zstd::encode_all(&b"abc"[..], 1).unwrap();
        let mut r = io::BufReader::new(&z[..]);
        assert_eq!(sniff(&mut r, "x").unwrap(), Compression::Zstd);
        let mut r = io::BufReader::new(&b"BZh91AY"[..]);
        assert!(sniff(&mut r, "x")
            .unwrap_err()
            .to_string()
            .contains("bzip2"));
        let mut r = io::BufReader::new(&b"plain"[..]);
        assert_eq!(sniff(&mut r, "x").unwrap(), Compression::None);
    }
}
