//! HTTP dates (RFC 9110 IMF-fixdate, e.g. `Fri, 12 Feb 2021 03:43:02 GMT`), read
//! from `Date` headers to correct a drifting local clock.

/// Seconds since the Unix epoch, or `None` for anything but an IMF-fixdate.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().split(' ');
    let (_weekday, day, month, year, time, zone) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if zone != "GMT" || parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let day: i64 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let year: i64 = year.parse().ok().filter(|y| (1970..=9999).contains(y))?;
    let mut clock = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (clock.next()??, clock.next()??, clock.next()??);
    if clock.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Fri, 12 Feb 2021 03:43:02 GMT"),
            Some(1_613_101_382)
        );
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2028 12:00:00 GMT"),
            Some(1_835_438_400)
        );
        assert_eq!(
            parse_http_date("Sun, 22 Nov 2026 19:44:53 GMT"),
            Some(1_795_376_693)
        );
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "",
            "Fri, 12 Feb 2021 03:43:02 UTC",
            "Friday, 12-Feb-21 03:43:02 GMT",
            "Fri Feb 12 03:43:02 2021",
            "Fri, 12 Foo 2021 03:43:02 GMT",
            "Fri, 32 Feb 2021 03:43:02 GMT",
            "Fri, 12 Feb 2021 24:00:00 GMT",
            "Fri, 12 Feb 2021 03:43 GMT",
            "Fri, 12 Feb 2021 03:43:02 GMT extra",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }
}
