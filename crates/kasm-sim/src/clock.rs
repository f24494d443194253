//! Wall-clock time as the simulator stores it (milliseconds since the epoch)
//! and as Kasm prints it (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, in milliseconds since the epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `ms` as Kasm renders a date (`str(datetime)` of a UTC time).
pub fn date(ms: u64) -> String {
    let at = UNIX_EPOCH + Duration::from_millis(ms);
    humantime::format_rfc3339_micros(at)
        .to_string()
        .replacen('T', " ", 1)
        .trim_end_matches('Z')
        .to_owned()
}

/// A duration in whole milliseconds.
pub fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_read_as_kasm_prints_them() {
        assert_eq!(super::date(1_000_000_000_123), "2001-09-09 01:46:40.123000");
    }
}
