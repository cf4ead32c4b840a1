//! TLS settings of an endpoint: insecure registries, certs.d, client certificates.

use super::*;

pub(super) fn tls_config(registry: &str, opts: &SessionOptions) -> Result<TlsConfig> {
    let mut builder = TlsConfig::builder();
    if opts.insecure {
        builder = builder.disable_verification(true);
    }
    let dirs: Vec<PathBuf> = match &opts.cert_dir {
        Some(d) => vec![d.clone()],
        None => {
            let mut v = vec![
                Path::new("/etc/containers/certs.d").join(registry),
                Path::new("/etc/docker/certs.d").join(registry),
            ];
            if let Some(h) = &opts.home {
                v.push(h.join(".config/containers/certs.d").join(registry));
            }
            v
        }
    };
    let tls_err = |reason: String| RegistryError::Tls {
        registry: registry.to_string(),
        reason,
    };
    let mut extra: Vec<Certificate<'static>> = Vec::new();
    let mut client = None;
    for dir in &dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut names: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        names.sort();
        for path in names {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            let read = || {
                std::fs::read(&path)
                    .map_err(|e| tls_err(format!("cannot read {}: {e}", path.display())))
            };
            match ext {
                "crt" => extra.extend(pem_certs(&read()?)),
                "cert" => {
                    let key_path = path.with_extension("key");
                    let key = std::fs::read(&key_path).map_err(|e| {
                        tls_err(format!(
                            "client certificate {} has no readable key {}: {e}",
                            path.display(),
                            key_path.display()
                        ))
                    })?;
                    let key = PrivateKey::from_pem(&key)
                        .map_err(|e| tls_err(format!("invalid key {}: {e}", key_path.display())))?;
                    client = Some(ClientCert::new_with_certs(&pem_certs(&read()?), key));
                }
                _ => {}
            }
        }
    }
    if !extra.is_empty() {
        let mut roots = std::fs::read("/etc/ssl/certs/ca-certificates.crt")
            .map(|b| pem_certs(&b))
            .unwrap_or_default();
        roots.extend(extra);
        builder = builder.root_certs(RootCerts::new_with_certs(&roots));
    } else if let Ok(system) = std::fs::read("/etc/ssl/certs/ca-certificates.crt") {
        builder = builder.root_certs(RootCerts::new_with_certs(&pem_certs(&system)));
    }
    if client.is_some() {
        builder = builder.client_cert(client);
    }
    Ok(builder.build())
}

fn pem_certs(pem: &[u8]) -> Vec<Certificate<'static>> {
    ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect()
}
