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
        (
            "{{json .Names}} {{json .Labels}} {{json .Tag}} {{json .Nil}}",
            "[\"web\",\"db\"] {\"b\":\"2\",\"a\":\"1\",\"c.d\":\"3\"} \"latest\" null",
        ),
        ("{{json \"<&>\"}}", "\"<&>\""),
        (
            "{{split \"a:b:c\" \":\"}} {{len (split \"abc\" \"\")}}",
            "[a b c] 3",
        ),
        (
            "{{title \"hello wide-world\"}} {{lower \"ABC\"}} {{upper \"abc\"}}",
            "Hello Wide-World abc ABC",
        ),
        ("[{{pad .Tag 2 1}}][{{pad .Blank 2 1}}]", "[  latest ][]"),
        (
            "{{truncate .Repository 4}} {{truncate .Tag 100}} {{truncate \"héllo\" 2}}",
            "busy latest hé",
        ),
        (
            "{{len .Names}} {{len .Labels}} {{len .Tag}} {{len \"é\"}}",
            "2 3 6 2",
        ),
        (
            "{{index .Names 0}} {{index .Labels \"a\"}} {{index .Labels \"zz\"}}",
            "web 1 <nil>",
        ),
        ("{{index .Ports 1 \"Type\"}}", "udp"),
        (
            "{{eq .Tag \"latest\"}} {{eq .Tag \"x\" \"latest\"}} {{ne .Size 1}} {{eq .Nil nil}}",
            "true true true true",
        ),
        (
            "{{lt 1 2}} {{le 2 2}} {{gt 1.5 2}} {{ge \"b\" \"a\"}} {{lt .Ratio 1}}",
            "true true false true true",
        ),
        ("{{print \"a\" 1 2 \"b\" true}}", "a1 2btrue"),
        ("{{println \"a\" 1}}", "a 1\n"),
        (
            "{{printf \"%-8s|%5d|%.2f|%v|%q|%t\" .Tag .Size .Ratio .Names .Repository .Running}}",
            "latest  |4261376|0.25|[web db]|\"busybox\"|true",
        ),
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
    let t = Template::parse(
        "{{.ID}}\t{{json .Names}}\t{{join .Names \", \"}}\t{{.Status | upper}}\t{{truncate .ID 3}}",
    );
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
