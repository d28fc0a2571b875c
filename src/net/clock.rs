//! UTC calendar text for the two places that print dates: event-log lines and certificate
//! validity in TLS messages. UTC everywhere, so logs of two machines line up; no time-zone
//! crate, because two fixed formats need only the days → date step (Hinnant's algorithm).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `2026-05-02 11:05:53.665`: a log line's timestamp.
pub(crate) fn timestamp(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    format!("{}.{:03}", date_time(d.as_secs()), d.subsec_millis())
}

/// `2020-01-01 00:00:00 UTC`: a certificate date, `secs` after the epoch.
pub(crate) fn utc_text(since_epoch: Duration) -> String {
    format!("{} UTC", date_time(since_epoch.as_secs()))
}

fn date_time(secs: u64) -> String {
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian; Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        let t = UNIX_EPOCH + Duration::from_millis(1_777_719_953_665);
        assert_eq!(timestamp(t), "2026-05-02 11:05:53.665");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01 00:00:00.000");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(&timestamp(leap)[..10], "2000-02-29");
    }

    #[test]
    fn dates_read_as_utc() {
        assert_eq!(utc_text(Duration::from_secs(0)), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            utc_text(Duration::from_secs(1_577_836_800)),
            "2020-01-01 00:00:00 UTC"
        );
        assert_eq!(
            utc_text(Duration::from_secs(951_782_400 + 3661)),
            "2000-02-29 01:01:01 UTC"
        );
    }
}
