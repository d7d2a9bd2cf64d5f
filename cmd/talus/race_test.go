//go:build race

package main

// The race detector's instrumentation allocates on its own account during
// package initialisation, so the bound is looser under -race; the build
// without it keeps the strict one.
func init() { initBytesLimit = 4 * maxInitBytes }
