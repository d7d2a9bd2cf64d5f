package s3err

import "net/http"

// The S3 Metadata configuration errors.
const (
	MetadataConfigurationNotFound Code = "MetadataConfigurationNotFound"
	// MetadataConfigurationAlreadyExists: Create on a bucket that has a
	// metadata configuration (S3 wants it deleted first).
	MetadataConfigurationAlreadyExists Code = "MetadataTableAlreadyExistsError"
)

func init() {
	table[MetadataConfigurationNotFound] = entry{http.StatusNotFound, "The metadata table configuration does not exist."}
	table[MetadataConfigurationAlreadyExists] = entry{http.StatusConflict, "A metadata configuration already exists for this bucket. Delete it before creating a new one."}
}
