package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// runHealth probes the server's readiness endpoint: exit 0 when ready.
// Container health checks use it, so an image needs no curl.
func runHealth(args []string, out io.Writer) error {
	fl := flag.NewFlagSet("health", flag.ContinueOnError)
	addr := fl.String("address", env("TALUS_ADDRESS", "127.0.0.1:9000"), "the server's listen address (env TALUS_ADDRESS); an unspecified host probes loopback")
	useTLS := fl.Bool("tls", false, "the server serves HTTPS (the certificate is not verified: this is a local probe)")
	timeout := fl.Duration("timeout", 5*time.Second, "how long the probe may take")
	if err := fl.Parse(args); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("--address: %w", err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	scheme := "http"
	if *useTLS {
		scheme = "https"
	}
	c := &http.Client{Timeout: *timeout, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	url := scheme + "://" + net.JoinHostPort(host, port) + "/_talus/health/ready"
	resp, err := c.Get(url)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s: %s", url, resp.Status)
	}
	fmt.Fprintln(out, "ready")
	return nil
}
