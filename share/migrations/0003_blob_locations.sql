-- 0003_blob_locations.sql: where the registry client has seen blobs (pulled from, pushed to), so
-- that a later process pushing to another repository of the same registry mounts a blob instead
-- of uploading it. A hint only: a stale row costs one refused mount, then the usual upload.
-- Bounded by the client (a total and per digest), forgetting the least recently used first.
CREATE TABLE blob_locations (
  digest     TEXT    NOT NULL,
  registry   TEXT    NOT NULL,  -- the reference's domain: "docker.io", "127.0.0.1:5000"
  repository TEXT    NOT NULL,  -- its path: "library/alpine"
  last_used  INTEGER NOT NULL,  -- Unix seconds of the last pull or push that saw it there
  PRIMARY KEY (digest, registry, repository)
) WITHOUT ROWID;
CREATE INDEX blob_locations_by_last_used ON blob_locations (last_used);
