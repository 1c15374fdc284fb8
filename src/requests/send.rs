//! Sending requests: who is asked ([`plan`], pure), and the run that asks them ([`send`]).
//!
//! Each request is recorded before it goes out, by the store's claim that checks the customer
//! may still be asked ([`RequestStore::claim_request`]: one statement on a file, the customer's
//! row locked first on a team database, so two seats never both ask), and marked sent or failed
//! after. The crash window
//! is between the two: a run killed while an e-mail is on the wire leaves its row `sending`, and
//! that customer counts as asked. Earshot cannot know whether the server took the message, and
//! of the two mistakes, asking someone twice (what a resend risks) is the one the owner promised
//! not to make; missing one customer until the next period is the lesser. `requests stats`
//! counts such rows as `unconfirmed`. A send the server refused (or a server that could not be
//! reached) is `failed`: nothing went out, so that customer may be asked on a later run.
//!
//! The same words and the same link go to everyone eligible; the only reasons to leave someone
//! out are theirs (opted out), the owner's period between asks, and having no address.

use serde::Serialize;

use super::message::{self, Fields, ToneWarning};
use super::{link, Customer, ProfileLink, RequestError, RequestSettings, Result, Via};
use crate::channels::email::{send_plain, SmtpAccount};
use crate::model::Business;
use crate::secrets::Secret;
use crate::store::RequestStore;

/// Why a customer on the list was not asked this time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub opted_out: usize,
    /// Asked within the owner's period.
    pub recently_asked: usize,
    /// No e-mail (for an e-mail) or phone (for a text) on the list.
    pub no_address: usize,
}

/// Who is asked: everyone on the list not opted out, not asked since `asked_since`, with an
/// address for `via`. Nothing else about them is looked at.
pub fn plan(customers: &[Customer], via: Via, asked_since: i64) -> (Vec<&Customer>, Skipped) {
    let mut skipped = Skipped::default();
    let mut eligible = Vec::new();
    for c in customers {
        if c.opt_out {
            skipped.opted_out += 1;
        } else if c.last_asked_at.is_some_and(|t| t > asked_since) {
            skipped.recently_asked += 1;
        } else if address(c, via).is_none() {
            skipped.no_address += 1;
        } else {
            eligible.push(c);
        }
    }
    (eligible, skipped)
}

/// Where a request to `c` goes by `via`.
fn address(c: &Customer, via: Via) -> Option<&str> {
    match via {
        Via::Email | Via::Mailto => c.email.as_deref(),
        Via::Sms => c.phone.as_deref(),
    }
}

/// The SMTP account e-mails go out through, and its password (kept in the keyring).
pub struct MailAccount {
    pub account: SmtpAccount,
    pub password: Option<Secret>,
}

impl MailAccount {
    /// The first confirmed e-mail alert channel's account, where there is one.
    pub fn of_alert_channel<S: RequestStore>(
        store: &S,
        secrets: &dyn crate::secrets::SecretStore,
    ) -> Result<Option<MailAccount>> {
        let channels = store.alert_channels()?;
        let Some(channel) = channels
            .iter()
            .find(|c| c.kind == crate::channels::ChannelKind::Email && c.unconfirmed.is_none())
        else {
            return Ok(None);
        };
        let (account, password) = crate::channels::mail_account(channel, secrets).map_err(|e| {
            RequestError::Invalid(format!(
                "the e-mail alert channel: {}; or give --server and --from",
                e.message
            ))
        })?;
        Ok(Some(MailAccount { account, password }))
    }
}

/// What the owner asked for.
#[derive(Debug, Clone)]
pub struct SendOptions {
    pub platform: String,
    pub via: Via,
    /// Show who would be asked and the words, record and send nothing.
    pub dry_run: bool,
}

/// A text or link the owner sends by hand (SMS, `mailto:`), or one e-mail of a dry run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outgoing {
    pub customer_id: i64,
    pub name: String,
    /// The e-mail address or phone number.
    pub to: String,
    pub subject: Option<String>,
    pub text: String,
    /// The `sms:` or `mailto:` link that opens it ready to send.
    pub open: Option<String>,
}

/// One e-mail that did not go out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub customer_id: i64,
    pub to: String,
    pub error: String,
}

/// What a run did (or, dry, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SendReport {
    pub platform: String,
    pub link: String,
    pub via: Via,
    pub dry_run: bool,
    /// Customers asked this run (or who would be).
    pub eligible: usize,
    /// E-mails the server took.
    pub sent: usize,
    pub failed: Vec<Failure>,
    pub skipped: Skipped,
    /// Texts and links for the owner to send (SMS, mailto:), or the messages of a dry run.
    pub messages: Vec<Outgoing>,
    /// The words' tone and fairness warnings.
    pub warnings: Vec<ToneWarning>,
}

/// The message to `c` by `via`.
fn outgoing(
    c: &Customer,
    via: Via,
    settings: &RequestSettings,
    business: &str,
    link: &str,
) -> Outgoing {
    let fields = Fields {
        name: &c.name,
        business,
        link,
    };
    let to = address(c, via).unwrap_or_default().to_string();
    match via {
        Via::Sms => {
            let text = message::render(&settings.sms, &fields);
            Outgoing {
                customer_id: c.id,
                name: c.name.clone(),
                open: Some(message::sms(&to, &text)),
                to,
                subject: None,
                text,
            }
        }
        Via::Email | Via::Mailto => {
            let subject = message::render(&settings.subject, &fields);
            let text = message::render(&settings.body, &fields);
            Outgoing {
                customer_id: c.id,
                name: c.name.clone(),
                open: (via == Via::Mailto).then(|| message::mailto(&to, &subject, &text)),
                to,
                subject: Some(subject),
                text,
            }
        }
    }
}

/// The profile's link, when requests may be sent to it.
fn askable_link<S: RequestStore>(
    store: &S,
    business: &Business,
    platform: &str,
) -> Result<ProfileLink> {
    let link = link(store, business, platform)?;
    if let Some(crate::platforms::AskingRule::Forbidden(why)) = link.rule {
        return Err(RequestError::Forbidden(why));
    }
    Ok(link)
}

/// Asks every eligible customer of `business` for a review on the platform's link: e-mails
/// through `mail` (needed for [`Via::Email`] unless dry), texts and `mailto:` links prepared
/// for the owner. `progress` hears (done, total) after each customer.
pub async fn send<S: RequestStore>(
    store: &S,
    business: &Business,
    options: &SendOptions,
    mail: Option<&MailAccount>,
    now: i64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<SendReport> {
    let link = askable_link(store, business, &options.platform)?;
    let settings = RequestSettings::load(store)?;
    let mut warnings = message::check(&settings.subject);
    let body = if options.via == Via::Sms {
        &settings.sms
    } else {
        &settings.body
    };
    warnings.extend(message::check(body));
    warnings.dedup_by(|a, b| a.code == b.code);
    warnings.retain(|w| w.code != "no_link" || !body.contains("{link}"));
    let asked_since = now - i64::from(settings.period_days) * 86_400;
    let customers = store.customers(business.id)?;
    let (eligible, skipped) = plan(&customers, options.via, asked_since);
    let mut report = SendReport {
        platform: link.platform.clone(),
        link: link.url.clone(),
        via: options.via,
        dry_run: options.dry_run,
        eligible: eligible.len(),
        sent: 0,
        failed: Vec::new(),
        skipped,
        messages: Vec::new(),
        warnings,
    };
    if options.dry_run {
        report.messages = eligible
            .iter()
            .map(|c| outgoing(c, options.via, &settings, &business.name, &link.url))
            .collect();
        return Ok(report);
    }
    let mail = match options.via {
        Via::Email => {
            let mail = mail.ok_or(RequestError::NoMailAccount)?;
            mail.account.check().map_err(RequestError::Invalid)?;
            Some(mail)
        }
        _ => None,
    };
    let total = eligible.len();
    for (done, c) in eligible.into_iter().enumerate() {
        let out = outgoing(c, options.via, &settings, &business.name, &link.url);
        let claimed = store.claim_request(
            business.id,
            c.id,
            &link.platform,
            options.via,
            &link.url,
            asked_since,
            now,
        )?;
        // Another run asked them meanwhile: the claim says so, and nothing is sent.
        let Some(id) = claimed else { continue };
        match mail {
            Some(m) => {
                let subject = out.subject.as_deref().unwrap_or_default();
                let result =
                    send_plain(&m.account, m.password.as_ref(), &out.to, subject, &out.text).await;
                let error = result.err().map(|e| e.message);
                store.finish_request(id, error.as_deref(), now)?;
                match error {
                    None => report.sent += 1,
                    Some(error) => report.failed.push(Failure {
                        customer_id: c.id,
                        to: out.to.clone(),
                        error,
                    }),
                }
            }
            None => report.messages.push(out),
        }
        progress(done + 1, total);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(id: i64, email: Option<&str>, opt_out: bool, last: Option<i64>) -> Customer {
        Customer {
            id,
            name: format!("Customer {id}"),
            email: email.map(str::to_string),
            phone: None,
            visited_at: None,
            opt_out,
            last_asked_at: last,
        }
    }

    #[test]
    fn everyone_is_asked_but_the_opted_out_the_recently_asked_and_the_unreachable() {
        let list = [
            customer(1, Some("a@example.com"), false, None),
            customer(2, Some("b@example.com"), true, None),
            customer(3, Some("c@example.com"), false, Some(500)),
            customer(4, Some("d@example.com"), false, Some(50)),
            customer(5, None, false, None),
        ];
        let (eligible, skipped) = plan(&list, Via::Email, 100);
        let ids: Vec<i64> = eligible.iter().map(|c| c.id).collect();
        assert_eq!(ids, [1, 4]);
        assert_eq!(
            skipped,
            Skipped {
                opted_out: 1,
                recently_asked: 1,
                no_address: 1
            }
        );
        // By text, nobody has a phone.
        assert_eq!(plan(&list, Via::Sms, 100).0.len(), 0);
    }
}
