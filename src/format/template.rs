//! A Go `text/template` interpreter covering what docker users type in `--format`, with docker's extra functions.

use super::units::{format_e, format_float_v, format_g};
use serde_json::{Map, Value};
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("template: :{line}: {msg}")]
    Parse { line: usize, msg: String },
    #[error("template: :{line}:{col}: executing \"\" at <{context}>: {msg}")]
    Exec {
        line: usize,
        col: usize,
        context: String,
        msg: String,
    },
}

type Res<T> = Result<T, TemplateError>;

const FUNCS: &[&str] = &[
    "and", "or", "not", "len", "index", "eq", "ne", "lt", "le", "gt", "ge", "print", "printf",
    "println", "json", "join", "split", "title", "lower", "upper", "pad", "truncate",
];
const KEYWORDS: &[&str] = &[
    "if", "else", "end", "range", "with", "break", "continue", "define", "template", "block",
];
const MAX_DEPTH: usize = 100;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
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

fn line_of(src: &str, pos: usize) -> usize {
    1 + src[..pos.min(src.len())].matches('\n').count()
}

fn perr(src: &str, pos: usize, msg: impl Into<String>) -> TemplateError {
    TemplateError::Parse {
        line: line_of(src, pos),
        msg: msg.into(),
    }
}

const WS: [char; 4] = [' ', '\t', '\r', '\n'];

fn ident_len(s: &str) -> usize {
    s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len())
}

/// Lexes `.A.B.C` (s starts at the first '.'); returns the names and the consumed length.
fn lex_chain(s: &str) -> (Vec<String>, usize) {
    let (mut names, mut i) = (Vec::new(), 0);
    while s[i..].starts_with('.') && ident_len(&s[i + 1..]) > 0 {
        let n = ident_len(&s[i + 1..]);
        names.push(s[i + 1..i + 1 + n].to_string());
        i += 1 + n;
    }
    (names, i)
}

fn lex_quoted(s: &str, pos: usize, src: &str) -> Res<(String, usize)> {
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
fn lex(src: &str) -> Vec<(Tok, usize)> {
    let mut toks = Vec::new();
    match lex_into(src, &mut toks) {
        Ok(()) => toks.push((Tok::Eof, src.len())),
        Err(e) => toks.push((Tok::Err(e), src.len())),
    }
    toks
}

fn lex_into(src: &str, toks: &mut Vec<(Tok, usize)>) -> Res<()> {
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

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Action(Pipe),
    If(Pipe, Vec<Node>, Vec<Node>),
    With(Pipe, Vec<Node>, Vec<Node>),
    Range(Pipe, Vec<Node>, Vec<Node>),
    Break,
    Continue,
}

#[derive(Debug, Clone)]
struct Pipe {
    decl: Vec<String>,
    assign: bool,
    cmds: Vec<Cmd>,
}

#[derive(Debug, Clone)]
struct Cmd {
    args: Vec<Arg>,
    pos: usize,
    text: String,
}

#[derive(Debug, Clone)]
struct Arg {
    kind: ArgKind,
    pos: usize,
    text: String,
}

#[derive(Debug, Clone)]
enum ArgKind {
    Field(Vec<String>),
    Var(String, Vec<String>),
    Func(String),
    Lit(Value),
    Pipe(Box<Pipe>, Vec<String>),
}

enum Term {
    End,
    Else,
    ElseChain(String),
    Eof,
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<(Tok, usize)>,
    i: usize,
    vars: Vec<String>,
    depth: usize,
    ranges: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].0
    }
    fn pos(&self) -> usize {
        self.toks[self.i.min(self.toks.len() - 1)].1
    }
    fn next(&mut self) -> (Tok, usize) {
        let t = self.toks[self.i.min(self.toks.len() - 1)].clone();
        self.i += 1;
        t
    }
    fn err(&self, pos: usize, msg: impl Into<String>) -> TemplateError {
        perr(self.src, pos, msg)
    }
    fn unexpected(&self, tok: &Tok, pos: usize, ctx: &str) -> TemplateError {
        let what = match tok {
            Tok::Eof => return self.err(pos, "unexpected EOF"),
            Tok::Err(e) => return e.clone(),
            Tok::Close => "\"}}\"".to_string(),
            Tok::Char(c) => format!("\"{c}\""),
            Tok::RParen => "\")\"".into(),
            Tok::Comma => "\",\"".into(),
            Tok::Declare => "\":=\"".into(),
            Tok::Assign => "\"=\"".into(),
            Tok::Pipe => "\"|\"".into(),
            Tok::Ident(k) => format!("<{k}>"),
            Tok::Open => "\"{{\"".into(),
            other => format!("{other:?}"),
        };
        self.err(pos, format!("unexpected {what} in {ctx}"))
    }
    fn expect_close(&mut self, ctx: &str) -> Res<()> {
        match self.next() {
            (Tok::Close, _) => Ok(()),
            (t, p) => Err(self.unexpected(&t, p, ctx)),
        }
    }

    fn list(&mut self) -> Res<(Vec<Node>, Term, usize)> {
        let mut nodes = Vec::new();
        loop {
            let (tok, pos) = self.next();
            match tok {
                Tok::Text(s) => {
                    nodes.push(Node::Text(s));
                    continue;
                }
                Tok::Eof => return Ok((nodes, Term::Eof, pos)),
                Tok::Open => {}
                t => return Err(self.unexpected(&t, pos, "input")),
            }
            let kw = match self.peek() {
                Tok::Ident(k) if KEYWORDS.contains(&k.as_str()) => k.clone(),
                _ => {
                    let p = self.pipeline("command", true)?;
                    self.expect_close("command")?;
                    nodes.push(Node::Action(p));
                    continue;
                }
            };
            self.next();
            match kw.as_str() {
                "end" => {
                    self.expect_close("end")?;
                    return Ok((nodes, Term::End, pos));
                }
                "else" => match self.peek().clone() {
                    Tok::Ident(k) if k == "if" || k == "with" => {
                        self.next();
                        return Ok((nodes, Term::ElseChain(k), pos));
                    }
                    _ => {
                        self.expect_close("else")?;
                        return Ok((nodes, Term::Else, pos));
                    }
                },
                "if" | "with" | "range" => nodes.push(self.control(&kw, pos)?),
                "break" | "continue" if self.ranges == 0 => {
                    return Err(self.err(pos, format!("{{{{{kw}}}}} outside {{{{range}}}}")))
                }
                "break" | "continue" => {
                    self.expect_close(&kw)?;
                    nodes.push(if kw == "break" {
                        Node::Break
                    } else {
                        Node::Continue
                    });
                }
                _ => return Err(self.err(pos, format!("{{{{{kw}}}}} is not supported"))),
            }
        }
    }

    fn control(&mut self, kw: &str, pos: usize) -> Res<Node> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(pos, "template nested too deeply"));
        }
        let mark = self.vars.len();
        let pipe = self.pipeline(kw, true)?;
        self.expect_close(kw)?;
        self.ranges += usize::from(kw == "range");
        let (body, term, tpos) = self.list()?;
        self.ranges -= usize::from(kw == "range");
        let alt = match term {
            Term::End => Vec::new(),
            Term::Else => match self.list()? {
                (alt, Term::End, _) => alt,
                (_, Term::Eof, p) => return Err(self.err(p, "unexpected EOF")),
                (_, _, p) => return Err(self.err(p, "expected end; found {{else}}")),
            },
            Term::ElseChain(k) => vec![self.control(&k, tpos)?],
            Term::Eof => return Err(self.err(tpos, "unexpected EOF")),
        };
        self.vars.truncate(mark);
        self.depth -= 1;
        Ok(match kw {
            "if" => Node::If(pipe, body, alt),
            "with" => Node::With(pipe, body, alt),
            _ => Node::Range(pipe, body, alt),
        })
    }

    fn pipeline(&mut self, ctx: &str, decl_ok: bool) -> Res<Pipe> {
        let mut decl = Vec::new();
        let mut assign = false;
        let at = |p: &Self, k: usize| p.toks.get(p.i + k).map(|t| t.0.clone());
        if let (true, Some(Tok::Var(v, ch))) = (decl_ok, at(self, 0)) {
            if ch.is_empty() {
                match (at(self, 1), at(self, 2), at(self, 3)) {
                    (Some(Tok::Declare), ..) => decl = vec![v],
                    (Some(Tok::Assign), ..) => (decl, assign) = (vec![v], true),
                    (Some(Tok::Comma), Some(Tok::Var(v2, c2)), Some(Tok::Declare))
                        if ctx == "range" && c2.is_empty() =>
                    {
                        decl = vec![v, v2]
                    }
                    _ => {}
                }
            }
        }
        if !decl.is_empty() {
            self.i += 2 * decl.len();
            for v in &decl {
                if assign && !self.vars.contains(v) {
                    return Err(self.err(self.pos(), format!("undefined variable \"{v}\"")));
                }
            }
        }
        let mut cmds = Vec::new();
        loop {
            let pos = self.pos();
            let mut args = Vec::new();
            while !matches!(self.peek(), Tok::Pipe | Tok::Close | Tok::RParen | Tok::Eof) {
                args.push(self.operand()?);
            }
            match (args.first(), self.peek()) {
                (None, Tok::Eof) => return Err(self.err(pos, "unclosed action")),
                (None, _) => return Err(self.err(pos, format!("missing value for {ctx}"))),
                (
                    Some(Arg {
                        kind: ArgKind::Lit(_),
                        ..
                    }),
                    _,
                ) if !cmds.is_empty() => {
                    let n = cmds.len() + 1;
                    return Err(
                        self.err(pos, format!("non executable command in pipeline stage {n}"))
                    );
                }
                (
                    Some(Arg {
                        kind: ArgKind::Lit(Value::Null),
                        ..
                    }),
                    _,
                ) if args.len() == 1 => {
                    return Err(self.err(pos, "nil is not a command"));
                }
                _ => {}
            }
            let text = self.src[pos..self.pos()].trim_end().to_string();
            cmds.push(Cmd { args, pos, text });
            if *self.peek() != Tok::Pipe {
                break;
            }
            self.next();
        }
        if !assign {
            self.vars.extend(decl.iter().cloned());
        }
        Ok(Pipe { decl, assign, cmds })
    }

    fn operand(&mut self) -> Res<Arg> {
        let (tok, pos) = self.next();
        let kind = match tok {
            Tok::Dot => ArgKind::Field(Vec::new()),
            Tok::Field(f) => ArgKind::Field(f),
            Tok::Var(v, _) if !self.vars.contains(&v) => {
                return Err(self.err(pos, format!("undefined variable \"{v}\"")));
            }
            Tok::Var(v, ch) => ArgKind::Var(v, ch),
            Tok::Str(s) => ArgKind::Lit(Value::String(s)),
            Tok::Num(n) => ArgKind::Lit(
                parse_number(&n)
                    .ok_or_else(|| self.err(pos, format!("bad number syntax: \"{n}\"")))?,
            ),
            Tok::Ident(k) => match k.as_str() {
                "true" | "false" => ArgKind::Lit(Value::Bool(k == "true")),
                "nil" => ArgKind::Lit(Value::Null),
                _ if FUNCS.contains(&k.as_str()) => ArgKind::Func(k),
                _ if KEYWORDS.contains(&k.as_str()) => {
                    return Err(self.err(pos, format!("unexpected <{k}> in operand")))
                }
                _ => return Err(self.err(pos, format!("function \"{k}\" not defined"))),
            },
            Tok::LParen => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.err(pos, "template nested too deeply"));
                }
                let p = self.pipeline("parenthesized pipeline", false)?;
                self.depth -= 1;
                match self.next() {
                    (Tok::RParen, _) => {}
                    (Tok::Eof, p) => return Err(self.err(p, "unclosed action")),
                    (_, p) => return Err(self.err(p, "unclosed left paren")),
                }
                let chain = match self.peek().clone() {
                    Tok::Chain(c) => {
                        self.next();
                        c
                    }
                    _ => Vec::new(),
                };
                ArgKind::Pipe(Box::new(p), chain)
            }
            t => return Err(self.unexpected(&t, pos, "operand")),
        };
        let text = self.src[pos..self.pos()].trim_end().to_string();
        Ok(Arg { kind, pos, text })
    }
}

fn parse_number(n: &str) -> Option<Value> {
    let clean = n.replace('_', "");
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let radix = |p: &str, r| {
        body.strip_prefix(p)
            .and_then(|d| i64::from_str_radix(d, r).ok())
    };
    let int = radix("0x", 16)
        .or_else(|| radix("0X", 16))
        .or_else(|| radix("0o", 8))
        .or_else(|| radix("0b", 2))
        .or_else(|| body.parse::<i64>().ok());
    if let Some(i) = int {
        return Some(Value::from(if neg { -i } else { i }));
    }
    let f: f64 = body.parse().ok().filter(|f: &f64| f.is_finite())?;
    serde_json::Number::from_f64(if neg { -f } else { f }).map(Value::Number)
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    src: String,
    nodes: Vec<Node>,
}

#[derive(PartialEq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

struct Exec<'a> {
    src: &'a str,
    vars: Vec<(String, Value)>,
    header: bool,
    out: String,
}

impl Template {
    /// Parses Go template source.
    pub fn parse(src: &str) -> Result<Template, TemplateError> {
        let toks = lex(src);
        let mut p = Parser {
            src,
            toks,
            i: 0,
            vars: vec!["$".into()],
            depth: 0,
            ranges: 0,
        };
        match p.list()? {
            (nodes, Term::Eof, _) => Ok(Template {
                src: src.to_string(),
                nodes,
            }),
            (_, Term::End, pos) => Err(p.err(pos, "unexpected {{end}}")),
            (_, _, pos) => Err(p.err(pos, "unexpected {{else}}")),
        }
    }

    /// Executes the template against `data`.
    pub fn render(&self, data: &Value) -> Result<String, TemplateError> {
        self.run(data, false)
    }

    /// Executes the template as docker does for a table header: `data` maps field names to column titles, fields
    /// missing from it render upper-cased, and json/split/join/title/lower/upper/truncate return their first argument.
    pub fn render_header(&self, headers: &Value) -> Result<String, TemplateError> {
        self.run(headers, true)
    }

    fn run(&self, data: &Value, header: bool) -> Res<String> {
        let mut ex = Exec {
            src: &self.src,
            vars: vec![("$".into(), data.clone())],
            header,
            out: String::new(),
        };
        ex.walk(data, &self.nodes)?;
        Ok(ex.out)
    }
}

impl Exec<'_> {
    fn err(&self, pos: usize, context: &str, msg: impl Into<String>) -> TemplateError {
        let before = &self.src[..pos.min(self.src.len())];
        let col = before.rfind('\n').map_or(pos, |nl| pos - nl - 1);
        TemplateError::Exec {
            line: line_of(self.src, pos),
            col,
            context: context.into(),
            msg: msg.into(),
        }
    }

    fn walk(&mut self, dot: &Value, nodes: &[Node]) -> Res<Flow> {
        for node in nodes {
            let flow = match node {
                Node::Text(s) => {
                    self.out.push_str(s);
                    Flow::Normal
                }
                Node::Action(p) => {
                    let v = self.pipe(dot, p, true)?;
                    if p.decl.is_empty() {
                        self.out.push_str(&super::funcs::print_value(&v));
                    }
                    Flow::Normal
                }
                Node::If(p, a, b) | Node::With(p, a, b) => {
                    let mark = self.vars.len();
                    let v = self.pipe(dot, p, true)?;
                    let flow = match (truthy(&v), node) {
                        (true, Node::With(..)) => self.walk(&v, a)?,
                        (true, _) => self.walk(dot, a)?,
                        (false, _) => self.walk(dot, b)?,
                    };
                    self.vars.truncate(mark);
                    flow
                }
                Node::Range(p, body, alt) => self.range(dot, p, body, alt)?,
                Node::Break => Flow::Break,
                Node::Continue => Flow::Continue,
            };
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn range(&mut self, dot: &Value, p: &Pipe, body: &[Node], alt: &[Node]) -> Res<Flow> {
        let v = self.pipe(dot, p, false)?;
        let items: Box<dyn Iterator<Item = (Value, Value)>> = match v {
            Value::Array(a) => {
                Box::new(a.into_iter().enumerate().map(|(i, e)| (Value::from(i), e)))
            }
            Value::Object(m) => {
                let pairs: Vec<_> = sorted(&m)
                    .into_iter()
                    .map(|(k, v)| (Value::from(k.as_str()), v.clone()))
                    .collect();
                Box::new(pairs.into_iter())
            }
            Value::Null => Box::new(std::iter::empty()),
            Value::Number(n) if n.as_u64().is_some() || n.as_i64().is_some() => {
                Box::new((0..n.as_u64().unwrap_or(0)).map(|i| (Value::from(i), Value::from(i))))
            }
            other => {
                let (pos, text) = p.cmds.first().map_or((0, ""), |c| (c.pos, c.text.as_str()));
                let shown = super::funcs::print_value(&other);
                return Err(self.err(pos, text, format!("range can't iterate over {shown}")));
            }
        };
        let mut items = items.peekable();
        if items.peek().is_none() {
            return self.walk(dot, alt);
        }
        for (k, e) in items {
            let mark = self.vars.len();
            match p.decl.as_slice() {
                [v] => self.vars.push((v.clone(), e.clone())),
                [a, b] => self.vars.extend([(a.clone(), k), (b.clone(), e.clone())]),
                _ => {}
            }
            let flow = self.walk(&e, body)?;
            self.vars.truncate(mark);
            if flow == Flow::Break {
                break;
            }
        }
        Ok(Flow::Normal)
    }

    fn pipe(&mut self, dot: &Value, p: &Pipe, declare: bool) -> Res<Value> {
        let mut val = None;
        for cmd in &p.cmds {
            val = Some(self.cmd(dot, cmd, val)?);
        }
        let val = val.unwrap_or(Value::Null);
        if declare && p.assign {
            if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| *n == p.decl[0]) {
                slot.1 = val.clone();
            }
        } else if declare {
            self.vars
                .extend(p.decl.iter().map(|n| (n.clone(), val.clone())));
        }
        Ok(val)
    }

    fn cmd(&mut self, dot: &Value, cmd: &Cmd, last: Option<Value>) -> Res<Value> {
        let first = &cmd.args[0];
        let ArgKind::Func(name) = &first.kind else {
            if cmd.args.len() > 1 || last.is_some() {
                return Err(self.err(
                    first.pos,
                    &first.text,
                    format!("can't give argument to non-function {}", first.text),
                ));
            }
            return self.arg(dot, first);
        };
        if name == "and" || name == "or" {
            let want = name == "and";
            let mut v = Value::Null;
            for a in &cmd.args[1..] {
                v = self.arg(dot, a)?;
                if truthy(&v) != want {
                    return Ok(v);
                }
            }
            return match last {
                Some(l) => Ok(l),
                None if cmd.args.len() > 1 => Ok(v),
                None => Err(self.err(
                    cmd.pos,
                    &cmd.text,
                    format!("wrong number of args for {name}: want at least 1 got 0"),
                )),
            };
        }
        let mut vals = Vec::with_capacity(cmd.args.len());
        for a in &cmd.args[1..] {
            vals.push(self.arg(dot, a)?);
        }
        vals.extend(last);
        super::funcs::call(name, vals, self.header).map_err(|m| self.err(cmd.pos, &cmd.text, m))
    }

    fn arg(&mut self, dot: &Value, a: &Arg) -> Res<Value> {
        match &a.kind {
            ArgKind::Field(chain) => self.chain(dot, chain, a),
            ArgKind::Var(name, chain) => match self.vars.iter().rev().find(|(n, _)| n == name) {
                Some((_, v)) => self.chain(v, chain, a),
                None => Err(self.err(a.pos, &a.text, format!("undefined variable: {name}"))),
            },
            ArgKind::Func(name) => super::funcs::call(name, Vec::new(), self.header)
                .map_err(|m| self.err(a.pos, &a.text, m)),
            ArgKind::Lit(v) => Ok(v.clone()),
            ArgKind::Pipe(p, chain) => {
                let v = self.pipe(dot, p, true)?;
                self.chain(&v, chain, a)
            }
        }
    }

    fn chain(&self, v: &Value, chain: &[String], a: &Arg) -> Res<Value> {
        let mut cur = v;
        for name in chain {
            cur = match cur {
                Value::Object(m) => match m.get(name) {
                    Some(x) => x,
                    None if self.header => return Ok(Value::String(name.to_uppercase())),
                    None => {
                        let msg = format!("can't evaluate field {name}");
                        return Err(self.err(a.pos, &a.text, msg));
                    }
                },
                Value::Null => return Ok(Value::Null),
                other => {
                    let t = super::funcs::type_name(other);
                    let msg = format!("can't evaluate field {name} in type {t}");
                    return Err(self.err(a.pos, &a.text, msg));
                }
            };
        }
        Ok(cur.clone())
    }
}

/// Go's truth: false, 0, "", nil and empty collections are false.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

/// Object entries sorted by key, as Go iterates and prints maps.
pub(crate) fn sorted(m: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

/// Compares two values like Go's eq/lt: numbers with numbers, strings with strings, bools and nil for equality.
pub(crate) fn compare(a: &Value, b: &Value, ordered: bool) -> Result<Option<Ordering>, String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => Ok(match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => x
                .as_f64()
                .zip(y.as_f64())
                .and_then(|(x, y)| x.partial_cmp(&y)),
        }),
        (Value::String(x), Value::String(y)) => Ok(Some(x.cmp(y))),
        (Value::Bool(_), _) | (_, Value::Bool(_)) | (Value::Null, _) | (_, Value::Null)
            if ordered =>
        {
            Err("invalid type for comparison".into())
        }
        (Value::Bool(x), Value::Bool(y)) => Ok(Some(x.cmp(y))),
        (Value::Null, Value::Null) => Ok(Some(Ordering::Equal)),
        (Value::Null, _) | (_, Value::Null) => Ok(None),
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => {
            Err("non-comparable type".into())
        }
        _ => Err("incompatible types for comparison".into()),
    }
}

pub(crate) fn fmt_float(verb: char, f: f64, prec: Option<usize>) -> String {
    match verb {
        'e' => format_e(f, prec.unwrap_or(6)),
        'g' => format_g(f, prec),
        'v' => prec.map_or_else(|| format_float_v(f), |p| format_g(f, Some(p))),
        _ => format!("{:.*}", prec.unwrap_or(6), f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(src: &str, data: &Value) -> String {
        match Template::parse(src).and_then(|t| t.render(data)) {
            Ok(s) => s,
            Err(e) => format!("ERR {e}"),
        }
    }

    fn data() -> Value {
        json!({
            "Repository": "busybox", "Tag": "latest", "Size": 4261376, "Ratio": 0.25, "Big": 1e6,
            "Names": ["web", "db"], "Empty": [], "Nil": null, "Running": true, "Zero": 0, "Blank": "",
            "Labels": {"b": "2", "a": "1", "c.d": "3"}, "Nested": {"Inner": {"Deep": "yes"}},
            "Ports": [{"Private": 80, "Type": "tcp"}, {"Private": 53, "Type": "udp"}],
        })
    }

    #[test]
    fn actions_and_printing() {
        let d = data();
        let cases = [
            ("{{.Repository}}:{{.Tag}}", "busybox:latest"),
            ("{{.Nested.Inner.Deep}}", "yes"),
            (
                "{{.Size}} {{.Ratio}} {{.Big}} {{.Running}} {{.Nil}}",
                "4261376 0.25 1e+06 true <nil>",
            ),
            (
                "{{.Names}} {{.Empty}} {{.Labels}}",
                "[web db] [] map[a:1 b:2 c.d:3]",
            ),
            (
                "{{.Ports}}",
                "[map[Private:80 Type:tcp] map[Private:53 Type:udp]]",
            ),
            ("{{.Nil.Foo.Bar}}", "<nil>"),
            ("{{$}}", "map[]"),
            ("a {{/* comment */}} b", "a  b"),
            ("a {{- /* comment */ -}} b", "ab"),
            ("x  {{- .Tag -}}  \n y", "xlatesty"),
            ("{{-3}}", "-3"),
            ("{{ .Tag }}", "latest"),
            ("{{\"a\\tb\\u00e9\\x41\"}} {{`raw\\n`}}", "a\tbéA raw\\n"),
            (
                "{{1.5}} {{0x1F}} {{1_000}} {{true}} {{false}}",
                "1.5 31 1000 true false",
            ),
            ("{{(index .Names 1)}}", "db"),
            ("{{(index .Ports 0).Type}}", "tcp"),
            ("{{.Tag | upper}}", "LATEST"),
            ("{{.Tag | printf \"%s-%s\" .Repository}}", "busybox-latest"),
            ("{{\"}}\"}}", "}}"),
            ("line1\n{{.Tag}}\nline3", "line1\nlatest\nline3"),
        ];
        for (src, want) in cases {
            let want = if src == "{{$}}" {
                r("{{.}}", &d)
            } else {
                want.to_string()
            };
            assert_eq!(r(src, &d), want, "{src}");
        }
    }

    #[test]
    fn control_flow() {
        let d = data();
        let cases = [
            ("{{if .Running}}up{{else}}down{{end}}", "up"),
            (
                "{{if .Zero}}a{{else if .Blank}}b{{else if .Names}}c{{else}}d{{end}}",
                "c",
            ),
            ("{{if .Empty}}a{{else if .Nil}}b{{else}}d{{end}}", "d"),
            ("{{if not .Labels}}a{{else}}b{{end}}", "b"),
            ("{{if and .Running .Zero}}a{{else}}b{{end}}", "b"),
            (
                "{{and .Running .Tag}} {{or .Zero .Blank .Tag}} {{or .Zero .Blank}}",
                "latest latest ",
            ),
            ("{{with .Nested.Inner}}{{.Deep}}{{end}}", "yes"),
            ("{{with .Nil}}x{{else}}none{{end}}", "none"),
            ("{{with $x := .Tag}}{{$x}}{{.}}{{end}}", "latestlatest"),
            ("{{range .Names}}[{{.}}]{{end}}", "[web][db]"),
            ("{{range .Empty}}x{{else}}empty{{end}}", "empty"),
            ("{{range .Nil}}x{{else}}nil{{end}}", "nil"),
            (
                "{{range $i, $e := .Names}}{{$i}}={{$e}} {{end}}",
                "0=web 1=db ",
            ),
            ("{{range $e := .Names}}{{$e}}{{end}}", "webdb"),
            (
                "{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}",
                "a=1;b=2;c.d=3;",
            ),
            ("{{range .Labels}}{{.}}{{end}}", "123"),
            (
                "{{range .Ports}}{{.Private}}/{{.Type}} {{end}}",
                "80/tcp 53/udp ",
            ),
            ("{{range .Names}}{{$.Tag}}{{end}}", "latestlatest"),
            ("{{range 3}}{{.}}{{end}}", "012"),
            (
                "{{range .Names}}{{if eq . \"db\"}}{{break}}{{end}}{{.}}{{end}}",
                "web",
            ),
            (
                "{{range .Names}}{{if eq . \"web\"}}{{continue}}{{end}}{{.}}{{end}}",
                "db",
            ),
            ("{{$x := 1}}{{if .Running}}{{$x = 2}}{{end}}{{$x}}", "2"),
            ("{{$n := len .Names}}{{$n}}", "2"),
            (
                "{{range $i, $p := .Ports}}{{if $i}}, {{end}}{{$p.Private}}{{end}}",
                "80, 53",
            ),
            ("{{- range .Names}}\n  {{.}}\n{{- end}}", "\n  web\n  db"),
        ];
        for (src, want) in cases {
            assert_eq!(r(src, &d), want, "{src}");
        }
    }

    #[test]
    fn functions() {
        let d = data();
        let cases = [
            ("{{join .Names \", \"}}", "web, db"),
            ("{{json .Names}} {{json .Labels}} {{json .Tag}} {{json .Nil}}", "[\"web\",\"db\"] {\"b\":\"2\",\"a\":\"1\",\"c.d\":\"3\"} \"latest\" null"),
            ("{{json \"<&>\"}}", "\"<&>\""),
            ("{{split \"a:b:c\" \":\"}} {{len (split \"abc\" \"\")}}", "[a b c] 3"),
            ("{{title \"hello wide-world\"}} {{lower \"ABC\"}} {{upper \"abc\"}}", "Hello Wide-World abc ABC"),
            ("[{{pad .Tag 2 1}}][{{pad .Blank 2 1}}]", "[  latest ][]"),
            ("{{truncate .Repository 4}} {{truncate .Tag 100}} {{truncate \"héllo\" 2}}", "busy latest hé"),
            ("{{len .Names}} {{len .Labels}} {{len .Tag}} {{len \"é\"}}", "2 3 6 2"),
            ("{{index .Names 0}} {{index .Labels \"a\"}} {{index .Labels \"zz\"}}", "web 1 <nil>"),
            ("{{index .Ports 1 \"Type\"}}", "udp"),
            ("{{eq .Tag \"latest\"}} {{eq .Tag \"x\" \"latest\"}} {{ne .Size 1}} {{eq .Nil nil}}", "true true true true"),
            ("{{lt 1 2}} {{le 2 2}} {{gt 1.5 2}} {{ge \"b\" \"a\"}} {{lt .Ratio 1}}", "true true false true true"),
            ("{{print \"a\" 1 2 \"b\" true}}", "a1 2btrue"),
            ("{{println \"a\" 1}}", "a 1\n"),
            ("{{printf \"%-8s|%5d|%.2f|%v|%q|%t\" .Tag .Size .Ratio .Names .Repository .Running}}", "latest  |4261376|0.25|[web db]|\"busybox\"|true"),
            ("{{printf \"%s\" .Size}}", "%!s(int=4261376)"),
            ("{{not 0}} {{not .Tag}}", "true false"),
        ];
        for (src, want) in cases {
            assert_eq!(r(src, &d), want, "{src}");
        }
    }

    #[test]
    fn exec_errors() {
        let d = data();
        let cases = [
            ("{{.Foo}}", "template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo"),
            ("x\n  {{.Nested.Nope}}", "template: :2:4: executing \"\" at <.Nested.Nope>: can't evaluate field Nope"),
            ("{{.Tag.Foo}}", "template: :1:2: executing \"\" at <.Tag.Foo>: can't evaluate field Foo in type string"),
            ("{{upper .Size}}", "template: :1:2: executing \"\" at <upper .Size>: wrong type for value; expected string; got int"),
            ("{{upper 1 2}}", "template: :1:2: executing \"\" at <upper 1 2>: wrong number of args for upper: want 1 got 2"),
            ("{{index .Names 5}}", "template: :1:2: executing \"\" at <index .Names 5>: error calling index: index out of range: 5"),
            ("{{lt .Tag 1}}", "template: :1:2: executing \"\" at <lt .Tag 1>: error calling lt: incompatible types for comparison"),
            ("{{eq .Names 1}}", "template: :1:2: executing \"\" at <eq .Names 1>: error calling eq: non-comparable type"),
            ("{{join .Tag \",\"}}", "template: :1:2: executing \"\" at <join .Tag \",\">: wrong type for value; expected []string; got string"),
            ("{{range .Tag}}{{end}}", "template: :1:8: executing \"\" at <.Tag>: range can't iterate over latest"),
            ("{{.Tag | .Repository}}", "template: :1:9: executing \"\" at <.Repository>: can't give argument to non-function .Repository"),
            ("{{len .Size}}", "template: :1:2: executing \"\" at <len .Size>: error calling len: len of type int"),
        ];
        for (src, want) in cases {
            assert_eq!(r(src, &d), format!("ERR {want}"), "{src}");
        }
    }

    #[test]
    fn parse_errors() {
        let cases = [
            ("{{.}", "template: :1: unexpected \"}\" in operand"),
            ("{{.Tag", "template: :1: unclosed action"),
            ("a\n{{.Tag}}\n{{", "template: :3: unclosed action"),
            ("{{end}}", "template: :1: unexpected {{end}}"),
            ("{{else}}", "template: :1: unexpected {{else}}"),
            ("{{if .A}}x", "template: :1: unexpected EOF"),
            ("{{range .A}}x{{else}}y", "template: :1: unexpected EOF"),
            (
                "{{if .A}}x{{else}}y{{else}}z{{end}}",
                "template: :1: expected end; found {{else}}",
            ),
            ("{{foo .A}}", "template: :1: function \"foo\" not defined"),
            ("{{}}", "template: :1: missing value for command"),
            ("{{if}}{{end}}", "template: :1: missing value for if"),
            ("{{.A | }}", "template: :1: missing value for command"),
            ("{{$x}}", "template: :1: undefined variable \"$x\""),
            (
                "{{if .A}}{{$x := 1}}{{end}}{{$x}}",
                "template: :1: undefined variable \"$x\"",
            ),
            ("{{\"abc}}", "template: :1: unterminated quoted string"),
            ("{{`abc}}", "template: :1: unterminated raw quoted string"),
            ("{{/* abc }}", "template: :1: unclosed comment"),
            ("{{(.A}}", "template: :1: unclosed left paren"),
            ("{{break}}", "template: :1: {{break}} outside {{range}}"),
            (
                "{{template \"x\"}}",
                "template: :1: {{template}} is not supported",
            ),
            (
                "{{.A | \"x\"}}",
                "template: :1: non executable command in pipeline stage 2",
            ),
            ("{{nil}}", "template: :1: nil is not a command"),
            ("{{1x}}", "template: :1: bad number syntax: \"1x\""),
            ("{{.A end}}", "template: :1: unexpected <end> in operand"),
            (
                "{{.A \u{1}}}",
                "template: :1: unrecognized character in action: U+0001",
            ),
        ];
        for (src, want) in cases {
            let got = Template::parse(src).map(|_| ()).map_err(|e| e.to_string());
            assert_eq!(got, Err(want.to_string()), "{src}");
        }
    }

    #[test]
    fn header_mode() {
        let t = Template::parse("{{.ID}}\t{{json .Names}}\t{{join .Names \", \"}}\t{{.Status | upper}}\t{{truncate .ID 3}}");
        let h = json!({"ID": "CONTAINER ID", "Names": "NAMES"});
        let got = t.and_then(|t| t.render_header(&h));
        assert_eq!(
            got.ok().as_deref(),
            Some("CONTAINER ID\tNAMES\tNAMES\tSTATUS\tCONTAINER ID")
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = format!("{{{{{}1{}}}}}", "(".repeat(5000), ")".repeat(5000));
        assert!(Template::parse(&src).is_err());
        let src = "{{if 1}}".repeat(5000);
        assert!(Template::parse(&src).is_err());
        assert_eq!(r("{{((1))}}", &Value::Null), "1");
    }
}
