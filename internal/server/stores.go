package server

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"talus/internal/blob"
	"talus/internal/blob/localfs"
	"talus/internal/blob/s3remote"
	"talus/internal/meta"
	"talus/internal/meta/sqlite"
)

// BlobsConfig says where the default blob tier lives: "" is the data
// directory's blobs/, a path is a directory (a shared file system when
// gateways scale out), and a URL s3://host[:port]/bucket[/prefix] (HTTPS)
// or s3:http(s)://host[:port]/bucket[/prefix] is a bucket of an existing
// S3 cluster.
type BlobsConfig struct {
	Location  string
	AccessKey string
	SecretKey string
	Region    string
}

// Remote reports whether the blobs live in an S3 bucket.
func (b BlobsConfig) Remote() bool {
	return strings.HasPrefix(b.Location, "s3://") || strings.HasPrefix(b.Location, "s3:")
}

// RemoteURL returns the http(s) URL of a remote blob bucket.
func (b BlobsConfig) RemoteURL() string {
	if rest, ok := strings.CutPrefix(b.Location, "s3://"); ok {
		return "https://" + rest
	}
	return strings.TrimPrefix(b.Location, "s3:")
}

// SharedMeta reports whether dsn names a metadata store several gateways
// share (PostgreSQL) rather than the embedded SQLite database.
func SharedMeta(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openMeta opens the metadata store: the SQLite database in the data
// directory ("" or sqlite:PATH) or PostgreSQL (postgres://...).
func (s *Server) openMeta() error {
	dsn := s.cfg.Meta
	switch {
	case SharedMeta(dsn):
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		st, err := openPostgres(ctx, dsn)
		if err != nil {
			return fmt.Errorf("metadata store: %w", err)
		}
		s.meta = st
		return nil
	case dsn == "" || strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			path = filepath.Join(s.cfg.DataDir, "meta.db")
		}
		db, err := sqlite.Open(path)
		if err != nil {
			return err
		}
		// The free-space reserve guards the SQLite WAL on the data disk.
		db.OnFull(s.space.Release)
		s.meta = db
		return nil
	}
	return fmt.Errorf("--meta must be postgres://... (or postgresql://...) or sqlite:PATH, not %q", RedactDSN(dsn))
}

// RedactDSN hides the password of a DSN (user:password@host, or a
// password= parameter) for messages and --print-config.
func RedactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	return dsn
}

// openBlobs opens the default blob tier.
func (s *Server) openBlobs() (blob.Store, error) {
	b := s.cfg.Blobs
	if !b.Remote() {
		dir := b.Location
		if dir == "" {
			dir = filepath.Join(s.cfg.DataDir, "blobs")
		}
		return localfs.Open(dir)
	}
	ep, bucket, prefix, err := s3remote.ParseURL(b.RemoteURL())
	if err != nil {
		return nil, fmt.Errorf("--blobs: %w", err)
	}
	if b.AccessKey == "" || b.SecretKey == "" {
		return nil, fmt.Errorf("--blobs %s needs credentials (TALUS_BLOBS_ACCESS_KEY and TALUS_BLOBS_SECRET_KEY, or --blobs-credentials FILE)", b.Location)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	st, err := s3remote.Open(ctx, s3remote.Config{Endpoint: ep, Bucket: bucket, Prefix: prefix, Region: b.Region, AccessKey: b.AccessKey, SecretKey: b.SecretKey})
	if err != nil {
		return nil, fmt.Errorf("--blobs: %w", err)
	}
	return st, nil
}

// shared reports whether other gateways may share this one's stores.
func (s *Server) shared() bool {
	_, ok := s.meta.(meta.Notifier)
	return ok || SharedMeta(s.cfg.Meta)
}
