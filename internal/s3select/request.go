package s3select

import (
	"strings"

	"talus/internal/s3err"
)

// Request is a SelectObjectContent request, as its XML names the fields.
type Request struct {
	Expression      string
	ExpressionType  string
	Compression     string // NONE, GZIP, BZIP2 ("" is NONE)
	CSVIn           *CSVInput
	JSONIn          *JSONInput
	ParquetIn       bool
	CSVOut          *CSVOutput
	JSONOut         *JSONOutput
	RequestProgress bool
	// ScanRange: nil when absent; Start or End nil when not given.
	ScanRange *ScanRange
	// inputs counts the input formats given (CSV, JSON, Parquet).
	Inputs, Outputs int
}

// CSVInput is InputSerialization/CSV.
type CSVInput struct {
	FileHeaderInfo             string
	Comments                   *string
	QuoteEscapeCharacter       *string
	RecordDelimiter            *string
	FieldDelimiter             *string
	QuoteCharacter             *string
	AllowQuotedRecordDelimiter bool
}

// JSONInput is InputSerialization/JSON.
type JSONInput struct{ Type string }

// CSVOutput is OutputSerialization/CSV.
type CSVOutput struct {
	QuoteFields          string
	QuoteEscapeCharacter *string
	RecordDelimiter      *string
	FieldDelimiter       *string
	QuoteCharacter       *string
}

// JSONOutput is OutputSerialization/JSON.
type JSONOutput struct{ RecordDelimiter *string }

// ScanRange is the byte range whose records are read.
type ScanRange struct{ Start, End *int64 }

// Plan is a checked request, ready to run. A plan scans one object at a
// time (its query caches column positions), never two at once.
type Plan struct {
	req   *Request
	q     *Query
	csvIn csvOptions
	out   outOptions
	lines bool // JSON LINES
}

type csvOptions struct {
	header      string
	comment     byte
	quote       byte
	esc         byte
	fd          byte
	rd          byte
	crlf        bool // record delimiter \n also ends at \r\n
	allowQuoted bool
}

type outOptions struct {
	csv         bool
	quoteAlways bool
	quote       byte
	esc         byte
	fd          byte
	rd          string
}

func oneChar(p *string, def byte, what string, allowEmpty bool) (byte, error) {
	if p == nil {
		return def, nil
	}
	s := *p
	if s == "" && allowEmpty {
		return 0, nil
	}
	if len(s) != 1 {
		return 0, s3err.Newf(s3err.InvalidRequestParameter, "%s must be a single character.", what)
	}
	return s[0], nil
}

// Prepare checks req and parses its SQL; every error is one AWS sends
// before the response starts.
func Prepare(req *Request) (*Plan, error) {
	if strings.TrimSpace(req.Expression) == "" {
		return nil, s3err.Newf(s3err.MissingRequiredParameter, "The Expression element is required.")
	}
	if req.ExpressionType == "" {
		return nil, s3err.Newf(s3err.MissingRequiredParameter, "The ExpressionType element is required.")
	}
	if req.ExpressionType != "SQL" {
		return nil, s3err.New(s3err.InvalidExpressionType)
	}
	if req.Inputs == 0 || req.Outputs == 0 {
		return nil, s3err.Newf(s3err.MissingRequiredParameter, "InputSerialization and OutputSerialization each need one format.")
	}
	if req.Inputs > 1 || req.Outputs > 1 {
		return nil, s3err.New(s3err.ObjectSerializationConflict)
	}
	switch req.Compression {
	case "", "NONE", "GZIP", "BZIP2":
	default:
		return nil, s3err.New(s3err.InvalidCompressionFormat)
	}
	p := &Plan{req: req}
	if c := req.CSVIn; c != nil {
		o := csvOptions{header: strings.ToUpper(c.FileHeaderInfo), allowQuoted: c.AllowQuotedRecordDelimiter}
		switch o.header {
		case "":
			o.header = "NONE"
		case "NONE", "USE", "IGNORE":
		default:
			return nil, s3err.New(s3err.InvalidFileHeaderInfo)
		}
		var err error
		if o.comment, err = oneChar(c.Comments, '#', "Comments", true); err != nil {
			return nil, err
		}
		if o.quote, err = oneChar(c.QuoteCharacter, '"', "QuoteCharacter", true); err != nil {
			return nil, err
		}
		if o.esc, err = oneChar(c.QuoteEscapeCharacter, o.quote, "QuoteEscapeCharacter", true); err != nil {
			return nil, err
		}
		if o.fd, err = oneChar(c.FieldDelimiter, ',', "FieldDelimiter", false); err != nil {
			return nil, err
		}
		o.rd, o.crlf = '\n', true
		if rd := c.RecordDelimiter; rd != nil {
			switch {
			case *rd == "\r\n":
			case len(*rd) == 1:
				o.rd, o.crlf = (*rd)[0], *rd == "\n"
			default:
				return nil, s3err.Newf(s3err.InvalidRequestParameter, "RecordDelimiter must be one character or \\r\\n.")
			}
		}
		if o.esc == 0 {
			o.esc = o.quote
		}
		p.csvIn = o
	}
	if j := req.JSONIn; j != nil {
		switch strings.ToUpper(j.Type) {
		case "DOCUMENT":
		case "LINES":
			p.lines = true
		default:
			return nil, s3err.New(s3err.InvalidJSONType)
		}
	}
	if req.ParquetIn && req.Compression != "" && req.Compression != "NONE" {
		return nil, s3err.Newf(s3err.InvalidCompressionFormat, "Parquet objects take CompressionType NONE; Parquet compresses its own pages.")
	}
	if req.ScanRange != nil {
		if req.Compression != "" && req.Compression != "NONE" || req.ParquetIn || req.JSONIn != nil && !p.lines {
			return nil, s3err.New(s3err.UnsupportedScanRangeInput)
		}
		sr := req.ScanRange
		if sr.Start != nil && *sr.Start < 0 || sr.End != nil && *sr.End < 0 ||
			sr.Start != nil && sr.End != nil && *sr.End < *sr.Start {
			return nil, s3err.New(s3err.InvalidScanRange)
		}
	}
	if c := req.CSVOut; c != nil {
		o := outOptions{csv: true, rd: "\n"}
		switch strings.ToUpper(c.QuoteFields) {
		case "", "ASNEEDED":
		case "ALWAYS":
			o.quoteAlways = true
		default:
			return nil, s3err.New(s3err.InvalidQuoteFields)
		}
		var err error
		if o.quote, err = oneChar(c.QuoteCharacter, '"', "QuoteCharacter", true); err != nil {
			return nil, err
		}
		if o.esc, err = oneChar(c.QuoteEscapeCharacter, o.quote, "QuoteEscapeCharacter", true); err != nil {
			return nil, err
		}
		if o.fd, err = oneChar(c.FieldDelimiter, ',', "FieldDelimiter", false); err != nil {
			return nil, err
		}
		if c.RecordDelimiter != nil {
			if n := len(*c.RecordDelimiter); n < 1 || n > 2 {
				return nil, s3err.Newf(s3err.InvalidRequestParameter, "RecordDelimiter must be one or two characters.")
			}
			o.rd = *c.RecordDelimiter
		}
		if o.esc == 0 {
			o.esc = o.quote
		}
		p.out = o
	}
	if j := req.JSONOut; j != nil {
		p.out = outOptions{rd: "\n"}
		if j.RecordDelimiter != nil {
			if n := len(*j.RecordDelimiter); n < 1 || n > 2 {
				return nil, s3err.Newf(s3err.InvalidRequestParameter, "RecordDelimiter must be one or two characters.")
			}
			p.out.rd = *j.RecordDelimiter
		}
	}
	q, err := Parse(req.Expression)
	if err != nil {
		return nil, err
	}
	p.q = q
	return p, nil
}
