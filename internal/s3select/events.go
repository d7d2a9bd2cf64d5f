package s3select

import (
	"io"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// eventWriter frames event-stream messages: a prelude (total length,
// headers length, prelude CRC32), headers, payload and message CRC32.
type eventWriter struct {
	w   io.Writer
	enc *eventstream.Encoder
}

func newEventWriter(w io.Writer) *eventWriter {
	return &eventWriter{w: w, enc: eventstream.NewEncoder()}
}

func (e *eventWriter) event(typ, contentType string, payload []byte) error {
	var h eventstream.Headers
	h.Set(":event-type", eventstream.StringValue(typ))
	if contentType != "" {
		h.Set(":content-type", eventstream.StringValue(contentType))
	}
	h.Set(":message-type", eventstream.StringValue("event"))
	return e.enc.Encode(e.w, eventstream.Message{Headers: h, Payload: payload})
}

func (e *eventWriter) records(payload []byte) error {
	return e.event("Records", "application/octet-stream", payload)
}

func (e *eventWriter) cont() error { return e.event("Cont", "", nil) }
func (e *eventWriter) end() error  { return e.event("End", "", nil) }

// Stats is what Stats and Progress events report.
type Stats struct{ BytesScanned, BytesProcessed, BytesReturned int64 }

func (s Stats) xml(root string) []byte {
	b := []byte(`<?xml version="1.0" encoding="UTF-8"?><` + root + `><BytesScanned>`)
	b = strconv.AppendInt(b, s.BytesScanned, 10)
	b = append(b, "</BytesScanned><BytesProcessed>"...)
	b = strconv.AppendInt(b, s.BytesProcessed, 10)
	b = append(b, "</BytesProcessed><BytesReturned>"...)
	b = strconv.AppendInt(b, s.BytesReturned, 10)
	b = append(b, "</BytesReturned></"+root+">"...)
	return b
}

func (e *eventWriter) stats(s Stats) error { return e.event("Stats", "text/xml", s.xml("Stats")) }
func (e *eventWriter) progress(s Stats) error {
	return e.event("Progress", "text/xml", s.xml("Progress"))
}

// fail sends an error message: :message-type error with its code and text.
func (e *eventWriter) fail(code, message string) error {
	var h eventstream.Headers
	h.Set(":error-code", eventstream.StringValue(code))
	h.Set(":error-message", eventstream.StringValue(message))
	h.Set(":message-type", eventstream.StringValue("error"))
	return e.enc.Encode(e.w, eventstream.Message{Headers: h})
}
