// Package browser drives a real headless Chromium (through the DevTools
// protocol, with chromedp) against a Talus server: cross-origin fetch()
// calls that need CORS preflights, and browsing a bucket's static website.
// It is its own package so that chromedp stays a test-only dependency.
package browser
