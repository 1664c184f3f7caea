-- 0001_content.sql: the content store's metadata. Blob files live under content/blobs/sha256/;
-- these tables say who needs them (references, leases) so that GC knows what it may delete.
-- Times are Unix seconds.

-- One row per stored blob; the row and the file appear together (in the writer's transaction).
CREATE TABLE blobs (
  digest    TEXT    NOT NULL PRIMARY KEY,  -- "sha256:<hex>"
  size      INTEGER NOT NULL CHECK (size >= 0),
  created   INTEGER NOT NULL,
  last_used INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX blobs_by_last_used ON blobs (last_used);

-- Long-lived references from named owners: ("image", "docker.io/library/app:1"),
-- ("snapshot", "42"), ("cache", ...). A referenced blob is never collected.
CREATE TABLE blob_refs (
  owner_kind TEXT    NOT NULL,
  owner_id   TEXT    NOT NULL,
  digest     TEXT    NOT NULL REFERENCES blobs (digest) ON DELETE CASCADE,
  created    INTEGER NOT NULL,
  PRIMARY KEY (owner_kind, owner_id, digest)
) WITHOUT ROWID;
CREATE INDEX blob_refs_by_digest ON blob_refs (digest);

-- Short-lived protection for blobs a running build has written but not referenced yet. A lease
-- is live while its owner holds the flock on content/leases/<id>.lock and `expires` (if set) has
-- not passed; `pid` is for people reading the table.
CREATE TABLE leases (
  id      TEXT    NOT NULL PRIMARY KEY,
  pid     INTEGER NOT NULL,
  created INTEGER NOT NULL,
  expires INTEGER            -- NULL: only the owner's death ends it
) WITHOUT ROWID;

CREATE TABLE lease_blobs (
  lease_id TEXT NOT NULL REFERENCES leases (id) ON DELETE CASCADE,
  digest   TEXT NOT NULL REFERENCES blobs (digest) ON DELETE CASCADE,
  PRIMARY KEY (lease_id, digest)
) WITHOUT ROWID;
CREATE INDEX lease_blobs_by_digest ON lease_blobs (digest);
