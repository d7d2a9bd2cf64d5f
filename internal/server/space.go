package server

import (
	"time"

	"talus/internal/space"
)

// spaceInterval is how often the free-space guard looks at the disk when no
// write asks it to.
const spaceInterval = 5 * time.Second

// openSpace sets up the free-space guard. It runs before the stores open so
// that on a full disk the reserve is released first and the metadata store
// can recover its WAL.
//
// The reserve exists for the embedded SQLite database on the data disk;
// with PostgreSQL there is none, and the free-space threshold watches the
// blob directory (nothing, for blobs in an S3 bucket, whose cluster
// answers for its own space).
func (s *Server) openSpace() {
	dir, minFree, reserve := s.cfg.DataDir, s.cfg.MinFreeSpace, s.cfg.SpaceReserve
	if SharedMeta(s.cfg.Meta) {
		reserve = 0
		switch {
		case s.cfg.Blobs.Remote():
			minFree = space.Threshold{}
		case s.cfg.Blobs.Location != "":
			dir = s.cfg.Blobs.Location
		}
	}
	s.space = space.New(space.Config{Dir: dir, MinFree: minFree, Reserve: reserve, Statfs: s.cfg.Statfs})
	if reserve > 0 && !s.space.Held() {
		s.log.Warn("free-space reserve not in place: the disk is nearly full", "reserve", space.FormatSize(uint64(s.cfg.SpaceReserve)))
	}
}
