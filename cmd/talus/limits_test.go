package main

import (
	"flag"
	"io"
	"testing"
	"time"

	"talus/internal/server"
	"talus/internal/space"
)

func TestLimitFlags(t *testing.T) {
	parse := func(args ...string) (*limits, error) {
		fl := flag.NewFlagSet("server", flag.ContinueOnError)
		fl.SetOutput(io.Discard)
		l := limitFlags(fl)
		if err := fl.Parse(args); err != nil {
			return nil, err
		}
		return l, l.check()
	}
	l, err := parse()
	if err != nil {
		t.Fatal(err)
	}
	cfg := l.apply(server.Config{})
	if cfg.MinFreeSpace != (space.Threshold{Bytes: 1 << 30}) || cfg.SpaceReserve != 64<<20 || cfg.IdleTimeout != 20*time.Second || cfg.MaxConnections < 16 {
		t.Fatalf("defaults: %+v", cfg)
	}
	l, err = parse("--min-free-space", "5%", "--space-reserve", "0", "--idle-timeout", "2s", "--max-connections", "10")
	if err != nil {
		t.Fatal(err)
	}
	cfg = l.apply(server.Config{})
	if cfg.MinFreeSpace != (space.Threshold{Percent: 5}) || cfg.SpaceReserve != 0 || cfg.IdleTimeout != 2*time.Second || cfg.MaxConnections != 10 {
		t.Fatalf("set: %+v", cfg)
	}
	for _, bad := range [][]string{{"--min-free-space", "lots"}, {"--space-reserve", "-1"}, {"--idle-timeout", "-1s"}, {"--max-connections", "-1"}} {
		if _, err := parse(bad...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
