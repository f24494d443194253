//! Dates given as arguments: `formatdate`, `timeadd`, `timecmp`. None reads
//! the clock (`timestamp` and `plantimestamp` are not offered).

use super::{arg, arity};
use crate::lang::convert;
use crate::lang::value::Value;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

fn string_at(args: &[Value], i: usize) -> Result<String, String> {
    convert::to_string(arg(args, i))
}

/// An RFC 3339 timestamp, as Terraform reads one (`2024-01-02T15:04:05Z`).
fn timestamp(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| format!("not a valid RFC3339 timestamp: {text:?} ({e})"))
}

/// The timestamp as Go's `time.RFC3339` layout writes it: whole seconds, and
/// `Z` for a zero offset.
fn rfc3339(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        offset(t.offset(), true, true)
    )
}

/// `-0800`, `-08:00`, or `Z` for zero when `zulu`.
fn offset(o: UtcOffset, colon: bool, zulu: bool) -> String {
    if zulu && o.is_utc() {
        return "Z".into();
    }
    let sign = if o.is_negative() { '-' } else { '+' };
    let (h, m) = (
        o.whole_hours().unsigned_abs(),
        o.minutes_past_hour().unsigned_abs(),
    );
    let colon = if colon { ":" } else { "" };
    format!("{sign}{h:02}{colon}{m:02}")
}

/// A valid RFC 3339 timestamp as Go's `time.RFC3339` layout writes it.
pub(super) fn normalized(text: &str) -> Option<String> {
    timestamp(text).ok().map(rfc3339)
}

pub fn timeadd(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let t = timestamp(&string_at(args, 0)?)?;
    let d = go_duration(&string_at(args, 1)?)?;
    t.checked_add(d)
        .map(|t| Value::String(rfc3339(t)))
        .ok_or_else(|| "the result is out of range".into())
}

pub fn timecmp(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let a = timestamp(&string_at(args, 0)?)?;
    let b = timestamp(&string_at(args, 1)?)?;
    Ok(Value::Number(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1.0,
        std::cmp::Ordering::Equal => 0.0,
        std::cmp::Ordering::Greater => 1.0,
    }))
}

/// `formatdate(spec, timestamp)`: letters repeat to say the form (`YYYY`,
/// `MMM`, `hh`), text in single quotes is literal, `''` is a quote.
pub fn formatdate(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let spec = string_at(args, 0)?;
    let t = timestamp(&string_at(args, 1)?)?;
    let mut out = String::new();
    let mut rest = spec.as_str();
    while let Some(c) = rest.chars().next() {
        let len = if c == '\'' {
            quoted(rest, &mut out)?
        } else if c.is_ascii_alphabetic() {
            let len = rest.find(|x| x != c).unwrap_or(rest.len());
            verb(c, len, t, &mut out)?;
            len
        } else {
            out.push(c);
            c.len_utf8()
        };
        rest = rest.get(len..).unwrap_or_default();
    }
    Ok(Value::String(out))
}

/// Copies a quoted literal at the start of `text`; its length.
fn quoted(text: &str, out: &mut String) -> Result<usize, String> {
    if text.starts_with("''") {
        out.push('\'');
        return Ok(2);
    }
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\'' {
            out.push(c);
        } else if chars.peek().is_some_and(|(_, n)| *n == '\'') {
            out.push('\'');
            chars.next();
        } else {
            return Ok(i + 1);
        }
    }
    Err("unterminated literal '".into())
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Writes `letter` repeated `len` times, as the part of `t` it names.
fn verb(letter: char, len: usize, t: OffsetDateTime, out: &mut String) -> Result<(), String> {
    let token = letter.to_string().repeat(len);
    let bad = |why: &str| Err(format!("invalid date format verb {token:?}: {why}"));
    let number = |n: i64, out: &mut String, why: &str| {
        match len {
            1 => out.push_str(&n.to_string()),
            2 => out.push_str(&format!("{n:02}")),
            _ => return bad(why),
        }
        Ok(())
    };
    let month = MONTHS
        .get(usize::from(u8::from(t.month())) - 1)
        .copied()
        .unwrap_or_default();
    let weekday = WEEKDAYS
        .get(usize::from(t.weekday().number_days_from_monday()))
        .copied()
        .unwrap_or_default();
    match letter {
        'Y' => match len {
            2 => out.push_str(&format!("{:02}", t.year().rem_euclid(100))),
            4 => out.push_str(&format!("{:04}", t.year())),
            _ => return bad("year must either be \"YY\" or \"YYYY\""),
        },
        'M' => match len {
            3 => out.push_str(month.get(..3).unwrap_or(month)),
            4 => out.push_str(month),
            _ => number(
                i64::from(u8::from(t.month())),
                out,
                "month must be \"M\", \"MM\", \"MMM\", or \"MMMM\"",
            )?,
        },
        'D' => number(
            i64::from(t.day()),
            out,
            "day of month must either be \"D\" or \"DD\"",
        )?,
        'E' => match len {
            3 => out.push_str(weekday.get(..3).unwrap_or(weekday)),
            4 => out.push_str(weekday),
            _ => return bad("day of week must either be \"EEE\" or \"EEEE\""),
        },
        'h' => number(
            i64::from(t.hour()),
            out,
            "24-hour must either be \"h\" or \"hh\"",
        )?,
        'H' => {
            let h = match t.hour() % 12 {
                0 => 12,
                h => h,
            };
            number(i64::from(h), out, "12-hour must either be \"H\" or \"HH\"")?;
        }
        'A' | 'a' if len == 2 => {
            let marker = if t.hour() < 12 { "AM" } else { "PM" };
            out.push_str(&if letter == 'A' {
                marker.to_owned()
            } else {
                marker.to_lowercase()
            });
        }
        'A' | 'a' => return bad(&format!("must be \"{letter}{letter}\"")),
        'm' => number(
            i64::from(t.minute()),
            out,
            "minute must either be \"m\" or \"mm\"",
        )?,
        's' => number(
            i64::from(t.second()),
            out,
            "second must either be \"s\" or \"ss\"",
        )?,
        'Z' => match len {
            1 => out.push_str(&offset(t.offset(), true, true)),
            3 if t.offset().is_utc() => out.push_str("UTC"),
            3 | 4 => out.push_str(&offset(t.offset(), false, false)),
            5 => out.push_str(&offset(t.offset(), true, false)),
            _ => return bad("timezone must be Z, ZZZZ, or ZZZZZ"),
        },
        _ => return Err(format!("invalid date format verb {token:?}")),
    }
    Ok(())
}

/// A duration in Go's syntax, which Terraform's `timeadd` takes: signed,
/// a sequence of decimal numbers with units (`1h30m`, `-1.5h`, `300ms`;
/// units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`); `0` alone needs no unit.
pub fn go_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("time: invalid duration {text:?}");
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return Err(invalid());
        }
        let unit_len = after
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            other => return Err(format!("time: unknown unit {other:?} in duration {text:?}")),
        };
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| invalid())?
        };
        let mut part = whole.checked_mul(scale).ok_or_else(invalid)?;
        // The fraction's digits beyond a nanosecond do not count, as in Go.
        let mut unit_scale = scale;
        for d in fraction.bytes() {
            unit_scale /= 10;
            part += u128::from(d - b'0') * unit_scale;
        }
        total = total.checked_add(part).ok_or_else(invalid)?;
        rest = next;
    }
    let nanos = i64::try_from(total).map_err(|_| invalid())?;
    Ok(Duration::nanoseconds(if negative { -nanos } else { nanos }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        let ns = |t: &str| go_duration(t).map(|d| d.whole_nanoseconds());
        assert_eq!(ns("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(ns("-1.5h"), Ok(-5_400_000_000_000));
        assert_eq!(ns("300ms"), Ok(300_000_000));
        assert_eq!(ns("1.5µs"), Ok(1_500));
        assert_eq!(ns("0"), Ok(0));
        assert!(go_duration("1").is_err_and(|e| e.contains("missing unit")));
        assert!(go_duration("1d").is_err_and(|e| e.contains("unknown unit \"d\"")));
        assert!(go_duration("").is_err());
        assert!(go_duration(".s").is_err());
    }

    #[test]
    fn formatdate_reads_quotes_and_refuses_unknown_verbs() {
        let f = |spec: &str| {
            formatdate(&[
                Value::String(spec.into()),
                Value::String("2018-01-02T23:12:01Z".into()),
            ])
        };
        assert_eq!(f("'T'hh''mm"), Ok(Value::String("T23'12".into())));
        assert!(f("'open").is_err_and(|e| e.contains("unterminated")));
        assert!(f("YYY").is_err_and(|e| e.contains("year must")));
        assert!(f("q").is_err_and(|e| e.contains("invalid date format verb")));
    }
}
