//! Review requests (issue 29): the actions the "Ask for reviews" screen and `earshot requests`
//! share. Each converts names to rows and calls [`crate::requests`]; files are written here so
//! the app and the CLI write them alike.

use std::path::Path;

use serde::Serialize;

use super::Result;
use crate::requests::attribution::{attribute, RequestStats};
use crate::requests::card::{self, Card};
use crate::requests::send::{MailAccount, SendOptions, SendReport};
use crate::requests::{self, Customer, ProfileLink, RequestError, RequestSettings};
use crate::secrets::SecretStore;
use crate::store::{CustomersImported, RequestStore};

/// The review link of each of the business's profiles.
pub fn request_links<S: RequestStore>(store: &S, business: &str) -> Result<Vec<ProfileLink>> {
    let business = store.business_by_name(business)?;
    Ok(requests::links(store, &business)?)
}

/// Sets one profile's link by hand and returns it as it now reads.
pub fn set_request_link<S: RequestStore>(
    store: &S,
    business: &str,
    platform: &str,
    url: &str,
    now: i64,
) -> Result<ProfileLink> {
    let business = store.business_by_name(business)?;
    let platform = requests::set_link(store, business.id, platform, url, now)?;
    Ok(requests::link(store, &business, &platform)?)
}

/// Where the QR code and the card go; any of them.
#[derive(Debug, Default, Clone)]
pub struct QrFiles<'a> {
    pub png: Option<&'a Path>,
    pub svg: Option<&'a Path>,
    pub pdf: Option<&'a Path>,
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|error| {
        RequestError::Write {
            path: path.to_owned(),
            error,
        }
        .into()
    })
}

/// Writes the profile link's QR code (PNG, SVG) and printable card (PDF) to the files given.
pub fn write_request_qr<S: RequestStore>(
    store: &S,
    business: &str,
    platform: &str,
    files: &QrFiles<'_>,
) -> Result<ProfileLink> {
    let business = store.business_by_name(business)?;
    let link = requests::link(store, &business, platform)?;
    if files.png.is_none() && files.svg.is_none() && files.pdf.is_none() {
        return Err(
            RequestError::Invalid("say where to write: --png, --svg or --pdf".into()).into(),
        );
    }
    if let Some(p) = files.png {
        write(p, &card::qr_png(&link.url)?)?;
    }
    if let Some(p) = files.svg {
        write(p, card::qr_svg(&link.url, 10)?.as_bytes())?;
    }
    if let Some(p) = files.pdf {
        let pdf = card::card_pdf(&Card {
            business: &business.name,
            platform_label: &link.label,
            link: &link.url,
        })?;
        write(p, &pdf)?;
    }
    Ok(link)
}

/// The QR code of a profile's link as a PNG `data:` URL, for the screen's preview (an image,
/// so no markup from anywhere reaches the page).
pub fn request_qr_preview<S: RequestStore>(
    store: &S,
    business: &str,
    platform: &str,
) -> Result<String> {
    use base64::Engine;
    let business = store.business_by_name(business)?;
    let link = requests::link(store, &business, platform)?;
    let png = card::qr_png(&link.url)?;
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    ))
}

/// Imports the customer list at `path` (CSV) into the business's: every row or none.
pub fn import_customers<S: RequestStore>(
    store: &S,
    business: &str,
    path: &Path,
    now: i64,
) -> Result<CustomersImported> {
    let business = store.business_by_name(business)?;
    let bytes = std::fs::read(path).map_err(|error| RequestError::Read {
        path: path.to_owned(),
        error,
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        RequestError::Invalid(format!(
            "{} is not UTF-8 text; save the list as CSV UTF-8",
            path.display()
        ))
    })?;
    let list = requests::customers::parse(&text)?;
    Ok(store.import_customers(business.id, &list, now)?)
}

/// The business's customer list.
pub fn customers<S: RequestStore>(store: &S, business: &str) -> Result<Vec<Customer>> {
    let business = store.business_by_name(business)?;
    Ok(store.customers(business.id)?)
}

/// Where e-mails go out: the given server, else the e-mail alert channel's account.
#[derive(Debug, Clone, Default)]
pub struct MailOverride {
    /// `smtp://HOST:PORT` or `smtps://HOST:PORT`.
    pub server: Option<String>,
    pub from: Option<String>,
    pub user: Option<String>,
    pub password: Option<crate::secrets::Secret>,
}

/// Asks every eligible customer (see [`crate::requests::send`]); `progress` hears (done, total).
pub fn send_requests<S: RequestStore>(
    store: &S,
    secrets: &dyn SecretStore,
    business: &str,
    options: &SendOptions,
    mail: &MailOverride,
    now: i64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<SendReport> {
    let business = store.business_by_name(business)?;
    let account = match &mail.server {
        Some(server) => {
            let from = mail.from.clone().ok_or_else(|| {
                RequestError::Invalid("--server needs --from ADDRESS, the sender".into())
            })?;
            Some(MailAccount {
                account: crate::channels::email::SmtpAccount {
                    server: server.clone(),
                    from,
                    user: mail.user.clone(),
                },
                password: mail.password.clone(),
            })
        }
        None if options.via == requests::Via::Email && !options.dry_run => {
            MailAccount::of_alert_channel(store, secrets)?
        }
        None => None,
    };
    super::block_on(async {
        Ok(
            requests::send::send(store, &business, options, account.as_ref(), now, progress)
                .await?,
        )
    })
}

/// Requests sent, the reviews that followed, and their rating against the rest.
pub fn request_stats<S: RequestStore>(store: &S, business: &str) -> Result<RequestStats> {
    let business = store.business_by_name(business)?;
    let settings = RequestSettings::load(store)?;
    let requests = store.review_requests(business.id)?;
    let since = requests.first().map_or(i64::MAX, |r| r.created_at);
    let reviews = if requests.is_empty() {
        Vec::new()
    } else {
        store.reviews_written_since(business.id, since)?
    };
    Ok(attribute(&requests, &reviews, settings.window_days))
}

/// The screen's whole state in one call: links, customers, settings, the words' warnings and
/// the figures.
#[derive(Debug, Clone, Serialize)]
pub struct RequestsOverview {
    pub business: String,
    pub links: Vec<ProfileLink>,
    pub customers: Vec<Customer>,
    pub settings: RequestSettings,
    pub warnings: Vec<requests::message::ToneWarning>,
    pub stats: RequestStats,
}

pub fn requests_overview<S: RequestStore>(store: &S, business: &str) -> Result<RequestsOverview> {
    let settings = RequestSettings::load(store)?;
    // The e-mail's warnings, and those of the text message the e-mail does not already have.
    let mut warnings = requests::message::check(&settings.body);
    let sms: Vec<_> = requests::message::fairness_warnings(&settings.sms)
        .into_iter()
        .filter(|w| !warnings.iter().any(|v| v.code == w.code))
        .collect();
    warnings.extend(sms);
    Ok(RequestsOverview {
        business: store.business_by_name(business)?.name,
        links: request_links(store, business)?,
        customers: customers(store, business)?,
        stats: request_stats(store, business)?,
        settings,
        warnings,
    })
}

/// Stores the owner's settings (period, window, words).
pub fn set_request_settings<S: RequestStore>(store: &S, settings: &RequestSettings) -> Result<()> {
    Ok(settings.save(store)?)
}
