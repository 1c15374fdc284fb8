//! OAuth tokens the reply half keeps between runs, common to the platforms that sign the owner
//! in (Google, X, Mastodon, Trustpilot): what a token endpoint answered, where each part is kept
//! (the secret store, never the database), and whether the kept access token is still fresh.
//!
//! An access token is kept as `access_token` with the time it stops working as
//! `access_token_expires_at` (Unix seconds). A token whose end is not known (kept by an older
//! Earshot, or by a platform that does not say) counts as stale where the platform can mint or
//! renew one, so a reply never goes out with a token older than its lifetime. A refresh token is
//! replaced by every newer one the platform sends (X rotates them), and kept otherwise.
//!
//! The owner's browser sign-in (RFC 8252: PKCE and a loopback redirect to 127.0.0.1, or a code
//! shown to paste where the platform has no loopback) is also here: a platform's home describes
//! its [`Flow`], [`begin`] listens and builds the consent address, [`SignIn::finish`] waits for
//! the answer and keeps the tokens. Google's installed-app sign-in was the first user.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::Utc;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::model::SourceId;
use crate::platforms::http::{Http, HttpConfig, Pace};
use crate::platforms::ConnectorSpec;
use crate::platforms::{stored_secret, stored_token};
use crate::replies::outbox::Auth;
use crate::replies::{ReplyError, Result as ReplyResult};
use crate::secrets::ReplyCredentials;
use crate::secrets::{Secret, SecretStore};
use crate::sources::{Result, SourceError};

/// Where the kept access token's end is recorded.
pub(crate) const EXPIRES_AT: &str = "access_token_expires_at";
pub(crate) const ACCESS: &str = "access_token";
pub(crate) const REFRESH: &str = "refresh_token";

/// A token this close to its end is renewed before a reply rather than sent.
const MARGIN_SECS: i64 = 300;

/// What a token endpoint answered.
pub(crate) struct Tokens {
    pub access: Secret,
    pub refresh: Option<Secret>,
    /// Seconds the access token lives, where the platform says (a number, or Trustpilot's
    /// string `"359999"`).
    pub expires_in: Option<i64>,
    /// The scopes granted, space-separated, where the platform says.
    pub scope: Option<String>,
}

impl Tokens {
    /// Reads a token endpoint's JSON answer (RFC 6749 §5.1); `None` without an access token.
    pub(crate) fn from_json(v: &Value) -> Option<Tokens> {
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let expires_in = v.get("expires_in").and_then(|e| {
            e.as_i64()
                .or_else(|| e.as_str().and_then(|s| s.trim().parse().ok()))
        });
        Some(Tokens {
            access: Secret::new(text("access_token")?),
            refresh: text("refresh_token").map(Secret::new),
            expires_in,
            scope: text("scope").map(str::to_owned),
        })
    }

    /// Whether the granted scopes (when the platform lists them) include `scope`.
    pub(crate) fn grants(&self, scope: &str) -> bool {
        self.scope
            .as_deref()
            .is_none_or(|s| s.split([' ', ',']).any(|g| g == scope))
    }

    /// The secrets to keep: the access token, its end, and the refresh token when one came.
    pub(crate) fn entries(&self, now: i64) -> Vec<(&'static str, Secret)> {
        let mut out = vec![(ACCESS, self.access.clone())];
        if let Some(secs) = self.expires_in {
            out.push((EXPIRES_AT, Secret::new((now + secs).to_string())));
        }
        if let Some(r) = &self.refresh {
            out.push((REFRESH, r.clone()));
        }
        out
    }

    /// Keeps them for the outbox's next post.
    pub(crate) fn keep(&self, creds: &dyn ReplyCredentials, source_id: SourceId) {
        for (key, value) in self.entries(Utc::now().timestamp()) {
            creds.keep(source_id, key, &value);
        }
    }

    /// Keeps them in the secret store after a sign-in; the refresh token must be kept.
    pub(crate) fn store(&self, secrets: &dyn SecretStore, source_id: SourceId) -> Result<()> {
        if self.expires_in.is_none() {
            // A token without a stated end from an earlier sign-in must not outlive this one.
            let _ = secrets.delete(source_id, EXPIRES_AT);
        }
        for (key, value) in self.entries(Utc::now().timestamp()) {
            secrets
                .set(source_id, key, &value)
                .map_err(|e| SourceError::Secrets(format!("the sign-in could not be kept: {e}")))?;
        }
        Ok(())
    }
}

/// Secrets from which a platform renews a sign-in without the owner: a refresh token, or a
/// service account's key (Google Play mints its own tokens).
const RENEWERS: &[&str] = &[REFRESH, "service_account_json"];

/// Records in the store, for the `credentials_expiring` alert, when each source's kept sign-in
/// ends and whether it renews itself. The end is read from the secret store, where the token
/// lives; only the time and the flag go to the database, never a token. A source whose platform
/// keeps no secrets is not looked up (it never touches the keyring), and one whose secrets cannot
/// be read is skipped (the sync reports that on its own).
pub fn record_expiries(
    store: &crate::store::Store,
    secrets: &dyn SecretStore,
) -> crate::store::Result<()> {
    for source in store.sources_uncounted()? {
        if !crate::platforms::keeps_secrets(&source.connector) {
            continue;
        }
        let Ok(end) = secrets.get(source.id, EXPIRES_AT) else {
            continue;
        };
        let end = end.and_then(|s| s.expose().trim().parse::<i64>().ok());
        let renewable = RENEWERS
            .iter()
            .any(|k| matches!(secrets.get(source.id, k), Ok(Some(_))));
        store.record_credential_expiry(source.id, end, renewable)?;
    }
    Ok(())
}

/// The kept access token while it has more than a few minutes left; `None` when there is none,
/// when it is spent, or when its end is unknown.
pub(crate) fn fresh(
    creds: &dyn ReplyCredentials,
    source_id: SourceId,
) -> ReplyResult<Option<Secret>> {
    let Some(end) = stored_secret(creds, source_id, EXPIRES_AT)?
        .and_then(|s| s.expose().trim().parse::<i64>().ok())
    else {
        return Ok(None);
    };
    if end - MARGIN_SECS <= Utc::now().timestamp() {
        return Ok(None);
    }
    stored_secret(creds, source_id, ACCESS)
}

/// How a reply is authorised on the platforms signed in with a refresh token (X, Trustpilot,
/// YouTube): the kept access token while it has minutes left, else one `renew` mints with the
/// stored refresh token, else a token given ready-made (`EARSHOT_TOKEN_…`); with none of these,
/// the platform's own `not_signed_in` error. One function so that the order of the three stays
/// the same on every such platform; the renewal and the wording are each platform's.
pub(crate) async fn reply_auth<R, Fut>(
    spec: &ConnectorSpec,
    creds: &dyn ReplyCredentials,
    source_id: SourceId,
    renew: R,
    not_signed_in: impl FnOnce() -> ReplyError,
) -> ReplyResult<Auth>
where
    R: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ReplyResult<Secret>>,
{
    if let Some(token) = fresh(creds, source_id)? {
        return Ok(Auth::bearer(token));
    }
    if stored_secret(creds, source_id, REFRESH)?.is_some() {
        return renew().await.map(Auth::bearer);
    }
    stored_token(spec, creds, source_id).map_err(|_| not_signed_in())
}

/// Posts a form to a token endpoint (with HTTP Basic client authentication where `basic` is
/// given) and reads the tokens. Sent once: a code or a rotated refresh token works once.
/// Errors name `who` and say `hint`; nothing sent is quoted.
pub(crate) async fn request(
    http: &Http,
    url: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &Secret)>,
    who: &str,
    hint: &str,
) -> Result<Tokens> {
    let reply = http
        .send(&Pace::replies(), |c| {
            let c = c.post(url).form(form);
            match basic {
                Some((user, pass)) => c.basic_auth(user, Some(pass.expose())),
                None => c,
            }
        })
        .await
        .map_err(|e| match e {
            SourceError::Rejected { status, detail } | SourceError::Auth { status, detail } => {
                SourceError::Auth {
                    status,
                    detail: format!("{who}'s sign-in answered \"{detail}\"; {hint}"),
                }
            }
            other => other,
        })?;
    let body: Value = reply.json()?;
    Tokens::from_json(&body).ok_or_else(|| SourceError::Auth {
        status: reply.status,
        detail: format!("{who}'s sign-in sent no access token; {hint}"),
    })
}

/// A sign-in error in the outbox's words, with what was sent hidden.
pub(crate) fn reply_error(e: SourceError, sent: &[Secret], doing: &str) -> ReplyError {
    ReplyError::Outbox(format!("{doing}: {}", e.redacted(sent)))
}

/// The out-of-band redirect: the platform shows the code for the owner to paste (Mastodon).
pub const OUT_OF_BAND: &str = "urn:ietf:wg:oauth:2.0:oob";

/// Where the browser brings the answer.
#[derive(Debug)]
pub(crate) enum Redirect {
    /// Listen on this `http://127.0.0.1:PORT/PATH` address; port 0 takes any free one.
    Loopback(String),
    /// Already listening at this address ([`listen`]): for a platform where the exact address
    /// is registered before the consent (Mastodon's app registration).
    Bound(TcpListener, String),
    /// The platform shows the code; the owner pastes it.
    OutOfBand,
}

/// Listens on `http://127.0.0.1:PORT{path}` (port 0: any free one) and returns the address.
pub(crate) fn listen(port: u16, path: &str, who: &str) -> Result<(TcpListener, String)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        config(format!(
            "could not listen on 127.0.0.1:{port} for {who}'s answer: {e} (is another sign-in \
             running?)"
        ))
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| config(format!("could not listen on 127.0.0.1: {e}")))?
        .port();
    Ok((listener, format!("http://127.0.0.1:{port}{path}")))
}

/// A platform's sign-in, as its home describes it.
pub(crate) struct Flow {
    /// The platform as the owner knows it ("Google", "X").
    pub who: &'static str,
    pub auth_url: String,
    pub token_url: String,
    pub client_id: String,
    /// Sent in the form (a confidential or "installed" client); public clients have none.
    pub client_secret: Option<Secret>,
    /// Space-separated scopes to ask for.
    pub scope: String,
    /// The scope without which the sign-in is refused, and what to tell the owner then.
    pub needs_scope: &'static str,
    pub scope_refused: &'static str,
    pub redirect: Redirect,
    /// Whether to send a PKCE challenge (S256).
    pub pkce: bool,
    /// Whether a sign-in without a refresh token is refused (a platform whose access tokens
    /// expire), and what to tell the owner then.
    pub needs_refresh: Option<&'static str>,
    /// More consent parameters (`access_type=offline`).
    pub extra: &'static [(&'static str, &'static str)],
    /// What to check when the token endpoint refuses the code.
    pub hint: String,
}

/// A sign-in under way: the address to open and the loopback listener waiting for the answer.
pub struct SignIn {
    pub source_id: SourceId,
    pub label: String,
    /// The platform's consent page for this sign-in; open it in the owner's browser.
    pub consent_url: String,
    /// Where the browser brings the answer (`http://127.0.0.1:PORT`), or the out-of-band URN
    /// when the platform shows a code to paste ([`SignIn::finish_with_code`]).
    pub redirect: String,
    listener: Option<TcpListener>,
    state: String,
    verifier: String,
    flow: Flow,
}

fn config(msg: impl Into<String>) -> SourceError {
    SourceError::Config(msg.into())
}

/// Listens where the flow's answer comes back and builds the consent address.
pub(crate) fn begin(source_id: SourceId, label: String, flow: Flow) -> Result<SignIn> {
    let verifier = random_token();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let state = random_token();
    let mut flow = flow;
    let (listener, redirect) = match std::mem::replace(&mut flow.redirect, Redirect::OutOfBand) {
        Redirect::OutOfBand => (None, OUT_OF_BAND.to_string()),
        Redirect::Bound(listener, address) => (Some(listener), address),
        Redirect::Loopback(address) => {
            let url = reqwest::Url::parse(&address)
                .ok()
                .filter(|u| u.host_str() == Some("127.0.0.1"))
                .ok_or_else(|| {
                    config(format!(
                        "the redirect address `{address}` must be http://127.0.0.1:PORT/…"
                    ))
                })?;
            // Kept exactly as given (X matches the trailing slash too); only a bare host gets
            // no path.
            let path = match url.path() {
                "/" if !address.ends_with('/') => "",
                p => p,
            };
            let (listener, redirect) = listen(url.port().unwrap_or(0), path, flow.who)?;
            (Some(listener), redirect)
        }
    };
    let mut params: Vec<(&str, &str)> = vec![
        ("client_id", flow.client_id.as_str()),
        ("redirect_uri", redirect.as_str()),
        ("response_type", "code"),
        ("scope", flow.scope.as_str()),
        ("state", state.as_str()),
    ];
    if flow.pkce {
        params.push(("code_challenge", challenge.as_str()));
        params.push(("code_challenge_method", "S256"));
    }
    params.extend(flow.extra.iter().copied());
    let consent = reqwest::Url::parse_with_params(&flow.auth_url, &params).map_err(|_| {
        config(format!(
            "the sign-in address `{}` is not valid; fix `auth_url`",
            flow.auth_url
        ))
    })?;
    Ok(SignIn {
        source_id,
        label,
        consent_url: consent.to_string(),
        redirect,
        listener,
        state,
        verifier,
        flow,
    })
}

impl SignIn {
    /// Whether the owner pastes the code the platform shows rather than the browser bringing it.
    pub fn out_of_band(&self) -> bool {
        self.listener.is_none()
    }

    /// Waits up to `wait` for the browser's answer, trades the code for tokens and keeps them in
    /// `secrets`. Blocking: run it off the UI thread.
    pub fn finish(self, secrets: &dyn SecretStore, wait: Duration) -> Result<()> {
        let Some(listener) = &self.listener else {
            return Err(config(format!(
                "{} shows a code to paste for this sign-in; give it to Earshot",
                self.flow.who
            )));
        };
        let code = wait_for_code(listener, &self.state, self.flow.who, wait)?;
        self.exchange(secrets, &code)
    }

    /// Trades a code the owner pasted (the out-of-band redirect) for tokens and keeps them.
    pub fn finish_with_code(self, secrets: &dyn SecretStore, code: &str) -> Result<()> {
        let code = code.trim();
        if code.is_empty() {
            return Err(config(
                "no code was given; nothing was stored — sign in again",
            ));
        }
        self.exchange(secrets, code)
    }

    fn exchange(self, secrets: &dyn SecretStore, code: &str) -> Result<()> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| config(format!("could not start the network runtime: {e}")))?;
        let flow = &self.flow;
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", flow.client_id.as_str()),
            ("redirect_uri", self.redirect.as_str()),
        ];
        if let Some(s) = &flow.client_secret {
            form.push(("client_secret", s.expose()));
        }
        if flow.pkce {
            form.push(("code_verifier", self.verifier.as_str()));
        }
        let tokens = runtime
            .block_on(async {
                // A code works once: no blind retries.
                let http = Http::new(HttpConfig {
                    max_attempts: 1,
                    ..HttpConfig::default()
                })?;
                request(&http, &flow.token_url, &form, None, flow.who, &flow.hint).await
            })
            .map_err(|e| {
                let sent: Vec<Secret> = flow.client_secret.iter().cloned().collect();
                config(format!(
                    "{} did not accept the sign-in: {}",
                    flow.who,
                    e.redacted(&sent)
                ))
            })?;
        if !tokens.grants(flow.needs_scope) {
            return Err(config(flow.scope_refused));
        }
        if let (None, Some(why)) = (&tokens.refresh, flow.needs_refresh) {
            return Err(config(why));
        }
        tokens.store(secrets, self.source_id)
    }
}

/// What a sign-in that talks to the platform from a synchronous caller (the CLI, a Tauri
/// command's blocking thread) runs on: a current-thread runtime to block on, and a client
/// that sends each request once, since a password grant, a code or an app registration sent
/// twice is not the same as sent once.
pub(crate) fn one_shot() -> Result<(tokio::runtime::Runtime, Http)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| config(format!("could not start the network runtime: {e}")))?;
    let http = Http::new(HttpConfig {
        max_attempts: 1,
        ..HttpConfig::default()
    })?;
    Ok((runtime, http))
}

/// 256 random bits as 43 URL-safe characters: the OS's randomness (`/dev/urandom`) and the
/// standard library's randomly keyed hasher, mixed through SHA-256.
pub(crate) fn random_token() -> String {
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

/// How long one connection to the loopback listener may take to send its request. A browser
/// sends the redirect at once; a client that trickles bytes (or sends none) is cut off after
/// this, so it cannot hold the single listener while the owner's real answer waits.
const CONNECTION_DEADLINE: Duration = Duration::from_secs(3);

/// The most of a request's head that is read: a redirect's is well under 4 KB.
const MAX_HEAD: usize = 16 * 1024;

/// Waits for the browser to bring the answer to the loopback address. Anything else that
/// arrives (a favicon, a stale tab's answer with another `state`, a local program guessing) is
/// turned away and waited past: only this sign-in's answer, or the owner's refusal, ends the
/// wait. Each connection gets [`CONNECTION_DEADLINE`] at most, never past the overall deadline.
fn wait_for_code(listener: &TcpListener, state: &str, who: &str, wait: Duration) -> Result<String> {
    let io = |e: std::io::Error| config(format!("waiting for the browser's answer: {e}"));
    listener.set_nonblocking(true).map_err(io)?;
    let deadline = Instant::now() + wait;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                let until = deadline.min(Instant::now() + CONNECTION_DEADLINE);
                if let Some(code) = answer(stream, state, who, until)? {
                    return Ok(code);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(io(e)),
        }
        if Instant::now() >= deadline {
            return Err(config(format!(
                "no answer came from the browser within {} seconds; nothing was stored — \
                 sign in again",
                wait.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Reads a request's head until the blank line, [`MAX_HEAD`] bytes, or `until`, whichever
/// comes first.
fn read_head(stream: &mut TcpStream, until: Instant) -> Vec<u8> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
    head
}

/// Reads one request on the loopback: `Some(code)` when it is the answer to this sign-in, `None`
/// for anything else (answered 404 or 400, and waited past); an error only for this sign-in's
/// own refusal (`error=access_denied` with the right `state`).
fn answer(mut stream: TcpStream, state: &str, who: &str, until: Instant) -> Result<Option<String>> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(CONNECTION_DEADLINE));
    let head = read_head(&mut stream, until);
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
        // An old tab, or a redirect Earshot did not ask for: not this sign-in's answer, and
        // not a reason to end it (whoever sent it could otherwise cancel every sign-in).
        respond(
            &mut stream,
            "400 Bad Request",
            "This answer does not belong to the sign-in Earshot is waiting for. Nothing was \
             changed; finish the sign-in in the tab Earshot opened.",
        );
        return Ok(None);
    }
    if let Some(e) = error {
        respond(
            &mut stream,
            "200 OK",
            &format!("{who} did not grant access, so nothing was changed. You can close this tab."),
        );
        let e: String = e
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .take(60)
            .collect();
        return Err(config(format!(
            "{who} did not grant access ({e}); nothing was stored"
        )));
    }
    respond(
        &mut stream,
        "200 OK",
        &format!("Earshot is signed in to {who}. You can close this tab and go back to Earshot."),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_token_answer_reads_numbers_strings_and_scopes() {
        let t = Tokens::from_json(&json!({"access_token": "a", "refresh_token": "r",
            "expires_in": "359999", "scope": "tweet.read tweet.write"}))
        .unwrap();
        assert_eq!(t.expires_in, Some(359_999));
        assert!(t.grants("tweet.write"));
        assert!(!t.grants("users.read"));
        let keys: Vec<_> = t.entries(10).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, [ACCESS, EXPIRES_AT, REFRESH]);
        assert!(Tokens::from_json(&json!({"error": "invalid_grant"})).is_none());
    }

    /// Sends `request` on a raw connection to `addr` and reads the status line of the answer.
    fn send_raw(addr: std::net::SocketAddr, request: &str) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out.lines().next().unwrap_or("").to_string()
    }

    fn get(path: &str) -> String {
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    }

    #[test]
    fn answers_with_a_wrong_or_missing_state_are_turned_away_and_the_right_one_still_counts() {
        // Issue 33: a request with a wrong state ended the sign-in, so anything on this
        // computer could cancel it.
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let browser = std::thread::spawn(move || {
            let wrong = send_raw(addr, &get("/?state=forged&code=evil"));
            let missing = send_raw(addr, &get("/?code=evil"));
            let denied = send_raw(addr, &get("/?state=forged&error=access_denied"));
            let right = send_raw(addr, &get("/?state=s-123&code=the-code"));
            (wrong, missing, denied, right)
        });
        let code = wait_for_code(&listener, "s-123", "X", Duration::from_secs(20)).unwrap();
        assert_eq!(code, "the-code");
        let (wrong, missing, denied, right) = browser.join().unwrap();
        assert!(wrong.contains("400"), "{wrong}");
        assert!(missing.contains("400"), "{missing}");
        assert!(denied.contains("400"), "{denied}");
        assert!(right.contains("200"), "{right}");
    }

    #[test]
    fn a_slow_client_cannot_hold_the_listener_past_its_own_deadline() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let started = Instant::now();
        let clients = std::thread::spawn(move || {
            // Connects and trickles a byte a second, never finishing its request.
            let slow = std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                for _ in 0..30 {
                    if s.write_all(b"G").is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            });
            std::thread::sleep(Duration::from_millis(300));
            let right = send_raw(addr, &get("/cb?state=s-9&code=c-9"));
            drop(slow);
            right
        });
        let code = wait_for_code(&listener, "s-9", "Google", Duration::from_secs(60)).unwrap();
        assert_eq!(code, "c-9");
        assert!(
            started.elapsed() < CONNECTION_DEADLINE + Duration::from_secs(3),
            "took {:?}",
            started.elapsed()
        );
        assert!(clients.join().unwrap().contains("200"));
    }

    #[test]
    fn a_slow_client_cannot_hold_the_listener_past_the_overall_deadline() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let _slow = std::thread::spawn(move || {
            let mut s = TcpStream::connect(addr).unwrap();
            for _ in 0..30 {
                if s.write_all(b"G").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        let started = Instant::now();
        let e = wait_for_code(&listener, "s", "X", Duration::from_secs(1)).unwrap_err();
        assert!(e.to_string().contains("no answer came"), "{e}");
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "{:?}",
            started.elapsed()
        );
    }
}
