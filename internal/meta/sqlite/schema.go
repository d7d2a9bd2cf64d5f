package sqlite

import (
	"database/sql"
	"fmt"
)

// migrations are applied in order; PRAGMA user_version records how many ran.
// Never edit a shipped migration: append a new one.
var migrations = []string{
	`CREATE TABLE buckets (
		name        TEXT PRIMARY KEY,
		created     INTEGER NOT NULL,
		region      TEXT NOT NULL,
		owner       TEXT NOT NULL,
		versioning  TEXT NOT NULL DEFAULT '',
		object_lock INTEGER NOT NULL DEFAULT 0
	);
	-- One row per object version or delete marker. seq orders versions:
	-- AUTOINCREMENT so a seq is never reused after a delete.
	CREATE TABLE versions (
		seq           INTEGER PRIMARY KEY AUTOINCREMENT,
		bucket        TEXT NOT NULL,
		name          TEXT NOT NULL,
		version_id    TEXT NOT NULL,
		is_latest     INTEGER NOT NULL,
		delete_marker INTEGER NOT NULL,
		size          INTEGER NOT NULL,
		etag          TEXT NOT NULL,
		modified      INTEGER NOT NULL,
		storage_class TEXT NOT NULL,
		owner         TEXT NOT NULL,
		blob_id       TEXT,
		inline        BLOB,
		attrs         BLOB NOT NULL
	);
	CREATE UNIQUE INDEX versions_by_id ON versions(bucket, name, version_id);
	-- Newest first per key: ListObjectVersions order and promotion on delete.
	CREATE INDEX versions_by_age ON versions(bucket, name, seq DESC);
	-- At most one latest version per key.
	CREATE UNIQUE INDEX versions_latest ON versions(bucket, name) WHERE is_latest = 1;
	-- Covers ListObjects: latest, live versions in key order, no table lookups.
	CREATE INDEX versions_live ON versions(bucket, name, version_id, size, etag, modified, storage_class, owner)
		WHERE is_latest = 1 AND delete_marker = 0;
	CREATE INDEX versions_blob ON versions(blob_id) WHERE blob_id IS NOT NULL;
	-- Manifest of multipart objects: parts stay separate blobs.
	CREATE TABLE version_parts (
		seq       INTEGER NOT NULL,
		number    INTEGER NOT NULL,
		size      INTEGER NOT NULL,
		etag      TEXT NOT NULL,
		blob_id   TEXT NOT NULL,
		checksums BLOB,
		PRIMARY KEY (seq, number)
	);
	CREATE INDEX version_parts_blob ON version_parts(blob_id);`,
	// 2: multipart uploads; versions remember the upload that made them.
	`
	CREATE TABLE uploads (
		upload_id          TEXT PRIMARY KEY,
		bucket             TEXT NOT NULL,
		name               TEXT NOT NULL,
		initiated          INTEGER NOT NULL,
		storage_class      TEXT NOT NULL,
		owner              TEXT NOT NULL,
		attrs              BLOB NOT NULL,
		checksum_algorithm TEXT NOT NULL,
		checksum_type      TEXT NOT NULL
	);
	CREATE INDEX uploads_by_key ON uploads(bucket, name, initiated, upload_id);
	CREATE TABLE upload_parts (
		upload_id TEXT NOT NULL,
		number    INTEGER NOT NULL,
		size      INTEGER NOT NULL,
		etag      TEXT NOT NULL,
		blob_id   TEXT NOT NULL,
		modified  INTEGER NOT NULL,
		checksums BLOB,
		PRIMARY KEY (upload_id, number)
	);
	CREATE INDEX upload_parts_blob ON upload_parts(blob_id);
	ALTER TABLE versions ADD COLUMN upload_id TEXT;
	CREATE INDEX versions_upload ON versions(upload_id) WHERE upload_id IS NOT NULL;`,
	// 3: bucket configuration documents (tags, object lock, later policies).
	`ALTER TABLE buckets ADD COLUMN config BLOB;`,
	// 4: IAM users, access keys (secrets sealed by the caller) and inline policies.
	`CREATE TABLE users (
		name    TEXT PRIMARY KEY,
		id      TEXT NOT NULL UNIQUE,
		path    TEXT NOT NULL,
		created INTEGER NOT NULL
	);
	CREATE TABLE access_keys (
		id      TEXT PRIMARY KEY,
		user    TEXT NOT NULL REFERENCES users(name),
		status  TEXT NOT NULL,
		created INTEGER NOT NULL,
		secret  BLOB NOT NULL
	);
	CREATE INDEX access_keys_by_user ON access_keys(user, created);
	CREATE TABLE user_policies (
		user     TEXT NOT NULL REFERENCES users(name),
		name     TEXT NOT NULL,
		document TEXT NOT NULL,
		PRIMARY KEY (user, name)
	);`,
	// 5: key service keys (material sealed by the caller) and aliases.
	`CREATE TABLE kms_keys (
		id          TEXT PRIMARY KEY,
		description TEXT NOT NULL,
		state       TEXT NOT NULL,
		manager     TEXT NOT NULL,
		created     INTEGER NOT NULL,
		deletion    INTEGER NOT NULL,
		material    BLOB NOT NULL
	);
	CREATE TABLE kms_aliases (
		name    TEXT PRIMARY KEY,
		key_id  TEXT NOT NULL REFERENCES kms_keys(id),
		created INTEGER NOT NULL,
		updated INTEGER NOT NULL
	);
	CREATE INDEX kms_aliases_by_key ON kms_aliases(key_id, name);`,
	// 6: background job leases (owner, expiry, fencing token) and checkpoints.
	`CREATE TABLE leases (
		name       TEXT PRIMARY KEY,
		owner      TEXT NOT NULL,
		token      INTEGER NOT NULL,
		expires    INTEGER NOT NULL,
		checkpoint BLOB
	);`,
	// The change journal: one record per object mutation, written in the
	// mutation's transaction; consumers' cursors; how far retention trimmed.
	`CREATE TABLE journal (
		seq    INTEGER PRIMARY KEY AUTOINCREMENT,
		time   INTEGER NOT NULL,
		record BLOB NOT NULL
	);
	CREATE TABLE journal_cursors (
		name    TEXT PRIMARY KEY,
		seq     INTEGER NOT NULL,
		updated INTEGER NOT NULL
	);
	CREATE TABLE journal_trim (
		id   INTEGER PRIMARY KEY CHECK (id = 1),
		upto INTEGER NOT NULL
	);
	INSERT INTO journal_trim(id, upto) VALUES (1, 0);`,
	// Accounts: each has an ID, a canonical ID, a unique name and an
	// optional unique email; users, access keys and inline policies belong
	// to one (the rows before accounts existed are the administrator's,
	// 000000000000). A root access key is an access key with user ''.
	`CREATE TABLE accounts (
		id           TEXT PRIMARY KEY,
		canonical_id TEXT NOT NULL UNIQUE,
		name         TEXT NOT NULL UNIQUE,
		email        TEXT NOT NULL,
		created      INTEGER NOT NULL,
		admin        INTEGER NOT NULL
	);
	CREATE UNIQUE INDEX accounts_by_email ON accounts(email) WHERE email <> '';
	CREATE TABLE users_by_account (
		account TEXT NOT NULL,
		name    TEXT NOT NULL,
		id      TEXT NOT NULL UNIQUE,
		path    TEXT NOT NULL,
		created INTEGER NOT NULL,
		PRIMARY KEY (account, name)
	);
	INSERT INTO users_by_account SELECT '000000000000', name, id, path, created FROM users;
	CREATE TABLE access_keys_by_account (
		id      TEXT PRIMARY KEY,
		account TEXT NOT NULL,
		user    TEXT NOT NULL,
		status  TEXT NOT NULL,
		created INTEGER NOT NULL,
		secret  BLOB NOT NULL
	);
	INSERT INTO access_keys_by_account SELECT id, '000000000000', user, status, created, secret FROM access_keys;
	CREATE TABLE user_policies_by_account (
		account  TEXT NOT NULL,
		user     TEXT NOT NULL,
		name     TEXT NOT NULL,
		document TEXT NOT NULL,
		PRIMARY KEY (account, user, name)
	);
	INSERT INTO user_policies_by_account SELECT '000000000000', user, name, document FROM user_policies;
	DROP TABLE user_policies;
	DROP TABLE access_keys;
	DROP TABLE users;
	ALTER TABLE users_by_account RENAME TO users;
	ALTER TABLE access_keys_by_account RENAME TO access_keys;
	ALTER TABLE user_policies_by_account RENAME TO user_policies;
	CREATE INDEX access_keys_by_user ON access_keys(account, user, created);
	CREATE INDEX buckets_by_owner ON buckets(owner, name);`,
	// Object annotations: named payloads of one version (by its seq),
	// stored inline (at most 1 MiB each) and removed with the version.
	`CREATE TABLE annotations (
		seq           INTEGER NOT NULL,
		name          TEXT NOT NULL,
		size          INTEGER NOT NULL,
		etag          TEXT NOT NULL,
		modified      INTEGER NOT NULL,
		checksums     BLOB,
		checksum_type TEXT NOT NULL,
		wrapped_key   BLOB,
		data          BLOB NOT NULL
	);
	CREATE UNIQUE INDEX annotations_by_name ON annotations(seq, name);`,
	// IAM groups and members, roles, group and role inline policies,
	// managed policies with their versions, and policy attachments; each
	// row belongs to one account.
	`CREATE TABLE iam_groups (
		account TEXT NOT NULL,
		name    TEXT NOT NULL,
		id      TEXT NOT NULL,
		path    TEXT NOT NULL,
		created INTEGER NOT NULL,
		PRIMARY KEY (account, name)
	);
	CREATE TABLE iam_group_members (
		account TEXT NOT NULL,
		grp     TEXT NOT NULL,
		user    TEXT NOT NULL,
		PRIMARY KEY (account, grp, user)
	);
	CREATE INDEX iam_group_members_by_user ON iam_group_members(account, user, grp);
	CREATE TABLE iam_roles (
		account     TEXT NOT NULL,
		name        TEXT NOT NULL,
		id          TEXT NOT NULL,
		path        TEXT NOT NULL,
		trust       TEXT NOT NULL,
		description TEXT NOT NULL,
		max_session INTEGER NOT NULL,
		created     INTEGER NOT NULL,
		PRIMARY KEY (account, name)
	);
	CREATE TABLE iam_inline_policies (
		account  TEXT NOT NULL,
		kind     TEXT NOT NULL,
		owner    TEXT NOT NULL,
		name     TEXT NOT NULL,
		document TEXT NOT NULL,
		PRIMARY KEY (account, kind, owner, name)
	);
	CREATE TABLE iam_policies (
		account         TEXT NOT NULL,
		arn             TEXT NOT NULL,
		name            TEXT NOT NULL,
		id              TEXT NOT NULL,
		path            TEXT NOT NULL,
		description     TEXT NOT NULL,
		default_version TEXT NOT NULL,
		next_version    INTEGER NOT NULL,
		created         INTEGER NOT NULL,
		updated         INTEGER NOT NULL,
		PRIMARY KEY (account, arn)
	);
	CREATE TABLE iam_policy_versions (
		account  TEXT NOT NULL,
		arn      TEXT NOT NULL,
		version  TEXT NOT NULL,
		document TEXT NOT NULL,
		created  INTEGER NOT NULL,
		PRIMARY KEY (account, arn, version)
	);
	CREATE TABLE iam_attachments (
		account TEXT NOT NULL,
		kind    TEXT NOT NULL,
		owner   TEXT NOT NULL,
		arn     TEXT NOT NULL,
		PRIMARY KEY (account, kind, owner, arn)
	);
	CREATE INDEX iam_attachments_by_policy ON iam_attachments(account, arn);`,
	// Replication remotes: S3 endpoints replication rules name as
	// destinations; the secret is sealed under the data directory's key.
	`CREATE TABLE replication_remotes (
		name       TEXT PRIMARY KEY,
		endpoint   TEXT NOT NULL,
		region     TEXT NOT NULL,
		access_key TEXT NOT NULL,
		secret     BLOB NOT NULL,
		path_style INTEGER NOT NULL,
		created    INTEGER NOT NULL
	);`,
	// Restores with an event to come (completion not yet journaled, or
	// a completed restore's expiry), by due time in Unix milliseconds
	// rounded up: the restore job's index. Triggers keep it in step with
	// versions.attrs in the transaction that writes or removes a version.
	`CREATE TABLE restores (
		seq    INTEGER PRIMARY KEY,
		bucket TEXT NOT NULL,
		name   TEXT NOT NULL,
		due    INTEGER NOT NULL
	);
	CREATE INDEX restores_due ON restores(due);
	CREATE TRIGGER restores_insert AFTER INSERT ON versions
	WHEN json_extract(CAST(NEW.attrs AS TEXT), '$.rs') IS NOT NULL
	BEGIN
		INSERT OR REPLACE INTO restores(seq, bucket, name, due)
		SELECT NEW.seq, NEW.bucket, NEW.name, CAST((julianday(t) - 2440587.5) * 86400000 AS INTEGER) + 1
		FROM (SELECT CASE WHEN json_extract(CAST(NEW.attrs AS TEXT), '$.rs.done') THEN json_extract(CAST(NEW.attrs AS TEXT), '$.rs.exp')
			ELSE json_extract(CAST(NEW.attrs AS TEXT), '$.rs.ready') END AS t)
		WHERE t IS NOT NULL;
	END;
	CREATE TRIGGER restores_update AFTER UPDATE OF attrs ON versions
	BEGIN
		DELETE FROM restores WHERE seq = NEW.seq;
		INSERT INTO restores(seq, bucket, name, due)
		SELECT NEW.seq, NEW.bucket, NEW.name, CAST((julianday(t) - 2440587.5) * 86400000 AS INTEGER) + 1
		FROM (SELECT CASE WHEN json_extract(CAST(NEW.attrs AS TEXT), '$.rs.done') THEN json_extract(CAST(NEW.attrs AS TEXT), '$.rs.exp')
			ELSE json_extract(CAST(NEW.attrs AS TEXT), '$.rs.ready') END AS t)
		WHERE t IS NOT NULL;
	END;
	CREATE TRIGGER restores_delete AFTER DELETE ON versions
	BEGIN
		DELETE FROM restores WHERE seq = OLD.seq;
	END;
	-- Restores requested before this table existed.
	INSERT INTO restores(seq, bucket, name, due)
	SELECT seq, bucket, name, CAST((julianday(t) - 2440587.5) * 86400000 AS INTEGER) + 1
	FROM (SELECT seq, bucket, name, CASE WHEN json_extract(CAST(attrs AS TEXT), '$.rs.done') THEN json_extract(CAST(attrs AS TEXT), '$.rs.exp')
		ELSE json_extract(CAST(attrs AS TEXT), '$.rs.ready') END AS t FROM versions
		WHERE json_extract(CAST(attrs AS TEXT), '$.rs') IS NOT NULL)
	WHERE t IS NOT NULL;`,
	// S3 Object Lambda access points, unique by name in their account:
	// the supporting bucket, the transformer URL, the payload and the
	// allowed features (comma-separated).
	`CREATE TABLE object_lambda_access_points (
		account     TEXT NOT NULL,
		name        TEXT NOT NULL,
		bucket      TEXT NOT NULL,
		transformer TEXT NOT NULL,
		payload     TEXT NOT NULL,
		features    TEXT NOT NULL,
		created     INTEGER NOT NULL,
		PRIMARY KEY (account, name)
	);`,
}

func migrate(db *sql.DB) error {
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this binary (%d)", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
