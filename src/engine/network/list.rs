//! `kist network ls` with docker's filters, and `kist network inspect`
//! with docker's JSON.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{all, attached, find, Attached, EngineError, Network, Result};
use crate::engine::container::ps::regex_lite;
use crate::store::Digest;

pub const LIST_FILTERS: &[&str] = &["dangling", "driver", "id", "label", "name", "scope", "type"];

/// `--filter` of `network ls`: values of one key are alternatives, keys
/// must all match (labels: every one).
#[derive(Debug, Default, Clone)]
pub struct NetworkFilters {
    /// Regular expressions on the name / ID.
    pub names: Vec<String>,
    pub ids: Vec<String>,
    pub drivers: Vec<String>,
    pub scopes: Vec<String>,
    pub labels: Vec<(String, Option<String>)>,
    /// `type=builtin` (true) / `type=custom` (false).
    pub types: Vec<bool>,
    /// No running container on it (user-defined networks only).
    pub dangling: Option<bool>,
}

impl NetworkFilters {
    pub fn parse(items: &[String]) -> Result<NetworkFilters> {
        let mut f = NetworkFilters::default();
        for item in items {
            let (key, value) = item.split_once('=').ok_or_else(|| {
                EngineError::Invalid(format!(
                    "bad format of filter {item:?} (expected name=value)"
                ))
            })?;
            let value = value.to_string();
            match key.to_ascii_lowercase().as_str() {
                "name" => f.names.push(value),
                "id" => f.ids.push(value),
                "driver" => f.drivers.push(value),
                "scope" => f.scopes.push(value),
                "label" => f.labels.push(match value.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (value, None),
                }),
                "type" => f.types.push(match value.as_str() {
                    "builtin" => true,
                    "custom" => false,
                    _ => {
                        return Err(EngineError::Invalid(format!(
                        "invalid filter: 'type'='{value}'\nhint: use type=custom or type=builtin"
                    )))
                    }
                }),
                "dangling" => {
                    if f.dangling.is_some() {
                        return Err(EngineError::Invalid(
                            "got more than one value for filter key \"dangling\"".into(),
                        ));
                    }
                    f.dangling = Some(match value.as_str() {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        _ => return Err(EngineError::Invalid(format!(
                            "invalid value for filter 'dangling': {value:?}\nhint: use true (or 1), or false (or 0)"
                        ))),
                    });
                }
                other => {
                    return Err(EngineError::Invalid(format!(
                        "invalid filter {other:?}\nhint: valid filters are {}",
                        LIST_FILTERS.join(", ")
                    )))
                }
            }
        }
        Ok(f)
    }

    /// Whether the network passes; `in_use`: a running container is on it.
    pub fn matches(&self, n: &Network, in_use: bool) -> bool {
        let any =
            |list: &[String], f: &dyn Fn(&String) -> bool| list.is_empty() || list.iter().any(f);
        let r = &n.rec;
        any(&self.names, &|p| regex_lite(p, &r.name))
            && any(&self.ids, &|p| regex_lite(p, &r.id))
            && any(&self.drivers, &|d| *d == r.driver)
            && any(&self.scopes, &|s| s == "local")
            && self.labels.iter().all(|(k, v)| match (r.labels.get(k), v) {
                (Some(actual), Some(want)) => actual == want,
                (got, None) => got.is_some(),
                (None, _) => false,
            })
            && (self.types.is_empty() || self.types.contains(&n.builtin))
            && match self.dangling {
                None => true,
                Some(true) => !n.builtin && !in_use,
                Some(false) => n.builtin || in_use,
            }
    }
}

/// The networks that pass the filters, by name.
pub fn list(store: &crate::store::Store, filters: &NetworkFilters) -> Result<Vec<Network>> {
    let users = match filters.dangling {
        Some(_) => attached(store)?,
        None => BTreeMap::new(),
    };
    Ok(all(store)?
        .into_iter()
        .filter(|n| filters.matches(n, users.contains_key(&n.rec.name)))
        .collect())
}

/// One object per query, in order; a query that matches nothing is an
/// error in its slot.
pub fn inspect(store: &crate::store::Store, queries: &[String]) -> Result<Vec<Result<Value>>> {
    let users = attached(store)?;
    Ok(queries
        .iter()
        .map(|q| {
            let n = find(store, q)?;
            let on = users
                .get(&n.rec.name)
                .map(Vec::as_slice)
                .unwrap_or_default();
            Ok(object(&n, on))
        })
        .collect())
}

/// docker's `NetworkResource`, its fields in docker's order.
pub fn object(n: &Network, containers: &[Attached]) -> Value {
    let r = &n.rec;
    let config = match n.builtin {
        true => json!([]),
        false => json!([{ "Subnet": r.subnet, "Gateway": r.gateway }]),
    };
    let mut on = Map::new();
    for c in containers {
        let e = &c.endpoint;
        let ipv4 = match e.ip_address.as_str() {
            "" => String::new(),
            ip => format!("{ip}/{}", e.prefix_len),
        };
        let endpoint_id = Digest::of(format!("{}{}", r.id, c.id).as_bytes());
        on.insert(
            c.id.clone(),
            json!({
                "Name": c.name,
                "EndpointID": endpoint_id.hex(),
                "MacAddress": e.mac_address,
                "IPv4Address": ipv4,
                "IPv6Address": "",
            }),
        );
    }
    json!({
        "Name": r.name,
        "Id": r.id,
        "Created": r.created,
        "Scope": "local",
        "Driver": r.driver,
        "EnableIPv6": false,
        "IPAM": { "Driver": "default", "Options": {}, "Config": config },
        "Internal": r.internal,
        "Attachable": false,
        "Ingress": false,
        "ConfigFrom": { "Network": "" },
        "ConfigOnly": false,
        "Containers": on,
        "Options": {},
        "Labels": r.labels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::containers::EndpointState;
    use crate::store::networks::NetworkRecord;

    fn net(name: &str, driver: &str, builtin: bool, labels: &[(&str, &str)]) -> Network {
        Network {
            rec: NetworkRecord {
                name: name.into(),
                id: Digest::of(name.as_bytes()).hex().into(),
                created: "2024-01-02T03:04:05Z".into(),
                driver: driver.into(),
                subnet: "10.89.1.0/24".into(),
                gateway: "10.89.1.1".into(),
                internal: false,
                labels: labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                interface: "kist1".into(),
                dns_enabled: true,
            },
            builtin,
        }
    }

    fn parse(items: &[&str]) -> Result<NetworkFilters> {
        NetworkFilters::parse(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn filters() {
        let web = net(
            "web-net",
            "bridge",
            false,
            &[("env", "prod"), ("team", "a")],
        );
        let host = net("host", "host", true, &[]);
        let yes = |f: &[&str], n: &Network, used: bool| parse(f).unwrap().matches(n, used);
        assert!(yes(&[], &web, false));
        assert!(yes(&["name=web"], &web, false) && !yes(&["name=^net"], &web, false));
        assert!(yes(&["name=db", "name=web"], &web, false));
        assert!(yes(&[&format!("id={}", &web.rec.id[..6])], &web, false));
        assert!(yes(&["driver=host"], &host, false) && !yes(&["driver=host"], &web, false));
        assert!(yes(&["label=env", "label=team=a"], &web, false));
        assert!(!yes(&["label=env=dev"], &web, false) && !yes(&["label=x"], &web, false));
        assert!(yes(&["type=custom"], &web, false) && !yes(&["type=custom"], &host, false));
        assert!(yes(&["type=custom", "type=builtin"], &host, false));
        assert!(yes(&["dangling=true"], &web, false) && !yes(&["dangling=1"], &web, true));
        assert!(!yes(&["dangling=true"], &host, false) && yes(&["dangling=false"], &host, false));
        assert!(yes(&["dangling=false"], &web, true) && !yes(&["dangling=0"], &web, false));
        assert!(yes(&["scope=local"], &web, false) && !yes(&["scope=swarm"], &web, false));
        for bad in ["type=x", "dangling=maybe", "foo=1", "name"] {
            assert!(parse(&[bad]).is_err(), "{bad}");
        }
        assert!(parse(&["dangling=true", "dangling=false"]).is_err());
    }

    #[test]
    fn inspect_objects() {
        let n = net("n1", "bridge", false, &[("a", "b")]);
        let c = Attached {
            id: "c".repeat(64),
            name: "web".into(),
            endpoint: EndpointState {
                network_id: n.rec.id.clone(),
                ip_address: "10.89.1.2".into(),
                prefix_len: 24,
                gateway: "10.89.1.1".into(),
                mac_address: "02:00:00:00:00:01".into(),
            },
        };
        let v = object(&n, &[c]);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(keys[..5], ["Name", "Id", "Created", "Scope", "Driver"]);
        assert_eq!(v["IPAM"]["Config"][0]["Subnet"], "10.89.1.0/24");
        assert_eq!(v["Labels"]["a"], "b");
        let e = &v["Containers"][&"c".repeat(64)];
        assert_eq!(e["Name"], "web");
        assert_eq!(e["IPv4Address"], "10.89.1.2/24");
        assert_eq!(e["EndpointID"].as_str().unwrap().len(), 64);
        let b = object(&net("none", "null", true, &[]), &[]);
        assert_eq!(b["IPAM"]["Config"], json!([]));
        assert_eq!(b["Containers"], json!({}));
    }
}
