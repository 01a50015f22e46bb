//! An explicit proxy (tw_config_set_proxy): HTTP CONNECT and SOCKS5 tunnels that the
//! test starts; the request crosses them, reaches the sandbox and verifies there.

mod support;

use support::*;
use twfollow::ffi::*;

fn set_proxy(config: &Config, url: &str) -> TwStatus {
    let url = cstr(url);
    unsafe { tw_config_set_proxy(config.0, url.as_ptr()) }
}

#[test]
fn follows_through_an_http_connect_proxy() {
    let sandbox = start_sandbox();
    let proxy = TunnelProxy::connect();
    let config = Config::for_sandbox(&sandbox);
    assert_eq!(
        set_proxy(&config, &format!("http://{}", proxy.addr)),
        TwStatus::Ok,
        "{:?}",
        last()
    );
    config.follow("twitterdev", false).unwrap();
    config.follow("Twitter", false).unwrap();
    let sandbox_addr = sandbox.base_url().trim_start_matches("http://").to_owned();
    assert_eq!(
        proxy.destinations.lock().unwrap().clone(),
        [sandbox_addr],
        "one tunnel, reused"
    );
    assert_eq!(
        sandbox
            .requests()
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        [200, 200]
    );
}

#[test]
fn follows_through_a_socks5_proxy() {
    let sandbox = start_sandbox();
    let proxy = TunnelProxy::socks5();
    let config = Config::for_sandbox(&sandbox);
    assert_eq!(
        set_proxy(&config, &format!("socks5://{}", proxy.addr)),
        TwStatus::Ok,
        "{:?}",
        last()
    );
    config.follow("twitterdev", false).unwrap();
    let sandbox_addr = sandbox.base_url().trim_start_matches("http://").to_owned();
    assert_eq!(proxy.destinations.lock().unwrap().clone(), [sandbox_addr]);
    assert_eq!(sandbox.requests()[0].status, 200);
}

#[test]
fn bad_proxy_urls_are_refused_without_repeating_them() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    for bad in [
        "ftp://u:secret-pw@host:1",
        "not a url secret-pw",
        "http://",
        "socks4://h:1",
    ] {
        assert_eq!(set_proxy(&config, bad), TwStatus::InvalidArgument, "{bad}");
        assert!(!last().message.contains("secret-pw"), "{}", last().message);
        assert!(
            last().message.starts_with("invalid proxy URL"),
            "{}",
            last().message
        );
    }
    unsafe {
        assert_eq!(
            tw_config_set_proxy(std::ptr::null_mut(), c"".as_ptr()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_config_set_proxy(config.0, std::ptr::null()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_config_set_proxy(config.0, c"\xff".as_ptr()),
            TwStatus::InvalidUtf8
        );
    }
    // Nothing changed: still direct.
    config.follow("twitterdev", false).unwrap();
}

#[test]
fn a_dead_proxy_is_a_network_error() {
    let sandbox = start_sandbox();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = Config::for_sandbox(&sandbox);
    assert_eq!(
        set_proxy(&config, &format!("http://user:proxy-pw@127.0.0.1:{port}")),
        TwStatus::Ok
    );
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::Network, "{last:?}");
    assert!(!last.message.contains("proxy-pw"), "{}", last.message);
    assert_eq!(sandbox.request_count(), 0);
    // The empty string turns the proxy off again.
    assert_eq!(set_proxy(&config, ""), TwStatus::Ok);
    config.follow("twitterdev", false).unwrap();
}
