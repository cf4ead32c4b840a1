//! The container log in docker's json-file format: one JSON object per
//! line (`{"log":"…\n","stream":"stdout","time":"…"}`), stdout and stderr
//! apart, rotated by `--log-opt max-size=… max-file=…`.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

pub struct LogFile {
    path: PathBuf,
    file: Option<File>,
    size: u64,
    max_size: Option<u64>,
    max_files: u32,
    partial: [Vec<u8>; 2],
}

/// `10m`, `1g`, `512k`, `100` (bytes), as docker parses max-size.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim().to_ascii_lowercase();
    let (num, mult) = match s.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => {
            let unit = s[i..].trim_end_matches('b');
            let mult = match unit {
                "" => 1,
                "k" => 1 << 10,
                "m" => 1 << 20,
                "g" => 1 << 30,
                _ => return None,
            };
            (&s[..i], mult)
        }
        None => (s.as_str(), 1),
    };
    num.trim()
        .parse::<f64>()
        .ok()
        .map(|n| (n * mult as f64) as u64)
}

impl LogFile {
    pub fn open(path: PathBuf, max_size: Option<u64>, max_files: u32) -> LogFile {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .ok();
        let size = file
            .as_ref()
            .and_then(|f| f.metadata().ok())
            .map(|m| m.len())
            .unwrap_or(0);
        LogFile {
            path,
            file,
            size,
            max_size,
            max_files: max_files.max(1),
            partial: [Vec::new(), Vec::new()],
        }
    }

    /// Logs container output; `stderr` picks the stream. Complete lines are
    /// written at once, a partial line when it grows past 16 KiB.
    pub fn write(&mut self, stderr: bool, data: &[u8]) {
        let i = usize::from(stderr);
        let mut buf = std::mem::take(&mut self.partial[i]);
        buf.extend_from_slice(data);
        let mut start = 0;
        while let Some(pos) = buf[start..].iter().position(|&b| b == b'\n') {
            self.entry(stderr, &buf[start..start + pos + 1]);
            start += pos + 1;
        }
        if buf.len() - start > 16 * 1024 {
            self.entry(stderr, &buf[start..]);
            start = buf.len();
        }
        buf.drain(..start);
        self.partial[i] = buf;
    }

    /// Writes what is left of unterminated lines (at exit).
    pub fn flush(&mut self) {
        for i in 0..2 {
            let rest = std::mem::take(&mut self.partial[i]);
            if !rest.is_empty() {
                self.entry(i == 1, &rest);
            }
        }
    }

    fn entry(&mut self, stderr: bool, line: &[u8]) {
        let (s, n) = crate::format::units::now();
        let rec = serde_json::json!({
            "log": String::from_utf8_lossy(line),
            "stream": if stderr { "stderr" } else { "stdout" },
            "time": crate::format::units::format_rfc3339_nano(s, n),
        });
        let mut text = rec.to_string();
        text.push('\n');
        if self
            .max_size
            .is_some_and(|m| self.size + text.len() as u64 > m && self.size > 0)
        {
            self.rotate();
        }
        if let Some(f) = &mut self.file {
            if f.write_all(text.as_bytes()).is_ok() {
                self.size += text.len() as u64;
            }
        }
    }

    fn rotate(&mut self) {
        self.file = None;
        let name = |n: u32| {
            let mut p = self.path.clone().into_os_string();
            p.push(format!(".{n}"));
            PathBuf::from(p)
        };
        if self.max_files <= 1 {
            let _ = fs::remove_file(&self.path);
        } else {
            for n in (1..self.max_files - 1).rev() {
                let _ = fs::rename(name(n), name(n + 1));
            }
            let _ = fs::rename(&self.path, name(1));
        }
        self.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .ok();
        self.size = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_lines_and_rotates() {
        let dir = std::env::temp_dir().join(format!("kist-log-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ctr.log");
        let mut log = LogFile::open(path.clone(), Some(400), 2);
        log.write(false, b"hello\nwor");
        log.write(true, b"oops\n");
        log.write(false, b"ld\n");
        log.flush();
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["log"], "hello\n");
        assert_eq!(lines[1]["stream"], "stderr");
        assert_eq!(lines[2]["log"], "world\n");
        for _ in 0..5 {
            log.write(false, b"a line that fills the log quickly\n");
        }
        assert!(dir.join("ctr.log.1").exists());
        assert!(!dir.join("ctr.log.2").exists());
        assert_eq!(parse_size("10m"), Some(10 << 20));
        assert_eq!(parse_size("1.5k"), Some(1536));
        assert_eq!(parse_size("3x"), None);
        let _ = fs::remove_dir_all(&dir);
    }
}
