package s3xml

// RestoreRequest is the body of RestoreObject.
type RestoreRequest struct {
	Days                 *int64                `xml:"Days"`
	GlacierJobParameters *GlacierJobParameters `xml:"GlacierJobParameters"`
	// Tier at the top level belongs to select restores.
	Tier             *string   `xml:"Tier"`
	Type             *string   `xml:"Type"`
	Description      *string   `xml:"Description"`
	SelectParameters *struct{} `xml:"SelectParameters"`
	OutputLocation   *struct{} `xml:"OutputLocation"`
}

// GlacierJobParameters holds the retrieval tier of a restore.
type GlacierJobParameters struct {
	Tier string `xml:"Tier"`
}
