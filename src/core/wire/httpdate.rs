//! HTTP dates, read from `Date` headers to correct a drifting local clock. RFC 9110
//! (5.6.7) has recipients accept three formats: IMF-fixdate
//! (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
//! (`Sunday, 06-Nov-94 08:49:37 GMT`) and C's asctime (`Sun Nov  6 08:49:37 1994`);
//! the `httpdate` crate reads all three.

use std::time::UNIX_EPOCH;

/// Seconds since the Unix epoch, or `None` for text in none of the three formats.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let time = httpdate::parse_http_date(text.trim()).ok()?;
    let seconds = time.duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(seconds).ok()
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

    /// RFC 9110 5.6.7's own example, in each of the three formats it requires.
    #[test]
    fn all_three_formats_of_rfc_9110() {
        let expected = Some(784_111_777);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), expected);
        // Surrounding white space, as a header value may carry.
        assert_eq!(parse_http_date(" Sun Nov  6 08:49:37 1994 "), expected);
        assert_eq!(
            parse_http_date("Friday, 12-Feb-21 03:43:02 GMT"),
            Some(1_613_101_382)
        );
        assert_eq!(
            parse_http_date("Fri Feb 12 03:43:02 2021"),
            Some(1_613_101_382)
        );
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "",
            "Fri, 12 Feb 2021 03:43:02 UTC",
            "Fri, 12 Foo 2021 03:43:02 GMT",
            "Fri, 32 Feb 2021 03:43:02 GMT",
            "Fri, 12 Feb 2021 24:00:00 GMT",
            "Fri, 12 Feb 2021 03:43 GMT",
            "Fri, 12 Feb 2021 03:43:02 GMT extra",
            "2021-02-12T03:43:02Z",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }
}
