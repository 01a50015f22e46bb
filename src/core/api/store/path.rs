//! Where the store is (the path rule) and who may read it (the permission rule).

use std::ffi::OsString;
use std::fs::{self, DirBuilder, Metadata};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::store_error;
use crate::core::error::Error;

/// The variable that names the store when no path is given.
pub const ENV_STORE: &str = "TWFOLLOW_STORE";
/// The store's name inside `$XDG_CONFIG_HOME` (or `~/.config`).
pub const DEFAULT_RELATIVE: &str = "twfollow/accounts.json";

/// The store's file and its two siblings: the lock file and the one temporary file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorePath {
    pub file: PathBuf,
}

impl StorePath {
    /// `explicit`, else `TWFOLLOW_STORE`, else `$XDG_CONFIG_HOME/twfollow/accounts.json`
    /// (an absolute `XDG_CONFIG_HOME` only, as the XDG rule says), else
    /// `$HOME/.config/twfollow/accounts.json`. Empty variables count as unset.
    pub fn resolve(
        explicit: Option<&str>,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<StorePath, Error> {
        let var = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let file = match explicit {
            Some("") => return Err(Error::invalid_argument("store_path is empty")),
            Some(path) => PathBuf::from(path),
            None => var(ENV_STORE)
                .or_else(|| {
                    var("XDG_CONFIG_HOME")
                        .filter(|p| p.is_absolute())
                        .map(|p| p.join(DEFAULT_RELATIVE))
                })
                .or_else(|| var("HOME").map(|h| h.join(".config").join(DEFAULT_RELATIVE)))
                .ok_or_else(|| {
                    Error::new(
                        crate::core::ErrorKind::Store,
                        "no token store path: give one (--store PATH), or set TWFOLLOW_STORE or HOME",
                    )
                })?,
        };
        Ok(StorePath { file })
    }

    fn sibling(&self, suffix: &str) -> PathBuf {
        let mut name = self.file.file_name().unwrap_or_default().to_os_string();
        name.push(suffix);
        self.file.with_file_name(name)
    }

    /// `accounts.json.lock`: the file `flock` is taken on (never renamed, so every
    /// process locks the same inode).
    pub fn lock_file(&self) -> PathBuf {
        self.sibling(".lock")
    }

    /// `accounts.json.tmp`: the one temporary file, replaced by the next writer.
    pub fn temp_file(&self) -> PathBuf {
        self.sibling(".tmp")
    }

    /// The folder that holds the three files.
    pub fn folder(&self) -> PathBuf {
        match self.file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// Creates the folder (0700, and any missing parents) when it does not exist.
    pub fn ensure_folder(&self) -> Result<(), Error> {
        let folder = self.folder();
        if folder.is_dir() {
            return Ok(());
        }
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&folder)
            .map_err(|e| {
                store_error(
                    &self.file,
                    format!("cannot create its folder {}: {e}", folder.display()),
                )
            })
    }
}

/// Refuses a store that others may read or write, or that another user owns: its
/// tokens would be theirs too (or theirs to replace).
pub fn check_private(path: &Path, meta: &Metadata) -> Result<(), Error> {
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(store_error(
            path,
            format!(
                "is owned by uid {}, not by this user (uid {me}): refusing to use another user's tokens; copy it (cp, then chmod 600 {}) or point TWFOLLOW_STORE elsewhere",
                meta.uid(),
                path.display()
            ),
        ));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(store_error(
            path,
            format!(
                "may be read or written by other users (mode {mode:03o}): run `chmod 600 {}`",
                path.display()
            ),
        ));
    }
    Ok(())
}

/// The store's metadata, `None` when it does not exist yet.
pub fn metadata(path: &Path) -> Result<Option<Metadata>, Error> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(Some(meta)),
        Ok(_) => Err(store_error(path, "is not a regular file")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(store_error(path, format!("cannot be read: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn the_path_rule_takes_the_first_that_is_set() {
        let all = env(&[
            ("TWFOLLOW_STORE", "/s/a.json"),
            ("XDG_CONFIG_HOME", "/x"),
            ("HOME", "/h"),
        ]);
        let file = |explicit, env| StorePath::resolve(explicit, env).unwrap().file;
        assert_eq!(file(Some("/e.json"), &all), PathBuf::from("/e.json"));
        assert_eq!(file(None, &all), PathBuf::from("/s/a.json"));
        let xdg = env(&[
            ("TWFOLLOW_STORE", ""),
            ("XDG_CONFIG_HOME", "/x"),
            ("HOME", "/h"),
        ]);
        assert_eq!(file(None, &xdg), PathBuf::from("/x/twfollow/accounts.json"));
        let relative_xdg = env(&[("XDG_CONFIG_HOME", "x"), ("HOME", "/h")]);
        assert_eq!(
            file(None, &relative_xdg),
            PathBuf::from("/h/.config/twfollow/accounts.json")
        );
        let none = StorePath::resolve(None, env(&[])).unwrap_err();
        assert_eq!(none.kind, crate::core::ErrorKind::Store);
        assert!(StorePath::resolve(Some(""), env(&[])).is_err());
    }

    #[test]
    fn the_siblings_sit_beside_the_store() {
        let path = StorePath {
            file: PathBuf::from("/a/b/accounts.json"),
        };
        assert_eq!(path.lock_file(), PathBuf::from("/a/b/accounts.json.lock"));
        assert_eq!(path.temp_file(), PathBuf::from("/a/b/accounts.json.tmp"));
        assert_eq!(path.folder(), PathBuf::from("/a/b"));
        let bare = StorePath {
            file: PathBuf::from("accounts.json"),
        };
        assert_eq!(bare.folder(), PathBuf::from("."));
    }
}
