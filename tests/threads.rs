//! 32 threads x 200 follows on one shared TwConfig against the sandbox: every
//! call gets its own outcome, nothing deadlocks, and each thread's last error is
//! its own while the others fail and succeed around it.

mod support;

use std::time::{Duration, Instant};

use support::*;
use twfollow::ffi::TwStatus;

const THREADS: usize = 32;
const FOLLOWS: usize = 200;

#[test]
fn thirty_two_threads_share_one_config() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let config = &config;
            scope.spawn(move || {
                for i in 0..FOLLOWS {
                    // Odd threads fail every third call; even threads always succeed.
                    if t % 2 == 1 && i % 3 == 0 {
                        let (status, last) = config.follow_err(sandbox::BLOCKER_USER.0);
                        assert_eq!(status, TwStatus::Blocked);
                        assert_eq!((last.http_status, last.api_code), (403, 162));
                    } else {
                        let json = config
                            .follow("twitterdev", false)
                            .unwrap_or_else(|e| panic!("thread {t} call {i}: {e:?}"));
                        assert!(json.contains("\"screen_name\":\"twitterdev\""));
                        // Other threads' failures happen meanwhile; this thread still reads its own success.
                        assert_eq!(
                            last(),
                            Last {
                                message: String::new(),
                                http_status: 200,
                                api_code: 0
                            }
                        );
                    }
                }
            });
        }
    });
    let took = started.elapsed();
    assert_eq!(sandbox.request_count(), THREADS * FOLLOWS);
    assert!(took < Duration::from_secs(60), "{took:?}");
    println!(
        "{} follows on {THREADS} threads in {took:?}",
        THREADS * FOLLOWS
    );
}
