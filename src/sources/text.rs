//! Text and time helpers shared by connectors: HTML to plain text, the platforms' date formats.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

/// Plain text from a platform's HTML (Mastodon statuses, HN comments, YouTube `textDisplay`,
/// feed summaries): tags dropped, block ends turned into line breaks, entities decoded, runs of
/// blank space folded. Script and style contents are dropped whole.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let after = &rest[lt..];
        // Only `<` followed by a letter, `/` or `!` opens a tag; "5 < 6" is text.
        if !after[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            out.push('<');
            rest = &after[1..];
            continue;
        }
        let Some(gt) = after.find('>') else {
            // A lone '<' is text ("5 < 6"), not a tag.
            out.push_str(&decode_entities(after));
            rest = "";
            break;
        };
        let tag = after[1..gt].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        rest = &after[gt + 1..];
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let close = format!("</{name}");
            match rest.to_ascii_lowercase().find(&close) {
                Some(i) => {
                    rest = &rest[i..];
                    if let Some(g) = rest.find('>') {
                        rest = &rest[g + 1..];
                    }
                }
                None => rest = "",
            }
            continue;
        }
        if matches!(
            name.as_str(),
            "br" | "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "blockquote"
        ) {
            out.push('\n');
        }
    }
    out.push_str(&decode_entities(rest));
    fold_space(&out)
}

/// Collapses spaces within lines and blank lines between them; trims.
fn fold_space(s: &str) -> String {
    let lines: Vec<String> = s
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

/// Decodes the named entities reviews use and every numeric one.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let end = after[1..].find(|c: char| c == ';' || c == '&' || c.is_whitespace());
        let decoded = end
            .filter(|e| after.as_bytes().get(e + 1) == Some(&b';'))
            .and_then(|e| {
                let name = &after[1..=e];
                entity(name).map(|c| (c, e + 2))
            });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "rsquo" => '’',
        "lsquo" => '‘',
        "ldquo" => '“',
        "rdquo" => '”',
        "eacute" => 'é',
        "egrave" => 'è',
        "uuml" => 'ü',
        "ouml" => 'ö',
        "auml" => 'ä',
        "ccedil" => 'ç',
        "euro" => '€',
        "pound" => '£',
        _ => return None,
    })
}

/// Percent-encodes one URL path segment (ids and tags go into paths).
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// RFC 3339, or Facebook's `+0000` without a colon, to UTC.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z"))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .or_else(|_| DateTime::parse_from_rfc2822(s))
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|n| Utc.from_utc_datetime(&n))
        })
}

/// Unix seconds (integer, float or a string of either) to UTC.
pub fn unix_time(v: &serde_json::Value) -> Option<DateTime<Utc>> {
    let secs = match v {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    Utc.timestamp_opt(secs.floor() as i64, 0).single()
}

/// A time in a named zone without an offset (Yelp's Pacific `time_created`) to UTC. In the hour
/// a DST change repeats, the earlier reading is taken.
pub fn local_time_to_utc(s: &str, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// Compares two watermarks: numeric ids by length then digits (ids outgrow u64 on some
/// platforms), anything else (RFC 3339 UTC times) as strings.
pub fn newer<'a>(a: &'a str, b: &'a str) -> &'a str {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    let a_wins = if numeric(a) && numeric(b) {
        (a.len(), a) > (b.len(), b)
    } else {
        a > b
    };
    if a_wins {
        a
    } else {
        b
    }
}

/// Whether `candidate` is strictly newer than `mark`, by [`newer`]'s order.
pub fn is_newer(candidate: &str, mark: &str) -> bool {
    candidate != mark && newer(candidate, mark) == candidate
}

/// A watermark string for a time: RFC 3339 UTC with fixed width, so strings order like times.
pub fn time_mark(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            html_to_text(
                r#"<p>Great pie <a href="x">#joescafe</a></p><p>Tom &amp; Jerry&#39;s &lt;3</p>"#
            ),
            "Great pie #joescafe\nTom & Jerry's <3"
        );
        assert_eq!(html_to_text("5 < 6 and <b>bold</b>"), "5 < 6 and bold");
        assert_eq!(
            html_to_text("<script>alert(1)</script>ok<style>p{}</style>"),
            "ok"
        );
        assert_eq!(html_to_text("AT&T &bogus; &#x1F600;"), "AT&T &bogus; 😀");
    }

    #[test]
    fn times_in_every_platform_format() {
        let fb = parse_time("2024-05-01T18:04:11+0000").unwrap();
        assert_eq!(fb, Utc.with_ymd_and_hms(2024, 5, 1, 18, 4, 11).unwrap());
        let apple = parse_time("2024-05-01T11:04:11-07:00").unwrap();
        assert_eq!(apple, fb);
        assert_eq!(
            unix_time(&serde_json::json!("1714561451"))
                .unwrap()
                .timestamp(),
            1714561451
        );
        assert_eq!(
            unix_time(&serde_json::json!(1714586651.0))
                .unwrap()
                .timestamp(),
            1714586651
        );
        // Yelp: Pacific daylight time is UTC−7 in May.
        let pacific = local_time_to_utc("2024-05-01 18:04:11", chrono_tz::America::Los_Angeles);
        assert_eq!(
            pacific.unwrap(),
            Utc.with_ymd_and_hms(2024, 5, 2, 1, 4, 11).unwrap()
        );
    }

    #[test]
    fn watermarks_order_ids_numerically_and_times_as_text() {
        assert_eq!(newer("1790", "999"), "1790");
        assert_eq!(
            newer("2024-05-01T10:00:00.000Z", "2024-04-30T23:00:00.000Z"),
            "2024-05-01T10:00:00.000Z"
        );
        assert!(is_newer("11", "9"));
        assert!(!is_newer("9", "9"));
    }
}
