//! Template source to tokens.

use super::*;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Text(String),
    Open,
    Close,
    Dot,
    Field(Vec<String>),
    Chain(Vec<String>),
    Var(String, Vec<String>),
    Ident(String),
    Str(String),
    Num(String),
    Char(char),
    LParen,
    RParen,
    Pipe,
    Comma,
    Declare,
    Assign,
    Eof,
    Err(TemplateError),
}

pub(super) fn line_of(src: &str, pos: usize) -> usize {
    1 + src[..pos.min(src.len())].matches('\n').count()
}

pub(super) fn perr(src: &str, pos: usize, msg: impl Into<String>) -> TemplateError {
    TemplateError::Parse {
        line: line_of(src, pos),
        msg: msg.into(),
    }
}

pub(super) const WS: [char; 4] = [' ', '\t', '\r', '\n'];

pub(super) fn ident_len(s: &str) -> usize {
    s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len())
}

/// Lexes `.A.B.C` (s starts at the first '.'); returns the names and the consumed length.
pub(super) fn lex_chain(s: &str) -> (Vec<String>, usize) {
    let (mut names, mut i) = (Vec::new(), 0);
    while s[i..].starts_with('.') && ident_len(&s[i + 1..]) > 0 {
        let n = ident_len(&s[i + 1..]);
        names.push(s[i + 1..i + 1 + n].to_string());
        i += 1 + n;
    }
    (names, i)
}

pub(super) fn lex_quoted(s: &str, pos: usize, src: &str) -> Res<(String, usize)> {
    let mut out = String::new();
    let mut it = s.char_indices().skip(1);
    while let Some((i, c)) = it.next() {
        match c {
            '"' => return Ok((out, i + 1)),
            '\n' => break,
            '\\' => {
                let Some((_, e)) = it.next() else { break };
                let hex =
                    |n: usize, it: &mut std::iter::Skip<std::str::CharIndices>| -> Option<char> {
                        let h: String = (0..n).filter_map(|_| it.next().map(|x| x.1)).collect();
                        u32::from_str_radix(&h, 16).ok().and_then(char::from_u32)
                    };
                let ch = match e {
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    'r' => Some('\r'),
                    'a' => Some('\x07'),
                    'b' => Some('\x08'),
                    'f' => Some('\x0c'),
                    'v' => Some('\x0b'),
                    '\\' | '"' | '\'' => Some(e),
                    'x' => hex(2, &mut it),
                    'u' => hex(4, &mut it),
                    'U' => hex(8, &mut it),
                    _ => None,
                };
                out.push(ch.ok_or_else(|| {
                    perr(src, pos, format!("invalid syntax in quoted string: \\{e}"))
                })?);
            }
            c => out.push(c),
        }
    }
    Err(perr(src, pos, "unterminated quoted string"))
}

/// Tokenises the whole source. A lexing error becomes a final `Tok::Err`, so that (as with Go's concurrent lexer)
/// a parse error earlier in the input is reported first.
pub(super) fn lex(src: &str) -> Vec<(Tok, usize)> {
    let mut toks = Vec::new();
    match lex_into(src, &mut toks) {
        Ok(()) => toks.push((Tok::Eof, src.len())),
        Err(e) => toks.push((Tok::Err(e), src.len())),
    }
    toks
}

pub(super) fn lex_into(src: &str, toks: &mut Vec<(Tok, usize)>) -> Res<()> {
    let (mut i, mut trim_next) = (0, false);
    loop {
        let rest = &src[i..];
        let open = rest.find("{{");
        let mut text = &rest[..open.unwrap_or(rest.len())];
        if trim_next {
            text = text.trim_start_matches(WS);
        }
        let Some(o) = open else {
            if !text.is_empty() {
                toks.push((Tok::Text(text.to_string()), i));
            }
            break;
        };
        let start = i + o;
        let mut j = start + 2;
        if src[j..].starts_with('-') && src[j + 1..].starts_with(WS) {
            text = text.trim_end_matches(WS);
            j += 2;
        }
        if !text.is_empty() {
            toks.push((Tok::Text(text.to_string()), i));
        }
        if src[j..].starts_with("/*") {
            let end = src[j..]
                .find("*/")
                .ok_or_else(|| perr(src, start, "unclosed comment"))?;
            let after = &src[j + end + 2..];
            let trimmed = after.trim_start_matches(WS);
            (i, trim_next) = if trimmed.starts_with("-}}") && trimmed.len() < after.len() {
                (src.len() - trimmed.len() + 3, true)
            } else if after.starts_with("}}") {
                (src.len() - after.len() + 2, false)
            } else {
                return Err(perr(src, start, "comment ends before closing delimiter"));
            };
            continue;
        }
        toks.push((Tok::Open, start));
        loop {
            let before = j;
            j += src[j..].len() - src[j..].trim_start_matches(WS).len();
            let r = &src[j..];
            let Some(c) = r.chars().next() else {
                return Err(perr(src, start, "unclosed action"));
            };
            if r.starts_with("-}}") && j > before {
                toks.push((Tok::Close, j));
                (i, trim_next) = (j + 3, true);
                break;
            }
            if r.starts_with("}}") {
                toks.push((Tok::Close, j));
                (i, trim_next) = (j + 2, false);
                break;
            }
            let next = r[c.len_utf8()..].chars().next();
            let (tok, len) = match c {
                '.' if next.is_some_and(|n| n.is_alphabetic() || n == '_') => {
                    let (names, len) = lex_chain(r);
                    let adjacent = j == before && matches!(toks.last(), Some((Tok::RParen, _)));
                    (
                        if adjacent {
                            Tok::Chain(names)
                        } else {
                            Tok::Field(names)
                        },
                        len,
                    )
                }
                '$' => {
                    let n = ident_len(&r[1..]);
                    let (names, len) = lex_chain(&r[1 + n..]);
                    (Tok::Var(r[..1 + n].to_string(), names), 1 + n + len)
                }
                '"' => {
                    let (s, len) = lex_quoted(r, j, src)?;
                    (Tok::Str(s), len)
                }
                '`' => {
                    let end = r[1..]
                        .find('`')
                        .ok_or_else(|| perr(src, j, "unterminated raw quoted string"))?;
                    (Tok::Str(r[1..1 + end].to_string()), end + 2)
                }
                c if c.is_ascii_digit()
                    || (matches!(c, '+' | '-' | '.')
                        && next.is_some_and(|n| n.is_ascii_digit())) =>
                {
                    let mut len = 1;
                    let b = r.as_bytes();
                    while len < b.len()
                        && (b[len].is_ascii_alphanumeric()
                            || b[len] == b'.'
                            || b[len] == b'_'
                            || (matches!(b[len], b'+' | b'-')
                                && matches!(b[len - 1], b'e' | b'E' | b'p' | b'P')))
                    {
                        len += 1;
                    }
                    (Tok::Num(r[..len].to_string()), len)
                }
                c if c.is_alphabetic() || c == '_' => {
                    let n = ident_len(r);
                    (Tok::Ident(r[..n].to_string()), n)
                }
                '.' => (Tok::Dot, 1),
                '(' => (Tok::LParen, 1),
                ')' => (Tok::RParen, 1),
                '|' => (Tok::Pipe, 1),
                ',' => (Tok::Comma, 1),
                ':' if next == Some('=') => (Tok::Declare, 2),
                '=' => (Tok::Assign, 1),
                c if c.is_control() => {
                    return Err(perr(
                        src,
                        j,
                        format!("unrecognized character in action: U+{:04X}", c as u32),
                    ))
                }
                c => (Tok::Char(c), c.len_utf8()),
            };
            toks.push((tok, j));
            j += len;
        }
    }
    Ok(())
}
