// Package cachebus keeps the in-memory caches of gateways that share one
// metadata store coherent: a gateway that changes something it caches
// (an access key, a policy, an account, a KMS key or alias) publishes the
// change, and every gateway drops its cached copy when the message comes.
// Messages travel through the store's meta.Notifier (PostgreSQL
// LISTEN/NOTIFY); with a store that has none (the embedded SQLite one,
// owned by one process) publishing only reaches this process. Messages may
// be lost (a connection drop): after a reconnect every cache is dropped
// whole, and every cache also keeps its short TTL as a safety net.
//
// It must not import the S3 API or any store implementation.
package cachebus
