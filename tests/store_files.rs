//! The file store where real deployments put it (issue 27, items 2, 3, 4 and 6): a
//! symlinked store, a bind-mounted store file, a fork while the lock is held, and a
//! run as another user. Real processes (this binary run again as a worker:
//! store_files/worker.rs, and store/worker.rs for the modes it shares), real mounts
//! (`unshare -m` + `mount --bind`) and real users (`setpriv`); the cases that need
//! root say so and are skipped without it.

#[path = "store/worker.rs"]
#[allow(dead_code)]
mod store_worker;
mod support;
#[path = "store_files/worker.rs"]
mod worker;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::ptr;
use std::time::{Duration, Instant};

use support::*;
use twfollow::ffi::*;

const PUBLIC_USER_ID: &str = "2244994945";

/// A worker process with these arguments, run through `wrapper` (nsenter, setpriv)
/// when one is given.
fn worker(wrapper: &[&str], args: &[&str]) -> Command {
    worker_process("store_files_worker", wrapper, args)
}

/// Not a test: the entry point of the worker processes.
#[test]
#[ignore = "the worker processes' entry point (tests/store_files/worker.rs)"]
fn store_files_worker() {
    let args = std::env::var("TWFOLLOW_STORE_WORKER").expect("run by worker()");
    worker::main(args.split('\n').map(str::to_owned).collect());
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn set_default(store: &str, name: &str) -> (TwStatus, Last) {
    let (store, name) = (cstr(store), cstr(name));
    let status = unsafe { tw_store_set_default(store.as_ptr(), name.as_ptr()) };
    (status, last())
}

fn list(store: &str) -> Result<serde_json::Value, (TwStatus, Last)> {
    let store = cstr(store);
    let mut json = ptr::null_mut();
    match unsafe { tw_store_list(store.as_ptr(), &mut json) } {
        TwStatus::Ok => Ok(serde_json::from_str(&take(json)).unwrap()),
        status => Err((status, last())),
    }
}

/// Pretends the stored grant expired (the file rewritten in place, as a test may:
/// nobody else is using it then).
fn expire(store: &str) {
    let mut doc = read_store(store);
    doc["accounts"]["grant"]["expires_at"] = 1.into();
    fs::write(store, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
}

/// A sandbox grant saved as `grant` in the store at `store` (through any path).
fn save_grant(sandbox: &Sandbox, store: &str) -> serde_json::Value {
    let config = oauth2_config(&sandbox.base_url(), true);
    let tokens = sign_in(&config);
    assert_eq!(save(&config, store, Some("grant")).unwrap(), "grant");
    tokens
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// N followers, started together, half through each path.
fn followers(sandbox: &Sandbox, go: &Path, paths: &[&str], n: usize) -> Vec<(i32, String)> {
    let base = sandbox.base_url();
    let children: Vec<Child> = (0..n)
        .map(|i| {
            worker(
                &[],
                &[
                    "follow",
                    paths[i % paths.len()],
                    "grant",
                    &base,
                    PUBLIC_USER_ID,
                ],
            )
            .env("TWFOLLOW_WORKER_GO", go)
            .spawn()
            .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    fs::write(go, b"").unwrap();
    let results = children.into_iter().map(finish).collect();
    fs::remove_file(go).unwrap();
    results
}

#[test]
fn a_symlinked_store_is_one_store_by_both_paths() {
    let sandbox = start_sandbox();
    let dir = TempDir::new("symlink");
    fs::create_dir(dir.0.join("real")).unwrap();
    fs::create_dir(dir.0.join("dotfiles")).unwrap();
    let (real, link) = (
        dir.path("real/accounts.json"),
        dir.path("dotfiles/accounts.json"),
    );
    // A dangling link (stow, chezmoi, home-manager before the first save): the first
    // save goes to the link's target, and the link stays a link.
    std::os::unix::fs::symlink("../real/accounts.json", &link).unwrap();
    let mut refresh_token = save_grant(&sandbox, &link)["refresh_token"].clone();
    assert!(fs::symlink_metadata(&real).unwrap().is_file());
    let go = dir.0.join("go");
    for round in 1..=3 {
        expire(&real);
        sandbox.expire_oauth2_access_tokens();
        let refreshes = sandbox.oauth2_refresh_count();
        let started = Instant::now();
        for (code, stderr) in followers(&sandbox, &go, &[&link, &real], 8) {
            assert_eq!(code, 0, "round {round}: {stderr}");
        }
        eprintln!(
            "round {round}: 8 processes (4 through the link) in {:.0} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
        assert_eq!(
            sandbox.oauth2_refresh_count(),
            refreshes + 1,
            "round {round}: one refresh at the token endpoint for both paths"
        );
        let stored = read_store(&real)["accounts"]["grant"].clone();
        assert_ne!(stored["refresh_token"], refresh_token, "round {round}");
        assert!(stored["expires_at"].as_i64().unwrap() > 1_700_000_000);
        refresh_token = stored["refresh_token"].clone();
        let target = fs::read_link(&link).unwrap();
        assert_eq!(
            target,
            Path::new("../real/accounts.json"),
            "the link stays a link"
        );
    }
    // Both paths read the one store; its siblings are beside the real file only.
    assert_eq!(list(&link).unwrap()["default"], "grant");
    assert_eq!(names_in(&dir.0.join("dotfiles")), ["accounts.json"]);
    assert_eq!(
        names_in(&dir.0.join("real")),
        ["accounts.json", "accounts.json.lock"]
    );
    let meta = fs::metadata(&real).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o600);
}

/// A mount namespace of its own (`unshare -m`) in which `source` is bind-mounted
/// onto `target`, kept alive by a process that sleeps there; `None` (and why) when
/// this cannot be done here.
struct Mounted {
    anchor: Child,
}

impl Mounted {
    fn new(source: &str, target: &str) -> Result<Mounted, String> {
        if !is_root() {
            return Err("not root: mount --bind needs root".into());
        }
        let mut anchor = Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c"])
            .arg("mount --bind \"$0\" \"$1\" && echo mounted && exec sleep 600")
            .args([source, target])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("unshare is not available: {e}"))?;
        let mut line = String::new();
        let _ = BufReader::new(anchor.stdout.take().unwrap()).read_line(&mut line);
        if line.trim() != "mounted" {
            let _ = anchor.kill();
            let (_, stderr) = finish(anchor);
            return Err(format!("unshare -m + mount --bind failed: {stderr}"));
        }
        Ok(Mounted { anchor })
    }

    /// The wrapper that runs a worker inside the namespace.
    fn nsenter(&self) -> Vec<String> {
        ["nsenter", "-t", &self.anchor.id().to_string(), "-m", "--"]
            .map(str::to_owned)
            .to_vec()
    }

    /// `path` as the namespace sees it, from this process (to look, not to write:
    /// from here the mounted file is no mount point).
    fn seen(&self, path: &str) -> String {
        format!("/proc/{}/root{path}", self.anchor.id())
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = self.anchor.kill();
        let _ = self.anchor.wait();
    }
}

fn run(command: &mut Command) -> (i32, String) {
    finish(command.spawn().unwrap())
}

#[test]
fn a_bind_mounted_store_is_refreshed_and_changed_in_place() {
    let sandbox = start_sandbox();
    let dir = TempDir::new("bind");
    let host = dir.path("host/accounts.json");
    let first = save_grant(&sandbox, &host);
    save(
        &Config::for_account(&sandbox.base_url(), 2),
        &host,
        Some("plain"),
    )
    .unwrap();
    let Some((container, mounted)) = mount_store(&dir, &host) else {
        return;
    };
    let inode = fs::metadata(&host).unwrap().ino();
    let nsenter = mounted.nsenter();
    let wrapper: Vec<&str> = nsenter.iter().map(String::as_str).collect();
    // Renaming over the mounted file fails (EBUSY): the store is rewritten in place.
    expire(&host);
    sandbox.expire_oauth2_access_tokens();
    let base = sandbox.base_url();
    let (code, stderr) = run(&mut worker(
        &wrapper,
        &["follow", &container, "grant", &base, PUBLIC_USER_ID],
    ));
    assert_eq!(code, 0, "a refresh through the bind-mounted file: {stderr}");
    assert!(!stderr.contains("access_token"), "{stderr}");
    assert_eq!(sandbox.oauth2_refresh_count(), 1);
    let stored = read_store(&host);
    assert_ne!(
        stored["accounts"]["grant"]["refresh_token"],
        first["refresh_token"]
    );
    let (code, stderr) = run(&mut worker(&wrapper, &["set-default", &container, "plain"]));
    assert_eq!(
        code, 0,
        "accounts default through the bind-mounted file: {stderr}"
    );
    assert_eq!(read_store(&host)["default"], "plain");
    // The state a kill -9 in the middle of an in-place rewrite leaves: the file torn,
    // the whole new store in the recovery copy. A reader reads the copy and mends.
    let whole = fs::read(&host).unwrap();
    let copy = dir.0.join("container/accounts.json.recovery");
    fs::write(&copy, &whole).unwrap();
    fs::set_permissions(&copy, fs::Permissions::from_mode(0o600)).unwrap();
    let file = fs::OpenOptions::new().write(true).open(&host).unwrap();
    file.set_len(whole.len() as u64 / 2).unwrap();
    drop(file);
    let (code, stderr) = run(&mut worker(&wrapper, &["list", &container]));
    assert_eq!(code, 0, "a reader of a torn file with its copy: {stderr}");
    assert_eq!(fs::read(&host).unwrap(), whole, "mended in place");
    assert!(!copy.exists());
    // One file all along (the host sees every change), private, nothing left beside it.
    let meta = fs::metadata(&host).unwrap();
    assert_eq!((meta.ino(), meta.mode() & 0o777), (inode, 0o600));
    assert_eq!(
        names_in(Path::new(&mounted.seen(&dir.path("container")))),
        ["accounts.json", "accounts.json.lock"]
    );
}

#[test]
fn a_recovery_copy_without_its_store_file_is_the_store() {
    let sandbox = start_sandbox();
    let dir = TempDir::new("copy-alone");
    let store = dir.store();
    let copy = format!("{store}.recovery");
    let names = |store: &str| -> Vec<String> {
        let listing = list(store).unwrap_or_else(|e| panic!("{e:?}"));
        let accounts = listing["accounts"].as_array().unwrap();
        accounts
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let config = |n| Config::for_account(&sandbox.base_url(), n);
    save(&config(1), &store, Some("first")).unwrap();
    let whole = fs::read(&store).unwrap();
    // A copy left beside no file (the file removed, or not yet made by a rewrite that
    // was to create it): readers read the copy, and mend the file from it.
    fs::rename(&store, &copy).unwrap();
    assert_eq!(names(&store), ["first"], "read from the copy alone");
    assert_eq!(
        fs::read(&store).unwrap(),
        whole,
        "the file made from the copy"
    );
    assert!(!Path::new(&copy).exists());
    // A writer that finds the copy and no file creates the file (0600) behind it: the
    // save is there for readers, and the next save keeps it.
    fs::rename(&store, &copy).unwrap();
    save(&config(2), &store, Some("second")).unwrap();
    assert!(!Path::new(&copy).exists());
    assert_eq!(fs::metadata(&store).unwrap().mode() & 0o777, 0o600);
    save(&config(3), &store, Some("third")).unwrap();
    assert_eq!(names(&store), ["first", "second", "third"]);
}

/// A writer stopped in the middle of an in-place rewrite (SIGSTOP, a frozen container)
/// holds the store's lock and the file's exclusive lock: a follow that needs a refresh
/// gives up at its timeout, and the store read that explains the wait does not add the
/// 30 s a reader without a deadline waits for such a rewrite.
#[test]
fn a_stalled_in_place_rewrite_costs_a_follow_its_timeout_and_no_more() {
    use std::os::unix::process::CommandExt;
    let sandbox = start_sandbox();
    let dir = TempDir::new("stalled");
    let store = dir.store();
    save_grant(&sandbox, &store);
    expire(&store);
    let config = from_store(&store, Some("grant")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(config.set_timeout_ms(1000), TwStatus::Ok);
    let lock_file = format!("{store}.lock");
    let mut holder = Command::new("flock")
        .args(["-x", &lock_file, "flock", "-x", &store])
        .args(["sh", "-c", "echo held; exec sleep 60"])
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "held\n", "flock(1) holds both locks");
    let sent_before = sandbox.requests_seen();
    let started = Instant::now();
    let (status, e) = config.follow_err(PUBLIC_USER_ID);
    let took = started.elapsed();
    // SAFETY: the holder's own process group (flock, flock, sleep).
    unsafe { libc::kill(-(holder.id() as i32), libc::SIGKILL) };
    holder.wait().unwrap();
    assert_eq!(status, TwStatus::Timeout, "{e:?}");
    assert!(
        e.message.contains("timed out waiting for the lock"),
        "{e:?}"
    );
    assert!(took < Duration::from_secs(5), "the follow took {took:?}");
    assert_eq!(sandbox.requests_seen(), sent_before, "nothing sent");
}

/// Bind-mounts the store at `host` onto `container/accounts.json` in a namespace of
/// its own (as `docker run -v ./accounts.json:/home/app/.config/twfollow/accounts.json`
/// does); `None` (and why, printed) when this cannot be done here.
fn mount_store(dir: &TempDir, host: &str) -> Option<(String, Mounted)> {
    fs::create_dir(dir.0.join("container")).unwrap();
    let container = dir.path("container/accounts.json");
    fs::write(&container, b"").unwrap();
    match Mounted::new(host, &container) {
        Ok(mounted) => Some((container, mounted)),
        Err(why) => {
            eprintln!("skipped: {why}");
            None
        }
    }
}

#[test]
fn kill_nine_during_in_place_rewrites_never_shows_a_torn_store() {
    let kills: usize = std::env::var("TWFOLLOW_TORTURE_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let sandbox = start_sandbox();
    let dir = TempDir::new("bind-kill");
    let host = dir.path("host/accounts.json");
    save_grant(&sandbox, &host);
    save(
        &Config::for_account(&sandbox.base_url(), 2),
        &host,
        Some("plain"),
    )
    .unwrap();
    let Some((container, mounted)) = mount_store(&dir, &host) else {
        return;
    };
    let nsenter = mounted.nsenter();
    let wrapper: Vec<&str> = nsenter.iter().map(String::as_str).collect();
    let seen = mounted.seen(&container);
    let recovery = format!("{seen}.recovery");
    // A reader that reads all along, inside the namespace, through the mounted path.
    let mut reader = worker(&wrapper, &["read-loop", &container, "plain"])
        .spawn()
        .unwrap();
    let mut random = Lcg(u64::from(std::process::id()));
    let (mut killed, mut torn, mut copies) = (0, 0, 0);
    let started = Instant::now();
    while killed < kills {
        let mut writer = worker(&wrapper, &["save-loop", &container, "plain"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(5_000 + random.below(40_000)));
        if writer.try_wait().unwrap().is_none() {
            writer.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        writer.wait().unwrap();
        // What the kill left: the file itself may be torn only behind a whole copy.
        let raw = fs::read(&host).unwrap();
        let copy = fs::read(&recovery).ok();
        if serde_json::from_slice::<serde_json::Value>(&raw).is_err() {
            torn += 1;
            assert!(
                copy.is_some(),
                "a torn store file without its recovery copy"
            );
        }
        if let Some(copy) = copy {
            copies += 1;
            serde_json::from_slice::<serde_json::Value>(&copy).expect("a whole copy");
        }
        // Read through the store (and mended by it: the lock is free now), inside the
        // namespace (from outside, the file is no mount point and renames succeed).
        let (code, stderr) = run(&mut worker(&wrapper, &["list", &container]));
        assert_eq!(code, 0, "after kill {killed}: {stderr}");
        // (The reader of the loop may be mending it at the same moment.)
        let until = Instant::now() + Duration::from_secs(2);
        while fs::metadata(&recovery).is_ok() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(
            fs::metadata(&recovery).is_err(),
            "a reader removed the copy"
        );
        assert!(
            serde_json::from_slice::<serde_json::Value>(&fs::read(&host).unwrap()).is_ok(),
            "the reader mended the file"
        );
        if reader.try_wait().unwrap().is_some() {
            panic!(
                "after kill {killed}, the reader failed: {}",
                finish(reader).1
            );
        }
    }
    reader.kill().unwrap();
    let (_, stderr) = finish(reader);
    assert!(!stderr.contains("tw_"), "{stderr}");
    let doc = read_store(&host);
    assert!(doc["accounts"]["grant"]["refresh_token"].is_string());
    assert!(doc["accounts"]["plain"]["access_token"].is_string());
    eprintln!(
        "kill -9 during in-place rewrites: {killed} kills in {:.1} s; the file was torn after {torn} of them, a recovery copy was there after {copies}; no reader saw a torn store",
        started.elapsed().as_secs_f64()
    );
}

/// A token endpoint that answers after `delay` (so the refresh holds the store's
/// lock that long), and creates `requested` when the request has arrived.
fn slow_token_endpoint(delay: Duration, requested: PathBuf) -> Scripted {
    Scripted::start(move |_, out| {
        fs::write(&requested, b"").unwrap();
        std::thread::sleep(delay);
        let body = br#"{"token_type":"bearer","expires_in":7200,"access_token":"after-fork-access","refresh_token":"after-fork-refresh","scope":"tweet.read users.read follows.write offline.access"}"#;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let _ = out.write_all(head.as_bytes());
        let _ = out.write_all(body);
    })
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

#[test]
fn a_forked_child_never_holds_the_store_lock() {
    let sandbox = start_sandbox();
    for parent_dies in [false, true] {
        let dir = TempDir::new("fork");
        let store = dir.path("accounts.json");
        save_grant(&sandbox, &store);
        let (requested, pidfile) = (dir.0.join("requested"), dir.0.join("child.pid"));
        let endpoint = slow_token_endpoint(Duration::from_millis(1500), requested.clone());
        let mut parent = worker(
            &[],
            &[
                "fork-while-refreshing",
                &store,
                "grant",
                &endpoint.base_url(),
                &requested.display().to_string(),
                &pidfile.display().to_string(),
            ],
        )
        .spawn()
        .unwrap();
        while !pidfile.exists() || fs::read_to_string(&pidfile).unwrap().is_empty() {
            std::thread::sleep(Duration::from_millis(5));
        }
        let child: i32 = fs::read_to_string(&pidfile).unwrap().parse().unwrap();
        if parent_dies {
            // kill -9 while the parent holds the lock (the refresh is still waiting).
            parent.kill().unwrap();
            parent.wait().unwrap();
        } else {
            let (code, stderr) = finish(parent);
            assert_eq!(code, 0, "{stderr}");
            assert_eq!(
                read_store(&store)["accounts"]["grant"]["refresh_token"],
                "after-fork-refresh"
            );
        }
        assert!(alive(child), "the child lives on");
        let started = Instant::now();
        let (status, e) = set_default(&store, "grant");
        let waited = started.elapsed();
        assert_eq!(status, TwStatus::Ok, "{e:?}");
        assert!(alive(child), "the child still lives");
        eprintln!(
            "fork while the lock is held (the parent {}): another process's change waited {:.1} ms",
            if parent_dies {
                "killed with -9"
            } else {
                "finished"
            },
            waited.as_secs_f64() * 1000.0
        );
        assert!(waited < Duration::from_millis(500), "{waited:?}");
        // SAFETY: the child is the worker's, and only sleeps.
        unsafe { libc::kill(child, libc::SIGKILL) };
    }
}

/// Runs a worker as uid and gid 65534 (`setpriv`); `None` (and why) when this cannot be.
fn as_nobody(args: &[&str]) -> Option<(i32, String)> {
    let wrapper = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
    ];
    match worker(&wrapper, args).spawn() {
        Ok(child) => Some(finish(child)),
        Err(e) => {
            eprintln!("skipped the run as uid 65534: setpriv: {e}");
            None
        }
    }
}

#[test]
fn a_run_as_another_user_is_refused_and_creates_nothing() {
    if !is_root() {
        eprintln!("skipped: not root (the test makes files of another user, uid 65534)");
        return;
    }
    let sandbox = start_sandbox();
    let config = Config::for_account(&sandbox.base_url(), 1);
    let dir = TempDir::new("foreign");
    fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o755)).unwrap();
    // uid 65534's store, with no lock file yet: root (sudo -E, a root cron job) is
    // refused before anything is made, and the owner's changes work afterwards.
    let folder = dir.0.join("nobody");
    let store = dir.path("nobody/accounts.json");
    assert_eq!(save(&config, &store, Some("me")).unwrap(), "me");
    fs::remove_file(dir.0.join("nobody/accounts.json.lock")).unwrap();
    for path in [&folder, &PathBuf::from(&store)] {
        std::os::unix::fs::chown(path, Some(65534), Some(65534)).unwrap();
    }
    let before = names_in(&folder);
    assert_eq!(before, ["accounts.json"]);
    let (status, e) = set_default(&store, "me");
    assert_eq!(status, TwStatus::Store);
    assert!(e.message.contains("owned by uid 65534"), "{}", e.message);
    assert_eq!(
        save(&config, &store, Some("x")).unwrap_err().0,
        TwStatus::Store
    );
    assert_eq!(list(&store).unwrap_err().0, TwStatus::Store);
    assert_eq!(
        names_in(&folder),
        before,
        "a refused run leaves nothing behind"
    );
    if let Some((code, stderr)) = as_nobody(&["set-default", &store, "me"]) {
        assert_eq!(code, 0, "the owner's change: {stderr}");
        assert_eq!(names_in(&folder), ["accounts.json", "accounts.json.lock"]);
        assert_eq!(fs::metadata(&store).unwrap().uid(), 65534);
        // A lock file another user's run made (older twfollow did) is named, not
        // met with "Permission denied" at the first refresh.
        fs::remove_file(folder.join("accounts.json.lock")).unwrap();
        fs::write(folder.join("accounts.json.lock"), b"").unwrap();
        let (code, stderr) = as_nobody(&["set-default", &store, "me"]).unwrap();
        assert_eq!(code, TwStatus::Store as i32, "{stderr}");
        assert!(
            stderr.contains("accounts.json.lock") && stderr.contains("remove it"),
            "{stderr}"
        );
    }
    // uid 65534's folder without a store yet: root makes no file in it.
    let empty = dir.0.join("empty");
    fs::create_dir(&empty).unwrap();
    std::os::unix::fs::chown(&empty, Some(65534), Some(65534)).unwrap();
    let (status, e) = save(&config, &dir.path("empty/accounts.json"), Some("x")).unwrap_err();
    assert_eq!(status, TwStatus::Store);
    assert!(e.message.contains("which uid 65534 owns"), "{}", e.message);
    assert!(names_in(&empty).is_empty());
    // A folder others may write in, and a file others may read: refused, nothing made.
    let open = dir.0.join("open");
    fs::create_dir(&open).unwrap();
    fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
    let (status, e) = save(&config, &dir.path("open/accounts.json"), Some("x")).unwrap_err();
    assert_eq!(status, TwStatus::Store);
    assert!(e.message.contains("chmod go-w"), "{}", e.message);
    assert!(names_in(&open).is_empty());
    let readable = dir.0.join("readable");
    fs::create_dir(&readable).unwrap();
    fs::set_permissions(&readable, fs::Permissions::from_mode(0o700)).unwrap();
    let store = dir.path("readable/accounts.json");
    assert_eq!(save(&config, &store, Some("me")).unwrap(), "me");
    fs::remove_file(readable.join("accounts.json.lock")).unwrap();
    fs::set_permissions(&store, fs::Permissions::from_mode(0o644)).unwrap();
    let (status, e) = set_default(&store, "me");
    assert_eq!(status, TwStatus::Store);
    assert!(e.message.contains("chmod 600"), "{}", e.message);
    assert_eq!(names_in(&readable), ["accounts.json"]);
}
