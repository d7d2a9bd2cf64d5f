package s3xml

// SelectObjectContentRequest is the body of SelectObjectContent.
type SelectObjectContentRequest struct {
	Expression          *string          `xml:"Expression"`
	ExpressionType      *string          `xml:"ExpressionType"`
	RequestProgress     *SelectProgress  `xml:"RequestProgress"`
	InputSerialization  *SelectInput     `xml:"InputSerialization"`
	OutputSerialization *SelectOutput    `xml:"OutputSerialization"`
	ScanRange           *SelectScanRange `xml:"ScanRange"`
}

// SelectProgress is RequestProgress.
type SelectProgress struct {
	Enabled bool `xml:"Enabled"`
}

// SelectInput is InputSerialization.
type SelectInput struct {
	CompressionType *string          `xml:"CompressionType"`
	CSV             *SelectCSVInput  `xml:"CSV"`
	JSON            *SelectJSONInput `xml:"JSON"`
	Parquet         *struct{}        `xml:"Parquet"`
}

// SelectCSVInput is InputSerialization/CSV.
type SelectCSVInput struct {
	AllowQuotedRecordDelimiter *bool   `xml:"AllowQuotedRecordDelimiter"`
	Comments                   *string `xml:"Comments"`
	FieldDelimiter             *string `xml:"FieldDelimiter"`
	FileHeaderInfo             *string `xml:"FileHeaderInfo"`
	QuoteCharacter             *string `xml:"QuoteCharacter"`
	QuoteEscapeCharacter       *string `xml:"QuoteEscapeCharacter"`
	RecordDelimiter            *string `xml:"RecordDelimiter"`
}

// SelectJSONInput is InputSerialization/JSON.
type SelectJSONInput struct {
	Type *string `xml:"Type"`
}

// SelectOutput is OutputSerialization.
type SelectOutput struct {
	CSV  *SelectCSVOutput  `xml:"CSV"`
	JSON *SelectJSONOutput `xml:"JSON"`
}

// SelectCSVOutput is OutputSerialization/CSV.
type SelectCSVOutput struct {
	QuoteFields          *string `xml:"QuoteFields"`
	QuoteEscapeCharacter *string `xml:"QuoteEscapeCharacter"`
	RecordDelimiter      *string `xml:"RecordDelimiter"`
	FieldDelimiter       *string `xml:"FieldDelimiter"`
	QuoteCharacter       *string `xml:"QuoteCharacter"`
}

// SelectJSONOutput is OutputSerialization/JSON.
type SelectJSONOutput struct {
	RecordDelimiter *string `xml:"RecordDelimiter"`
}

// SelectScanRange is ScanRange.
type SelectScanRange struct {
	Start *int64 `xml:"Start"`
	End   *int64 `xml:"End"`
}
