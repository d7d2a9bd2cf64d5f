package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationLock is the advisory lock key under which migrations run, so
// gateways starting together apply each migration once.
const migrationLock = 0x74616c7573 // "talus"

// migrations are applied in order; schema_migrations records which ran.
// Never edit a shipped migration: append a new one.
//
// Names and keys are text COLLATE "C": compared as bytes, the order S3
// lists in, whatever the database's default collation. Times are Unix
// nanoseconds (bigint) as in the embedded store; attributes and
// configuration are the same JSON documents, in bytea.
var migrations = []string{
	`CREATE TABLE buckets (
		name        text COLLATE "C" PRIMARY KEY,
		created     bigint NOT NULL,
		region      text NOT NULL,
		owner       text COLLATE "C" NOT NULL,
		versioning  text NOT NULL DEFAULT '',
		object_lock boolean NOT NULL DEFAULT false,
		config      bytea
	);
	CREATE INDEX buckets_by_owner ON buckets(owner, name);
	-- One row per object version or delete marker. seq orders versions of
	-- a key (their writers hold the key's lock) and is never reused.
	CREATE TABLE versions (
		seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		bucket        text COLLATE "C" NOT NULL,
		name          text COLLATE "C" NOT NULL,
		version_id    text COLLATE "C" NOT NULL,
		is_latest     boolean NOT NULL,
		delete_marker boolean NOT NULL,
		size          bigint NOT NULL,
		etag          text NOT NULL,
		modified      bigint NOT NULL,
		storage_class text NOT NULL,
		owner         text COLLATE "C" NOT NULL,
		blob_id       text COLLATE "C",
		inline        bytea,
		attrs         bytea NOT NULL,
		upload_id     text COLLATE "C"
	);
	CREATE UNIQUE INDEX versions_by_id ON versions(bucket, name, version_id);
	-- Newest first per key: ListObjectVersions order and promotion on delete.
	CREATE INDEX versions_by_age ON versions(bucket, name, seq DESC);
	-- At most one latest version per key.
	CREATE UNIQUE INDEX versions_latest ON versions(bucket, name) WHERE is_latest;
	-- Covers ListObjects: latest, live versions in key order.
	CREATE INDEX versions_live ON versions(bucket, name) INCLUDE (version_id, size, etag, modified, storage_class, owner)
		WHERE is_latest AND NOT delete_marker;
	CREATE INDEX versions_blob ON versions(blob_id) WHERE blob_id IS NOT NULL;
	CREATE INDEX versions_upload ON versions(upload_id) WHERE upload_id IS NOT NULL;
	CREATE INDEX versions_owner ON versions(owner);
	-- Manifest of multipart objects: parts stay separate blobs.
	CREATE TABLE version_parts (
		seq       bigint NOT NULL,
		number    integer NOT NULL,
		size      bigint NOT NULL,
		etag      text NOT NULL,
		blob_id   text COLLATE "C" NOT NULL,
		checksums bytea,
		PRIMARY KEY (seq, number)
	);
	CREATE INDEX version_parts_blob ON version_parts(blob_id);
	CREATE TABLE uploads (
		upload_id          text COLLATE "C" PRIMARY KEY,
		bucket             text COLLATE "C" NOT NULL,
		name               text COLLATE "C" NOT NULL,
		initiated          bigint NOT NULL,
		storage_class      text NOT NULL,
		owner              text COLLATE "C" NOT NULL,
		attrs              bytea NOT NULL,
		checksum_algorithm text NOT NULL,
		checksum_type      text NOT NULL
	);
	CREATE INDEX uploads_by_key ON uploads(bucket, name, initiated, upload_id);
	CREATE INDEX uploads_owner ON uploads(owner);
	CREATE TABLE upload_parts (
		upload_id text COLLATE "C" NOT NULL,
		number    integer NOT NULL,
		size      bigint NOT NULL,
		etag      text NOT NULL,
		blob_id   text COLLATE "C" NOT NULL,
		modified  bigint NOT NULL,
		checksums bytea,
		PRIMARY KEY (upload_id, number)
	);
	CREATE INDEX upload_parts_blob ON upload_parts(blob_id);
	-- Accounts; IAM users, access keys (secrets sealed by the caller) and
	-- inline policies belong to one. A root access key has usr ''.
	CREATE TABLE accounts (
		id           text COLLATE "C" PRIMARY KEY,
		canonical_id text COLLATE "C" NOT NULL UNIQUE,
		name         text COLLATE "C" NOT NULL UNIQUE,
		email        text COLLATE "C" NOT NULL,
		created      bigint NOT NULL,
		admin        boolean NOT NULL
	);
	CREATE UNIQUE INDEX accounts_by_email ON accounts(email) WHERE email <> '';
	CREATE TABLE users (
		account text COLLATE "C" NOT NULL,
		name    text COLLATE "C" NOT NULL,
		id      text COLLATE "C" NOT NULL UNIQUE,
		path    text NOT NULL,
		created bigint NOT NULL,
		PRIMARY KEY (account, name)
	);
	CREATE TABLE access_keys (
		id      text COLLATE "C" PRIMARY KEY,
		account text COLLATE "C" NOT NULL,
		usr     text COLLATE "C" NOT NULL,
		status  text NOT NULL,
		created bigint NOT NULL,
		secret  bytea NOT NULL
	);
	CREATE INDEX access_keys_by_user ON access_keys(account, usr, created);
	CREATE TABLE user_policies (
		account  text COLLATE "C" NOT NULL,
		usr      text COLLATE "C" NOT NULL,
		name     text COLLATE "C" NOT NULL,
		document text NOT NULL,
		PRIMARY KEY (account, usr, name)
	);
	-- Key service keys (material sealed by the caller) and aliases.
	CREATE TABLE kms_keys (
		id          text COLLATE "C" PRIMARY KEY,
		description text NOT NULL,
		state       text NOT NULL,
		manager     text NOT NULL,
		created     bigint NOT NULL,
		deletion    bigint NOT NULL,
		material    bytea NOT NULL
	);
	CREATE TABLE kms_aliases (
		name    text COLLATE "C" PRIMARY KEY,
		key_id  text COLLATE "C" NOT NULL REFERENCES kms_keys(id),
		created bigint NOT NULL,
		updated bigint NOT NULL
	);
	CREATE INDEX kms_aliases_by_key ON kms_aliases(key_id, name);
	-- Background job leases (owner, expiry on the database clock, fencing
	-- token) and checkpoints.
	CREATE TABLE leases (
		name       text COLLATE "C" PRIMARY KEY,
		owner      text NOT NULL,
		token      bigint NOT NULL,
		expires    bigint NOT NULL,
		checkpoint bytea
	);
	-- The change journal: one record per object mutation, written in the
	-- mutation's transaction with the seq journal_head hands out in commit
	-- order; consumers' cursors; how far retention trimmed.
	CREATE TABLE journal (
		seq    bigint PRIMARY KEY,
		time   bigint NOT NULL,
		record bytea NOT NULL
	);
	CREATE TABLE journal_head (
		id  integer PRIMARY KEY CHECK (id = 1),
		seq bigint NOT NULL
	);
	INSERT INTO journal_head(id, seq) VALUES (1, 0);
	CREATE TABLE journal_cursors (
		name    text COLLATE "C" PRIMARY KEY,
		seq     bigint NOT NULL,
		updated bigint NOT NULL
	);
	CREATE TABLE journal_trim (
		id   integer PRIMARY KEY CHECK (id = 1),
		upto bigint NOT NULL
	);
	INSERT INTO journal_trim(id, upto) VALUES (1, 0);
	-- Object annotations: named payloads of one version (by its seq).
	CREATE TABLE annotations (
		seq           bigint NOT NULL,
		name          text COLLATE "C" NOT NULL,
		size          bigint NOT NULL,
		etag          text NOT NULL,
		modified      bigint NOT NULL,
		checksums     bytea,
		checksum_type text NOT NULL,
		wrapped_key   bytea,
		data          bytea NOT NULL,
		PRIMARY KEY (seq, name)
	);
	-- IAM groups and members, roles, inline policies, managed policies
	-- with their versions, and attachments; each row belongs to one account.
	CREATE TABLE iam_groups (
		account text COLLATE "C" NOT NULL,
		name    text COLLATE "C" NOT NULL,
		id      text COLLATE "C" NOT NULL,
		path    text NOT NULL,
		created bigint NOT NULL,
		PRIMARY KEY (account, name)
	);
	CREATE TABLE iam_group_members (
		account text COLLATE "C" NOT NULL,
		grp     text COLLATE "C" NOT NULL,
		usr     text COLLATE "C" NOT NULL,
		PRIMARY KEY (account, grp, usr)
	);
	CREATE INDEX iam_group_members_by_user ON iam_group_members(account, usr, grp);
	CREATE TABLE iam_roles (
		account     text COLLATE "C" NOT NULL,
		name        text COLLATE "C" NOT NULL,
		id          text COLLATE "C" NOT NULL,
		path        text NOT NULL,
		trust       text NOT NULL,
		description text NOT NULL,
		max_session integer NOT NULL,
		created     bigint NOT NULL,
		PRIMARY KEY (account, name)
	);
	CREATE TABLE iam_inline_policies (
		account  text COLLATE "C" NOT NULL,
		kind     text COLLATE "C" NOT NULL,
		owner    text COLLATE "C" NOT NULL,
		name     text COLLATE "C" NOT NULL,
		document text NOT NULL,
		PRIMARY KEY (account, kind, owner, name)
	);
	CREATE TABLE iam_policies (
		account         text COLLATE "C" NOT NULL,
		arn             text COLLATE "C" NOT NULL,
		name            text COLLATE "C" NOT NULL,
		id              text COLLATE "C" NOT NULL,
		path            text NOT NULL,
		description     text NOT NULL,
		default_version text COLLATE "C" NOT NULL,
		next_version    integer NOT NULL,
		created         bigint NOT NULL,
		updated         bigint NOT NULL,
		PRIMARY KEY (account, arn)
	);
	CREATE TABLE iam_policy_versions (
		account  text COLLATE "C" NOT NULL,
		arn      text COLLATE "C" NOT NULL,
		version  text COLLATE "C" NOT NULL,
		document text NOT NULL,
		created  bigint NOT NULL,
		PRIMARY KEY (account, arn, version)
	);
	CREATE TABLE iam_attachments (
		account text COLLATE "C" NOT NULL,
		kind    text COLLATE "C" NOT NULL,
		owner   text COLLATE "C" NOT NULL,
		arn     text COLLATE "C" NOT NULL,
		PRIMARY KEY (account, kind, owner, arn)
	);
	CREATE INDEX iam_attachments_by_policy ON iam_attachments(account, arn);
	-- Replication remotes; the secret is sealed under the gateways' key.
	CREATE TABLE replication_remotes (
		name       text COLLATE "C" PRIMARY KEY,
		endpoint   text NOT NULL,
		region     text NOT NULL,
		access_key text NOT NULL,
		secret     bytea NOT NULL,
		path_style boolean NOT NULL,
		created    bigint NOT NULL
	);
	-- Restores with an event to come (completion not yet journaled, or a
	-- completed restore's expiry), by due time in Unix milliseconds rounded
	-- up: the restore job's index. A trigger keeps it in step with
	-- versions.attrs in the transaction that writes or removes a version.
	CREATE TABLE restores (
		seq    bigint PRIMARY KEY,
		bucket text COLLATE "C" NOT NULL,
		name   text COLLATE "C" NOT NULL,
		due    bigint NOT NULL
	);
	CREATE INDEX restores_due ON restores(due, seq);
	CREATE FUNCTION talus_restores_sync() RETURNS trigger LANGUAGE plpgsql AS $$
	DECLARE
		rs jsonb;
		t  text;
	BEGIN
		IF TG_OP <> 'INSERT' THEN
			DELETE FROM restores WHERE seq = OLD.seq;
		END IF;
		IF TG_OP = 'DELETE' THEN
			RETURN OLD;
		END IF;
		rs := convert_from(NEW.attrs, 'UTF8')::jsonb -> 'rs';
		IF rs IS NULL OR jsonb_typeof(rs) <> 'object' THEN
			RETURN NEW;
		END IF;
		IF coalesce((rs ->> 'done')::boolean, false) THEN
			t := rs ->> 'exp';
		ELSE
			t := rs ->> 'ready';
		END IF;
		IF t IS NOT NULL THEN
			INSERT INTO restores(seq, bucket, name, due)
			VALUES (NEW.seq, NEW.bucket, NEW.name, floor(extract(epoch FROM t::timestamptz) * 1000)::bigint + 1);
		END IF;
		RETURN NEW;
	END $$;
	CREATE TRIGGER restores_insert AFTER INSERT ON versions
		FOR EACH ROW WHEN (position('"rs"' IN convert_from(NEW.attrs, 'UTF8')) > 0) EXECUTE FUNCTION talus_restores_sync();
	CREATE TRIGGER restores_update AFTER UPDATE OF attrs ON versions
		FOR EACH ROW EXECUTE FUNCTION talus_restores_sync();
	CREATE TRIGGER restores_delete AFTER DELETE ON versions
		FOR EACH ROW EXECUTE FUNCTION talus_restores_sync();`,
	// 2: journal records as their transactions commit them, before the
	// sequencer gives them their seqs (sequencer.go).
	`CREATE TABLE journal_pending (
		id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		time   bigint NOT NULL,
		record bytea NOT NULL
	);
	-- A queue: every row is deleted soon after it is inserted. Vacuum it
	-- often, and look for rows through the index, so dead rows cost little.
	ALTER TABLE journal_pending SET (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0);
	-- One sequencer run: number up to lim committed pending records after
	-- journal_head, holding its row to the commit. Each statement sees
	-- what committed before it (READ COMMITTED), so the records numbered
	-- are those committed by the time the head row was locked, or later.
	CREATE FUNCTION talus_sequence(lim integer) RETURNS bigint LANGUAGE plpgsql AS $$
	DECLARE
		head bigint;
		n    bigint;
	BEGIN
		IF NOT EXISTS (SELECT 1 FROM journal_pending ORDER BY id LIMIT 1) THEN
			RETURN 0;
		END IF;
		SELECT seq INTO head FROM journal_head WHERE id = 1 FOR UPDATE;
		WITH moved AS (
			DELETE FROM journal_pending WHERE id IN (SELECT id FROM journal_pending ORDER BY id LIMIT lim)
			RETURNING id, time, record)
		INSERT INTO journal(seq, time, record)
		SELECT head + row_number() OVER (ORDER BY id), time, record FROM moved;
		GET DIAGNOSTICS n = ROW_COUNT;
		IF n > 0 THEN
			UPDATE journal_head SET seq = head + n WHERE id = 1;
		END IF;
		RETURN n;
	END $$;`,
}

// migrate applies the migrations not yet recorded, all in one transaction
// under an advisory lock: a gateway that starts while another migrates
// waits, then finds the work done.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY,
		applied timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return err
	}
	var v int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this binary (%d)", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.Exec(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations(version) VALUES ($1)`, i+1); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}
