//! Docker's `--format` machinery: Go templates, table output and go-units style sizes and durations.

pub mod table;
pub mod template;
pub mod units;

pub use template::{Template, TemplateError};

use serde_json::Value;

/// The user's format after docker's pre-processing: `\t`/`\n` escapes expanded, surrounding spaces trimmed.
fn expand(format: &str) -> String {
    format
        .replace("\\t", "\t")
        .replace("\\n", "\n")
        .trim_matches(' ')
        .to_string()
}

/// A list command's output (images, ps, history ...). `format` is the user's --format or the command's default
/// table (e.g. "table {{.Repository}}\t{{.Tag}}"); "table" alone means `default_table`; "json" means `{{json .}}`
/// per row. For a table format the header line is the template executed against `headers` (field name → column
/// title; a field missing from `headers` renders as its upper-cased name), then each row, all through tabwrite.
/// Non-table formats: each row rendered, followed by "\n", no tabwriter, no header.
pub fn render_list(
    format: &str,
    default_table: &str,
    headers: &Value,
    rows: &[Value],
) -> Result<String, TemplateError> {
    let format = match format.trim() {
        "" | "table" => default_table.trim_start(),
        "json" => "{{json .}}",
        _ => format.trim_start(),
    };
    let Some(table_src) = format.strip_prefix("table") else {
        let tmpl = Template::parse(&expand(format))?;
        let mut out = String::new();
        for row in rows {
            out.push_str(&tmpl.render(row)?);
            out.push('\n');
        }
        return Ok(out);
    };
    let tmpl = Template::parse(&expand(table_src))?;
    let mut text = tmpl.render_header(headers)?;
    text.push('\n');
    for row in rows {
        text.push_str(&tmpl.render(row)?);
        text.push('\n');
    }
    Ok(table::tabwrite(&text))
}

/// A single object (inspect, version, info): "json" → compact JSON + "\n"; otherwise the template + "\n".
/// As in docker's inspect/version, the template is used verbatim (no `\t`/`\n` expansion, no trimming).
pub fn render_one(format: &str, data: &Value) -> Result<String, TemplateError> {
    if format.trim() == "json" {
        return Ok(format!("{data}\n"));
    }
    let mut out = Template::parse(format)?.render(data)?;
    out.push('\n');
    Ok(out)
}

/// The template functions: Go's builtins plus docker's json/join/split/title/lower/upper/pad/truncate.
mod funcs {
    use super::template::{compare, fmt_float, sorted, truthy};
    use serde_json::Value;
    use std::cmp::Ordering;

    type R = Result<Value, String>;

    /// Go's name for the dynamic type of a value, as its error messages show it.
    pub(crate) fn type_name(v: &Value) -> &'static str {
        match v {
            Value::Null => "<nil>",
            Value::Bool(_) => "bool",
            Value::Number(n) if n.is_f64() => "float64",
            Value::Number(_) => "int",
            Value::String(_) => "string",
            Value::Array(_) => "[]interface {}",
            Value::Object(_) => "map[string]interface {}",
        }
    }

    /// Go's `fmt.Sprint` of one value.
    pub(crate) fn print_value(v: &Value) -> String {
        match v {
            Value::Null => "<nil>".into(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), ..) => i.to_string(),
                (_, Some(u), _) => u.to_string(),
                (.., f) => format_float(f.unwrap_or(0.0)),
            },
            Value::String(s) => s.clone(),
            Value::Array(a) => format!(
                "[{}]",
                a.iter().map(print_value).collect::<Vec<_>>().join(" ")
            ),
            Value::Object(m) => {
                let items: Vec<String> = sorted(m)
                    .iter()
                    .map(|(k, v)| format!("{k}:{}", print_value(v)))
                    .collect();
                format!("map[{}]", items.join(" "))
            }
        }
    }

    fn format_float(f: f64) -> String {
        fmt_float('v', f, None)
    }

    fn arity(name: &str, a: &[Value], want: usize) -> Result<(), String> {
        if a.len() == want {
            Ok(())
        } else {
            Err(format!(
                "wrong number of args for {name}: want {want} got {}",
                a.len()
            ))
        }
    }

    fn want_str(v: &Value) -> Result<&str, String> {
        v.as_str().ok_or_else(|| {
            format!(
                "wrong type for value; expected string; got {}",
                type_name(v)
            )
        })
    }

    fn want_int(v: &Value) -> Result<i64, String> {
        match v
            .as_i64()
            .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
        {
            Some(i) => Ok(i),
            None => Err(format!(
                "wrong type for value; expected int; got {}",
                type_name(v)
            )),
        }
    }

    fn go_quote(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\x0c' => out.push_str("\\f"),
                '\x0b' => out.push_str("\\v"),
                c if (c as u32) < 0x80 && c.is_control() => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    fn sprint(a: &[Value]) -> String {
        let mut out = String::new();
        for (i, v) in a.iter().enumerate() {
            if i > 0 && !a[i - 1].is_string() && !v.is_string() {
                out.push(' ');
            }
            out.push_str(&print_value(v));
        }
        out
    }

    fn bad_verb(verb: char, v: &Value) -> String {
        match v {
            Value::Null => format!("%!{verb}(<nil>)"),
            v => format!("%!{verb}({}={})", type_name(v), print_value(v)),
        }
    }

    fn fmt_verb(verb: char, v: &Value, prec: Option<usize>, plus: bool) -> String {
        let int = v
            .as_i64()
            .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64));
        let sign = |s: String, neg: bool| if plus && !neg { format!("+{s}") } else { s };
        match (verb, v) {
            ('v' | 'g' | 'e' | 'f' | 'F', Value::Number(n)) if n.is_f64() || verb != 'v' => {
                let f = n.as_f64().unwrap_or(0.0);
                sign(fmt_float(verb, f, prec), f < 0.0)
            }
            ('v', Value::Number(_)) | ('d', _) if int.is_some() => {
                let i = int.unwrap_or(0);
                sign(i.to_string(), i < 0)
            }
            ('s' | 'v', Value::String(s)) => match prec {
                Some(p) => s.chars().take(p).collect(),
                None => s.clone(),
            },
            ('s' | 'v', Value::Array(_) | Value::Object(_)) | ('v', _) => print_value(v),
            ('t', Value::Bool(b)) => b.to_string(),
            ('q', Value::String(s)) => go_quote(s),
            ('q', _) if int.is_some() => {
                let c = u32::try_from(int.unwrap_or(0))
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{fffd}');
                format!("'{c}'")
            }
            ('c', _) if int.is_some() => {
                let c = u32::try_from(int.unwrap_or(0))
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{fffd}');
                c.to_string()
            }
            ('x', Value::String(s)) => s.bytes().map(|b| format!("{b:02x}")).collect(),
            ('X', Value::String(s)) => s.bytes().map(|b| format!("{b:02X}")).collect(),
            ('x' | 'X' | 'o' | 'b', _) if int.is_some() => {
                let i = int.unwrap_or(0);
                let m = i.unsigned_abs();
                let body = match verb {
                    'x' => format!("{m:x}"),
                    'X' => format!("{m:X}"),
                    'o' => format!("{m:o}"),
                    _ => format!("{m:b}"),
                };
                if i < 0 {
                    format!("-{body}")
                } else {
                    body
                }
            }
            _ => bad_verb(verb, v),
        }
    }

    /// Go's `fmt.Sprintf` for the verbs docker users type.
    pub(crate) fn sprintf(format: &str, args: &[Value]) -> String {
        let f: Vec<char> = format.chars().collect();
        let (mut out, mut i, mut ai) = (String::new(), 0, 0);
        let take_int = |ai: &mut usize| {
            let v = args.get(*ai).and_then(|v| v.as_i64()).unwrap_or(0);
            *ai += 1;
            usize::try_from(v).unwrap_or(0).min(1 << 16)
        };
        while i < f.len() {
            if f[i] != '%' {
                out.push(f[i]);
                i += 1;
                continue;
            }
            i += 1;
            let (mut minus, mut plus, mut zero) = (false, false, false);
            while i < f.len() && "-+0 #".contains(f[i]) {
                match f[i] {
                    '-' => minus = true,
                    '+' => plus = true,
                    '0' => zero = true,
                    _ => {}
                }
                i += 1;
            }
            let number = |i: &mut usize, ai: &mut usize| -> Option<usize> {
                if f.get(*i) == Some(&'*') {
                    *i += 1;
                    return Some(take_int(ai));
                }
                let start = *i;
                while *i < f.len() && f[*i].is_ascii_digit() {
                    *i += 1;
                }
                let digits: String = f[start..*i].iter().collect();
                (*i > start).then(|| digits.parse::<usize>().unwrap_or(0).min(1 << 16))
            };
            let width = number(&mut i, &mut ai);
            let mut prec = None;
            if f.get(i) == Some(&'.') {
                i += 1;
                prec = Some(number(&mut i, &mut ai).unwrap_or(0));
            }
            let Some(&verb) = f.get(i) else {
                out.push_str("%!(NOVERB)");
                break;
            };
            i += 1;
            if verb == '%' {
                out.push('%');
                continue;
            }
            let Some(arg) = args.get(ai) else {
                out.push_str(&format!("%!{verb}(MISSING)"));
                continue;
            };
            ai += 1;
            let s = fmt_verb(verb, arg, prec, plus);
            let pad = width.unwrap_or(0).saturating_sub(s.chars().count());
            if minus {
                out.push_str(&s);
                out.extend(std::iter::repeat_n(' ', pad));
            } else if zero && arg.is_number() {
                let (sign, digits) = match s.strip_prefix(['-', '+']) {
                    Some(d) => (&s[..1], d),
                    None => ("", s.as_str()),
                };
                out.push_str(sign);
                out.extend(std::iter::repeat_n('0', pad));
                out.push_str(digits);
            } else {
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(&s);
            }
        }
        if ai < args.len() {
            let extra: Vec<String> = args[ai..]
                .iter()
                .map(|v| format!("{}={}", type_name(v), print_value(v)))
                .collect();
            out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
        }
        out
    }

    /// strings.Title: upper-cases the first letter of every word.
    fn title(s: &str) -> String {
        let mut prev_sep = true;
        s.chars()
            .map(|c| {
                let out = if prev_sep {
                    c.to_uppercase().next().unwrap_or(c)
                } else {
                    c
                };
                prev_sep = !(c.is_alphanumeric() || c == '_' || c == '\'');
                out
            })
            .collect()
    }

    fn index(a: &[Value]) -> R {
        let Some((first, keys)) = a.split_first() else {
            return Err("wrong number of args for index: want at least 1 got 0".into());
        };
        let mut v = first.clone();
        for k in keys {
            v = match (&v, k) {
                (Value::Array(arr), k) => {
                    let i = want_int(k).map_err(|_| {
                        format!("cannot index slice/array with type {}", type_name(k))
                    })?;
                    let got = usize::try_from(i).ok().and_then(|i| arr.get(i));
                    got.cloned()
                        .ok_or_else(|| format!("error calling index: index out of range: {i}"))?
                }
                (Value::Object(m), Value::String(s)) => m.get(s).cloned().unwrap_or(Value::Null),
                (Value::String(s), k) => {
                    let i = want_int(k)?;
                    let b = usize::try_from(i).ok().and_then(|i| s.as_bytes().get(i));
                    Value::from(
                        *b.ok_or_else(|| format!("error calling index: index out of range: {i}"))?,
                    )
                }
                (Value::Null, _) => return Err("error calling index: index of untyped nil".into()),
                (v, k) => {
                    return Err(format!(
                        "can't index item of type {} with {}",
                        type_name(v),
                        type_name(k)
                    ))
                }
            };
        }
        Ok(v)
    }

    /// Calls template function `name`. In `header` mode docker's string helpers return their first argument.
    pub(crate) fn call(name: &str, a: Vec<Value>, header: bool) -> R {
        let passthrough = [
            "json", "split", "join", "title", "lower", "upper", "truncate",
        ];
        if header && passthrough.contains(&name) {
            return Ok(a.into_iter().next().unwrap_or(Value::Null));
        }
        let cmp = |a: &[Value], f: fn(Ordering) -> bool| -> R {
            arity(name, a, 2)?;
            let ord =
                compare(&a[0], &a[1], true).map_err(|e| format!("error calling {name}: {e}"))?;
            Ok(Value::Bool(ord.is_some_and(f)))
        };
        let s = |i: usize| want_str(&a[i]).map(str::to_string);
        Ok(match name {
            "not" => arity(name, &a, 1).map(|_| Value::Bool(!truthy(&a[0])))?,
            "len" => {
                arity(name, &a, 1)?;
                match &a[0] {
                    Value::String(s) => Value::from(s.len()),
                    Value::Array(v) => Value::from(v.len()),
                    Value::Object(m) => Value::from(m.len()),
                    v => return Err(format!("error calling len: len of type {}", type_name(v))),
                }
            }
            "index" => index(&a)?,
            "eq" | "ne" => {
                if a.len() < 2 {
                    return Err(format!(
                        "error calling {name}: missing argument for comparison"
                    ));
                }
                let mut eq = false;
                for b in &a[1..] {
                    let ord = compare(&a[0], b, false)
                        .map_err(|e| format!("error calling {name}: {e}"))?;
                    eq |= ord == Some(Ordering::Equal);
                }
                Value::Bool(eq == (name == "eq"))
            }
            "lt" => cmp(&a, Ordering::is_lt)?,
            "le" => cmp(&a, Ordering::is_le)?,
            "gt" => cmp(&a, Ordering::is_gt)?,
            "ge" => cmp(&a, Ordering::is_ge)?,
            "print" => Value::String(sprint(&a)),
            "println" => {
                let parts: Vec<String> = a.iter().map(print_value).collect();
                Value::String(format!("{}\n", parts.join(" ")))
            }
            "printf" => match a.split_first() {
                Some((f, rest)) => Value::String(sprintf(want_str(f)?, rest)),
                None => return Err("wrong number of args for printf: want at least 1 got 0".into()),
            },
            "json" => arity(name, &a, 1).map(|_| Value::String(a[0].to_string()))?,
            "join" => {
                arity(name, &a, 2)?;
                let sep = s(1)?;
                let Value::Array(items) = &a[0] else {
                    return Err(format!(
                        "wrong type for value; expected []string; got {}",
                        type_name(&a[0])
                    ));
                };
                let parts: Result<Vec<&str>, String> = items.iter().map(want_str).collect();
                Value::String(parts?.join(&sep))
            }
            "split" => {
                arity(name, &a, 2)?;
                let (text, sep) = (s(0)?, s(1)?);
                let parts: Vec<Value> = if sep.is_empty() {
                    text.chars().map(|c| Value::String(c.to_string())).collect()
                } else {
                    text.split(sep.as_str()).map(Value::from).collect()
                };
                Value::Array(parts)
            }
            "title" => arity(name, &a, 1)
                .and_then(|_| s(0))
                .map(|t| Value::String(title(&t)))?,
            "lower" => arity(name, &a, 1)
                .and_then(|_| s(0))
                .map(|t| Value::String(t.to_lowercase()))?,
            "upper" => arity(name, &a, 1)
                .and_then(|_| s(0))
                .map(|t| Value::String(t.to_uppercase()))?,
            "pad" => {
                arity(name, &a, 3)?;
                let text = s(0)?;
                let n =
                    |v: &Value| want_int(v).map(|i| usize::try_from(i).unwrap_or(0).min(1 << 16));
                if text.is_empty() {
                    Value::String(text)
                } else {
                    Value::String(format!(
                        "{}{text}{}",
                        " ".repeat(n(&a[1])?),
                        " ".repeat(n(&a[2])?)
                    ))
                }
            }
            "truncate" => {
                arity(name, &a, 2)?;
                let n = usize::try_from(want_int(&a[1])?).unwrap_or(0);
                Value::String(s(0)?.chars().take(n).collect())
            }
            _ => return Err(format!("function \"{name}\" not defined")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn images() -> Vec<Value> {
        vec![
            json!({"Repository":"busybox","Tag":"latest","ID":"3f57d9401f8d","CreatedSince":"2 weeks ago","Size":"4.26MB"}),
            json!({"Repository":"alpine","Tag":"3.20","ID":"91ef0af61f39","CreatedSince":"3 months ago","Size":"7.8MB"}),
        ]
    }
    const DEFAULT: &str = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

    fn headers() -> Value {
        json!({"Repository":"REPOSITORY","Tag":"TAG","ID":"IMAGE ID","CreatedSince":"CREATED","Size":"SIZE"})
    }

    #[test]
    fn default_table() {
        let want = "REPOSITORY   TAG       IMAGE ID       CREATED        SIZE\n\
                    busybox      latest    3f57d9401f8d   2 weeks ago    4.26MB\n\
                    alpine       3.20      91ef0af61f39   3 months ago   7.8MB\n";
        assert_eq!(
            render_list("", DEFAULT, &headers(), &images())
                .ok()
                .as_deref(),
            Some(want)
        );
        assert_eq!(
            render_list("table", DEFAULT, &headers(), &images())
                .ok()
                .as_deref(),
            Some(want)
        );
    }

    #[test]
    fn user_table_with_escapes_and_header_functions() {
        let src =
            r"  table {{.ID}}\t{{upper .Repository}}\t{{join (split .Tag `.`) `-`}}\t{{.Extra}}  ";
        let rows = [json!({"ID":"91ef0af61f39","Repository":"alpine","Tag":"3.20","Extra":""})];
        let want =
            "IMAGE ID       REPOSITORY   TAG       EXTRA\n91ef0af61f39   ALPINE       3-20      \n";
        assert_eq!(
            render_list(src, DEFAULT, &headers(), &rows).ok().as_deref(),
            Some(want)
        );
        let err = render_list("table {{.Missing}}", DEFAULT, &headers(), &images())
            .map(|_| ())
            .unwrap_err();
        assert!(
            err.to_string().contains("can't evaluate field Missing"),
            "{err}"
        );
        let err = render_list("{{.ID", DEFAULT, &headers(), &images())
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.to_string(), "template: :1: unclosed action");
    }

    #[test]
    fn plain_and_json_rows() {
        let out = render_list(
            r"{{.Repository}}:{{.Tag}}\n",
            DEFAULT,
            &headers(),
            &images(),
        );
        assert_eq!(
            out.ok().as_deref(),
            Some("busybox:latest\n\nalpine:3.20\n\n")
        );
        let out = render_list("json", DEFAULT, &headers(), &images()[..1]);
        let want = "{\"Repository\":\"busybox\",\"Tag\":\"latest\",\"ID\":\"3f57d9401f8d\",\"CreatedSince\":\"2 weeks ago\",\"Size\":\"4.26MB\"}\n";
        assert_eq!(out.ok().as_deref(), Some(want));
        assert_eq!(
            render_list("{{.ID}}", DEFAULT, &headers(), &[])
                .ok()
                .as_deref(),
            Some("")
        );
        let out = render_list("table {{.ID}}", DEFAULT, &headers(), &[]);
        assert_eq!(out.ok().as_deref(), Some("IMAGE ID\n"));
    }

    #[test]
    fn one() {
        let data = json!({"Id":"abc","Config":{"Env":["A=1","B=2"]},"N":null});
        assert_eq!(
            render_one("json", &data).ok().as_deref(),
            Some("{\"Id\":\"abc\",\"Config\":{\"Env\":[\"A=1\",\"B=2\"]},\"N\":null}\n")
        );
        assert_eq!(render_one("{{.Id}}", &data).ok().as_deref(), Some("abc\n"));
        assert_eq!(
            render_one("{{json .Config.Env}}", &data).ok().as_deref(),
            Some("[\"A=1\",\"B=2\"]\n")
        );
        assert_eq!(
            render_one("{{range .Config.Env}}{{println .}}{{end}}", &data)
                .ok()
                .as_deref(),
            Some("A=1\nB=2\n\n")
        );
        assert_eq!(
            render_one(r"{{.Id}}\t", &data).ok().as_deref(),
            Some("abc\\t\n")
        );
        let err = render_one("{{.Nope}}", &data)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope"
        );
        let err = render_one("{{.Id", &data)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert_eq!(err, "template: :1: unclosed action");
    }

    #[test]
    fn printf_verbs() {
        use funcs::sprintf;
        let a = [json!("ab"), json!(42), json!(1.5), json!(true), json!(null)];
        assert_eq!(sprintf("%s|%d|%v|%t|%v", &a), "ab|42|1.5|true|<nil>");
        assert_eq!(
            sprintf(
                "[%5s][%-5s][%.1s][%05d][%-4d][%+d]",
                &[
                    json!("ab"),
                    json!("ab"),
                    json!("ab"),
                    json!(-42),
                    json!(7),
                    json!(3)
                ]
            ),
            "[   ab][ab   ][a][-0042][7   ][+3]"
        );
        assert_eq!(
            sprintf(
                "%.2f %6.1f %f %e %g",
                &[
                    json!(1.23456),
                    json!(2),
                    json!(0.5),
                    json!(1500.0),
                    json!(1e21)
                ]
            ),
            "1.23    2.0 0.500000 1.500000e+03 1e+21"
        );
        assert_eq!(
            sprintf(
                "%q %x %X %c %%",
                &[json!("a\"b\n"), json!(255), json!("hi"), json!(65)]
            ),
            "\"a\\\"b\\n\" ff 6869 A %"
        );
        assert_eq!(
            sprintf("%d %s", &[json!("x")]),
            "%!d(string=x) %!s(MISSING)"
        );
        assert_eq!(
            sprintf("%s", &[json!(1), json!(2)]),
            "%!s(int=1)%!(EXTRA int=2)"
        );
        assert_eq!(
            sprintf("%*d|%-*s|", &[json!(4), json!(7), json!(3), json!("a")]),
            "   7|a  |"
        );
        assert_eq!(
            sprintf("%v %s", &[json!(["a", 1]), json!({"b":2,"a":{"c":null}})]),
            "[a 1] map[a:map[c:<nil>] b:2]"
        );
        assert_eq!(sprintf("100%", &[]), "100%!(NOVERB)");
    }
}
