//! API v2: the follow endpoint's paths and body (its answers are read in `response`).
//!
//! v2 follows by user id (`POST 2/users/{source_user_id}/following`, JSON body
//! `{"target_user_id":"…"}`), so a screen name is looked up first
//! (`GET 2/users/by/username/{name}`). Both answer `{"data":…}` on success, and may
//! answer 200 with only `{"errors":[problem…]}` (a user that does not exist).

/// v2 ids are strings of at most 19 digits (`^[0-9]{1,19}$`).
pub const MAX_USER_ID: u64 = 9_999_999_999_999_999_999;

pub fn following_path(source_user_id: u64) -> String {
    format!("/2/users/{source_user_id}/following")
}

/// `name` is a checked screen name (`[A-Za-z0-9_]`), safe in a path as it is.
pub fn lookup_path(name: &str) -> String {
    format!("/2/users/by/username/{name}")
}

/// `DELETE` unfollows (`{"data":{"following":false}}`).
pub fn unfollow_path(source_user_id: u64, target_user_id: u64) -> String {
    format!("/2/users/{source_user_id}/following/{target_user_id}")
}

/// The user lookup by id.
pub fn user_path(user_id: u64) -> String {
    format!("/2/users/{user_id}")
}

/// Asks a user lookup for the relationship with the token's user (`data.connection_status`).
pub const CONNECTION_STATUS_QUERY: &str = "user.fields=connection_status";

pub fn follow_body(target_user_id: u64) -> String {
    format!(r#"{{"target_user_id":"{target_user_id}"}}"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_body() {
        assert_eq!(following_path(12), "/2/users/12/following");
        assert_eq!(lookup_path("Jack_1"), "/2/users/by/username/Jack_1");
        assert_eq!(unfollow_path(12, 34), "/2/users/12/following/34");
        assert_eq!(user_path(34), "/2/users/34");
        assert_eq!(
            follow_body(MAX_USER_ID),
            r#"{"target_user_id":"9999999999999999999"}"#
        );
    }
}
