//! The committed header must be exactly what cbindgen generates from the source.

#[test]
fn committed_header_is_current() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/twfollow.h"));
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/twfollow.h"))
            .unwrap();
    assert!(
        generated == committed,
        "include/twfollow.h is stale: run `cargo build` outside CI and commit the regenerated header"
    );
}

#[test]
fn header_declares_every_contract_function() {
    let header = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/include/twfollow.h"));
    for name in [
        "tw_config_new(",
        "tw_config_from_env(",
        "tw_config_set_base_url(",
        "tw_config_set_timeout_ms(",
        "tw_config_set_user_agent(",
        "tw_config_free(",
        "tw_follow(",
        "tw_follow_ex(",
        "tw_last_rate_limit(",
        "tw_config_set_ca_file(",
        "tw_config_set_proxy(",
        "tw_config_set_max_retries(",
        "tw_config_set_max_wait_ms(",
        "tw_config_set_api_version(",
        "TW_FOLLOW_OUTCOME_PENDING = 2",
        "tw_last_error_message(",
        "tw_last_http_status(",
        "tw_last_api_error_code(",
        "tw_status_str(int32_t status)",
        "tw_string_free(",
        "tw_version(",
        "TW_STATUS_BAD_RESPONSE = 30",
        "TW_STATUS_INTERNAL = 99",
    ] {
        assert!(header.contains(name), "{name} missing from the header");
    }
}
