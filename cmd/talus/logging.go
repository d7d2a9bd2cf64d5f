package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
)

// newLogger writes to stderr in the chosen format.
func newLogger(format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

// readMetricsToken returns the metrics bearer token for --metrics token:
// from the file, else the --metrics-token setting (env TALUS_METRICS_TOKEN).
func readMetricsToken(mode, tok, file string) (string, error) {
	switch mode {
	case "off", "open":
		return "", nil
	case "token":
	default:
		return "", fmt.Errorf("--metrics must be off, open or token, not %q", mode)
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--metrics-token-file: %w", err)
		}
		tok = string(b)
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", errors.New("--metrics token needs a token: --metrics-token-file, env TALUS_METRICS_TOKEN or --metrics-token")
	}
	return tok, nil
}

// consoleAddress resolves --console-address: "off" is none, "" the API's
// host on the next port (port 0, a test's kernel-chosen port, stays 0).
func consoleAddress(flagValue, apiAddr string) string {
	switch flagValue {
	case "off":
		return ""
	case "":
		host, port, err := net.SplitHostPort(apiAddr)
		if err != nil {
			return ""
		}
		n, err := strconv.Atoi(port)
		if err != nil || n == 0 {
			return net.JoinHostPort(host, "0")
		}
		return net.JoinHostPort(host, strconv.Itoa(n+1))
	}
	return flagValue
}
