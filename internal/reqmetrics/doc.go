// Package reqmetrics exports S3 request metrics per bucket metrics
// configuration as Prometheus series, named for S3's CloudWatch request
// metrics (AllRequests, GetRequests, ..., 4xxErrors, 5xxErrors,
// BytesDownloaded, BytesUploaded, FirstByteLatency, TotalRequestLatency)
// and labelled with the bucket and the configuration's Id. It implements
// s3api.RequestMetrics and prometheus.Collector; it imports only s3api's
// sample type, never the server.
package reqmetrics
