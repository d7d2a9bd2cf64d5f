// Package console serves the web console: the single-page app built from
// console/ (npm, esbuild) into dist/ and embedded here, and config.json,
// which tells the app where the API is. The app signs its own S3, IAM and
// KMS requests; this package serves files only and must not import the
// API or store packages.
package console
