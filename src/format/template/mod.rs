//! A Go `text/template` interpreter covering what docker users type in `--format`, with docker's extra functions.

use super::units::{format_e, format_float_v, format_g};
use serde_json::{Map, Value};

mod exec;
mod lex;
mod parse;
#[cfg(test)]
mod tests;

use exec::*;
pub(crate) use exec::{compare, fmt_float, sorted, truthy};
use lex::*;
use parse::*;
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

pub(super) type Res<T> = Result<T, TemplateError>;

pub(super) const FUNCS: &[&str] = &[
    "and", "or", "not", "len", "index", "eq", "ne", "lt", "le", "gt", "ge", "print", "printf",
    "println", "json", "join", "split", "title", "lower", "upper", "pad", "truncate",
];
pub(super) const KEYWORDS: &[&str] = &[
    "if", "else", "end", "range", "with", "break", "continue", "define", "template", "block",
];
pub(super) const MAX_DEPTH: usize = 100;

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    src: String,
    nodes: Vec<Node>,
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
