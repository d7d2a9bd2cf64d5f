package server

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"talus/internal/blob"
	"talus/internal/blob/localfs"
	"talus/internal/blob/s3remote"
	"talus/internal/blob/tiered"
)

// TierConfig is one storage tier besides the data directory: a directory
// (Dir) or a bucket on an S3 endpoint (URL, with its credentials).
type TierConfig struct {
	Name string
	Dir  string
	// URL is http(s)://host[:port]/bucket[/prefix].
	URL       string
	AccessKey string
	SecretKey string
	// Region signs requests to the remote endpoint (default us-east-1).
	Region string
}

// tierClasses are the names a class-to-tier mapping may use: the storage
// classes of general purpose buckets and the Intelligent-Tiering archive
// tiers.
var tierClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER_IR": true, "GLACIER": true, "DEEP_ARCHIVE": true,
	"ARCHIVE_ACCESS": true, "DEEP_ARCHIVE_ACCESS": true,
}

// openTiers opens the configured tiers and checks the class mapping; any
// error refuses the start. It runs before anything is written to the
// data directory.
func openTiers(cfg Config) (map[string]blob.Store, error) {
	stores := map[string]blob.Store{}
	closeAll := func() {
		for _, s := range stores {
			s.Close()
		}
	}
	for _, t := range cfg.Tiers {
		if !tiered.ValidName(t.Name) {
			closeAll()
			return nil, fmt.Errorf("tier name %q: 1-32 lowercase letters, digits or '-', starting with a letter", t.Name)
		}
		if _, dup := stores[t.Name]; dup {
			closeAll()
			return nil, fmt.Errorf("tier %s is configured twice", t.Name)
		}
		s, err := openTier(cfg, t)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("tier %s: %w", t.Name, err)
		}
		stores[t.Name] = s
	}
	for class, name := range cfg.ClassTiers {
		if !tierClasses[class] {
			closeAll()
			return nil, fmt.Errorf("storage class %q cannot be mapped to a tier (one of STANDARD, REDUCED_REDUNDANCY, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE, ARCHIVE_ACCESS, DEEP_ARCHIVE_ACCESS)", class)
		}
		if _, ok := stores[name]; !ok {
			closeAll()
			return nil, fmt.Errorf("storage class %s is mapped to tier %q, which is not configured", class, name)
		}
	}
	return stores, nil
}

func openTier(cfg Config, t TierConfig) (blob.Store, error) {
	switch {
	case (t.Dir == "") == (t.URL == ""):
		return nil, fmt.Errorf("a tier is a directory or a remote bucket URL")
	case t.Dir != "":
		dir, err := filepath.Abs(t.Dir)
		if err != nil {
			return nil, err
		}
		data, err := filepath.Abs(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		if rel, err := filepath.Rel(data, dir); err == nil && !strings.HasPrefix(rel, "..") {
			return nil, fmt.Errorf("directory %s is inside the data directory", dir)
		}
		return localfs.Open(dir)
	}
	ep, bucket, prefix, err := s3remote.ParseURL(t.URL)
	if err != nil {
		return nil, err
	}
	if t.AccessKey == "" || t.SecretKey == "" {
		return nil, fmt.Errorf("remote tier %s needs credentials", ep)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return s3remote.Open(ctx, s3remote.Config{Endpoint: ep, Bucket: bucket, Prefix: prefix, Region: t.Region, AccessKey: t.AccessKey, SecretKey: t.SecretKey})
}

// classTier is the tier a class's data goes to ("" the default tier).
func (s *Server) classTier(class string) string { return s.cfg.ClassTiers[class] }
