//! E-mail through the owner's own SMTP account, with lettre.
//!
//! `smtps://HOST:PORT` speaks TLS from the first byte. `smtp://HOST:PORT` starts in plain text
//! and upgrades with STARTTLS whenever the server offers it; with a password it *requires*
//! STARTTLS, so a password is never sent without TLS (a server, or someone in between, that
//! hides STARTTLS gets no password and the delivery fails saying why). The message is
//! `text/plain`: a review's words are never HTML.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::{json, Value as Json};

use super::{Channel, ChannelError, ChannelSpec, SendError};
use crate::secrets::Secret;

/// The submission port (RFC 6409), where an owner's provider takes mail with STARTTLS.
const SMTP_PORT: u16 = 587;
/// Implicit TLS submission (RFC 8314).
const SMTPS_PORT: u16 = 465;

/// The server as (implicit TLS, host, port).
fn parse_server(s: &str) -> Result<(bool, String, u16), String> {
    let url = reqwest::Url::parse(s.trim()).map_err(|e| format!("the server {s:?}: {e}"))?;
    let implicit = match url.scheme() {
        "smtp" => false,
        "smtps" => true,
        other => {
            return Err(format!(
                "the server must be smtp://HOST:PORT or smtps://HOST:PORT, not {other}://"
            ))
        }
    };
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| format!("the server {s:?} has no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url
        .port()
        .unwrap_or(if implicit { SMTPS_PORT } else { SMTP_PORT });
    Ok((implicit, host, port))
}

fn mailbox(s: &str, what: &str) -> Result<Mailbox, String> {
    s.trim()
        .parse::<Mailbox>()
        .map_err(|e| format!("the {what} address {s:?}: {e}"))
}

/// The recipient and the non-secret settings of a new e-mail channel.
pub(super) fn settings(
    spec: &ChannelSpec,
    has_password: bool,
) -> Result<(String, Json), ChannelError> {
    let invalid = ChannelError::Invalid;
    let to = mailbox(&spec.target, "--to").map_err(invalid)?;
    let server = spec
        .server
        .as_deref()
        .ok_or_else(|| invalid("an e-mail channel needs --server smtp://HOST:PORT".into()))?;
    let (implicit, host, port) = parse_server(server).map_err(invalid)?;
    let from = match spec.from.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(f) => mailbox(f, "--from").map_err(invalid)?,
        None => to.clone(),
    };
    let user = spec
        .user
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string);
    if user.is_some() && !has_password {
        return Err(invalid(
            "--user needs a password (--password-stdin, or typed at the prompt)".into(),
        ));
    }
    let user = user.or_else(|| has_password.then(|| from.email.to_string()));
    let scheme = if implicit { "smtps" } else { "smtp" };
    Ok((
        to.to_string(),
        json!({
            "server": format!("{scheme}://{host}:{port}"),
            "from": from.to_string(),
            "user": user,
            "password": has_password,
        }),
    ))
}

/// Where the owner's mail goes out: their SMTP server, sender and login name. The alert
/// channel's e-mail settings are one; review requests (issue 29) borrow them, or take
/// `--server` and `--from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpAccount {
    /// `smtp://HOST:PORT` (STARTTLS when offered, required with a password) or
    /// `smtps://HOST:PORT`.
    pub server: String,
    pub from: String,
    /// The login; the sender's address when `None` and a password is given.
    pub user: Option<String>,
}

impl SmtpAccount {
    /// The account an e-mail alert channel sends through.
    pub fn of_channel(channel: &Channel) -> SmtpAccount {
        let setting = |k: &str| channel.settings.get(k).and_then(Json::as_str);
        SmtpAccount {
            server: setting("server").unwrap_or("").to_string(),
            from: setting("from").unwrap_or(&channel.target).to_string(),
            user: setting("user").map(str::to_string),
        }
    }

    /// Whether the server and sender read as addresses (checked before anything is sent).
    pub fn check(&self) -> Result<(), String> {
        parse_server(&self.server)?;
        mailbox(&self.from, "sender")?;
        Ok(())
    }
}

/// Sends one plain-text message through `account`: never HTML, the subject on one line.
pub async fn send_plain(
    account: &SmtpAccount,
    password: Option<&Secret>,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), SendError> {
    let (implicit, host, port) = parse_server(&account.server).map_err(SendError::permanent)?;
    let to = mailbox(to, "recipient").map_err(SendError::permanent)?;
    let from = mailbox(&account.from, "sender").map_err(SendError::permanent)?;
    let email = lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject.replace(['\r', '\n'], " "))
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|e| SendError::permanent(format!("cannot build the e-mail: {e}")))?;
    let tls_params = TlsParameters::new(host.clone())
        .map_err(|e| SendError::permanent(format!("TLS for {host}: {e}")))?;
    let tls = if implicit {
        Tls::Wrapper(tls_params)
    } else if password.is_some() {
        Tls::Required(tls_params)
    } else {
        Tls::Opportunistic(tls_params)
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
        .port(port)
        .tls(tls)
        .timeout(Some(super::REQUEST_TIMEOUT));
    if let Some(p) = password {
        let user = account
            .user
            .clone()
            .unwrap_or_else(|| from.email.to_string());
        builder = builder.credentials(Credentials::new(user, p.expose().to_string()));
    }
    let transport = builder.build();
    match transport.send(email).await {
        Ok(_) => Ok(()),
        Err(e) => {
            let mut text = e.to_string();
            if !implicit && password.is_some() && !e.is_response() && !e.is_timeout() {
                text = format!(
                    "{text} (Earshot sends a password only over TLS: the server must offer \
                     STARTTLS, or use smtps://)"
                );
            }
            let text = format!("{host}:{port}: {text}");
            if e.is_permanent() {
                Err(SendError::permanent(text))
            } else {
                Err(SendError::transient(text))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_default_to_the_submission_ports() {
        assert_eq!(
            parse_server("smtp://mail.example.com").unwrap(),
            (false, "mail.example.com".into(), 587)
        );
        assert_eq!(
            parse_server("smtps://mail.example.com").unwrap(),
            (true, "mail.example.com".into(), 465)
        );
        assert!(parse_server("http://mail.example.com").is_err());
    }
}
