-- 0002_engine.sql: the engine's own state: snapshots (layer directories), the solver's cache
-- records, the local image store, compressed forms of layers, and the file checksum cache that
-- keeps a no-op rebuild of a large context from rehashing it. Times are Unix seconds.

-- One row per snapshot directory under snapshots/<id>/. A committed snapshot never changes;
-- an active one is being written by the session named in `session` (a dead session's active
-- snapshots are removed at the next start).
CREATE TABLE snapshots (
  id        INTEGER PRIMARY KEY,
  parent    INTEGER REFERENCES snapshots (id),
  state     TEXT    NOT NULL CHECK (state IN ('active', 'committed')),
  session   TEXT,
  chain_id  TEXT UNIQUE,     -- set for snapshots unpacked from image layers (OCI chain id)
  diff_id   TEXT,            -- the uncompressed layer's digest, once computed
  size      INTEGER NOT NULL DEFAULT 0,
  created   INTEGER NOT NULL,
  last_used INTEGER NOT NULL
);
CREATE INDEX snapshots_by_parent ON snapshots (parent);

-- The solver's cache: a cache key stands for the snapshot its op produced (NULL: empty tree).
CREATE TABLE cache_records (
  cache_key TEXT    NOT NULL PRIMARY KEY,
  snapshot  INTEGER REFERENCES snapshots (id) ON DELETE CASCADE,
  created   INTEGER NOT NULL,
  last_used INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX cache_records_by_snapshot ON cache_records (snapshot);

-- The local image store: a name points at a manifest in the content store, whose config and
-- layers are referenced from blob_refs as ('image', name).
CREATE TABLE images (
  name            TEXT    NOT NULL PRIMARY KEY,
  manifest_digest TEXT    NOT NULL,
  media_type      TEXT    NOT NULL,
  size            INTEGER NOT NULL,
  created         INTEGER NOT NULL,
  updated         INTEGER NOT NULL
) WITHOUT ROWID;

-- Layer blobs made from snapshots, per compression, so a layer is compressed once.
CREATE TABLE layer_blobs (
  diff_id     TEXT    NOT NULL,
  compression TEXT    NOT NULL CHECK (compression IN ('none', 'gzip', 'zstd')),
  digest      TEXT    NOT NULL,
  size        INTEGER NOT NULL,
  PRIMARY KEY (diff_id, compression)
) WITHOUT ROWID;

-- The file checksum cache: a file whose (size, mtime, ctime, inode) are unchanged is not read
-- again. `root` is the absolute directory the path is relative to.
CREATE TABLE file_checksums (
  root     TEXT    NOT NULL,
  path     TEXT    NOT NULL,
  size     INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  ctime_ns INTEGER NOT NULL,
  inode    INTEGER NOT NULL,
  digest   TEXT    NOT NULL,
  PRIMARY KEY (root, path)
) WITHOUT ROWID;
