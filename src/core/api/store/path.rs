//! Where the store is (the path rule) and who may read it (the permission rule).

use std::ffi::OsString;
use std::fs::{self, Metadata};
use std::io::ErrorKind::NotFound;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::core::error::{Error, ErrorKind};

/// The variable that names the store when no path is given.
pub const ENV_STORE: &str = "TWFOLLOW_STORE";
/// The store's name inside `$XDG_CONFIG_HOME` (or `~/.config`).
pub const DEFAULT_RELATIVE: &str = "twfollow/accounts.json";
/// What a temporary file's name adds to the store's (then 16 random hex digits).
const TEMP_SUFFIX: &str = ".tmp.";
/// Symbolic links followed at most (the kernel's own limit).
const MAX_LINKS: usize = 40;

/// `path` with its final chain of symbolic links followed: the file itself, or where a
/// dangling link points (a relative target is taken from the link's folder, as the
/// kernel does). The folders on the way are left to the kernel: whichever way a
/// folder is reached, it is one folder, and one lock file in it. Not
/// `fs::canonicalize`: it fails on a dangling link, through which a store is first
/// saved (`a_symlinked_store_is_one_store_by_both_paths`).
pub fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::read_link(&current) {
            // Taken from the link's folder; an absolute target replaces it (Path::join).
            Ok(target) => current = current.parent().unwrap_or(Path::new("")).join(target),
            // Not a link (EINVAL), or nothing there.
            Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOENT)) => {
                return Ok(current)
            }
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::from_raw_os_error(libc::ELOOP))
}

/// The store's file as it was named (`file`, for messages) and as it is (`real`: the
/// end of its chain of symbolic links, resolved once), beside which its siblings
/// live: the lock file, the writers' temporary files and the recovery copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorePath {
    pub file: PathBuf,
    /// The file itself: `file` with its chain of symbolic links followed (the target
    /// of a dangling link; `file` when it is no link).
    pub real: PathBuf,
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
                        ErrorKind::Store,
                        "no token store path: give one (--store PATH), or set TWFOLLOW_STORE or HOME",
                    )
                })?,
        };
        Ok(StorePath::new(file))
    }

    /// The store at `file`, its symbolic links followed now (see [`resolve_links`]).
    pub fn new(file: PathBuf) -> StorePath {
        let real = resolve_links(&file).unwrap_or_else(|_| file.clone());
        StorePath { file, real }
    }

    fn sibling(&self, suffix: &str) -> PathBuf {
        let mut name = self.real.file_name().unwrap_or_default().to_os_string();
        name.push(suffix);
        self.real.with_file_name(name)
    }

    /// `accounts.json.lock` beside the real file: the file `flock` is taken on (never
    /// renamed, so every process, by any path to the store, locks the same inode).
    pub fn lock_file(&self) -> PathBuf {
        self.sibling(".lock")
    }

    /// A new name for a writer's temporary file: `accounts.json.tmp.` and 16 random
    /// hex digits (created exclusively, so no two writers ever share one).
    pub fn temp_file(&self) -> PathBuf {
        let hex = crate::core::sys::random::random_hex(8);
        self.sibling(&format!("{TEMP_SUFFIX}{hex}"))
    }

    /// Whether `name` (a file name in the folder) is one of this store's temporary files.
    pub fn is_temp_name(&self, name: &std::ffi::OsStr) -> bool {
        let mut prefix = self.real.file_name().unwrap_or_default().to_os_string();
        prefix.push(TEMP_SUFFIX);
        let (name, prefix) = (name.as_encoded_bytes(), prefix.as_encoded_bytes());
        name.len() == prefix.len() + 16 && name.starts_with(prefix)
            || name == &prefix[..prefix.len() - 1]
    }

    /// `accounts.json.recovery`: the whole new store, kept while the store is rewritten
    /// in place (a file that cannot be renamed over); its presence means "read me".
    pub fn recovery_file(&self) -> PathBuf {
        self.sibling(".recovery")
    }

    /// The folder that holds the real file and its siblings.
    pub fn folder(&self) -> PathBuf {
        match self.real.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// Everything checked before anything is created: the store (when it exists) is
    /// private and this user's ([`check_private`]); its folder (when it exists) is
    /// this user's or root's and no one else may write in it (unless it is sticky, as
    /// /tmp is); a folder still to be made would be made inside a folder of this user
    /// or root; and a lock file already there is this user's (a lock file another
    /// user's run made would lock this user out of their own store).
    pub fn check_before_creating(&self) -> Result<(), Error> {
        match fs::metadata(&self.real) {
            Ok(meta) if meta.is_file() => check_private(&self.file, &meta)?,
            Ok(_) => return Err(store_error!(&self.file, "is not a regular file")),
            Err(e) if e.kind() == NotFound => {}
            Err(e) => return Err(store_error!(&self.file, "cannot be read: {e}")),
        }
        let me = rustix::process::geteuid().as_raw();
        let folder = self.folder();
        // The nearest folder on the way that is there (or fails for another reason).
        let present = |p: &&Path| !matches!(fs::metadata(p), Err(e) if e.kind() == NotFound);
        let nearest = folder.ancestors().find(present).unwrap_or(Path::new("."));
        let shown = nearest.display();
        let meta = fs::metadata(nearest)
            .map_err(|e| store_error!(&self.file, "cannot be reached: its folder {shown}: {e}"))?;
        let (owner, mode) = (meta.uid(), meta.permissions().mode());
        if owner != me && owner != 0 {
            return Err(store_error!(
                &self.file,
                "is in the folder {shown}, which uid {owner} owns, not this user (uid {me}): refusing to create or change another user's files; run as that user, or point TWFOLLOW_STORE elsewhere"
            ));
        }
        if nearest == folder && mode & 0o022 != 0 && mode & 0o1000 == 0 {
            let mode = mode & 0o777;
            return Err(store_error!(
                &self.file,
                "is in the folder {shown}, which other users may write in (mode {mode:03o}): they could replace the store; run `chmod go-w {shown}`"
            ));
        }
        let lock_file = self.lock_file();
        let lock = lock_file.display();
        let cause = match fs::symlink_metadata(&lock_file) {
            Ok(meta) if !meta.is_file() => "that is not a regular file".to_owned(),
            Ok(meta) if meta.uid() != me => format!(
                "that uid {} owns, not this user (uid {me}) (made by a run as another user?)",
                meta.uid()
            ),
            Err(e) if e.kind() != NotFound => {
                return Err(store_error!(
                    &self.file,
                    "cannot check its lock file {lock}: {e}"
                ));
            }
            _ => return Ok(()),
        };
        Err(store_error!(
            &self.file,
            "has a lock file {lock} {cause}: remove it"
        ))
    }
}

/// Refuses a store that others may read or write, or that another user owns: its
/// tokens would be theirs too (or theirs to replace).
pub fn check_private(path: &Path, meta: &Metadata) -> Result<(), Error> {
    let me = rustix::process::geteuid().as_raw();
    let (owner, mode, shown) = (
        meta.uid(),
        meta.permissions().mode() & 0o777,
        path.display(),
    );
    if owner != me {
        return Err(store_error!(
            path,
            "is owned by uid {owner}, not by this user (uid {me}): refusing to use another user's tokens; copy it (cp, then chmod 600 {shown}) or point TWFOLLOW_STORE elsewhere"
        ));
    }
    if mode & 0o077 != 0 {
        return Err(store_error!(
            path,
            "may be read or written by other users (mode {mode:03o}): run `chmod 600 {shown}`"
        ));
    }
    Ok(())
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
        let path = StorePath::new(PathBuf::from("/a/b/accounts.json"));
        assert_eq!(path.lock_file(), PathBuf::from("/a/b/accounts.json.lock"));
        assert_eq!(
            path.recovery_file(),
            PathBuf::from("/a/b/accounts.json.recovery")
        );
        let (one, two) = (path.temp_file(), path.temp_file());
        assert_ne!(one, two, "each writer's temporary file has its own name");
        assert_eq!(one.parent(), Some(Path::new("/a/b")));
        for temp in [&one, &two] {
            assert!(path.is_temp_name(temp.file_name().unwrap()), "{temp:?}");
        }
        assert!(path.is_temp_name("accounts.json.tmp".as_ref()));
        assert!(!path.is_temp_name("accounts.json.lock".as_ref()));
        assert!(!path.is_temp_name("accounts.json.tmp.x".as_ref()));
        assert_eq!(path.folder(), PathBuf::from("/a/b"));
        let bare = StorePath::new(PathBuf::from("accounts.json"));
        assert_eq!(bare.folder(), PathBuf::from("."));
    }

    #[test]
    fn a_lock_file_is_refused_by_its_cause() {
        let dir = std::env::temp_dir().join(format!("twfollow-lockfile-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let path = StorePath::new(dir.join("accounts.json"));
        let refusal = || path.check_before_creating().unwrap_err().message;
        fs::create_dir(path.lock_file()).unwrap();
        let message = refusal();
        assert!(
            message.contains("accounts.json.lock that is not a regular file: remove it"),
            "{message}"
        );
        assert!(!message.contains("uid"), "{message}");
        fs::remove_dir(path.lock_file()).unwrap();
        fs::write(path.lock_file(), b"").unwrap();
        path.check_before_creating().unwrap();
        if rustix::process::geteuid().is_root() {
            std::os::unix::fs::chown(path.lock_file(), Some(4242), None).unwrap();
            let message = refusal();
            assert!(
                message.contains("accounts.json.lock that uid 4242 owns, not this user (uid 0) (made by a run as another user?): remove it"),
                "{message}"
            );
        } else {
            eprintln!("another owner's lock file skipped: not root (it needs chown)");
        }
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_chain_of_links_is_followed_to_the_real_file() {
        let dir = std::env::temp_dir().join(format!("twfollow-links-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("real")).unwrap();
        fs::create_dir_all(dir.join("links")).unwrap();
        let real = dir.join("real/accounts.json");
        std::os::unix::fs::symlink("../real/accounts.json", dir.join("links/one")).unwrap();
        std::os::unix::fs::symlink(dir.join("links/one"), dir.join("links/two")).unwrap();
        // Dangling: the file does not exist yet; the lock goes beside the target.
        let path = StorePath::new(dir.join("links/two"));
        assert_eq!(path.file, dir.join("links/two"));
        assert_eq!(
            fs::canonicalize(path.folder()).unwrap(),
            fs::canonicalize(dir.join("real")).unwrap()
        );
        assert_eq!(path.lock_file().file_name().unwrap(), "accounts.json.lock");
        fs::write(&real, b"{}").unwrap();
        let again = StorePath::new(dir.join("links/two"));
        assert_eq!(
            fs::canonicalize(&again.real).unwrap(),
            fs::canonicalize(&real).unwrap()
        );
        std::os::unix::fs::symlink("loop", dir.join("links/loop")).unwrap();
        assert!(resolve_links(&dir.join("links/loop")).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
