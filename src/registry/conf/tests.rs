use super::*;

fn conf(text: &str) -> RegistriesConf {
    RegistriesConf::from_str(text, Path::new("/test/registries.conf")).unwrap()
}

fn hosts(eps: &[Endpoint]) -> Vec<String> {
    eps.iter()
        .map(|e| format!("{}/{}", e.host, e.path))
        .collect()
}

fn err(text: &str) -> String {
    RegistriesConf::from_str(text, Path::new("/test/r.conf"))
        .unwrap_err()
        .to_string()
}

#[test]
fn no_entry_is_the_domain_itself() {
    let c = conf("");
    let eps = c.endpoints("docker.io", "library/busybox", false).unwrap();
    assert_eq!(
        eps,
        vec![Endpoint {
            host: "docker.io".into(),
            path: "library/busybox".into(),
            insecure: false,
            mirror: false
        }]
    );
    assert!(c.unqualified_search().is_empty());
    assert!(!c.is_insecure("docker.io"));
}

#[test]
fn mirrors_then_location() {
    let c = conf(
        r#"
unqualified-search-registries = ["quay.io", "docker.io/"]
some-future-key = 1

[[registry]]
location = "docker.io"
[[registry.mirror]]
location = "mirror.gcr.io"
[[registry.mirror]]
location = "10.0.0.1:5000/hub"
insecure = true
unknown = "ignored"
"#,
    );
    assert_eq!(c.unqualified_search(), ["quay.io", "docker.io"]);
    let eps = c.endpoints("docker.io", "library/busybox", false).unwrap();
    assert_eq!(
        hosts(&eps),
        [
            "mirror.gcr.io/library/busybox",
            "10.0.0.1:5000/hub/library/busybox",
            "docker.io/library/busybox"
        ]
    );
    assert_eq!(
        eps.iter()
            .map(|e| (e.insecure, e.mirror))
            .collect::<Vec<_>>(),
        [(false, true), (true, true), (false, false)]
    );
    // Other registries are untouched.
    let eps = c.endpoints("quay.io", "a/b", false).unwrap();
    assert_eq!(hosts(&eps), ["quay.io/a/b"]);
}

#[test]
fn pull_from_mirror_and_digest_only() {
    let c = conf(
        r#"
[[registry]]
location = "example.com"
[[registry.mirror]]
location = "digests.example.com"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tags.example.com"
pull-from-mirror = "tag-only"
[[registry.mirror]]
location = "all.example.com"
pull-from-mirror = "all"

[[registry]]
location = "other.com"
mirror-by-digest-only = true
[[registry.mirror]]
location = "m.other.com"
"#,
    );
    let tag = c.endpoints("example.com", "x", false).unwrap();
    assert_eq!(
        hosts(&tag),
        ["tags.example.com/x", "all.example.com/x", "example.com/x"]
    );
    let digest = c.endpoints("example.com", "x", true).unwrap();
    assert_eq!(
        hosts(&digest),
        [
            "digests.example.com/x",
            "all.example.com/x",
            "example.com/x"
        ]
    );
    assert_eq!(
        hosts(&c.endpoints("other.com", "x", false).unwrap()),
        ["other.com/x"]
    );
    assert_eq!(
        hosts(&c.endpoints("other.com", "x", true).unwrap()),
        ["m.other.com/x", "other.com/x"]
    );
}

#[test]
fn prefix_rewriting_and_longest_match() {
    let c = conf(
        r#"
[[registry]]
prefix = "example.com"
location = "plain.example.net"

[[registry]]
prefix = "example.com/team"
location = "team.example.net:5000/mirror/team"
insecure = true
[[registry.mirror]]
location = "cache.local/team"

[[registry]]
prefix = "docker.io/library"
location = "hub.local"
"#,
    );
    let eps = c.endpoints("example.com", "team/app", false).unwrap();
    assert_eq!(
        hosts(&eps),
        [
            "cache.local/team/app",
            "team.example.net:5000/mirror/team/app"
        ]
    );
    assert!(!eps[0].insecure && eps[1].insecure);
    // "teamwork" does not match the "team" prefix: component boundary.
    let eps = c.endpoints("example.com", "teamwork/app", false).unwrap();
    assert_eq!(hosts(&eps), ["plain.example.net/teamwork/app"]);
    // "hub.local" + "/busybox".
    let eps = c.endpoints("docker.io", "library/busybox", false).unwrap();
    assert_eq!(hosts(&eps), ["hub.local/busybox"]);
    assert!(!c.is_insecure("team.example.net:5000"));
    assert!(!c.is_insecure("example.com"));
}

#[test]
fn docker_io_rewrites_are_normalised() {
    let c = conf(
        r#"
[[registry]]
prefix = "quay.io/hub"
location = "docker.io"
"#,
    );
    let eps = c.endpoints("quay.io", "hub/busybox", false).unwrap();
    assert_eq!(hosts(&eps), ["docker.io/library/busybox"]);
}

#[test]
fn rewrite_without_path_is_an_error() {
    let c = conf("[[registry]]\nprefix = \"example.com/foo\"\nlocation = \"other.com\"\n");
    let e = c.endpoints("example.com", "foo", false).unwrap_err();
    assert!(matches!(e, ConfError::Rewrite { .. }), "{e}");
    assert!(e.to_string().contains("/test/registries.conf"), "{e}");
    let eps = c.endpoints("example.com", "foo/bar", false).unwrap();
    assert_eq!(hosts(&eps), ["other.com/bar"]);
}

#[test]
fn wildcard_prefixes() {
    let c = conf(
        r#"
[[registry]]
prefix = "*.example.com"
insecure = true
[[registry.mirror]]
location = "mirror.local/sub"

[[registry]]
prefix = "*.b.example.com"
location = "b.local"
"#,
    );
    // The match ends before the port, which the mirror cannot take.
    let e = c.endpoints("a.example.com:5000", "x/y", false).unwrap_err();
    assert!(
        e.to_string().contains("\"mirror.local/sub:5000/x/y\""),
        "{e}"
    );
    let eps = c.endpoints("a.example.com", "x/y", false).unwrap();
    assert_eq!(hosts(&eps), ["mirror.local/sub/x/y", "a.example.com/x/y"]);
    assert!(eps[1].insecure && !eps[1].mirror);
    assert!(
        !eps[0].insecure,
        "the rewritten name is not under *.example.com"
    );
    // Longer wildcard wins.
    let eps = c.endpoints("x.b.example.com", "y", false).unwrap();
    assert_eq!(hosts(&eps), ["b.local/y"]);
    // Not a subdomain.
    assert_eq!(
        hosts(&c.endpoints("example.com", "y", false).unwrap()),
        ["example.com/y"]
    );
    assert_eq!(
        hosts(&c.endpoints("evil.com", "a.example.com/y", false).unwrap()),
        ["evil.com/a.example.com/y"]
    );
    assert!(c.is_insecure("a.example.com"));
    assert!(!c.is_insecure("example.com"));
}

#[test]
fn blocked_names_registry_and_file() {
    let c = conf("[[registry]]\nlocation = \"docker.io\"\nblocked = true\n");
    let e = c
        .endpoints("docker.io", "library/busybox", false)
        .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.starts_with("registry docker.io is blocked in /test/registries.conf"),
        "{msg}"
    );
    assert!(msg.contains("\nhint: "), "{msg}");
}

#[test]
fn equally_long_prefixes_sort() {
    let c = conf(
        "[[registry]]\nprefix = \"a.example.com\"\nlocation = \"plain.com\"\n\
         [[registry]]\nprefix = \"*.example.com\"\nlocation = \"wild.com\"\n",
    );
    let eps = c.endpoints("a.example.com", "x", false).unwrap();
    assert_eq!(hosts(&eps), ["wild.com/x"]);
}

#[test]
fn first_of_equal_prefixes_wins() {
    let c = conf(
        "[[registry]]\nlocation = \"a.com\"\n[[registry.mirror]]\nlocation = \"m1.com\"\n\
         [[registry]]\nlocation = \"a.com\"\n[[registry.mirror]]\nlocation = \"m2.com\"\n",
    );
    assert_eq!(
        hosts(&c.endpoints("a.com", "x", false).unwrap()),
        ["m1.com/x", "a.com/x"]
    );
}

#[test]
fn invalid_files() {
    let e = err("unqualified-search-registries = [\"docker.io\"\n");
    assert!(
        e.starts_with("invalid registries configuration /test/r.conf: "),
        "{e}"
    );
    assert!(e.ends_with(HINT), "{e}");
    for (text, want) in [
        ("[[registry]]\ninsecure = true\n", "neither location nor prefix"),
        ("[[registry]]\nprefix = \"a.com/x\"\n", "has no location"),
        ("[[registry]]\nlocation = \"https://a.com\"\n", "URL schemes"),
        ("[[registry]]\nprefix = \"*.a.com:5000\"\n", "*.example.com"),
        ("[[registry]]\nlocation = \"a.com\"\ninsecure = \"yes\"\n", "invalid type"),
        (
            "[[registry]]\nlocation = \"a.com\"\npull-from-mirror = \"all\"\n",
            "pull-from-mirror is set",
        ),
        (
            "[[registry]]\nlocation = \"a.com\"\n[[registry.mirror]]\nlocation = \"m.com\"\npull-from-mirror = \"sometimes\"\n",
            "\"sometimes\"",
        ),
        (
            "[[registry]]\nlocation = \"a.com\"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = \"m.com\"\npull-from-mirror = \"all\"\n",
            "use only one",
        ),
        ("[[registry]]\nlocation = \"a.com\"\n[[registry.mirror]]\ninsecure = true\n", "mirror"),
        (
            "[[registry]]\nprefix = \"a.com/x\"\nlocation = \"a.com\"\n[[registry]]\nprefix = \"a.com/y\"\nlocation = \"a.com\"\ninsecure = true\n",
            "different insecure settings",
        ),
        ("unqualified-search-registries = [\"a.com/ns\"]\n", "not a host"),
        (
            "unqualified-search-registries = [\"a.com\"]\n[registries.search]\nregistries = [\"b.com\"]\n",
            "mixing",
        ),
    ] {
        let e = err(text);
        assert!(e.contains(want), "{text}: {e}");
        assert!(e.contains("/test/r.conf"), "{e}");
    }
}

#[test]
fn v1_format() {
    let c = conf(
        r#"
[registries.search]
registries = ["registry.fedoraproject.org", "docker.io"]
[registries.insecure]
registries = ["localhost:5000", "bad.com"]
[registries.block]
registries = ["bad.com/"]
"#,
    );
    assert_eq!(
        c.unqualified_search(),
        ["registry.fedoraproject.org", "docker.io"]
    );
    assert!(c.is_insecure("localhost:5000"));
    let eps = c.endpoints("localhost:5000", "a", false).unwrap();
    assert!(eps[0].insecure);
    let e = c.endpoints("bad.com", "a", false).unwrap_err();
    assert!(matches!(e, ConfError::Blocked { .. }), "{e}");
    // An empty v1 section next to v2 keys is not "mixing".
    let c =
        conf("unqualified-search-registries = [\"a.com\"]\n[registries.search]\nregistries = []\n");
    assert_eq!(c.unqualified_search(), ["a.com"]);
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kist-conf-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn load_merges_files_and_dropins() {
    let dir = temp_dir("load");
    let system = dir.join("etc/registries.conf");
    let user = dir.join("home/registries.conf");
    std::fs::create_dir_all(dir.join("etc/registries.conf.d/sub.conf")).unwrap();
    std::fs::create_dir_all(dir.join("home/registries.conf.d")).unwrap();
    std::fs::write(
        &system,
        "unqualified-search-registries = [\"a.com\"]\n\
         [[registry]]\nlocation = \"docker.io\"\n[[registry.mirror]]\nlocation = \"m1.com\"\n\
         [[registry]]\nlocation = \"quay.io\"\nblocked = true\n",
    )
    .unwrap();
    // Applied in name order: 20 overrides 10.
    std::fs::write(
        dir.join("etc/registries.conf.d/20-b.conf"),
        "[[registry]]\nlocation = \"docker.io\"\n[[registry.mirror]]\nlocation = \"m3.com\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("etc/registries.conf.d/10-a.conf"),
        "unqualified-search-registries = [\"b.com\"]\n\
         [[registry]]\nlocation = \"docker.io\"\n[[registry.mirror]]\nlocation = \"m2.com\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("etc/registries.conf.d/ignored.txt"), "garbage").unwrap();
    // The user file is missing: its drop-ins are still read.
    std::fs::write(
        dir.join("home/registries.conf.d/x.conf"),
        "[[registry]]\nlocation = \"quay.io\"\n",
    )
    .unwrap();
    let c = RegistriesConf::load(&[system.clone(), user]).unwrap();
    assert_eq!(c.unqualified_search(), ["b.com"]);
    assert_eq!(
        hosts(&c.endpoints("docker.io", "library/x", false).unwrap()),
        ["m3.com/library/x", "docker.io/library/x"]
    );
    assert_eq!(
        hosts(&c.endpoints("quay.io", "x/y", false).unwrap()),
        ["quay.io/x/y"]
    );
    // A broken drop-in is an error naming it.
    std::fs::write(
        dir.join("etc/registries.conf.d/30-bad.conf"),
        "[[registry]\n",
    )
    .unwrap();
    let e = RegistriesConf::load(&[system]).unwrap_err().to_string();
    assert!(e.contains("30-bad.conf"), "{e}");
    assert!(RegistriesConf::load(&[dir.join("nope.conf")]).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn default_files_like_podman() {
    let dir = temp_dir("defaults");
    let user = dir.join(USER_FILE);
    assert_eq!(
        default_files_with(None, Some(&dir)),
        [PathBuf::from(SYSTEM_FILE), user.clone()]
    );
    std::fs::create_dir_all(user.parent().unwrap()).unwrap();
    std::fs::write(&user, "").unwrap();
    assert_eq!(default_files_with(None, Some(&dir)), [user]);
    assert_eq!(default_files_with(None, None), [PathBuf::from(SYSTEM_FILE)]);
    assert_eq!(
        default_files_with(Some("/x/r.conf".into()), Some(&dir)),
        [PathBuf::from("/x/r.conf")]
    );
    assert_eq!(
        default_files_with(Some("".into()), None),
        [PathBuf::from(SYSTEM_FILE)]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn prefix_matching() {
    assert_eq!(match_prefix("a.com/x", "a.com"), Some(5));
    assert_eq!(match_prefix("a.com", "a.com"), Some(5));
    assert_eq!(match_prefix("a.com:5000/x", "a.com"), Some(5));
    assert_eq!(match_prefix("a.comx/x", "a.com"), None);
    assert_eq!(match_prefix("a.com", "a.com/x"), None);
    assert_eq!(match_prefix("b.a.com/x", "*.a.com"), Some(7));
    assert_eq!(match_prefix("a.com/x", "*.a.com"), None);
    assert_eq!(match_prefix("b.a.comm/x", "*.a.com"), None);
    assert_eq!(split_name("a.com/x"), Some(("a.com".into(), "x".into())));
    assert_eq!(
        split_name("hub/busybox"),
        Some(("docker.io".into(), "hub/busybox".into()))
    );
    assert_eq!(
        split_name("docker.io/busybox"),
        Some(("docker.io".into(), "library/busybox".into()))
    );
    assert_eq!(split_name("a.com"), None);
    assert_eq!(split_name("a.com/X"), None);
    assert_eq!(
        split_name("localhost/x/y"),
        Some(("localhost".into(), "x/y".into()))
    );
}
