package main

import (
	"fmt"
	"os"
	"strings"

	"talus/internal/server"
)

// blobsConfig reads --blobs and, for a remote bucket, its credentials from
// --blobs-credentials FILE (access key, then secret key, one a line) or
// TALUS_BLOBS_ACCESS_KEY and TALUS_BLOBS_SECRET_KEY (and TALUS_BLOBS_REGION).
func blobsConfig(location, credFile string) (server.BlobsConfig, error) {
	b := server.BlobsConfig{Location: location}
	if !b.Remote() {
		if credFile != "" {
			return b, fmt.Errorf("--blobs-credentials goes with --blobs s3://...")
		}
		return b, nil
	}
	if credFile != "" {
		data, err := os.ReadFile(credFile)
		if err != nil {
			return b, fmt.Errorf("--blobs-credentials: %w", err)
		}
		lines := strings.Fields(string(data))
		if len(lines) != 2 {
			return b, fmt.Errorf("--blobs-credentials: the file holds the access key and the secret key, one a line")
		}
		b.AccessKey, b.SecretKey = lines[0], lines[1]
	} else {
		b.AccessKey, b.SecretKey = os.Getenv("TALUS_BLOBS_ACCESS_KEY"), os.Getenv("TALUS_BLOBS_SECRET_KEY")
	}
	b.Region = os.Getenv("TALUS_BLOBS_REGION")
	if b.AccessKey == "" || b.SecretKey == "" {
		return b, fmt.Errorf("--blobs %s needs credentials: --blobs-credentials FILE or TALUS_BLOBS_ACCESS_KEY and TALUS_BLOBS_SECRET_KEY", location)
	}
	return b, nil
}
