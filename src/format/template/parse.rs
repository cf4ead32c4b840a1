//! Tokens to the node tree.

use super::*;

#[derive(Debug, Clone)]
pub(super) enum Node {
    Text(String),
    Action(Pipe),
    If(Pipe, Vec<Node>, Vec<Node>),
    With(Pipe, Vec<Node>, Vec<Node>),
    Range(Pipe, Vec<Node>, Vec<Node>),
    Break,
    Continue,
}

#[derive(Debug, Clone)]
pub(super) struct Pipe {
    pub(super) decl: Vec<String>,
    pub(super) assign: bool,
    pub(super) cmds: Vec<Cmd>,
}

#[derive(Debug, Clone)]
pub(super) struct Cmd {
    pub(super) args: Vec<Arg>,
    pub(super) pos: usize,
    pub(super) text: String,
}

#[derive(Debug, Clone)]
pub(super) struct Arg {
    pub(super) kind: ArgKind,
    pub(super) pos: usize,
    pub(super) text: String,
}

#[derive(Debug, Clone)]
pub(super) enum ArgKind {
    Field(Vec<String>),
    Var(String, Vec<String>),
    Func(String),
    Lit(Value),
    Pipe(Box<Pipe>, Vec<String>),
}

pub(super) enum Term {
    End,
    Else,
    ElseChain(String),
    Eof,
}

pub(super) struct Parser<'a> {
    pub(super) src: &'a str,
    pub(super) toks: Vec<(Tok, usize)>,
    pub(super) i: usize,
    pub(super) vars: Vec<String>,
    pub(super) depth: usize,
    pub(super) ranges: usize,
}

impl Parser<'_> {
    pub(super) fn peek(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].0
    }
    pub(super) fn pos(&self) -> usize {
        self.toks[self.i.min(self.toks.len() - 1)].1
    }
    pub(super) fn next(&mut self) -> (Tok, usize) {
        let t = self.toks[self.i.min(self.toks.len() - 1)].clone();
        self.i += 1;
        t
    }
    pub(super) fn err(&self, pos: usize, msg: impl Into<String>) -> TemplateError {
        perr(self.src, pos, msg)
    }
    pub(super) fn unexpected(&self, tok: &Tok, pos: usize, ctx: &str) -> TemplateError {
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
    pub(super) fn expect_close(&mut self, ctx: &str) -> Res<()> {
        match self.next() {
            (Tok::Close, _) => Ok(()),
            (t, p) => Err(self.unexpected(&t, p, ctx)),
        }
    }

    pub(super) fn list(&mut self) -> Res<(Vec<Node>, Term, usize)> {
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

    pub(super) fn control(&mut self, kw: &str, pos: usize) -> Res<Node> {
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

    pub(super) fn pipeline(&mut self, ctx: &str, decl_ok: bool) -> Res<Pipe> {
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

    pub(super) fn operand(&mut self) -> Res<Arg> {
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

pub(super) fn parse_number(n: &str) -> Option<Value> {
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
