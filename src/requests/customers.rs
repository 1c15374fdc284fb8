//! The owner's customer list, read from a CSV with a header row: `name, email, phone,
//! visited_at, opt_out` (any order, any case; `e-mail` and `opt-out` too). Pure: text in, rows
//! or every bad line out.
//!
//! A bad row stops the import with its line number and what is wrong, and nothing is written
//! (the owner fixes the file and imports it again: a customer list is small, and a half-imported
//! list would ask some customers and not others). Each row needs a name and an e-mail or a
//! phone. `opt_out` reads yes/no, true/false, 1/0, y/n or x; empty is no.

use chrono::{NaiveDate, TimeZone, Utc};

use super::attribution::name_key;
use super::{NewCustomer, RequestError, Result};

/// Bad rows quoted in one error: enough to fix a file by, not a wall of text.
const MAX_REPORTED_ROWS: usize = 20;

/// Longest name, e-mail address or phone kept (a name column filled with a paragraph is a
/// mistake in the file, not a customer).
const MAX_FIELD_CHARS: usize = 320;

/// The columns, by what the header calls them.
#[derive(Debug, Default)]
struct Columns {
    name: Option<usize>,
    email: Option<usize>,
    phone: Option<usize>,
    visited_at: Option<usize>,
    opt_out: Option<usize>,
}

fn columns(header: &csv::StringRecord) -> Result<Columns> {
    let mut c = Columns::default();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        let slot = match h.replace(['-', ' '], "_").as_str() {
            "name" | "customer" | "customer_name" => &mut c.name,
            "email" | "e_mail" | "email_address" => &mut c.email,
            "phone" | "mobile" | "phone_number" => &mut c.phone,
            "visited_at" | "visited" | "visit" | "visit_date" | "date" => &mut c.visited_at,
            "opt_out" | "optout" | "opted_out" | "unsubscribed" => &mut c.opt_out,
            _ => continue,
        };
        slot.get_or_insert(i);
    }
    if c.name.is_none() || (c.email.is_none() && c.phone.is_none()) {
        return Err(RequestError::Invalid(
            "the customer list needs a header row with `name` and `email` and/or `phone` \
             (columns: name, email, phone, visited_at, opt_out)"
                .into(),
        ));
    }
    Ok(c)
}

/// Reads the list; every bad row is reported, and then none is kept.
pub fn parse(text: &str) -> Result<Vec<NewCustomer>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| RequestError::Invalid(format!("cannot read the header row: {e}")))?
        .clone();
    let cols = columns(&header)?;
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                bad.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        match customer(
            field(cols.name),
            field(cols.email),
            field(cols.phone),
            field(cols.visited_at),
            field(cols.opt_out),
        ) {
            Ok(c) => out.push(c),
            Err(why) => bad.push(format!("line {line}: {why}")),
        }
    }
    if !bad.is_empty() {
        let more = bad.len().saturating_sub(MAX_REPORTED_ROWS);
        bad.truncate(MAX_REPORTED_ROWS);
        if more > 0 {
            bad.push(format!("… and {more} more"));
        }
        return Err(RequestError::BadRows(bad));
    }
    Ok(out)
}

/// One row, or what is wrong with it.
fn customer(
    name: &str,
    email: &str,
    phone: &str,
    visited_at: &str,
    opt_out: &str,
) -> std::result::Result<NewCustomer, String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    for (what, v) in [("name", name), ("email", email), ("phone", phone)] {
        if v.chars().count() > MAX_FIELD_CHARS || v.chars().any(char::is_control) {
            return Err(format!(
                "the {what} is too long or holds control characters"
            ));
        }
    }
    let email = (!email.is_empty())
        .then(|| check_email(email))
        .transpose()?;
    let phone = (!phone.is_empty())
        .then(|| check_phone(phone))
        .transpose()?;
    if email.is_none() && phone.is_none() {
        return Err(format!("{name:?} has neither an e-mail nor a phone"));
    }
    let visited_at = (!visited_at.is_empty())
        .then(|| visit_time(visited_at))
        .transpose()?;
    let opt_out = yes_no(opt_out)?;
    let key = name_key(name);
    let contact_key = email
        .clone()
        .or_else(|| phone.as_ref().map(|p| format!("tel:{p}")))
        .unwrap_or_else(|| format!("name:{key}"));
    Ok(NewCustomer {
        name: name.to_string(),
        email,
        phone,
        visited_at,
        opt_out,
        name_key: key,
        contact_key,
    })
}

/// An address that reads as one (`local@domain.tld`, no spaces), in lower case.
fn check_email(s: &str) -> std::result::Result<String, String> {
    let bad = || format!("{s:?} is not an e-mail address");
    let (local, domain) = s.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains('@')
        || s.chars()
            .any(|c| c.is_whitespace() || "<>,;\"()[]\\".contains(c))
    {
        return Err(bad());
    }
    s.parse::<lettre::Address>().map_err(|_| bad())?;
    Ok(s.to_lowercase())
}

/// A phone number as `+` and digits (spaces, dots, dashes and brackets dropped), 6 to 15
/// digits (E.164's longest).
fn check_phone(s: &str) -> std::result::Result<String, String> {
    let bad = || format!("{s:?} is not a phone number");
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        match c {
            '0'..='9' => out.push(c),
            '+' if i == 0 => out.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(bad()),
        }
    }
    let digits = out.trim_start_matches('+').len();
    if !(6..=15).contains(&digits) {
        return Err(bad());
    }
    Ok(out)
}

/// `YYYY-MM-DD` (midnight UTC) or RFC 3339.
fn visit_time(s: &str) -> std::result::Result<i64, String> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let t = d.and_hms_opt(0, 0, 0).ok_or("bad date")?;
        return Ok(Utc.from_utc_datetime(&t).timestamp());
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp())
        .map_err(|_| format!("the visit date {s:?} is not YYYY-MM-DD"))
}

fn yes_no(s: &str) -> std::result::Result<bool, String> {
    match s.to_lowercase().as_str() {
        "" | "0" | "no" | "n" | "false" | "f" => Ok(false),
        "1" | "yes" | "y" | "true" | "t" | "x" => Ok(true),
        _ => Err(format!("opt_out {s:?} is not yes or no")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_reads_with_its_columns_in_any_order_and_case() {
        let list = parse(
            "Opt-Out,Name,E-mail,Phone,Visited_At\n\
             ,Dana Kowalski,Dana@Example.com,,2026-11-02\n\
             yes,Lee Park,,+1 (555) 010-0199,\n\
             \n",
        )
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].email.as_deref(), Some("dana@example.com"));
        assert_eq!(list[0].name_key, "dana kowalski");
        assert_eq!(list[0].visited_at, Some(1_793_577_600));
        assert!(!list[0].opt_out);
        assert_eq!(list[1].phone.as_deref(), Some("+15550100199"));
        assert_eq!(list[1].contact_key, "tel:+15550100199");
        assert!(list[1].opt_out);
    }

    #[test]
    fn every_bad_row_is_reported_by_line_and_none_is_kept() {
        let err = parse(
            "name,email,phone,visited_at,opt_out\n\
             Ann,ann@example.com,,,\n\
             ,nobody@example.com,,,\n\
             Bob,not-an-address,,,\n\
             Cy,,,,\n\
             Di,di@example.com,,last week,\n\
             Ed,ed@example.com,,,maybe\n",
        )
        .unwrap_err();
        let RequestError::BadRows(rows) = err else {
            panic!("{err}")
        };
        assert_eq!(rows.len(), 5, "{rows:?}");
        assert!(rows[0].starts_with("line 3: the name is empty"), "{rows:?}");
        assert!(rows[1].starts_with("line 4:"), "{rows:?}");
        assert!(rows[4].contains("maybe"), "{rows:?}");
    }

    #[test]
    fn a_file_without_a_name_or_contact_column_is_refused_with_the_columns() {
        let err = parse("who,when\nAnn,2026-01-01\n").unwrap_err();
        assert!(err.to_string().contains("name, email, phone"), "{err}");
    }
}
