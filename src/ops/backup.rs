//! Backups of a SQLite store: `emporium backup PATH` copies the database of a running store
//! (one consistent snapshot, see [`crate::db::backup::copy_into`]) and its `media/` into a new
//! folder; `emporium restore PATH` puts such a folder back into a stopped store, keeping what it
//! replaces beside it. PostgreSQL stores use `pg_dump`/`pg_restore` (see the README).

use std::fs::File;
use std::path::{Path, PathBuf};

use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::db::backup::{Contents, copy_into, inspect};
use crate::db::{Db, sqlite_file};

/// The database's name inside a backup folder.
const DB_FILE: &str = "emporium.db";
const MEDIA_DIR: &str = "media";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backup and restore are for SQLite stores; on PostgreSQL use pg_dump and pg_restore (see the README)"
    )]
    NotSqlite,
    #[error("{} exists and is not empty: back up into a new folder", .0.display())]
    NotEmpty(PathBuf),
    #[error("{} holds no backup (no {DB_FILE})", .0.display())]
    NoBackup(PathBuf),
    #[error("the backup's database is damaged: {0}")]
    Damaged(String),
    #[error("the store is running on {}: stop it before restoring", .0.display())]
    Running(PathBuf),
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database")]
    Open(#[source] anyhow::Error),
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error("the copy stopped")]
    Interrupted(#[from] tokio::task::JoinError),
}

/// File copies and fsyncs run on a blocking thread, not on the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, BackupError> + Send + 'static,
) -> Result<T, BackupError> {
    tokio::task::spawn_blocking(work).await?
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> BackupError {
    let path = path.to_path_buf();
    move |source| BackupError::Io { what, path, source }
}

/// What a backup or a restore moved.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub contents: Contents,
    pub media_files: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.contents;
        write!(
            f,
            "{} products, {} orders, {} invoices and {} media files",
            c.products, c.orders, c.invoices, self.media_files
        )
    }
}

/// A running store's hold on its SQLite file: shared by the store, so `restore` (which needs
/// it alone) can tell that a store still runs on the file.
pub struct StoreLock {
    _file: File,
}

impl StoreLock {
    fn path(db_file: &Path) -> PathBuf {
        let mut name = db_file.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    fn open(db_file: &Path) -> Result<File, BackupError> {
        let path = Self::path(db_file);
        File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io("open", &path))
    }

    /// Taken by a serving store for as long as it runs (several may share it).
    pub fn shared(db_file: &Path) -> Result<Self, BackupError> {
        let f = Self::open(db_file)?;
        f.try_lock_shared()
            .map_err(|_| BackupError::Running(db_file.to_path_buf()))?;
        Ok(Self { _file: f })
    }

    /// Taken by `restore`: refused while any store holds the file.
    fn exclusive(db_file: &Path) -> Result<Self, BackupError> {
        let f = Self::open(db_file)?;
        f.try_lock()
            .map_err(|_| BackupError::Running(db_file.to_path_buf()))?;
        Ok(Self { _file: f })
    }
}

/// Copies the store's database (a consistent snapshot, while it serves) and media into `to`,
/// a new or empty folder.
pub async fn backup(settings: &Settings, to: &Path) -> Result<Summary, BackupError> {
    if sqlite_file(settings.database.url.expose_secret()).is_none() {
        return Err(BackupError::NotSqlite);
    }
    if std::fs::read_dir(to).is_ok_and(|mut d| d.next().is_some()) {
        return Err(BackupError::NotEmpty(to.to_path_buf()));
    }
    std::fs::create_dir_all(to).map_err(io("create", to))?;
    let db = Db::connect(&settings.database)
        .await
        .map_err(BackupError::Open)?;
    let partial = to.join(format!("{DB_FILE}.partial"));
    let copied = copy_into(db.pool(), &partial).await;
    db.close().await;
    copied?;
    let file = to.join(DB_FILE);
    let synced = partial.clone();
    blocking(move || sync(&synced)).await?;
    std::fs::rename(&partial, &file).map_err(io("rename", &partial))?;
    // Media files are named by their content and never change: a copy after the database's
    // snapshot has every file the snapshot names (and perhaps a few newer ones).
    let (media, into) = (settings.media.dir.clone(), to.join(MEDIA_DIR));
    let media_files = blocking(move || copy_tree(&media, &into)).await?;
    let contents = checked(&file).await?;
    Ok(Summary {
        contents,
        media_files,
    })
}

/// Puts the backup in `from` into the store of `settings`, which must be stopped. The database
/// and media it replaces are kept beside them as `….before-restore-<unix time>`.
pub async fn restore(settings: &Settings, from: &Path, now: i64) -> Result<Summary, BackupError> {
    let Some(target) = sqlite_file(settings.database.url.expose_secret()) else {
        return Err(BackupError::NotSqlite);
    };
    let source = from.join(DB_FILE);
    if !source.is_file() {
        return Err(BackupError::NoBackup(from.to_path_buf()));
    }
    let contents = checked(&source).await?;
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io("create", parent))?;
    }
    let _alone = StoreLock::exclusive(&target)?;
    let aside = |p: &Path| {
        let mut name = p.as_os_str().to_owned();
        name.push(format!(".before-restore-{now}"));
        PathBuf::from(name)
    };
    // The database with its write-ahead log (committed writes not yet folded into the file).
    for suffix in ["", "-wal", "-shm"] {
        let mut name = target.as_os_str().to_owned();
        name.push(suffix);
        let p = PathBuf::from(name);
        if p.exists() {
            std::fs::rename(&p, aside(&p)).map_err(io("move aside", &p))?;
        }
    }
    let mut partial = target.as_os_str().to_owned();
    partial.push(".restoring");
    let partial = PathBuf::from(partial);
    let (from_db, to_db) = (source.clone(), partial.clone());
    blocking(move || {
        std::fs::copy(&from_db, &to_db).map_err(io("copy to", &to_db))?;
        sync(&to_db)
    })
    .await?;
    std::fs::rename(&partial, &target).map_err(io("rename", &partial))?;
    let media = &settings.media.dir;
    if media.exists() {
        std::fs::rename(media, aside(media)).map_err(io("move aside", media))?;
    }
    let (backed_up, into) = (from.join(MEDIA_DIR), media.clone());
    let media_files = blocking(move || copy_tree(&backed_up, &into)).await?;
    Ok(Summary {
        contents,
        media_files,
    })
}

async fn checked(file: &Path) -> Result<Contents, BackupError> {
    inspect(file).await?.map_err(BackupError::Damaged)
}

fn sync(file: &Path) -> Result<(), BackupError> {
    File::open(file)
        .and_then(|f| f.sync_all())
        .map_err(io("write", file))
}

/// Copies the files under `from` (if it exists) into `to`; returns how many.
fn copy_tree(from: &Path, to: &Path) -> Result<u64, BackupError> {
    std::fs::create_dir_all(to).map_err(io("create", to))?;
    if !from.is_dir() {
        return Ok(0);
    }
    let mut n = 0;
    for entry in std::fs::read_dir(from).map_err(io("read", from))? {
        let entry = entry.map_err(io("read", from))?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            n += copy_tree(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest).map_err(io("copy", &path))?;
            n += 1;
        }
    }
    Ok(n)
}
