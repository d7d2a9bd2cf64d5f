// Package notify delivers S3 event notifications: it reads the change
// journal (meta.Journal) and sends each record that a bucket's
// notification configuration selects, as S3's event JSON, to the
// operator-configured targets (webhook, NATS, JetStream, AMQP 0-9-1, Kafka,
// Redis, PostgreSQL), each addressed by an ARN. Delivery is at least once
// and in journal order per target, with one durable journal cursor per
// target, retries with exponential backoff and a bounded backlog; it runs
// as a shared worker job, so one gateway delivers.
//
// It owns the target configuration file and the event formats. It must
// not import the S3 API (s3api) or the server; the event rules (names,
// filters) come from package s3.
package notify
