-- history/0001_history.sql: the build history (history.db, beside dbuild.db in the state root,
-- kept apart so that a damaged history never stops builds). Times are nanoseconds since the Unix
-- epoch. The views at the end (builds, steps, outputs) are the documented interface of
-- `dbuild history query` (share/doc/history.md); the tables may change between versions.

-- One row per build, written when it starts (status 'running') and completed when it ends.
CREATE TABLE history_builds (
  id                INTEGER PRIMARY KEY,
  ref               TEXT    NOT NULL UNIQUE,   -- 25 lower-case letters and digits, as buildx's refs
  name              TEXT    NOT NULL,          -- the context directory's name, and the target
  builder           TEXT    NOT NULL,
  node              TEXT    NOT NULL,
  driver            TEXT    NOT NULL,
  session           TEXT    NOT NULL,          -- the process that runs it (interrupted when it died)
  frontend          TEXT    NOT NULL,
  context           TEXT,                      -- the context directory
  git_url           TEXT,
  git_commit        TEXT,
  dockerfile        TEXT,                      -- the Dockerfile's path
  dockerfile_digest TEXT,
  target            TEXT,
  platforms         TEXT    NOT NULL DEFAULT '[]',  -- JSON array of "os/arch[/variant]"
  build_args        TEXT    NOT NULL DEFAULT '{}',  -- JSON object; secrets are never recorded
  labels            TEXT    NOT NULL DEFAULT '{}',  -- JSON object
  outputs_requested TEXT    NOT NULL DEFAULT '[]',  -- JSON array of {"type", "attributes"}
  started           INTEGER NOT NULL,
  completed         INTEGER,
  status            TEXT    NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
  error             TEXT,
  error_file        TEXT,
  error_line        INTEGER,
  total_steps       INTEGER NOT NULL DEFAULT 0,
  cached_steps      INTEGER NOT NULL DEFAULT 0,
  bytes_exported    INTEGER NOT NULL DEFAULT 0,
  warnings          TEXT    NOT NULL DEFAULT '[]'   -- JSON array: what the recorder could not record, build warnings
);
CREATE INDEX history_builds_by_started ON history_builds (started);
CREATE INDEX history_builds_by_status ON history_builds (status, session);

-- One row per step (vertex) of a build, in the order the build first reported them.
CREATE TABLE history_steps (
  id          INTEGER PRIMARY KEY,
  build       INTEGER NOT NULL REFERENCES history_builds (id) ON DELETE CASCADE,
  number      INTEGER NOT NULL,          -- #N as --progress=plain numbered it
  digest      TEXT    NOT NULL,          -- the op's digest
  name        TEXT    NOT NULL,          -- as progress showed it: "[build 2/4] RUN make"
  stage       TEXT,                      -- "build" of "[build 2/4] ...", when the name has one
  position    INTEGER,                   -- 2 of "[build 2/4] ..."
  started     INTEGER,
  completed   INTEGER,
  state       TEXT    NOT NULL CHECK (state IN ('done', 'cached', 'failed', 'cancelled', 'skipped')),
  exit_code   INTEGER,
  error       TEXT,
  source_file TEXT,
  source_line INTEGER,
  cache_key   TEXT,
  key_inputs  TEXT,                      -- JSON: what the cache key was made of (see history.md)
  log         BLOB,                      -- the step's output, zstd; NULL when it printed nothing
  log_bytes   INTEGER NOT NULL DEFAULT 0,  -- the output's size before compression
  log_dropped INTEGER NOT NULL DEFAULT 0,  -- bytes past the per-step ceiling, not kept
  UNIQUE (build, number)
);
CREATE INDEX history_steps_by_digest ON history_steps (digest);
CREATE INDEX history_steps_by_position ON history_steps (stage, position);

-- What each exporter produced.
CREATE TABLE history_outputs (
  id            INTEGER PRIMARY KEY,
  build         INTEGER NOT NULL REFERENCES history_builds (id) ON DELETE CASCADE,
  type          TEXT    NOT NULL,
  attributes    TEXT    NOT NULL DEFAULT '{}',
  digest        TEXT,                    -- containerimage.digest
  config_digest TEXT,                    -- containerimage.config.digest
  names         TEXT,                    -- image.name (comma-separated)
  pushed        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX history_outputs_by_digest ON history_outputs (digest);

-- Full-text index of step logs (rowid = history_steps.id). Contentless: the text lives only in
-- history_steps.log, compressed; deleting a row needs its text (the recorder supplies it).
CREATE VIRTUAL TABLE history_log_search USING fts5 (text, content = '');

-- The views `dbuild history query` documents. Durations in seconds.
CREATE VIEW builds AS
SELECT ref, name, status, builder, driver, frontend, context, git_url, git_commit, dockerfile,
       dockerfile_digest, target, platforms, build_args, labels, outputs_requested,
       started / 1000000000.0 AS started, completed / 1000000000.0 AS completed,
       (completed - started) / 1000000000.0 AS duration,
       error, error_file, error_line, total_steps, cached_steps, bytes_exported
FROM history_builds;

CREATE VIEW steps AS
SELECT b.ref AS build, s.number, s.digest, s.name, s.stage, s.position, s.state,
       s.started / 1000000000.0 AS started, s.completed / 1000000000.0 AS completed,
       (s.completed - s.started) / 1000000000.0 AS duration,
       s.exit_code, s.error, s.source_file, s.source_line, s.cache_key, s.log_bytes, s.log_dropped
FROM history_steps s JOIN history_builds b ON b.id = s.build;

CREATE VIEW outputs AS
SELECT b.ref AS build, o.type, o.attributes, o.digest, o.config_digest, o.names, o.pushed
FROM history_outputs o JOIN history_builds b ON b.id = o.build;
