package s3api

import (
	"talus/internal/meta"
)

// withChange puts who runs the request, from where, and which operation
// into the request's context, where the metadata store reads it for the
// change journal's records. It is called once the principal is known.
func (a *API) withChange(req *request, operation string) {
	c := meta.Change{SourceIP: remoteIP(req.Request), RequestID: req.id, HostID: req.hostID, Operation: operation}
	if !req.principal.Anonymous {
		c.Requester, c.Principal = req.principal.AccountID(), req.principal.ARN()
	}
	req.Request = req.WithContext(meta.WithChange(req.Context(), c))
}
