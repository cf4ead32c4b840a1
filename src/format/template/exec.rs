//! Walking the node tree over a JSON value.

use super::*;

#[derive(PartialEq)]
pub(super) enum Flow {
    Normal,
    Break,
    Continue,
}

pub(super) struct Exec<'a> {
    pub(super) src: &'a str,
    pub(super) vars: Vec<(String, Value)>,
    pub(super) header: bool,
    pub(super) out: String,
}

impl Exec<'_> {
    pub(super) fn err(&self, pos: usize, context: &str, msg: impl Into<String>) -> TemplateError {
        let before = &self.src[..pos.min(self.src.len())];
        let col = before.rfind('\n').map_or(pos, |nl| pos - nl - 1);
        TemplateError::Exec {
            line: line_of(self.src, pos),
            col,
            context: context.into(),
            msg: msg.into(),
        }
    }

    pub(super) fn walk(&mut self, dot: &Value, nodes: &[Node]) -> Res<Flow> {
        for node in nodes {
            let flow = match node {
                Node::Text(s) => {
                    self.out.push_str(s);
                    Flow::Normal
                }
                Node::Action(p) => {
                    let v = self.pipe(dot, p, true)?;
                    if p.decl.is_empty() {
                        self.out.push_str(&crate::format::funcs::print_value(&v));
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

    pub(super) fn range(
        &mut self,
        dot: &Value,
        p: &Pipe,
        body: &[Node],
        alt: &[Node],
    ) -> Res<Flow> {
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
                let shown = crate::format::funcs::print_value(&other);
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

    pub(super) fn pipe(&mut self, dot: &Value, p: &Pipe, declare: bool) -> Res<Value> {
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

    pub(super) fn cmd(&mut self, dot: &Value, cmd: &Cmd, last: Option<Value>) -> Res<Value> {
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
        crate::format::funcs::call(name, vals, self.header)
            .map_err(|m| self.err(cmd.pos, &cmd.text, m))
    }

    pub(super) fn arg(&mut self, dot: &Value, a: &Arg) -> Res<Value> {
        match &a.kind {
            ArgKind::Field(chain) => self.chain(dot, chain, a),
            ArgKind::Var(name, chain) => match self.vars.iter().rev().find(|(n, _)| n == name) {
                Some((_, v)) => self.chain(v, chain, a),
                None => Err(self.err(a.pos, &a.text, format!("undefined variable: {name}"))),
            },
            ArgKind::Func(name) => crate::format::funcs::call(name, Vec::new(), self.header)
                .map_err(|m| self.err(a.pos, &a.text, m)),
            ArgKind::Lit(v) => Ok(v.clone()),
            ArgKind::Pipe(p, chain) => {
                let v = self.pipe(dot, p, true)?;
                self.chain(&v, chain, a)
            }
        }
    }

    pub(super) fn chain(&self, v: &Value, chain: &[String], a: &Arg) -> Res<Value> {
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
                    let t = crate::format::funcs::type_name(other);
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
