package main

import (
	"runtime"
	"runtime/debug"
)

// versionString is the module version and VCS commit the binary was built
// from, as the Go toolchain recorded them; version (set by -ldflags -X)
// wins when given.
func versionString() string {
	v, commit, modified := version, "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	out := v
	if commit != "" {
		out += " commit " + commit
		if modified {
			out += " (modified)"
		}
	}
	return out + " " + runtime.Version()
}
