//! Accounts from elsewhere: twurl's `~/.twurlrc`, xurl's `~/.xurl` (both YAML), and
//! the `TW_*` / `TW_OAUTH2_*` variables. Nothing is sent: the user's id comes from
//! an OAuth 1.0a token's numeric prefix, the screen name from the file when it has
//! one (an OAuth 2.0 account without them learns them at its first follow).
//!
//! A source file is read only when it is a regular file, and at most [`MAX_SOURCE`]
//! bytes of it (a FIFO, a device or `/dev/zero` is refused, never read forever). Screen
//! names are checked as account names are (1 to 100 bytes, no control character): a
//! file whose name would reach a terminal raw is refused, naming the profile escaped.
//!
//! Walked by hand, not read into serde shapes (issue 31): yaml-rust2 has no serde
//! support, and serde shapes of both formats plus a map that keeps the file's order
//! (imports name accounts in it) measured about 60 lines against the walk's helpers'
//! 40 (`text`, `entries`, `load_yaml`, `wipe_yaml`), with a new YAML dependency.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};
use zeroize::{Zeroize, Zeroizing};

use crate::core::api::store::file::{is_account_name, Account};
use crate::core::auth::oauth2::Tokens;
use crate::core::error::{Error, ErrorKind};
use crate::core::settings::Settings;
use crate::core::wire::Secret;

/// A `TW_STATUS_STORE` error about the source file `$path`: "cannot import PATH: ",
/// then the rest as `format!` words it.
macro_rules! import_error {
    ($path:expr, $($what:tt)+) => {
        Error::new(
            ErrorKind::Store,
            format!("cannot import {}: {}", $path.display(), format_args!($($what)+)),
        )
    };
}

/// The largest source file an import reads: twurl's and xurl's files are a few
/// kilobytes.
pub const MAX_SOURCE: u64 = 1 << 20;

/// What an import found: named accounts, and the one the source calls its default.
#[derive(Default)]
pub struct Found {
    pub accounts: Vec<(String, Account)>,
    pub default: Option<String>,
}

/// The accounts' buffer is wiped whole before it is freed, padding included: a move
/// into it can carry stale stack bytes, and a signature leaves the HMAC key state on
/// the stack (the release build's the_token_store_leaves_no_secret_in_freed_memory).
impl Drop for Found {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.accounts.clear();
        self.accounts.spare_capacity_mut().zeroize();
    }
}

type Parse = fn(&Yaml, &Path) -> Result<Found, Error>;

/// The file (under `HOME`) and reader of `format`, `None` for `"env"` (the variables);
/// any other format is refused.
fn file_of(format: &str) -> Result<Option<(&'static str, Parse)>, Error> {
    match format {
        "twurl" => Ok(Some((".twurlrc", from_twurl))),
        "xurl" => Ok(Some((".xurl", from_xurl))),
        "env" => Ok(None),
        _ => Err(Error::invalid_argument(
            "unknown import format: expected \"twurl\", \"xurl\" or \"env\"",
        )),
    }
}

/// Refuses a format other than `"twurl"`, `"xurl"` and `"env"` (the C API names it
/// before it looks at the source path).
pub fn check_format(format: &str) -> Result<(), Error> {
    file_of(format).map(drop)
}

/// The accounts of `format`: `"twurl"` or `"xurl"` (the file `source`, else the tool's
/// own under `HOME`), or `"env"` (the variables; `source` must be `None`).
pub fn read(
    format: &str,
    source: Option<&str>,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Found, Error> {
    let Some((file, parse)) = file_of(format)? else {
        if source.is_some() {
            return Err(Error::invalid_argument(
                "the env import reads the TW_* variables: source_path must be NULL",
            ));
        }
        return from_env(env);
    };
    let path = match source {
        Some("") => return Err(Error::invalid_argument("source_path is empty")),
        Some(path) => PathBuf::from(path),
        None => {
            let home = env("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from)
                .ok_or_else(|| {
                    Error::new(ErrorKind::Store, "HOME is not set: give the file's path")
                })?;
            let path = home.join(file);
            // xurl 1.1 moved its file into a folder: ~/.xurl/auth.yml.
            if format == "xurl" && path.is_dir() {
                path.join("auth.yml")
            } else {
                path
            }
        }
    };
    let mut docs = load_yaml(&path)?;
    let found = parse(docs.first().unwrap_or(&Yaml::Null), &path);
    docs.iter_mut().for_each(wipe_yaml);
    found
}

/// The file's YAML documents (the caller wipes them; the parser's own scratch
/// buffers cannot be reached). The text is wiped.
fn load_yaml(path: &Path) -> Result<Vec<Yaml>, Error> {
    let bytes = read_bounded(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| import_error!(path, "it is not UTF-8"))?;
    YamlLoader::load_from_str(text).map_err(|e| {
        let (line, column) = (e.marker().line(), e.marker().col() + 1);
        import_error!(path, "it is not valid YAML (line {line}, column {column})")
    })
}

/// The file's bytes: a regular file (after symlinks) of at most [`MAX_SOURCE`] bytes.
/// Opened without blocking, so a FIFO without a writer cannot hang the import before
/// it is refused.
fn read_bounded(path: &Path) -> Result<Zeroizing<Vec<u8>>, Error> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let cannot = |e: std::io::Error| import_error!(path, "cannot read it: {e}");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(import_error!(
            path,
            "it is not a regular file (a FIFO, a device or a folder): give the file itself"
        ));
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(meta.len().min(MAX_SOURCE) as usize + 1));
    file.take(MAX_SOURCE + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_SOURCE {
        return Err(import_error!(
            path,
            "it is larger than {MAX_SOURCE} bytes: not a twurl or xurl file"
        ));
    }
    Ok(bytes)
}

/// A screen name from a source file, checked as account names are: 1 to 100 bytes,
/// no control character (it is printed by the listing and in messages).
fn check_screen_name(path: &Path, name: &str) -> Result<(), Error> {
    if is_account_name(name) {
        return Ok(());
    }
    Err(import_error!(
        path,
        "the screen name {name:?} is not a name (1 to 100 bytes, no control characters): fix the file"
    ))
}

fn wipe_yaml(yaml: &mut Yaml) {
    match yaml {
        Yaml::String(s) | Yaml::Real(s) => s.zeroize(),
        Yaml::Array(items) => items.iter_mut().for_each(wipe_yaml),
        Yaml::Hash(hash) => {
            for (mut key, mut value) in std::mem::take(hash) {
                wipe_yaml(&mut key);
                wipe_yaml(&mut value);
            }
        }
        _ => {}
    }
}

fn text<'a>(yaml: &'a Yaml, key: &str) -> Option<&'a str> {
    yaml[key].as_str().filter(|s| !s.is_empty())
}

fn entries(yaml: &Yaml) -> Vec<(&str, &Yaml)> {
    let hash = yaml.as_hash().into_iter().flatten();
    hash.filter_map(|(k, v)| Some((k.as_str()?, v))).collect()
}

/// `~/.twurlrc`: `profiles: {screen name: {consumer key: {username, consumer_key,
/// consumer_secret, token, secret}}}`, `configuration: {default_profile: [screen
/// name, consumer key]}`. An account per profile and app: named by the screen name,
/// or `name@consumer_key` when the user has several apps.
fn from_twurl(doc: &Yaml, path: &Path) -> Result<Found, Error> {
    let profiles = entries(&doc["profiles"]);
    if profiles.is_empty() {
        return Err(import_error!(path, "it has no twurl profiles"));
    }
    let default = &doc["configuration"]["default_profile"];
    let default = (default[0].as_str(), default[1].as_str());
    let mut found = Found::default();
    for (username, apps) in profiles {
        let apps = entries(apps);
        for &(key, profile) in &apps {
            let field = |name: &str| {
                text(profile, name)
                    .ok_or_else(|| import_error!(path, "profile {username:?} has no {name}"))
            };
            let consumer_key = text(profile, "consumer_key").unwrap_or(key);
            let screen_name = text(profile, "username").unwrap_or(username);
            check_screen_name(path, screen_name)?;
            let account = Account::oauth1(
                consumer_key,
                field("consumer_secret")?,
                field("token")?,
                field("secret")?,
                Some(screen_name),
            );
            let name = if apps.len() == 1 {
                username.to_owned()
            } else {
                format!("{username}@{key}")
            };
            if default == (Some(username), Some(key)) {
                found.default = Some(name.clone());
            }
            found.accounts.push((name, account));
        }
    }
    Ok(found)
}

/// `~/.xurl` (xurl 1.x): `apps: {name: {client_id, client_secret, default_user,
/// oauth2_tokens: {username: {type: oauth2, oauth2: {access_token, refresh_token,
/// expiration_time}}}, oauth1_token: {type: oauth1, oauth1: {access_token,
/// token_secret, consumer_key, consumer_secret}}, bearer_token}}, default_app`.
/// OAuth 2.0 accounts are named by their username (`user@app` when two apps have
/// the same one); an app's OAuth 1.0a token becomes `app-oauth1`. App-only bearer
/// tokens act for no user and are left out.
fn from_xurl(doc: &Yaml, path: &Path) -> Result<Found, Error> {
    let apps = entries(&doc["apps"]);
    if apps.is_empty() {
        return Err(import_error!(path, "it has no xurl apps"));
    }
    let default_app = text(doc, "default_app");
    let mut found = Found::default();
    let all_users: Vec<&str> = apps
        .iter()
        .flat_map(|(_, app)| entries(&app["oauth2_tokens"]))
        .map(|(user, _)| user)
        .collect();
    for &(app_name, app) in &apps {
        for (username, token) in entries(&app["oauth2_tokens"]) {
            check_screen_name(path, username)?;
            let oauth2 = &token["oauth2"];
            let client_id = text(app, "client_id").ok_or_else(|| {
                import_error!(
                    path,
                    "app {app_name:?} has no client_id, so its OAuth 2.0 tokens cannot be refreshed"
                )
            })?;
            let access = text(oauth2, "access_token")
                .ok_or_else(|| import_error!(path, "user {username:?} has no access_token"))?;
            let expires_at = oauth2["expiration_time"].as_i64().unwrap_or(0).max(0);
            let tokens = Tokens::from_parts(access, text(oauth2, "refresh_token"), expires_at)
                .map_err(|e| import_error!(path, "{}", e.message))?;
            let client_secret = text(app, "client_secret").map(Secret::from);
            let account =
                Account::oauth2(client_id, client_secret, &tokens, Some(username.to_owned()));
            let name = if all_users.iter().filter(|u| **u == username).count() > 1 {
                format!("{username}@{app_name}")
            } else {
                username.to_owned()
            };
            if default_app == Some(app_name) && text(app, "default_user") == Some(username) {
                found.default = Some(name.clone());
            }
            found.accounts.push((name, account));
        }
        let oauth1 = &app["oauth1_token"]["oauth1"];
        if let (Some(key), Some(secret), Some(token), Some(token_secret)) = (
            text(oauth1, "consumer_key"),
            text(oauth1, "consumer_secret"),
            text(oauth1, "access_token"),
            text(oauth1, "token_secret"),
        ) {
            found.accounts.push((
                format!("{app_name}-oauth1"),
                Account::oauth1(key, secret, token, token_secret, None),
            ));
        }
    }
    if found.accounts.is_empty() {
        return Err(import_error!(
            path,
            "it has no user tokens (OAuth 2.0 or OAuth 1.0a)"
        ));
    }
    Ok(found)
}

/// The `TW_*` (OAuth 1.0a) or `TW_OAUTH2_*` variables, chosen as `tw_config_from_env`
/// chooses them, as one account named `env`. `TW_API_BASE` and `TW_API_VERSION` are
/// not read: an account keeps no base URL or version, so neither can spoil an import.
fn from_env(env: &dyn Fn(&str) -> Option<OsString>) -> Result<Found, Error> {
    let settings =
        Settings::from_credentials_lookup(|name| env(name).and_then(|v| v.into_string().ok()))?;
    let account = match &settings.oauth2 {
        Some(session) => {
            let tokens = session
                .tokens
                .as_ref()
                .ok_or_else(|| Error::invalid_argument("TW_OAUTH2_ACCESS_TOKEN is not set"))?;
            let secret = session.client_secret.clone();
            Account::oauth2(&session.client_id, secret, tokens, None)
        }
        None => {
            let c = &settings.credentials;
            let (key, secret) = (&c.consumer_key, &c.consumer_secret);
            Account::oauth1(key, secret, &c.access_token, &c.access_token_secret, None)
        }
    };
    Ok(Found {
        accounts: vec![("env".to_owned(), account)],
        default: Some("env".to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Yaml {
        YamlLoader::load_from_str(text).unwrap().remove(0)
    }

    fn names(found: &Found) -> Vec<&str> {
        found.accounts.iter().map(|(n, _)| n.as_str()).collect()
    }

    const PATH: &str = "/home/u/.twurlrc";

    #[test]
    fn a_twurl_user_with_two_apps_gets_two_accounts() {
        let doc = yaml(
            "profiles:\n  alice:\n    k1:\n      username: alice\n      consumer_key: k1\n      consumer_secret: s1\n      token: 42-t1\n      secret: ts1\n    k2:\n      username: alice\n      consumer_key: k2\n      consumer_secret: s2\n      token: 42-t2\n      secret: ts2\n  bob:\n    k1:\n      username: bob\n      consumer_key: k1\n      consumer_secret: s1\n      token: 43-t3\n      secret: ts3\nconfiguration:\n  default_profile: [alice, k2]\n",
        );
        let found = from_twurl(&doc, Path::new(PATH)).unwrap();
        assert_eq!(names(&found), ["alice@k1", "alice@k2", "bob"]);
        assert_eq!(found.default.as_deref(), Some("alice@k2"));
        let bob = &found.accounts[2].1.record;
        assert_eq!(bob.user_id.as_deref(), Some("43"));
        assert_eq!(bob.screen_name.as_deref(), Some("bob"));
    }

    #[test]
    fn an_incomplete_twurl_profile_is_named_without_its_secrets() {
        let doc = yaml(
            "profiles:\n  alice:\n    k1:\n      consumer_secret: SECRET\n      token: 42-t1\n",
        );
        let e = from_twurl(&doc, Path::new(PATH)).err().unwrap();
        assert_eq!(e.kind, ErrorKind::Store);
        assert!(
            e.message.contains("profile \"alice\" has no secret") && e.message.contains(PATH),
            "{e}"
        );
        assert!(!e.message.contains("SECRET"));
        let e = from_twurl(&yaml("other: 1\n"), Path::new(PATH))
            .err()
            .unwrap();
        assert!(e.message.contains("no twurl profiles"), "{e}");
    }

    #[test]
    fn only_a_regular_file_of_at_most_1_mib_is_read() {
        for path in ["/dev/zero", "/dev/null", "/tmp"] {
            let e = read_bounded(Path::new(path)).err().unwrap();
            assert_eq!(e.kind, ErrorKind::Store);
            assert!(e.message.contains("not a regular file"), "{e}");
        }
        let dir = std::env::temp_dir().join(format!("twfollow-import-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("fifo");
        let _ = std::fs::remove_file(&fifo);
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        // No writer: a blocking open would hang here.
        let e = read_bounded(&fifo).err().unwrap();
        assert!(e.message.contains("not a regular file"), "{e}");
        let big = dir.join("big");
        std::fs::write(&big, vec![b'#'; MAX_SOURCE as usize + 1]).unwrap();
        let e = read_bounded(&big).err().unwrap();
        assert!(e.message.contains("larger than 1048576 bytes"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_screen_name_with_a_control_character_is_refused_escaped() {
        let doc = yaml(
            "profiles:\n  \"al\\e[31mice\":\n    k1:\n      consumer_secret: s1\n      token: 42-t1\n      secret: ts1\n",
        );
        let e = from_twurl(&doc, Path::new(PATH)).err().unwrap();
        assert!(e.message.contains(r"al\u{1b}[31mice"), "{e}");
        assert!(!e.message.contains('\u{1b}'));
    }

    #[test]
    fn xurl_users_of_two_apps_are_told_apart() {
        let doc = yaml(
            "apps:\n  a:\n    client_id: ca\n    default_user: u\n    oauth2_tokens:\n      u:\n        type: oauth2\n        oauth2: {access_token: at1, refresh_token: rt1, expiration_time: 1800000000}\n  b:\n    client_id: cb\n    client_secret: sb\n    oauth2_tokens:\n      u:\n        type: oauth2\n        oauth2: {access_token: at2, refresh_token: rt2, expiration_time: 0}\n      v:\n        type: oauth2\n        oauth2: {access_token: at3}\n    bearer_token: {type: bearer, bearer: app}\ndefault_app: a\n",
        );
        let found = from_xurl(&doc, Path::new("/home/u/.xurl")).unwrap();
        assert_eq!(names(&found), ["u@a", "u@b", "v"]);
        assert_eq!(found.default.as_deref(), Some("u@a"));
        let record = |i: usize| &found.accounts[i].1.record;
        assert_eq!(record(0).kind.as_deref(), Some("oauth2"));
        assert_eq!(record(0).expires_at, Some(1_800_000_000));
        assert_eq!(record(1).app.as_deref(), Some("cb"));
        assert!(record(2).refresh_token.is_none() && record(2).access_token.is_some());
        let bearer_only =
            yaml("apps:\n  a:\n    client_id: c\n    bearer_token: {type: bearer, bearer: x}\n");
        let e = from_xurl(&bearer_only, Path::new("/x")).err().unwrap();
        assert!(e.message.contains("no user tokens"), "{e}");
    }
}
