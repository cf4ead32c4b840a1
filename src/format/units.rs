//! Sizes, durations and timestamps formatted the way docker (go-units, Go's time and fmt packages) does.

use std::time::{SystemTime, UNIX_EPOCH};

const DECIMAL_UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

/// Go-units `HumanSizeWithPrecision(size, 3)`, what `docker images` prints: "4.26MB", "1kB", "123B".
pub fn human_size(bytes: u64) -> String {
    human_size_precision(bytes, 3)
}

/// Go-units `HumanSizeWithPrecision(size, precision)`: decimal units, `%.*g` formatting.
pub fn human_size_precision(bytes: u64, precision: usize) -> String {
    let mut size = bytes as f64;
    let mut i = 0;
    while size >= 1000.0 && i < DECIMAL_UNITS.len() - 1 {
        size /= 1000.0;
        i += 1;
    }
    format!("{}{}", format_g(size, Some(precision)), DECIMAL_UNITS[i])
}

/// Decimal digits (no trailing zeros, at least one digit) and decimal point position of `f` (|f| is used),
/// rounded to `prec` significant digits, or the shortest round-tripping digits when `prec` is `None`.
fn digits(f: f64, prec: Option<usize>) -> (Vec<u8>, i32) {
    let s = match prec {
        Some(p) => format!("{:.*e}", p.max(1) - 1, f.abs()),
        None => format!("{:e}", f.abs()),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while d.len() > 1 && d.last() == Some(&b'0') {
        d.pop();
    }
    if d == [b'0'] {
        return (d, 1);
    }
    (d, exp + 1)
}

/// Go's `%e` layout of digits: d.ddde±XX with `frac` digits after the point.
fn fmt_e(d: &[u8], dp: i32, frac: usize) -> String {
    let mut s = String::new();
    s.push(d[0] as char);
    if frac > 0 {
        s.push('.');
        for i in 1..=frac {
            s.push(*d.get(i).unwrap_or(&b'0') as char);
        }
    }
    let exp = if d == [b'0'] { 0 } else { dp - 1 };
    s.push_str(&format!(
        "e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.abs()
    ));
    s
}

/// Go's `%f` layout of digits with `frac` digits after the point.
fn fmt_f(d: &[u8], dp: i32, frac: usize) -> String {
    let digit = |i: i32| -> char {
        if i >= 0 && (i as usize) < d.len() {
            d[i as usize] as char
        } else {
            '0'
        }
    };
    let mut s = String::new();
    if dp > 0 {
        (0..dp).for_each(|i| s.push(digit(i)));
    } else {
        s.push('0');
    }
    if frac > 0 {
        s.push('.');
        (0..frac as i32).for_each(|i| s.push(digit(dp + i)));
    }
    s
}

/// Go's `strconv.FormatFloat(f, 'g', prec, 64)`; `None` is the shortest representation (what `%v` prints).
pub fn format_g(f: f64, prec: Option<usize>) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let sign = if f.is_sign_negative() && f != 0.0 {
        "-"
    } else {
        ""
    };
    let (d, dp) = digits(f, prec);
    let nd = d.len() as i32;
    let body = match prec {
        None => {
            let exp = dp - 1;
            if !(-4..6).contains(&exp) {
                fmt_e(&d, dp, (nd - 1) as usize)
            } else {
                fmt_f(&d, dp, (nd - dp).max(0) as usize)
            }
        }
        Some(p) => {
            let mut p = p.max(1) as i32;
            let mut eprec = p;
            if eprec > nd && nd >= dp {
                eprec = nd;
            }
            let exp = dp - 1;
            if exp < -4 || exp >= eprec {
                p = p.min(nd);
                fmt_e(&d, dp, (p - 1) as usize)
            } else {
                if p > dp {
                    p = nd;
                }
                fmt_f(&d, dp, (p - dp).max(0) as usize)
            }
        }
    };
    format!("{sign}{body}")
}

/// Go's `%v` of a float64: shortest representation, exponent form below 1e-4 or from 1e6 on.
pub fn format_float_v(f: f64) -> String {
    format_g(f, None)
}

/// Go's `%e` with the given precision.
pub fn format_e(f: f64, prec: usize) -> String {
    let sign = if f.is_sign_negative() && f != 0.0 {
        "-"
    } else {
        ""
    };
    let (d, dp) = digits(f, Some(prec + 1));
    format!("{sign}{}", fmt_e(&d, dp, prec))
}

/// Go-units `HumanDuration`: "Less than a second", "About a minute", "3 hours", "2 weeks" ...
pub fn human_duration(secs: u64) -> String {
    let minutes = secs / 60;
    let hours = (secs + 1800) / 3600;
    match secs {
        0 => "Less than a second".into(),
        1 => "1 second".into(),
        2..=59 => format!("{secs} seconds"),
        _ if minutes == 1 => "About a minute".into(),
        _ if minutes < 60 => format!("{minutes} minutes"),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        _ => format!("{} years", secs / 3600 / 24 / 365),
    }
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses Go's RFC3339 / RFC3339Nano ("2024-09-26T21:31:42.013538455Z", "...+02:00") into (unix seconds, nanos).
pub fn parse_rfc3339(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)? as i64, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59
    {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b[i] == b'.' || b[i] == b',' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = &s[start..i.min(start + 9)];
        nanos = format!("{frac:0<9}").parse().ok()?;
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = (oh * 3600 + om * 60) as i64;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86400 + (h * 3600 + mi * 60 + sec) as i64 - offset;
    Some((secs, nanos))
}

fn split_utc(secs: i64) -> (i64, u32, u32, i64, i64, i64) {
    let (y, m, d) = civil_from_days(secs.div_euclid(86400));
    let rem = secs.rem_euclid(86400);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Go's `t.UTC().Format(time.RFC3339Nano)`: "2024-09-26T21:31:42.013538455Z" (fraction trimmed).
pub fn format_rfc3339_nano(secs: i64, nanos: u32) -> String {
    let (y, m, d, h, mi, s) = split_utc(secs);
    let mut out = format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    if nanos > 0 {
        let frac = format!("{:09}", nanos.min(999_999_999));
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Go's `time.Unix(secs, 0).UTC().String()`: "2024-09-26 21:31:42 +0000 UTC".
pub fn format_go_time(secs: i64) -> String {
    let (y, m, d, h, mi, s) = split_utc(secs);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02} +0000 UTC")
}

/// The current time as (unix seconds, nanos).
pub fn now() -> (i64, u32) {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            (-(d.as_secs() as i64), 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        let cases = [
            (0, "0B"),
            (123, "123B"),
            (999, "999B"),
            (1000, "1kB"),
            (1024, "1.02kB"),
            (120_000, "120kB"),
            (1_500_000, "1.5MB"),
            (4_261_376, "4.26MB"),
            (999_999, "1e+03kB"),
            (77_800_000, "77.8MB"),
            (1_000_000_000_000_000_000, "1EB"),
            (u64::MAX, "18.4EB"),
        ];
        for (n, want) in cases {
            assert_eq!(human_size(n), want, "{n}");
        }
        assert_eq!(human_size_precision(4_261_376, 4), "4.261MB");
        assert_eq!(human_size_precision(1_234_567, 0), "1MB");
    }

    #[test]
    fn go_floats() {
        assert_eq!(format_g(1.5, None), "1.5");
        assert_eq!(format_g(100.0, None), "100");
        assert_eq!(format_g(0.0, Some(3)), "0");
        assert_eq!(format_g(-2.25, Some(2)), "-2.2");
        assert_eq!(format_g(123456.0, Some(3)), "1.23e+05");
        assert_eq!(format_g(0.0001234, Some(3)), "0.000123");
        assert_eq!(format_g(0.00001234, Some(3)), "1.23e-05");
        assert_eq!(format_float_v(1e6), "1e+06");
        assert_eq!(format_float_v(1234567.0), "1.234567e+06");
        assert_eq!(format_float_v(123456.0), "123456");
        assert_eq!(format_float_v(0.5), "0.5");
        assert_eq!(format_float_v(1e-5), "1e-05");
        assert_eq!(format_e(1.5, 6), "1.500000e+00");
        assert_eq!(format_e(0.0, 2), "0.00e+00");
    }

    #[test]
    fn durations() {
        let cases = [
            (0, "Less than a second"),
            (1, "1 second"),
            (59, "59 seconds"),
            (60, "About a minute"),
            (119, "About a minute"),
            (120, "2 minutes"),
            (3599, "59 minutes"),
            (3600, "About an hour"),
            (5399, "About an hour"),
            (5400, "2 hours"),
            (47 * 3600, "47 hours"),
            (48 * 3600, "2 days"),
            (13 * 86400, "13 days"),
            (14 * 86400, "2 weeks"),
            (59 * 86400, "8 weeks"),
            (60 * 86400, "2 months"),
            (729 * 86400, "24 months"),
            (730 * 86400, "2 years"),
            (3650 * 86400, "10 years"),
        ];
        for (n, want) in cases {
            assert_eq!(human_duration(n), want, "{n}");
        }
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(
            parse_rfc3339("2024-09-26T21:31:42.013538455Z"),
            Some((1727386302, 13538455))
        );
        assert_eq!(
            parse_rfc3339("2024-09-26T23:31:42.5+02:00"),
            Some((1727386302, 500_000_000))
        );
        assert_eq!(
            parse_rfc3339("2024-09-26T20:31:42-01:00"),
            Some((1727386302, 0))
        );
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), Some((-1, 0)));
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00Z").map(|t| t.0),
            Some(1709164800)
        );
        assert_eq!(parse_rfc3339("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2024-09-26 21:31:42Z"), None);
        assert_eq!(parse_rfc3339("2024-09-26T21:31:42"), None);
        assert_eq!(parse_rfc3339("2024-09-26T21:31:42.Z"), None);
        assert_eq!(parse_rfc3339("2024-13-26T21:31:42Z"), None);
        assert_eq!(parse_rfc3339("2024-09-26T21:31:4xZ"), None);
        assert_eq!(parse_rfc3339("héllo wörld 12345678"), None);
        assert_eq!(parse_rfc3339(""), None);
    }

    #[test]
    fn formatting_times() {
        assert_eq!(
            format_rfc3339_nano(1727386302, 13538455),
            "2024-09-26T21:31:42.013538455Z"
        );
        assert_eq!(
            format_rfc3339_nano(1727386302, 500_000_000),
            "2024-09-26T21:31:42.5Z"
        );
        assert_eq!(format_rfc3339_nano(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339_nano(-1, 0), "1969-12-31T23:59:59Z");
        assert_eq!(format_go_time(1727386302), "2024-09-26 21:31:42 +0000 UTC");
        let (s, n) = now();
        assert_eq!(parse_rfc3339(&format_rfc3339_nano(s, n)), Some((s, n)));
        assert!(s > 1_700_000_000);
    }
}
