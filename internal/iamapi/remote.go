package iamapi

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"regexp"

	"talus/internal/meta"
)

// remoteActions are Talus's replication administration actions, for the
// administrator's account only: remotes (S3 endpoints replication rules
// name as destinations, secrets sealed like access key secrets) and
// replication of the objects that existed before a rule.
var remoteActions = map[string]bool{
	"TalusPutReplicationRemote": true, "TalusListReplicationRemotes": true,
	"TalusDeleteReplicationRemote": true, "TalusReplicateExisting": true,
}

// Existing starts replication of a bucket's existing objects.
type Existing interface {
	RequestExisting(ctx context.Context, bucket string) error
}

// SetReplication hands the handler replication's existing-object runner.
func (h *Handler) SetReplication(e Existing) { h.existing = e }

var remoteName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

type remoteInfo struct {
	RemoteName  string `xml:"RemoteName"`
	Endpoint    string `xml:"Endpoint"`
	Region      string `xml:"Region"`
	AccessKeyID string `xml:"AccessKeyId"`
	PathStyle   bool   `xml:"PathStyle"`
	CreateDate  string `xml:"CreateDate"`
}

type listRemotesResponse struct {
	XMLName xml.Name `xml:"TalusListReplicationRemotesResponse"`
	Result  struct {
		Remotes []remoteInfo `xml:"Remotes>member"`
	} `xml:"TalusListReplicationRemotesResult"`
	respMeta
}

func (h *Handler) remotes() (meta.Replication, error) {
	r, ok := h.store.(meta.Replication)
	if !ok {
		return nil, errf(http.StatusNotImplemented, "NotImplemented", "This metadata store keeps no replication remotes.")
	}
	return r, nil
}

func (h *Handler) remoteAction(ctx context.Context, action string, form url.Values) (response, error) {
	rs, err := h.remotes()
	if err != nil {
		return nil, err
	}
	switch action {
	case "TalusPutReplicationRemote":
		name, err := h.param(form, "RemoteName", remoteName)
		if err != nil {
			return nil, err
		}
		endpoint, err := h.param(form, "Endpoint", nil)
		if err != nil {
			return nil, err
		}
		if u, err := url.Parse(endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errf(http.StatusBadRequest, "ValidationError", "The endpoint must be an http:// or https:// URL.")
		}
		ak, err := h.param(form, "AccessKeyId", nil)
		if err != nil {
			return nil, err
		}
		sk, err := h.param(form, "SecretAccessKey", nil)
		if err != nil {
			return nil, err
		}
		r := meta.Remote{Name: name, Endpoint: endpoint, Region: form.Get("Region"), AccessKey: ak, PathStyle: form.Get("PathStyle") == "true",
			SealedSecret: h.ids.Sealer().Seal("remote:"+name, sk), Created: h.now().UTC()}
		if err := rs.PutRemote(ctx, r, form.Get("Replace") == "true"); errors.Is(err, meta.ErrRemoteExists) {
			return nil, errf(http.StatusConflict, "EntityAlreadyExists", "A replication remote named %s already exists.", name)
		} else if err != nil {
			return nil, err
		}
		return &emptyResponse{XMLName: xml.Name{Local: "TalusPutReplicationRemoteResponse"}}, nil
	case "TalusListReplicationRemotes":
		all, err := rs.ListRemotes(ctx)
		if err != nil {
			return nil, err
		}
		out := &listRemotesResponse{}
		out.Result.Remotes = []remoteInfo{}
		for _, r := range all {
			out.Result.Remotes = append(out.Result.Remotes, remoteInfo{RemoteName: r.Name, Endpoint: r.Endpoint, Region: r.Region,
				AccessKeyID: r.AccessKey, PathStyle: r.PathStyle, CreateDate: isoTime(r.Created)})
		}
		return out, nil
	case "TalusDeleteReplicationRemote":
		name, err := h.param(form, "RemoteName", remoteName)
		if err != nil {
			return nil, err
		}
		if err := rs.DeleteRemote(ctx, name); errors.Is(err, meta.ErrNoSuchRemote) {
			return nil, errf(http.StatusNotFound, "NoSuchEntity", "The replication remote %s cannot be found.", name)
		} else if err != nil {
			return nil, err
		}
		return &emptyResponse{XMLName: xml.Name{Local: "TalusDeleteReplicationRemoteResponse"}}, nil
	case "TalusReplicateExisting":
		bucket, err := h.param(form, "Bucket", nil)
		if err != nil {
			return nil, err
		}
		if h.existing == nil {
			return nil, errf(http.StatusNotImplemented, "NotImplemented", "Replication is not running.")
		}
		if err := h.existing.RequestExisting(ctx, bucket); err != nil {
			return nil, errf(http.StatusBadRequest, "ValidationError", "%s", err.Error())
		}
		return &emptyResponse{XMLName: xml.Name{Local: "TalusReplicateExistingResponse"}}, nil
	}
	return nil, errf(http.StatusBadRequest, "InvalidAction", "The action %s is not valid for this web service.", action)
}
