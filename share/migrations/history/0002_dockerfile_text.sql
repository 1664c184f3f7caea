-- history/0002_dockerfile_text.sql: the Dockerfile's text as it was built (when it is small), so
-- that an old build's error shows the lines it pointed at, whatever the file holds today.
ALTER TABLE history_builds ADD COLUMN dockerfile_text TEXT;
