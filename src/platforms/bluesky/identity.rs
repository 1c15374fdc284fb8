//! A handle's DID and PDS (atproto.com/specs/handle, /specs/did): the account's own server, where
//! its session is created and its records are written, rather than assuming `bsky.social`.
//!
//! Handle → DID through `com.atproto.identity.resolveHandle` on the public AppView, else the
//! handle's own `https://{handle}/.well-known/atproto-did` (DNS TXT needs a resolver Earshot does
//! not carry; every handle Bluesky hosts answers the AppView). DID → document: `did:plc:` from
//! the PLC directory, `did:web:` from the host's `/.well-known/did.json`. The document must name
//! the handle back (`alsoKnownAs: at://{handle}`), and its `#atproto_pds` service is the PDS.
//! Reading and replying can share it.

use serde_json::Value;

use crate::platforms::http::{Http, Pace};
use crate::sources::{Result, SourceError};

/// Where identities are resolved; the defaults are Bluesky's public services. Tests point both
/// at a mock (the source's `resolver_url` and `plc_url`).
pub(crate) struct Resolvers<'a> {
    /// An AppView answering `com.atproto.identity.resolveHandle`.
    pub appview: &'a str,
    /// The PLC directory.
    pub plc: &'a str,
}

pub(crate) const APPVIEW: &str = "https://public.api.bsky.app";
pub(crate) const PLC: &str = "https://plc.directory";

/// An account: its DID and the address of its PDS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub did: String,
    pub pds: String,
}

fn bad(handle: &str, why: impl std::fmt::Display) -> SourceError {
    SourceError::Config(format!(
        "Earshot could not find the Bluesky account @{handle}: {why}; check the handle"
    ))
}

/// Resolves `handle` (with or without `@`; a DID is taken as it is) to its DID and PDS.
pub(crate) async fn resolve(
    http: &Http,
    pace: &Pace,
    handle: &str,
    at: &Resolvers<'_>,
) -> Result<Identity> {
    let handle = handle.trim().trim_start_matches('@').to_ascii_lowercase();
    let did = if handle.starts_with("did:") {
        handle.clone()
    } else {
        handle_did(http, pace, &handle, at).await?
    };
    let doc_url = if let Some(id) = did.strip_prefix("did:plc:") {
        format!("{}/did:plc:{id}", at.plc.trim_end_matches('/'))
    } else if let Some(host) = did.strip_prefix("did:web:") {
        format!("https://{}/.well-known/did.json", host.replace("%3A", ":"))
    } else {
        return Err(bad(
            &handle,
            format!("its DID {did:?} is of a kind atproto does not use"),
        ));
    };
    let doc: Value = http
        .send(pace, |c| c.get(&doc_url))
        .await
        .map_err(|e| bad(&handle, format!("its DID document could not be read ({e})")))?
        .json()?;
    pds_of(&handle, &did, &doc)
}

/// The DID a handle names.
async fn handle_did(http: &Http, pace: &Pace, handle: &str, at: &Resolvers<'_>) -> Result<String> {
    let url = format!(
        "{}/xrpc/com.atproto.identity.resolveHandle",
        at.appview.trim_end_matches('/')
    );
    let by_appview = http
        .send(pace, |c| c.get(&url).query(&[("handle", handle)]))
        .await
        .ok()
        .and_then(|r| r.json::<Value>().ok())
        .and_then(|v| v.get("did").and_then(Value::as_str).map(str::to_owned));
    if let Some(did) = by_appview.filter(|d| d.starts_with("did:")) {
        return Ok(did);
    }
    let well_known = format!("https://{handle}/.well-known/atproto-did");
    let text = http
        .send(pace, |c| c.get(&well_known))
        .await
        .map_err(|e| bad(handle, format!("no server names its DID ({e})")))?;
    let did = String::from_utf8_lossy(&text.body).trim().to_string();
    if did.starts_with("did:") {
        Ok(did)
    } else {
        Err(bad(handle, "its server does not name a DID"))
    }
}

/// The PDS a DID document names, once the document claims the handle back.
pub(crate) fn pds_of(handle: &str, did: &str, doc: &Value) -> Result<Identity> {
    if !handle.starts_with("did:") {
        let claims = doc
            .get("alsoKnownAs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|a| a.eq_ignore_ascii_case(&format!("at://{handle}")));
        if !claims {
            return Err(bad(
                handle,
                format!("the account {did} does not claim this handle"),
            ));
        }
    }
    let pds = doc
        .get("service")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|s| {
            s.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id == "#atproto_pds" || id == format!("{did}#atproto_pds"))
        })
        .and_then(|s| s.get("serviceEndpoint").and_then(Value::as_str))
        .filter(|e| e.starts_with("https://") || e.starts_with("http://"))
        .ok_or_else(|| bad(handle, "its DID document names no PDS"))?;
    Ok(Identity {
        did: did.to_string(),
        pds: pds.trim_end_matches('/').to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The shape plc.directory serves (atproto.com/specs/did, "DID Documents").
    fn doc(handle: &str) -> Value {
        json!({"@context": ["https://www.w3.org/ns/did/v1"], "id": "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
               "alsoKnownAs": [format!("at://{handle}")],
               "verificationMethod": [],
               "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                            "serviceEndpoint": "https://morel.us-east.host.bsky.network"}]})
    }

    #[test]
    fn the_pds_is_the_documents_atproto_pds_service_once_the_handle_is_claimed() {
        let did = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";
        let id = pds_of("joescafe.com", did, &doc("joescafe.com")).unwrap();
        assert_eq!(id.pds, "https://morel.us-east.host.bsky.network");
        let e = pds_of("impostor.com", did, &doc("joescafe.com")).unwrap_err();
        assert!(e.to_string().contains("does not claim"), "{e}");
    }
}
