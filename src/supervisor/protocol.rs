//! The attach protocol between the supervisor and its clients (`run`
//! attached, `attach`, `wait`, `stop`): frames of `[kind][u32 length][data]`
//! over a unix stream socket.

use std::io::{self, Read, Write};

/// Client → supervisor: what the client wants (payload `attach`,
/// `attach-stdin` or `wait`); always the first frame.
pub const HELLO: u8 = b'h';
/// Client → supervisor: bytes for the container's stdin.
pub const STDIN: u8 = b'i';
/// Client → supervisor: the client's stdin ended.
pub const STDIN_EOF: u8 = b'e';
/// Client → supervisor: the terminal's size, payload `ROWS COLS`.
pub const RESIZE: u8 = b'z';
/// Supervisor → client: container output.
pub const STDOUT: u8 = b'o';
pub const STDERR: u8 = b'r';
/// Supervisor → client: the container exited; payload: the code, decimal.
pub const EXIT: u8 = b'x';
/// Client → supervisor: the container's record changed its user-defined
/// networks (`network connect`/`disconnect`): join and leave to match.
pub const NETWORKS: u8 = b'n';
/// Supervisor → client: the answer to NETWORKS; payload empty, or why not.
pub const NETWORKS_DONE: u8 = b'N';

pub fn write_frame<W: Write>(w: &mut W, kind: u8, data: &[u8]) -> io::Result<()> {
    let mut head = [0u8; 5];
    head[0] = kind;
    head[1..].copy_from_slice(&(data.len() as u32).to_be_bytes());
    w.write_all(&head)?;
    w.write_all(data)
}

/// The next frame, or `None` at a clean end of stream.
pub fn read_frame<R: Read>(r: &mut R) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut head = [0u8; 5];
    match r.read_exact(&mut head[..1]) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    r.read_exact(&mut head[1..])?;
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > 16 << 20 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "attach frame too large",
        ));
    }
    let mut data = vec![0u8; len];
    r.read_exact(&mut data)?;
    Ok(Some((head[0], data)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let mut buf = Vec::new();
        write_frame(&mut buf, STDOUT, b"hello").unwrap();
        write_frame(&mut buf, EXIT, b"3").unwrap();
        let mut r = &buf[..];
        assert_eq!(
            read_frame(&mut r).unwrap(),
            Some((STDOUT, b"hello".to_vec()))
        );
        assert_eq!(read_frame(&mut r).unwrap(), Some((EXIT, b"3".to_vec())));
        assert_eq!(read_frame(&mut r).unwrap(), None);
    }
}
