//! Docker image references, normalised like `github.com/distribution/reference` (`ParseNormalizedNamed`).

use std::collections::HashSet;
use std::fmt;

pub const DEFAULT_DOMAIN: &str = "docker.io";
const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
const OFFICIAL_PREFIX: &str = "library/";
pub const DEFAULT_TAG: &str = "latest";
const NAME_TOTAL_LENGTH_MAX: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    pub domain: String,
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("invalid reference format: \"{0}\"")]
    InvalidFormat(String),
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    Uppercase(String),
    #[error("invalid repository name ({0}), cannot specify 64-byte hexadecimal strings")]
    HexName(String),
    #[error("invalid reference format: repository name must have at least one component")]
    Empty,
    #[error(
        "invalid reference format: repository name \"{0}\" must not be more than 255 characters"
    )]
    TooLong(String),
    #[error("invalid reference format: unsupported digest algorithm in \"{0}\"")]
    UnsupportedDigest(String),
    #[error("invalid reference format: invalid checksum digest format in \"{0}\"")]
    InvalidDigest(String),
}

fn is_lower_alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn valid_path_component(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && is_lower_alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        let sep = i;
        while i < b.len() && !is_lower_alnum(b[i]) {
            i += 1;
        }
        let sep = &s[sep..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-')) {
            return false;
        }
    }
}

/// `host(:port)?` where host is a domain name or a bracketed IPv6 literal.
fn valid_domain(s: &str) -> bool {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return false;
        };
        let ip = &rest[..end];
        if ip.is_empty() || !ip.bytes().all(|c| c.is_ascii_hexdigit() || c == b':') {
            return false;
        }
        match &rest[end + 1..] {
            "" => return true,
            p => match p.strip_prefix(':') {
                Some(p) => ("x", p),
                None => return false,
            },
        }
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h, p),
            None => (s, "0"),
        }
    };
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    };
    !port.is_empty() && port.bytes().all(|c| c.is_ascii_digit()) && host.split('.').all(label_ok)
}

/// `[\w][\w.-]{0,127}`
fn valid_tag(s: &str) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b.iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

/// `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`, then the algorithm's own rules.
fn check_digest(d: &str, input: &str) -> Result<(), ReferenceError> {
    let invalid = || ReferenceError::InvalidFormat(input.to_string());
    let (alg, hex) = d.split_once(':').ok_or_else(invalid)?;
    let alg_ok = alg.split(['-', '_', '+', '.']).all(|p| {
        p.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
            && p.bytes().all(|c| c.is_ascii_alphanumeric())
    });
    if !alg_ok || hex.len() < 32 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let len = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Err(ReferenceError::UnsupportedDigest(input.to_string())),
    };
    if hex.len() != len
        || !hex
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    {
        return Err(ReferenceError::InvalidDigest(input.to_string()));
    }
    Ok(())
}

/// `reference.Parse` of an already normalised "domain/path[:tag][@digest]" string.
fn parse_full(s: &str, input: &str) -> Result<Reference, ReferenceError> {
    if s.is_empty() {
        return Err(ReferenceError::Empty);
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    let (name, tag) = match rest.rfind(':') {
        Some(i) if !rest[i + 1..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    let (domain, path) = name
        .split_once('/')
        .ok_or_else(|| ReferenceError::InvalidFormat(input.into()))?;
    let ok = valid_domain(domain)
        && path.split('/').all(valid_path_component)
        && tag.is_none_or(valid_tag);
    if !ok {
        let lower_ok = path
            .split('/')
            .all(|c| valid_path_component(&c.to_ascii_lowercase()));
        if lower_ok && valid_domain(domain) && tag.is_none_or(valid_tag) {
            return Err(ReferenceError::Uppercase(path.to_string()));
        }
        return Err(ReferenceError::InvalidFormat(input.to_string()));
    }
    if let Some(d) = digest {
        check_digest(d, input)?;
    }
    if name.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(ReferenceError::TooLong(input.to_string()));
    }
    Ok(Reference {
        domain: domain.to_string(),
        path: path.to_string(),
        tag: tag.map(str::to_string),
        digest: digest.map(str::to_string),
    })
}

/// Whether `name` names its registry ("busybox" and "user/app" do not).
pub fn names_registry(name: &str) -> bool {
    matches!(name.split_once('/'), Some((d, _)) if d.contains(['.', ':']) || d == "localhost" || d.to_lowercase() != d)
}

/// `splitDockerDomain`: the first component is a domain if it has '.' or ':', is "localhost", or has uppercase.
fn split_docker_domain(name: &str) -> (String, String) {
    let (mut domain, mut rest) = match name.split_once('/') {
        Some((d, r)) if d.contains(['.', ':']) || d == "localhost" || d.to_lowercase() != d => {
            (d.to_string(), r.to_string())
        }
        _ => (DEFAULT_DOMAIN.to_string(), name.to_string()),
    };
    if domain == LEGACY_DEFAULT_DOMAIN {
        domain = DEFAULT_DOMAIN.to_string();
    }
    if domain == DEFAULT_DOMAIN && !rest.contains('/') {
        rest = format!("{OFFICIAL_PREFIX}{rest}");
    }
    (domain, rest)
}

impl Reference {
    /// `ParseNormalizedNamed` + `TagNameOnly`: "busybox" → docker.io/library/busybox:latest.
    pub fn parse(s: &str) -> Result<Reference, ReferenceError> {
        let mut r = Self::parse_no_default_tag(s)?;
        if r.tag.is_none() && r.digest.is_none() {
            r.tag = Some(DEFAULT_TAG.to_string());
        }
        Ok(r)
    }

    /// `ParseNormalizedNamed` alone: no default tag is added.
    pub fn parse_no_default_tag(s: &str) -> Result<Reference, ReferenceError> {
        if s.len() == 64
            && s.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        {
            return Err(ReferenceError::HexName(s.to_string()));
        }
        if s.is_empty() {
            return Err(ReferenceError::Empty);
        }
        let (domain, rest) = split_docker_domain(s);
        let remote = rest.split(':').next().unwrap_or_default();
        if remote.to_lowercase() != remote {
            return Err(ReferenceError::Uppercase(remote.to_string()));
        }
        parse_full(&format!("{domain}/{rest}"), s)
    }

    /// "docker.io/library/busybox"
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// "busybox", "user/app", "localhost:5000/app"
    pub fn familiar_repository(&self) -> String {
        if self.domain != DEFAULT_DOMAIN {
            return self.repository();
        }
        match self.path.strip_prefix(OFFICIAL_PREFIX) {
            Some(short) if !short.contains('/') => short.to_string(),
            _ => self.path.clone(),
        }
    }

    /// Familiar repository plus ":tag" and/or "@digest": "busybox:latest".
    pub fn familiar(&self) -> String {
        self.with_suffix(self.familiar_repository())
    }

    fn with_suffix(&self, mut s: String) -> String {
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.with_suffix(self.repository()))
    }
}

/// Go's `path.Match`: `*` and `?` never match '/', `[...]` classes with ranges and `^` negation, `\` escapes.
/// A malformed pattern matches nothing.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let mut failed = HashSet::new();
    valid_pattern(&p) && match_at(&p, &t, 0, 0, &mut failed)
}

/// Parses the class starting after '[' at `p`; returns (matched, index after ']') or None if malformed.
fn match_class(p: &[char], c: Option<char>) -> Option<(bool, usize)> {
    let esc = |i: usize| -> Option<(char, usize)> {
        match *p.get(i)? {
            '-' | ']' => None,
            '\\' => Some((*p.get(i + 1)?, i + 2)),
            ch => Some((ch, i + 1)),
        }
    };
    let negated = p.first() == Some(&'^');
    let mut i = usize::from(negated);
    let mut matched = false;
    let mut ranges = 0;
    loop {
        if p.get(i) == Some(&']') && ranges > 0 {
            return Some((matched != negated, i + 1));
        }
        let (lo, next) = esc(i)?;
        i = next;
        let mut hi = lo;
        if p.get(i) == Some(&'-') {
            (hi, i) = esc(i + 1)?;
        }
        if c.is_some_and(|c| lo <= c && c <= hi) {
            matched = true;
        }
        ranges += 1;
    }
}

fn valid_pattern(p: &[char]) -> bool {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' if i + 1 >= p.len() => return false,
            '\\' => i += 2,
            '[' => match match_class(&p[i + 1..], None) {
                Some((_, n)) => i += 1 + n,
                None => return false,
            },
            _ => i += 1,
        }
    }
    true
}

/// Backtracking matcher; `failed` memoises (pattern, text) positions known not to match.
fn match_at(
    p: &[char],
    t: &[char],
    pi: usize,
    ti: usize,
    failed: &mut HashSet<(usize, usize)>,
) -> bool {
    if failed.contains(&(pi, ti)) {
        return false;
    }
    let ok = match p.get(pi) {
        None => ti == t.len(),
        Some('*') => {
            let mut n = ti;
            loop {
                if match_at(p, t, pi + 1, n, failed) {
                    break true;
                }
                if n >= t.len() || t[n] == '/' {
                    break false;
                }
                n += 1;
            }
        }
        Some('?') => t.get(ti).is_some_and(|&c| c != '/') && match_at(p, t, pi + 1, ti + 1, failed),
        Some('[') => match (t.get(ti), match_class(&p[pi + 1..], t.get(ti).copied())) {
            (Some(_), Some((true, n))) => match_at(p, t, pi + 1 + n, ti + 1, failed),
            _ => false,
        },
        Some('\\') => {
            p.get(pi + 1) == t.get(ti) && ti < t.len() && match_at(p, t, pi + 2, ti + 1, failed)
        }
        Some(c) => t.get(ti) == Some(c) && match_at(p, t, pi + 1, ti + 1, failed),
    };
    if !ok {
        failed.insert((pi, ti));
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa";

    fn full(s: &str) -> String {
        match Reference::parse(s) {
            Ok(r) => r.to_string(),
            Err(e) => format!("ERR {e}"),
        }
    }

    #[test]
    fn normalisation() {
        let cases = [
            ("busybox", "docker.io/library/busybox:latest"),
            ("busybox:1.36", "docker.io/library/busybox:1.36"),
            ("user/app:1", "docker.io/user/app:1"),
            ("library/busybox", "docker.io/library/busybox:latest"),
            ("docker.io/busybox", "docker.io/library/busybox:latest"),
            (
                "index.docker.io/busybox",
                "docker.io/library/busybox:latest",
            ),
            ("index.docker.io/user/app", "docker.io/user/app:latest"),
            ("localhost/app", "localhost/app:latest"),
            ("localhost:5000/app", "localhost:5000/app:latest"),
            ("localhost:5000/a/b:tag", "localhost:5000/a/b:tag"),
            ("reg.example.com/a/b", "reg.example.com/a/b:latest"),
            (
                "reg.example.com:443/a/b:v1.2-rc_3",
                "reg.example.com:443/a/b:v1.2-rc_3",
            ),
            ("[::1]:5000/app", "[::1]:5000/app:latest"),
            ("[fe80::1]/app:x", "[fe80::1]/app:x"),
            ("gcr.io/a/b/c/d", "gcr.io/a/b/c/d:latest"),
            ("ab__cd-e--f_g/h", "docker.io/ab__cd-e--f_g/h:latest"),
            ("foo_bar.com:8080", "docker.io/library/foo_bar.com:8080"),
            ("foo.com", "docker.io/library/foo.com:latest"),
            ("a---b/c", "docker.io/a---b/c:latest"),
            ("Reg.Example.com/app", "Reg.Example.com/app:latest"),
            ("app:Latest_1", "docker.io/library/app:Latest_1"),
        ];
        for (input, want) in cases {
            assert_eq!(full(input), want, "{input}");
        }
    }

    #[test]
    fn digests() {
        let r = Reference::parse(&format!("busybox@sha256:{HEX}")).expect("digest ref");
        assert_eq!(r.tag, None);
        assert_eq!(r.digest.as_deref(), Some(format!("sha256:{HEX}").as_str()));
        assert_eq!(r.familiar(), format!("busybox@sha256:{HEX}"));
        let r =
            Reference::parse(&format!("localhost:5000/app:v1@sha256:{HEX}")).expect("tag+digest");
        assert_eq!(r.tag.as_deref(), Some("v1"));
        assert_eq!(r.to_string(), format!("localhost:5000/app:v1@sha256:{HEX}"));
        let upper = HEX.to_uppercase();
        assert!(Reference::parse(&format!("busybox@sha256:{upper}")).is_err());
        assert!(Reference::parse(&format!("busybox@sha256:{}", &HEX[..40])).is_err());
        assert!(Reference::parse(&format!("busybox@sha256:{}", &HEX[..20])).is_err());
        assert!(Reference::parse(&format!("busybox@md5:{HEX}")).is_err());
        assert!(Reference::parse("busybox@sha256:").is_err());
        assert!(Reference::parse(&format!("busybox@{HEX}")).is_err());
        let sha512 = format!("{HEX}{HEX}");
        assert!(Reference::parse(&format!("busybox@sha512:{sha512}")).is_ok());
    }

    #[test]
    fn no_default_tag() {
        let r = Reference::parse_no_default_tag("busybox").expect("ok");
        assert_eq!((r.tag.as_deref(), r.digest.as_deref()), (None, None));
        assert_eq!(r.repository(), "docker.io/library/busybox");
        assert_eq!(r.to_string(), "docker.io/library/busybox");
    }

    #[test]
    fn familiar_names() {
        let cases = [
            ("busybox", "busybox", "busybox:latest"),
            ("user/app:1", "user/app", "user/app:1"),
            ("library/a/b", "library/a/b", "library/a/b:latest"),
            ("localhost/app", "localhost/app", "localhost/app:latest"),
            (
                "localhost:5000/app:2",
                "localhost:5000/app",
                "localhost:5000/app:2",
            ),
            ("docker.io/library/busybox:1", "busybox", "busybox:1"),
        ];
        for (input, repo, fam) in cases {
            let r = Reference::parse(input).expect(input);
            assert_eq!(r.familiar_repository(), repo, "{input}");
            assert_eq!(r.familiar(), fam, "{input}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            full("Busybox"),
            "ERR invalid reference format: repository name (library/Busybox) must be lowercase"
        );
        assert_eq!(
            full("user/App:1"),
            "ERR invalid reference format: repository name (user/App) must be lowercase"
        );
        assert_eq!(
            full(HEX),
            format!(
                "ERR invalid repository name ({HEX}), cannot specify 64-byte hexadecimal strings"
            )
        );
        assert_eq!(full("a b"), "ERR invalid reference format: \"a b\"");
        let bad = [
            "",
            ":",
            ":tag",
            "busybox:",
            "busybox::tag",
            "-busybox",
            "busybox-",
            "a..b",
            "a/",
            "/a",
            "a//b",
            "a__-b",
            "a___b",
            "a.-b",
            "busy box",
            "busybox:-tag",
            "busybox:.tag",
            "localhost:/app",
            "local-.com/app",
            "-reg.com/app",
            "[::1/app",
            "[]/app",
            "[zz]/app",
            "reg.com:port/app",
            "busybox@sha256",
            "ä/b",
            "a.b-c__d/e",
            "busybox:tag/x",
            "a@b@c",
        ];
        for b in bad {
            assert!(Reference::parse(b).is_err(), "{b:?} should fail");
        }
        let long = format!("a/{}", "b".repeat(250));
        assert!(Reference::parse(&long).is_err());
        let ok = format!("a/{}", "b".repeat(240));
        assert!(Reference::parse(&ok).is_ok());
        let tag_ok = format!("a:{}", "t".repeat(128));
        assert!(Reference::parse(&tag_ok).is_ok());
        let tag_long = format!("a:{}", "t".repeat(129));
        assert!(Reference::parse(&tag_long).is_err());
        let msg = Reference::parse("UPPER:tag/x")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("invalid reference format"), "{msg}");
    }

    #[test]
    fn globs() {
        let yes = [
            ("*", "busybox"),
            ("busy*", "busybox"),
            ("*box", "busybox"),
            ("b?sybox", "busybox"),
            ("*/*", "user/app"),
            ("user/*", "user/app"),
            ("[a-c]usybox", "busybox"),
            ("[^a]usybox", "busybox"),
            ("[!b]usybox", "busybox"),
            ("\\*x", "*x"),
            ("[\\]]", "]"),
            ("", ""),
            ("a*b*c*d*e*f*g", "aXbXcXdXeXfXg"),
            ("*:*", "busybox:latest"),
        ];
        for (p, t) in yes {
            assert!(glob_match(p, t), "{p} should match {t}");
        }
        let no = [
            ("*", "user/app"),
            ("b?sybox", "b/sybox"),
            ("[^b]usybox", "busybox"),
            ("[c-z]usybox", "busybox"),
            ("busy", "busybox"),
            ("[", "["),
            ("[]", "]"),
            ("[a-", "a"),
            ("a\\", "a"),
            ("\\", "\\"),
            ("", "x"),
            (
                "a*a*a*a*a*a*a*a*a*a*a*b",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            ),
        ];
        for (p, t) in no {
            assert!(!glob_match(p, t), "{p} should not match {t}");
        }
    }
}
