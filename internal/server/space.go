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
func (s *Server) openSpace() {
	s.space = space.New(space.Config{
		Dir: s.cfg.DataDir, MinFree: s.cfg.MinFreeSpace, Reserve: s.cfg.SpaceReserve, Statfs: s.cfg.Statfs,
	})
	if s.cfg.SpaceReserve > 0 && !s.space.Held() {
		s.log.Warn("free-space reserve not in place: the disk is nearly full", "reserve", space.FormatSize(uint64(s.cfg.SpaceReserve)))
	}
}
