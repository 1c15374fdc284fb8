//! Google's OAuth flow for installed apps (RFC 8252) for Google Business Profile sources: PKCE
//! (RFC 7636) and a loopback redirect to 127.0.0.1 on a random port. [`start`] prepares the
//! consent address and listens; the caller shows or opens it; [`SignIn::finish`] waits for the
//! browser's answer, trades the code for tokens and keeps the refresh token in the secret store
//! (never the database). The CLI (`earshot sources auth`) and the app's Sources screen share it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::model::SourceId;
use crate::platforms::http::{Http, HttpConfig, Pace};
use crate::secrets::{Secret, SecretStore};
use crate::sources::{settings_of, Result, SourceError};
use crate::store::Store;

/// Google's consent page; the source's `auth_url` (or its overridden base's `/auth`) wins.
const GOOGLE_AUTH_URL: &str = "https://accounts.google.com/o/oauth2/v2/auth";
/// Reading and answering Business Profile reviews.
pub const GBP_SCOPE: &str = "https://www.googleapis.com/auth/business.manage";

fn config(msg: impl Into<String>) -> SourceError {
    SourceError::Config(msg.into())
}

/// A sign-in under way: the address to open and the loopback listener waiting for the answer.
pub struct SignIn {
    pub source_id: SourceId,
    pub label: String,
    /// Google's consent page for this sign-in; open it in the owner's browser.
    pub consent_url: String,
    /// Where the browser brings the answer (`http://127.0.0.1:PORT`).
    pub redirect: String,
    listener: TcpListener,
    state: String,
    verifier: String,
    token_url: String,
    client_id: String,
    client_secret: Secret,
}

/// Prepares the sign-in of a Google Business Profile source: checks its OAuth client, listens on
/// the loopback and builds the consent address.
pub fn start(store: &Store, secrets: &dyn SecretStore, id: SourceId) -> Result<SignIn> {
    let source = store.source(id)?;
    if source.connector != "google-business" {
        return Err(config(format!(
            "source {id} ({}) takes its keys in its settings; signing in is for Google Business \
             Profile sources",
            source.label
        )));
    }
    let settings = settings_of(&source.settings);
    let setting = |k: &str| settings.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    let client_id = setting("client_id")
        .ok_or_else(|| {
            config(format!(
                "source {id} has no client_id; remove it and connect it again with the OAuth \
                 client's id (see the Google Business Profile help)"
            ))
        })?
        .to_string();
    let client_secret = secrets
        .get(id, "client_secret")
        .map_err(|e| SourceError::Secrets(e.to_string()))?
        .ok_or_else(|| {
            config(format!(
                "no client_secret is stored for source {id}; remove it and connect it again \
                 with the OAuth client's secret"
            ))
        })?;
    let base = setting("base_url").map(|b| b.trim_end_matches('/').to_string());
    let endpoint = |key: &str, path: &str, default: &str| {
        setting(key)
            .map(str::to_owned)
            .or_else(|| base.as_ref().map(|b| format!("{b}/{path}")))
            .unwrap_or_else(|| default.to_string())
    };
    let auth_url = endpoint("auth_url", "auth", GOOGLE_AUTH_URL);
    // Resolved as the connector and the outbox resolve it.
    let token_url = super::token_url(setting("token_url"), base.as_deref());

    let verifier = random_token();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let state = random_token();
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| {
        config(format!(
            "could not listen on 127.0.0.1 for Google's answer: {e}"
        ))
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| config(format!("could not listen on 127.0.0.1: {e}")))?
        .port();
    let redirect = format!("http://127.0.0.1:{port}");
    let consent = reqwest::Url::parse_with_params(
        &auth_url,
        &[
            ("client_id", client_id.as_str()),
            ("redirect_uri", redirect.as_str()),
            ("response_type", "code"),
            ("scope", GBP_SCOPE),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("state", state.as_str()),
            ("access_type", "offline"),
            ("prompt", "consent"),
        ],
    )
    .map_err(|_| {
        config(format!(
            "the sign-in address `{auth_url}` is not valid; fix `auth_url`"
        ))
    })?;
    Ok(SignIn {
        source_id: id,
        label: source.label,
        consent_url: consent.to_string(),
        redirect,
        listener,
        state,
        verifier,
        token_url,
        client_id,
        client_secret,
    })
}

impl SignIn {
    /// Waits up to `wait` for the browser's answer, trades the code for tokens and keeps them in
    /// `secrets`. Blocking: run it off the UI thread.
    pub fn finish(self, secrets: &dyn SecretStore, wait: Duration) -> Result<()> {
        let code = wait_for_code(&self.listener, &self.state, wait)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| config(format!("could not start the network runtime: {e}")))?;
        let (refresh, access) = runtime.block_on(exchange_code(
            &self.token_url,
            &[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.expose()),
                ("redirect_uri", self.redirect.as_str()),
                ("code_verifier", self.verifier.as_str()),
            ],
        ))?;
        secrets
            .set(self.source_id, "refresh_token", &refresh)
            .map_err(|e| SourceError::Secrets(format!("the sign-in could not be kept: {e}")))?;
        if let Some(access) = access {
            // The reply outbox posts with it until it expires; each sync renews it.
            let _ = secrets.set(self.source_id, "access_token", &access);
        }
        Ok(())
    }
}

/// 256 random bits as 43 URL-safe characters: the OS's randomness (`/dev/urandom`) and the
/// standard library's randomly keyed hasher, mixed through SHA-256.
fn random_token() -> String {
    use std::hash::{BuildHasher, Hasher};

    let mut h = Sha256::new();
    let mut os = [0u8; 32];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        if f.read_exact(&mut os).is_ok() {
            h.update(os);
        }
    }
    for i in 0..4u64 {
        let mut k = std::collections::hash_map::RandomState::new().build_hasher();
        k.write_u64(i);
        h.update(k.finish().to_le_bytes());
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    h.update(now.as_nanos().to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(h.finalize())
}

/// Waits for the browser to bring Google's answer to the loopback address; other requests
/// (a favicon) are turned away and waited past.
fn wait_for_code(listener: &TcpListener, state: &str, wait: Duration) -> Result<String> {
    let io = |e: std::io::Error| config(format!("waiting for the browser's answer: {e}"));
    listener.set_nonblocking(true).map_err(io)?;
    let deadline = Instant::now() + wait;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                if let Some(code) = answer(stream, state)? {
                    return Ok(code);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    return Err(config(format!(
                        "no answer came from the browser within {} seconds; nothing was stored — \
                         sign in again",
                        wait.as_secs()
                    )));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(io(e)),
        }
    }
}

/// Reads one request on the loopback: `Some(code)` when it is Google's answer to this sign-in.
fn answer(mut stream: TcpStream, state: &str) -> Result<Option<String>> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let target = head
        .lines()
        .next()
        .and_then(|l| {
            let mut parts = l.split_whitespace();
            (parts.next()? == "GET").then_some(())?;
            parts.next()
        })
        .unwrap_or("/");
    let url = reqwest::Url::parse(&format!("http://127.0.0.1{target}")).ok();
    let param = |k: &str| {
        url.as_ref().and_then(|u| {
            u.query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        })
    };
    let (code, error) = (param("code"), param("error"));
    if code.is_none() && error.is_none() {
        respond(&mut stream, "404 Not Found", "Nothing here.");
        return Ok(None);
    }
    if param("state").as_deref() != Some(state) {
        respond(
            &mut stream,
            "400 Bad Request",
            "This answer does not belong to the sign-in Earshot started. Nothing was changed; \
             start again from Earshot.",
        );
        return Err(config(
            "the browser's answer did not carry the state Earshot sent (an old tab, or a \
             redirect Earshot did not ask for); nothing was stored — sign in again",
        ));
    }
    if let Some(e) = error {
        respond(
            &mut stream,
            "200 OK",
            "Google did not grant access, so nothing was changed. You can close this tab.",
        );
        let e: String = e
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .take(60)
            .collect();
        return Err(config(format!(
            "Google did not grant access ({e}); nothing was stored"
        )));
    }
    respond(
        &mut stream,
        "200 OK",
        "Earshot is signed in to Google. You can close this tab and go back to Earshot.",
    );
    Ok(code)
}

fn respond(stream: &mut TcpStream, status: &str, message: &str) {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Earshot</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><p>{message}</p></body></html>"
    );
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// Trades the authorisation code (with the PKCE verifier) for tokens. Errors quote Google's
/// words, never the form.
async fn exchange_code(token_url: &str, form: &[(&str, &str)]) -> Result<(Secret, Option<Secret>)> {
    let http = Http::new(HttpConfig {
        // A code works once: no blind retries.
        max_attempts: 1,
        ..HttpConfig::default()
    })?;
    let reply = http
        .send(&Pace::unpaced("google-business-auth"), |c| {
            c.post(token_url).form(form)
        })
        .await
        .map_err(|e| {
            config(format!(
                "Google did not accept the sign-in: {e}. Check the source's client_id and \
                 client_secret (an OAuth client of type \"Desktop app\") and try again"
            ))
        })?;
    let v: serde_json::Value = reply.json()?;
    let text = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
    };
    if let Some(scope) = text("scope") {
        if !scope.split_whitespace().any(|s| s == GBP_SCOPE) {
            return Err(config(
                "access to Business Profile was not granted (its box was left unticked); sign \
                 in again and allow it",
            ));
        }
    }
    let refresh = text("refresh_token").ok_or_else(|| {
        config(
            "Google sent no refresh token; remove Earshot's access at \
             https://myaccount.google.com/permissions and sign in again",
        )
    })?;
    Ok((Secret::new(refresh), text("access_token").map(Secret::new)))
}
