package server

import (
	"talus/internal/mdtables"
	"talus/internal/s3api"
)

// newMetadataTables sets up the S3 Metadata table writer; it writes the
// table files as ordinary objects through the S3 API's handlers.
func (s *Server) newMetadataTables(api *s3api.API) *mdtables.Worker {
	return mdtables.New(mdtables.Config{Meta: s.meta, Objects: api.Objects(), Interval: s.cfg.MetadataTableInterval,
		CompactInterval: s.cfg.MetadataTableCompaction, Logger: s.log})
}

// MetadataTables returns the S3 Metadata table writer (for tests).
func (s *Server) MetadataTables() *mdtables.Worker { return s.mdtables }
