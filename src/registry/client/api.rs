//! The registry API calls of a session: manifests, blobs, uploads, login.

use super::*;

impl Session {
    /// A manifest or index: its bytes, media type and digest (computed).
    pub fn manifest(
        &self,
        repo: &str,
        reference: &str,
        what: &str,
    ) -> Result<(Vec<u8>, String, Digest)> {
        let accept = [
            spec::OCI_INDEX,
            spec::DOCKER_LIST,
            spec::OCI_MANIFEST,
            spec::DOCKER_MANIFEST,
        ]
        .join(", ");
        let url = self.url(&format!("{repo}/manifests/{reference}"));
        let resp = self.call(
            Method::Get,
            &url,
            &[Self::scope_pull(repo)],
            &[("Accept", accept)],
            Payload::None,
            what,
        )?;
        if !resp.status().is_success() {
            return Err(self.status_error(resp, what, "pull"));
        }
        if resp
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n > MAX_MANIFEST)
        {
            return Err(self.too_large(what));
        }
        let claimed = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Digest::parse(v.trim()));
        let media = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let body = read_limited(resp, MAX_MANIFEST).map_err(|e| {
            if e.contains("limit") {
                self.too_large(what)
            } else {
                self.protocol(what, e)
            }
        })?;
        let digest = Digest::of(&body);
        // The registry's own digest of what it sent (docker checks it too).
        if let Some(claimed) = claimed.filter(|c| *c != digest) {
            return Err(RegistryError::Mismatch {
                registry: self.registry.clone(),
                what: what.to_string(),
                expected: claimed.to_string(),
                actual: digest.to_string(),
            });
        }
        Ok((body, media, digest))
    }

    fn too_large(&self, what: &str) -> RegistryError {
        RegistryError::TooLarge {
            registry: self.registry.clone(),
            what: what.to_string(),
            limit: MAX_MANIFEST,
        }
    }

    /// A blob's bytes from `offset` on (HTTP Range when `offset` > 0).
    pub fn blob(&self, repo: &str, digest: &Digest, offset: u64, what: &str) -> Result<BlobStream> {
        let url = self.url(&format!("{repo}/blobs/{digest}"));
        let mut headers = Vec::new();
        if offset > 0 {
            headers.push(("Range", format!("bytes={offset}-")));
        }
        let resp = self.call(
            Method::Get,
            &url,
            &[Self::scope_pull(repo)],
            &headers,
            Payload::None,
            what,
        )?;
        let status = resp.status().as_u16();
        let offset = match status {
            206 => offset,
            200 => 0,
            416 if offset > 0 => return self.blob(repo, digest, 0, what),
            _ => return Err(self.status_error(resp, what, "pull")),
        };
        Ok(BlobStream {
            reader: Box::new(resp.into_body().into_reader()),
            offset,
        })
    }

    /// The blob's size when the repository has it.
    pub fn blob_exists(&self, repo: &str, digest: &Digest, push: bool) -> Result<Option<u64>> {
        let url = self.url(&format!("{repo}/blobs/{digest}"));
        let scope = if push {
            Self::scope_push(repo)
        } else {
            Self::scope_pull(repo)
        };
        let what = format!("blob {digest}");
        let resp = self.call(Method::Head, &url, &[scope], &[], Payload::None, &what)?;
        match resp.status().as_u16() {
            200..=299 => Ok(Some(
                resp.headers()
                    .get("content-length")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
            )),
            404 => Ok(None),
            _ => Err(self.status_error(resp, &what, "push to")),
        }
    }

    /// Starts an upload, or mounts the blob from `from` (another
    /// repository of this registry) when the registry can.
    pub fn start_upload(&self, repo: &str, mount: Option<(&Digest, &str)>) -> Result<Upload> {
        let mut url = self.url(&format!("{repo}/blobs/uploads/"));
        let mut scopes = vec![Self::scope_push(repo)];
        if let Some((digest, from)) = mount {
            url.push_str(&format!("?mount={digest}&from={from}"));
            scopes.push(Self::scope_pull(from));
        }
        let what = format!("an upload to {repo}");
        let resp = self.call(Method::Post, &url, &scopes, &[], Payload::Bytes(&[]), &what)?;
        match resp.status().as_u16() {
            201 if mount.is_some() => Ok(Upload::Mounted),
            202 | 201 => Ok(Upload::Started(self.location(&resp, &what)?)),
            _ => Err(self.status_error(resp, &what, "push to")),
        }
    }

    fn location(&self, resp: &Response<Body>, what: &str) -> Result<String> {
        resp.headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(|l| self.absolute(l))
            .ok_or_else(|| self.protocol(what, "no Location in the answer".into()))
    }

    /// Sends one chunk of an upload; returns the next upload URL.
    pub fn upload_chunk(
        &self,
        repo: &str,
        location: &str,
        offset: u64,
        data: &[u8],
    ) -> Result<String> {
        let what = format!("an upload to {repo}");
        let headers = [
            ("Content-Type", "application/octet-stream".to_string()),
            (
                "Content-Range",
                format!("{}-{}", offset, offset + data.len() as u64 - 1),
            ),
        ];
        let resp = self.call(
            Method::Patch,
            location,
            &[Self::scope_push(repo)],
            &headers,
            Payload::Bytes(data),
            &what,
        )?;
        if resp.status().as_u16() != 202 {
            return Err(self.status_error(resp, &what, "push to"));
        }
        self.location(&resp, &what)
    }

    /// Ends an upload, naming the blob's digest.
    pub fn finish_upload(&self, repo: &str, location: &str, digest: &Digest) -> Result<()> {
        let sep = if location.contains('?') { '&' } else { '?' };
        let url = format!("{location}{sep}digest={digest}");
        let what = format!("blob {digest}");
        let resp = self.call(
            Method::Put,
            &url,
            &[Self::scope_push(repo)],
            &[("Content-Type", "application/octet-stream".into())],
            Payload::Bytes(&[]),
            &what,
        )?;
        if !resp.status().is_success() {
            return Err(self.status_error(resp, &what, "push to"));
        }
        Ok(())
    }

    pub fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media: &str,
        body: &[u8],
    ) -> Result<()> {
        let url = self.url(&format!("{repo}/manifests/{reference}"));
        let what = format!("manifest {repo}:{reference}");
        let resp = self.call(
            Method::Put,
            &url,
            &[Self::scope_push(repo)],
            &[("Content-Type", media.to_string())],
            Payload::Bytes(body),
            &what,
        )?;
        if !resp.status().is_success() {
            return Err(self.status_error(resp, &what, "push to"));
        }
        Ok(())
    }

    /// A JSON document from the API (catalog, tag lists), with the next
    /// page's path from its `Link` header.
    pub fn get_json(
        &self,
        path: &str,
        scope: &str,
        what: &str,
    ) -> Result<(serde_json::Value, Option<String>)> {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else if path.starts_with("/v2/") {
            format!("{}{}", self.base, path)
        } else {
            self.url(path)
        };
        let scopes: Vec<String> = [scope]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
            .collect();
        let resp = self.call(Method::Get, &url, &scopes, &[], Payload::None, what)?;
        if !resp.status().is_success() {
            return Err(self.status_error(resp, what, "list"));
        }
        let next = resp
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .and_then(|l| l.split_once('<'))
            .and_then(|(_, rest)| rest.split_once('>'))
            .map(|(p, _)| p.to_string());
        let body = read_limited(resp, 16 << 20).map_err(|e| self.protocol(what, e))?;
        let value = serde_json::from_slice(&body)
            .map_err(|e| self.protocol(what, format!("invalid JSON: {e}")))?;
        Ok((value, next))
    }

    /// Checks the credentials: a request that needs authorization.
    pub fn check_login(&self) -> Result<()> {
        let resp = self.call(
            Method::Get,
            &self.url(""),
            &[],
            &[],
            Payload::None,
            "GET /v2/",
        )?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(self.status_error(resp, "login", "log in to"))
        }
    }
}
