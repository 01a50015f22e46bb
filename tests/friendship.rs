//! tw_unfollow and tw_relationship through the C ABI against the sandbox: both API
//! versions, OAuth 1.0a and OAuth 2.0, the requests on the wire, the one answer shape,
//! refusals and bad input.

mod support;

use std::ffi::c_char;
use std::ptr;

use serde_json::json;
use support::sandbox::{BLOCKER_USER, FOLLOWER_USER, MUTED_USER, PENDING_USER, PUBLIC_USER};
use support::*;
use twfollow::ffi::*;

/// (method, target, body) of the requests the sandbox saw from `from` on.
fn seen(sandbox: &Sandbox, from: usize) -> Vec<(String, String, String)> {
    sandbox.requests()[from..]
        .iter()
        .map(|r| {
            assert!(r.status < 300, "{} {} -> {}", r.method, r.target, r.status);
            (r.method.clone(), r.target.clone(), r.body.clone())
        })
        .collect()
}

fn req(method: &str, target: &str, body: &str) -> (String, String, String) {
    (method.into(), target.into(), body.into())
}

#[test]
fn v1_unfollow_and_relationship() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let before = config.relationship("@twitterdev").unwrap();
    // A public account: API 1.1 says nothing of requests, so the member is absent.
    assert_eq!(
        before,
        json!({"target": {"id": "2244994945", "username": "twitterdev"}, "following": false,
               "followed_by": false, "blocking": false, "blocked_by": false, "muting": false})
    );
    assert_eq!(last().http_status, 200);
    config.follow("twitterdev", false).unwrap();
    assert_eq!(
        config.relationship("2244994945").unwrap()["following"],
        true
    );
    let unfollowed = config.unfollow("twitterdev").unwrap();
    assert_eq!(
        unfollowed,
        json!({"target": {"id": "2244994945", "username": "twitterdev"}, "following": false})
    );
    assert_eq!(
        last(),
        Last {
            message: String::new(),
            http_status: 200,
            api_code: 0
        }
    );
    assert_eq!(
        config.relationship("twitterdev").unwrap()["following"],
        false
    );
    // Unfollowing again is no error.
    assert_eq!(config.unfollow("2244994945").unwrap()["following"], false);
    assert_eq!(
        seen(&sandbox, 0),
        [
            req(
                "GET",
                "/1.1/friendships/show.json?target_screen_name=twitterdev",
                ""
            ),
            req(
                "POST",
                "/1.1/friendships/create.json",
                "screen_name=twitterdev&follow=false"
            ),
            req("GET", "/1.1/friendships/show.json?target_id=2244994945", ""),
            req(
                "POST",
                "/1.1/friendships/destroy.json",
                "screen_name=twitterdev"
            ),
            req(
                "GET",
                "/1.1/friendships/show.json?target_screen_name=twitterdev",
                ""
            ),
            req(
                "POST",
                "/1.1/friendships/destroy.json",
                "user_id=2244994945"
            ),
        ]
    );
    let destroy = &sandbox.requests()[3];
    assert_eq!(
        destroy.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
}

#[test]
fn seeded_relationships_in_both_versions() {
    let sandbox = start_sandbox();
    let v1 = Config::for_sandbox(&sandbox);
    let v2 = Config::for_sandbox(&sandbox);
    assert_eq!(v2.set_api_version(2), TwStatus::Ok);
    let flag = |config: &Config, target: &str, name: &str| {
        config.relationship(target).unwrap().get(name).cloned()
    };
    for config in [&v1, &v2] {
        assert_eq!(
            flag(config, FOLLOWER_USER.0, "followed_by"),
            Some(json!(true))
        );
        assert_eq!(flag(config, MUTED_USER.0, "muting"), Some(json!(true)));
        assert_eq!(
            flag(config, PENDING_USER.0, "follow_request_sent"),
            Some(json!(true))
        );
        assert_eq!(flag(config, PUBLIC_USER.0, "blocking"), Some(json!(false)));
    }
    // Only API 1.1 says that someone blocks you; v2 leaves it unknown.
    assert_eq!(flag(&v1, BLOCKER_USER.0, "blocked_by"), Some(json!(true)));
    assert_eq!(flag(&v2, BLOCKER_USER.0, "blocked_by"), None);
    // v2 says every other member.
    assert_eq!(
        v2.relationship("twitterdev").unwrap(),
        json!({"target": {"id": "2244994945", "username": "twitterdev"}, "following": false,
               "follow_request_sent": false, "follow_request_received": false,
               "followed_by": false, "blocking": false, "muting": false})
    );
}

#[test]
fn v2_unfollow_by_id_and_by_name() {
    let sandbox = start_sandbox();
    let config = Config::for_account(&sandbox.base_url(), 2);
    assert_eq!(config.set_api_version(2), TwStatus::Ok);
    config.follow("2244994945", false).unwrap();
    assert_eq!(
        config.unfollow("2244994945").unwrap(),
        json!({"target": {"id": "2244994945"}, "following": false})
    );
    let (status, [limit, remaining, _]) = rate_limit();
    assert_eq!((status, limit, remaining), (TwStatus::Ok, 50, 49));
    config.follow("783214", false).unwrap();
    assert_eq!(
        config.unfollow("@twitter").unwrap(),
        json!({"target": {"id": "783214", "username": "Twitter"}, "following": false})
    );
    let relationship = config.relationship("@Twitter").unwrap();
    assert_eq!(
        (
            relationship["following"].clone(),
            relationship["followed_by"].clone()
        ),
        (json!(false), json!(true))
    );
    assert_eq!(
        seen(&sandbox, 0),
        [
            req(
                "POST",
                "/2/users/1500000002/following",
                r#"{"target_user_id":"2244994945"}"#
            ),
            req("DELETE", "/2/users/1500000002/following/2244994945", ""),
            req(
                "POST",
                "/2/users/1500000002/following",
                r#"{"target_user_id":"783214"}"#
            ),
            req("GET", "/2/users/by/username/twitter", ""),
            req("DELETE", "/2/users/1500000002/following/783214", ""),
            req(
                "GET",
                "/2/users/by/username/Twitter?user.fields=connection_status",
                ""
            ),
        ]
    );
    // Each request carried an OAuth 1.0a signature the sandbox verified.
    assert!(sandbox
        .requests()
        .iter()
        .all(|r| r.header("authorization").unwrap().starts_with("OAuth ")));
}

#[test]
fn oauth2_unfollow_and_relationship_use_the_bearer_token() {
    let sandbox = start_sandbox();
    let config = oauth2_config(&sandbox.base_url(), false);
    sign_in(&config);
    let from = sandbox.request_count();
    config.follow("twitterdev", false).unwrap();
    assert_eq!(
        config.relationship("twitterdev").unwrap()["following"],
        true
    );
    assert_eq!(
        config.unfollow("2244994945").unwrap(),
        json!({"target": {"id": "2244994945"}, "following": false})
    );
    assert_eq!(
        config.relationship("2244994945").unwrap()["following"],
        false
    );
    let targets: Vec<String> = seen(&sandbox, from).into_iter().map(|r| r.1).collect();
    assert_eq!(
        targets,
        [
            "/2/users/me",
            "/2/users/by/username/twitterdev",
            "/2/users/1500000001/following",
            "/2/users/by/username/twitterdev?user.fields=connection_status",
            "/2/users/1500000001/following/2244994945",
            "/2/users/2244994945?user.fields=connection_status",
        ]
    );
    assert!(sandbox.requests()[from..]
        .iter()
        .all(|r| r.header("authorization").unwrap().starts_with("Bearer ")));
    // An expired token is refreshed, as for a follow.
    sandbox.expire_oauth2_access_tokens();
    assert_eq!(config.unfollow("twitterdev").unwrap()["following"], false);
    assert_eq!(sandbox.oauth2_refresh_count(), 1);
}

#[test]
fn refusals_map_as_for_a_follow() {
    let sandbox = start_sandbox();
    let v1 = Config::for_sandbox(&sandbox);
    let (status, last) = v1.unfollow("nobody_here").unwrap_err();
    assert_eq!(
        (status, last.http_status, last.api_code),
        (TwStatus::NotFound, 403, 108)
    );
    let (status, last) = v1.relationship("nobody_here").unwrap_err();
    assert_eq!(
        (status, last.http_status, last.api_code),
        (TwStatus::NotFound, 404, 50)
    );
    assert_eq!(last.message, "HTTP 404, error 50: User not found.");

    let v2 = Config::for_sandbox(&sandbox);
    assert_eq!(v2.set_api_version(2), TwStatus::Ok);
    let (status, last) = v2.relationship("nobody_here").unwrap_err();
    assert_eq!(
        (status, last.http_status, last.api_code),
        (TwStatus::NotFound, 200, 0)
    );
    assert_eq!(
        last.message,
        "HTTP 200: Could not find user with username: [nobody_here]."
    );
    let (status, last) = v2.unfollow("nobody_here").unwrap_err();
    assert_eq!(status, TwStatus::NotFound);
    assert!(
        last.message.ends_with("(looking up @nobody_here)"),
        "{}",
        last.message
    );
    let (status, last) = v2.relationship("42").unwrap_err();
    assert_eq!(
        (status, last.message.as_str()),
        (
            TwStatus::NotFound,
            "HTTP 200: Could not find user with id: [42]."
        )
    );

    // A wrong secret: refused, the secret never shown.
    let wrong = Config::new(
        CONSUMER_KEY,
        CONSUMER_SECRET,
        &Account::builtin(1).token,
        "wrong-secret-xyz",
    );
    assert_eq!(wrong.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    let (status, last) = wrong.unfollow("twitterdev").unwrap_err();
    assert_eq!((status, last.api_code), (TwStatus::Auth, 32));
    assert!(!last.message.contains("wrong-secret"));
}

#[test]
fn bad_input_is_refused_and_nothing_is_sent() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let v2 = Config::for_sandbox(&sandbox);
    assert_eq!(v2.set_api_version(2), TwStatus::Ok);
    for target in [
        "",
        "@",
        "bad name",
        "0",
        "18446744073709551616",
        "ｔｗｉｔｔｅｒ",
    ] {
        for config in [&config, &v2] {
            assert_eq!(
                config.unfollow(target).unwrap_err().0,
                TwStatus::InvalidArgument,
                "{target:?}"
            );
            assert_eq!(
                config.relationship(target).unwrap_err().0,
                TwStatus::InvalidArgument,
                "{target:?}"
            );
        }
    }
    // API v2 ids have at most 19 digits.
    let (status, refusal) = v2.unfollow("18446744073709551615").unwrap_err();
    assert_eq!(status, TwStatus::InvalidArgument);
    assert_eq!(
        refusal.message,
        "invalid user id 18446744073709551615 for API v2: ids have at most 19 digits"
    );
    assert_eq!(
        v2.relationship("10000000000000000000").unwrap_err().0,
        TwStatus::InvalidArgument
    );

    let target = cstr("twitterdev");
    let mut json: *mut c_char = ptr::null_mut();
    unsafe {
        assert_eq!(
            tw_unfollow(ptr::null(), target.as_ptr(), &mut json),
            TwStatus::NullArgument
        );
        assert_eq!(last().message, "config is NULL");
        assert_eq!(
            tw_unfollow(config.0, ptr::null(), &mut json),
            TwStatus::NullArgument
        );
        assert_eq!(last().message, "target is NULL");
        assert_eq!(
            tw_relationship(ptr::null(), target.as_ptr(), &mut json),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_relationship(config.0, ptr::null(), &mut json),
            TwStatus::NullArgument
        );
        // The relationship is the point of the call: its out_json is required.
        assert_eq!(
            tw_relationship(config.0, target.as_ptr(), ptr::null_mut()),
            TwStatus::NullArgument
        );
        assert_eq!(last().message, "out_json is NULL");
        let not_utf8 = b"tw\xffdev\0";
        assert_eq!(
            tw_unfollow(config.0, not_utf8.as_ptr().cast(), &mut json),
            TwStatus::InvalidUtf8
        );
        assert_eq!(
            tw_relationship(config.0, not_utf8.as_ptr().cast(), &mut json),
            TwStatus::InvalidUtf8
        );
    }
    assert!(json.is_null());
    assert_eq!(sandbox.request_count(), 0, "nothing was sent");
    // Unfollow's out_json may be NULL.
    assert_eq!(
        unsafe { tw_unfollow(config.0, target.as_ptr(), ptr::null_mut()) },
        TwStatus::Ok
    );
    assert_eq!(sandbox.request_count(), 1);
}

#[test]
fn a_config_with_only_the_apps_keys_has_no_user_to_act_for() {
    let (key, secret) = (cstr(CONSUMER_KEY), cstr(CONSUMER_SECRET));
    let mut out = ptr::null_mut();
    assert_eq!(
        unsafe { tw_config_new_app(key.as_ptr(), secret.as_ptr(), &mut out) },
        TwStatus::Ok
    );
    let config = Config(out);
    let (status, last) = config.relationship("twitterdev").unwrap_err();
    assert_eq!(status, TwStatus::InvalidArgument);
    assert!(
        last.message.contains("no user token yet"),
        "{}",
        last.message
    );
    assert_eq!(
        config.unfollow("twitterdev").unwrap_err().0,
        TwStatus::InvalidArgument
    );
}

/// `tw_relationship_ex`: (known, set, JSON), or the failure with nothing written.
fn relationship_ex(
    config: &Config,
    target: &str,
) -> Result<(u32, u32, serde_json::Value), (TwStatus, Last)> {
    let target = cstr(target);
    let (mut known, mut set, mut json) = (0xdead_u32, 0xbeef_u32, ptr::null_mut::<c_char>());
    let status =
        unsafe { tw_relationship_ex(config.0, target.as_ptr(), &mut known, &mut set, &mut json) };
    if status != TwStatus::Ok {
        assert_eq!(
            (known, set, json.is_null()),
            (0xdead, 0xbeef, true),
            "outputs written on failure"
        );
        return Err((status, last()));
    }
    Ok((known, set, serde_json::from_str(&take(json)).unwrap()))
}

/// Each flag and its member of `tw_relationship`'s JSON.
const FLAGS: [(TwRelationshipFlag, &str); 7] = [
    (TwRelationshipFlag::Following, "following"),
    (TwRelationshipFlag::FollowRequestSent, "follow_request_sent"),
    (
        TwRelationshipFlag::FollowRequestReceived,
        "follow_request_received",
    ),
    (TwRelationshipFlag::FollowedBy, "followed_by"),
    (TwRelationshipFlag::Blocking, "blocking"),
    (TwRelationshipFlag::BlockedBy, "blocked_by"),
    (TwRelationshipFlag::Muting, "muting"),
];

#[test]
fn relationship_ex_gives_the_jsons_flags_as_bits_in_one_request() {
    let sandbox = start_sandbox();
    let v1 = Config::for_sandbox(&sandbox);
    let v2 = Config::for_sandbox(&sandbox);
    assert_eq!(v2.set_api_version(2), TwStatus::Ok);
    let bearer = oauth2_config(&sandbox.base_url(), true);
    sign_in(&bearer);
    v1.follow(MUTED_USER.0, false).unwrap();
    let (mut seen_true, mut seen_false, mut seen_unknown) = (0, 0, 0);
    for config in [&v1, &v2, &bearer] {
        for target in [
            FOLLOWER_USER.0,
            MUTED_USER.0,
            PENDING_USER.0,
            BLOCKER_USER.0,
            "2244994945",
            "@Twitter",
        ] {
            let json = config.relationship(target).unwrap();
            let before = sandbox.requests().len();
            let (known, set, same) = relationship_ex(config, target).unwrap();
            // One request, as tw_relationship sends, and its JSON besides.
            assert_eq!(sandbox.requests().len(), before + 1, "{target}");
            assert_eq!(tw_last_request_count(), 1);
            assert_eq!((last().http_status, last().message), (200, String::new()));
            assert_eq!(same, json, "{target}");
            for (flag, name) in FLAGS {
                let bit = flag as u32;
                let expected = match json.get(name) {
                    None => (0, 0),
                    Some(value) => (bit, if value.as_bool().unwrap() { bit } else { 0 }),
                };
                assert_eq!(
                    (known & bit, set & bit),
                    expected,
                    "{target} {name}: {json}"
                );
            }
            assert_eq!(known & !0x7f, 0);
            assert_eq!(set & !known, 0);
            seen_true |= set;
            seen_false |= known & !set;
            seen_unknown |= !known & 0x7f;
        }
    }
    // The three states all came up: true, false, unknown (never a guessed false).
    use TwRelationshipFlag as F;
    let true_ones = F::Following as u32
        | F::FollowRequestSent as u32
        | F::FollowedBy as u32
        | F::BlockedBy as u32
        | F::Muting as u32;
    assert_eq!(seen_true & true_ones, true_ones);
    assert_eq!(seen_false, 0x7f);
    let unknown = F::BlockedBy as u32 | F::FollowRequestSent as u32;
    assert_eq!(seen_unknown & unknown, unknown);

    // out_json may be NULL; the flags still come.
    let target = cstr(MUTED_USER.0);
    let (mut known, mut set) = (0u32, 0u32);
    let status =
        unsafe { tw_relationship_ex(v2.0, target.as_ptr(), &mut known, &mut set, ptr::null_mut()) };
    assert_eq!(status, TwStatus::Ok, "{:?}", last());
    let muting = F::Muting as u32;
    assert_eq!((known & muting, set & muting), (muting, muting));
}

#[test]
fn relationship_ex_fails_as_tw_relationship_does() {
    let sandbox = start_sandbox();
    let v1 = Config::for_sandbox(&sandbox);
    let v2 = Config::for_sandbox(&sandbox);
    assert_eq!(v2.set_api_version(2), TwStatus::Ok);
    for config in [&v1, &v2] {
        let expected = config.relationship("nobody_here").unwrap_err();
        let before = sandbox.requests().len();
        let got = relationship_ex(config, "nobody_here").unwrap_err();
        assert_eq!(got, expected);
        assert_eq!(got.0, TwStatus::NotFound);
        assert_eq!(sandbox.requests().len(), before + 1);
        assert_eq!(tw_last_request_count(), 1);
    }
    // Bad input: nothing sent.
    let before = sandbox.requests().len();
    for bad in ["", "@", "no spaces", "0", "10000000000000000000"] {
        let (status, _) = relationship_ex(&v2, bad).unwrap_err();
        assert_eq!(status, TwStatus::InvalidArgument, "{bad:?}");
    }
    let (target, (mut known, mut set, mut json)) =
        (cstr("twitterdev"), (7u32, 7u32, ptr::null_mut()));
    unsafe {
        let statuses = [
            tw_relationship_ex(
                ptr::null(),
                target.as_ptr(),
                &mut known,
                &mut set,
                &mut json,
            ),
            tw_relationship_ex(v1.0, ptr::null(), &mut known, &mut set, &mut json),
            tw_relationship_ex(v1.0, target.as_ptr(), ptr::null_mut(), &mut set, &mut json),
            tw_relationship_ex(
                v1.0,
                target.as_ptr(),
                &mut known,
                ptr::null_mut(),
                &mut json,
            ),
        ];
        assert_eq!(statuses, [TwStatus::NullArgument; 4]);
        let not_utf8 = b"tw\xffdev\0";
        let status = tw_relationship_ex(
            v1.0,
            not_utf8.as_ptr().cast(),
            &mut known,
            &mut set,
            &mut json,
        );
        assert_eq!(status, TwStatus::InvalidUtf8);
    }
    assert_eq!((known, set, json.is_null()), (7, 7, true));
    assert_eq!(sandbox.requests().len(), before);
}
