//! Where a Bluesky account lives: its handle resolved to a DID
//! (`com.atproto.identity.resolveHandle`), the DID to its document (`did:plc` at the PLC
//! directory, `did:web` at the host's `/.well-known/did.json`), and the document's
//! `#atproto_pds` service: the account's own server (PDS), where it logs in. Accounts are not
//! all on bsky.social (atproto.com/specs/did, /specs/handle).
//!
//! The document must name the handle back (`alsoKnownAs: ["at://handle"]`): otherwise the
//! resolver's answer is not trusted with the app password.

use serde_json::Value;

use crate::platforms::http::{Http, Pace};
use crate::sources::text::path_segment;
use crate::sources::{Result, SourceError};

/// Where handles are resolved, unless the source points at a test server.
pub const RESOLVER: &str = "https://public.api.bsky.app";
/// The PLC directory, for `did:plc` documents.
pub const PLC_DIRECTORY: &str = "https://plc.directory";

/// The hosts resolution asks: all three point at one test server or proxy when the source
/// overrides its address.
#[derive(Debug, Clone)]
pub struct Hosts {
    pub resolver: String,
    pub plc: String,
    /// Where `did:web` documents are read instead of `https://{host}`, where set.
    pub did_web: Option<String>,
}

impl Hosts {
    /// Bluesky's resolver and the PLC directory; `did:web` at its own host.
    pub fn public() -> Hosts {
        Hosts {
            resolver: RESOLVER.into(),
            plc: PLC_DIRECTORY.into(),
            did_web: None,
        }
    }

    /// Every lookup at `base` (a test server or proxy).
    pub fn at(base: &str) -> Hosts {
        let base = base.trim_end_matches('/').to_string();
        Hosts {
            resolver: base.clone(),
            plc: base.clone(),
            did_web: Some(base),
        }
    }
}

/// An account's DID and its PDS address (no trailing slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub did: String,
    pub pds: String,
}

/// Resolves `handle` (or a DID given as the handle) to its DID and PDS.
pub async fn resolve(http: &Http, pace: &Pace, hosts: &Hosts, handle: &str) -> Result<Account> {
    let handle = handle.trim().trim_start_matches('@').to_ascii_lowercase();
    let did = if handle.starts_with("did:") {
        handle.clone()
    } else {
        let url = format!(
            "{}/xrpc/com.atproto.identity.resolveHandle",
            hosts.resolver.trim_end_matches('/')
        );
        let reply = http
            .send(pace, |c| c.get(&url).query(&[("handle", handle.as_str())]))
            .await
            .map_err(|e| unknown_handle(e, &handle))?;
        let v: Value = reply.json()?;
        v.get("did")
            .and_then(Value::as_str)
            .filter(|d| d.starts_with("did:"))
            .map(str::to_owned)
            .ok_or_else(|| SourceError::BadResponse(format!("Bluesky gave no DID for @{handle}")))?
    };
    let url = document_url(hosts, &did)?;
    let reply = http.send(pace, |c| c.get(&url)).await?;
    let doc: Value = reply.json()?;
    if !handle.starts_with("did:") && !names_handle(&doc, &handle) {
        return Err(SourceError::Config(format!(
            "the account {did} does not confirm the handle @{handle}; check the handle"
        )));
    }
    let pds = pds_of(&doc).ok_or_else(|| {
        SourceError::BadResponse(format!(
            "the DID document of @{handle} names no Bluesky server (#atproto_pds)"
        ))
    })?;
    Ok(Account { did, pds })
}

/// A refused or unknown handle, said as such.
fn unknown_handle(e: SourceError, handle: &str) -> SourceError {
    match e {
        SourceError::Rejected { status, detail } => SourceError::Config(format!(
            "Bluesky does not know the handle @{handle} ({status}: {detail}); check it"
        )),
        other => other,
    }
}

/// Where a DID's document is read.
pub fn document_url(hosts: &Hosts, did: &str) -> Result<String> {
    if did.starts_with("did:plc:") {
        return Ok(format!(
            "{}/{}",
            hosts.plc.trim_end_matches('/'),
            path_segment(did)
        ));
    }
    if let Some(host) = did.strip_prefix("did:web:") {
        // did:web with a path (`did:web:host:path`) is not used for atproto accounts.
        if host.is_empty() || host.contains(':') || host.contains('/') {
            return Err(SourceError::Config(format!(
                "{did} is not a did:web Bluesky can use"
            )));
        }
        let base = match &hosts.did_web {
            Some(b) => b.trim_end_matches('/').to_string(),
            None => format!("https://{host}"),
        };
        return Ok(format!("{base}/.well-known/did.json"));
    }
    Err(SourceError::Config(format!(
        "{did} is neither did:plc nor did:web; Bluesky accounts use those"
    )))
}

/// The `#atproto_pds` service's endpoint, without a trailing slash.
pub fn pds_of(doc: &Value) -> Option<String> {
    doc.get("service")?
        .as_array()?
        .iter()
        .find(|s| {
            s.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.ends_with("#atproto_pds"))
        })?
        .get("serviceEndpoint")?
        .as_str()
        .filter(|e| e.starts_with("https://") || e.starts_with("http://"))
        .map(|e| e.trim_end_matches('/').to_string())
}

/// Whether the document names `handle` (`at://handle` in `alsoKnownAs`).
fn names_handle(doc: &Value, handle: &str) -> bool {
    doc.get("alsoKnownAs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|a| a.eq_ignore_ascii_case(&format!("at://{handle}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A did:plc document as plc.directory serves it (GET https://plc.directory/{did}).
    const DOC: &str = r##"{"@context":["https://www.w3.org/ns/did/v1","https://w3id.org/security/multikey/v1"],
        "id":"did:plc:ewvi7nxzyoun6zhxrhs64oiz","alsoKnownAs":["at://atproto.com"],
        "verificationMethod":[{"id":"did:plc:ewvi7nxzyoun6zhxrhs64oiz#atproto","type":"Multikey","controller":"did:plc:ewvi7nxzyoun6zhxrhs64oiz","publicKeyMultibase":"zQ3shunBKsXixLxKtC5qeSG9E4J5RkGN57im31pcTzbNQnm5w"}],
        "service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://enoki.us-east.host.bsky.network/"}]}"##;

    #[test]
    fn the_pds_and_handle_come_from_the_did_document() {
        let doc: Value = serde_json::from_str(DOC).unwrap();
        assert_eq!(
            pds_of(&doc).as_deref(),
            Some("https://enoki.us-east.host.bsky.network")
        );
        assert!(names_handle(&doc, "atproto.com"));
        assert!(!names_handle(&doc, "someone.else"));
    }

    #[test]
    fn plc_and_web_dids_are_read_where_they_live() {
        let public = Hosts::public();
        assert_eq!(
            document_url(&public, "did:plc:abc").unwrap(),
            "https://plc.directory/did:plc:abc"
        );
        assert_eq!(
            document_url(&public, "did:web:shop.example").unwrap(),
            "https://shop.example/.well-known/did.json"
        );
        let test = Hosts::at("http://127.0.0.1:9/");
        assert_eq!(
            document_url(&test, "did:web:shop.example").unwrap(),
            "http://127.0.0.1:9/.well-known/did.json"
        );
        assert!(document_url(&public, "did:key:z6Mk").is_err());
    }
}
