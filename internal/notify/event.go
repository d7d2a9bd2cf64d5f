package notify

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"talus/internal/meta"
	"talus/internal/s3"
)

// The event JSON S3 sends, field for field ("Event message structure").
type (
	eventDoc struct {
		Records []eventRecord `json:"Records"`
	}
	eventRecord struct {
		EventVersion      string         `json:"eventVersion"`
		EventSource       string         `json:"eventSource"`
		AWSRegion         string         `json:"awsRegion"`
		EventTime         string         `json:"eventTime"`
		EventName         string         `json:"eventName"`
		UserIdentity      principal      `json:"userIdentity"`
		RequestParameters requestParams  `json:"requestParameters"`
		ResponseElements  responseElems  `json:"responseElements"`
		S3                s3Entity       `json:"s3"`
		LifecycleData     *lifecycleData `json:"lifecycleEventData,omitempty"`
		// AnnotationData names the annotation of ObjectAnnotation events
		// (S3 publishes no payload for them; this is the name the event is about).
		AnnotationData *annotationData `json:"annotationEventData,omitempty"`
		GlacierData    *glacierData    `json:"glacierEventData,omitempty"`
		TieringData    *tieringData    `json:"intelligentTieringEventData,omitempty"`
		ReplData       *replData       `json:"replicationEventData,omitempty"`
	}
	// replData is on s3:Replication:* events only.
	replData struct {
		RuleID          string `json:"replicationRuleId,omitempty"`
		Destination     string `json:"destinationBucket,omitempty"`
		Operation       string `json:"s3Operation"`
		RequestTime     string `json:"requestTime"`
		FailureReason   string `json:"failureReason,omitempty"`
		Threshold       string `json:"threshold,omitempty"`
		ReplicationTime string `json:"replicationTime,omitempty"`
	}
	// glacierData is on s3:ObjectRestore:Completed events only.
	glacierData struct {
		RestoreEventData struct {
			LifecycleRestorationExpiryTime string `json:"lifecycleRestorationExpiryTime,omitempty"`
			LifecycleRestoreStorageClass   string `json:"lifecycleRestoreStorageClass"`
		} `json:"restoreEventData"`
	}
	tieringData struct {
		DestinationAccessTier string `json:"destinationAccessTier"`
	}
	annotationData struct {
		AnnotationName string `json:"annotationName"`
	}
	principal struct {
		PrincipalID string `json:"principalId"`
	}
	requestParams struct {
		SourceIPAddress string `json:"sourceIPAddress"`
	}
	responseElems struct {
		RequestID string `json:"x-amz-request-id"`
		HostID    string `json:"x-amz-id-2"`
	}
	s3Entity struct {
		SchemaVersion   string   `json:"s3SchemaVersion"`
		ConfigurationID string   `json:"configurationId"`
		Bucket          s3Bucket `json:"bucket"`
		Object          s3Object `json:"object"`
	}
	s3Bucket struct {
		Name          string    `json:"name"`
		OwnerIdentity principal `json:"ownerIdentity"`
		ARN           string    `json:"arn"`
	}
	s3Object struct {
		Key       string `json:"key"`
		Size      *int64 `json:"size,omitempty"`
		ETag      string `json:"eTag,omitempty"`
		VersionID string `json:"versionId,omitempty"`
		Sequencer string `json:"sequencer"`
	}
	lifecycleData struct {
		TransitionEventData struct {
			DestinationStorageClass string `json:"destinationStorageClass"`
		} `json:"transitionEventData"`
	}
)

// timeFormat is ISO 8601 with milliseconds, as S3 writes eventTime.
const timeFormat = "2006-01-02T15:04:05.000Z"

// Sequencer is a record's s3.object.sequencer: its journal seq in
// fixed-width hex, so the events of a key compare in the order of its changes.
func Sequencer(seq int64) string { return fmt.Sprintf("%016X", seq) }

// eventVersion is the structure's version by event type: 2.2 for
// replication, 2.3 for lifecycle, Intelligent-Tiering, ACL, tagging and
// restore-delete events, 2.1 for the rest.
func eventVersion(name string) string {
	for _, p := range []string{"s3:LifecycleExpiration:", "s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectAcl:", "s3:ObjectTagging:", "s3:ObjectRestore:Delete"} {
		if strings.HasPrefix(name, p) {
			return "2.3"
		}
	}
	if strings.HasPrefix(name, "s3:Replication:") {
		return "2.2"
	}
	return "2.1"
}

// principalID names who made the change: the IAM principal's ARN, the
// account (or service) otherwise, and S3's anonymous principal for
// anonymous requests.
func principalID(r *meta.Record) string {
	switch {
	case r.Principal != "" && !strings.HasSuffix(r.Principal, ":root"):
		return "AWS:" + r.Principal
	case r.Requester != "":
		return r.Requester
	}
	return "ANONYMOUS_PRINCIPAL"
}

// EventJSON is the S3 event message of record r for the rule configID
// of bucket b; hostID stands in for x-amz-id-2 when the change had no
// request (lifecycle).
func EventJSON(r *meta.Record, b *meta.Bucket, configID, hostID string) []byte {
	name := r.S3EventName()
	rec := eventRecord{
		EventVersion: eventVersion(name), EventSource: "aws:s3", AWSRegion: b.Region,
		EventTime: r.Time.UTC().Format(timeFormat), EventName: strings.TrimPrefix(name, "s3:"),
		UserIdentity:      principal{principalID(r)},
		RequestParameters: requestParams{r.SourceIP},
		ResponseElements:  responseElems{r.RequestID, cmp.Or(r.HostID, hostID)},
		S3: s3Entity{
			SchemaVersion: "1.0", ConfigurationID: configID,
			Bucket: s3Bucket{Name: r.Bucket, OwnerIdentity: principal{b.Owner}, ARN: "arn:aws:s3:::" + r.Bucket},
			Object: s3Object{Key: s3.EventKey(r.Key), Sequencer: Sequencer(r.Seq)},
		},
	}
	if r.VersionID != meta.NullVersion {
		rec.S3.Object.VersionID = r.VersionID
	}
	if !r.IsPermanentDelete() && !r.DeleteMarker {
		size := r.Size
		rec.S3.Object.Size, rec.S3.Object.ETag = &size, strings.Trim(r.ETag, `"`)
	}
	if r.Event == meta.EventLifecycleTransition {
		rec.LifecycleData = &lifecycleData{}
		rec.LifecycleData.TransitionEventData.DestinationStorageClass = r.StorageClass
	}
	if r.Annotation != "" {
		rec.AnnotationData = &annotationData{r.Annotation}
	}
	if ev := r.Replication; ev != nil {
		rd := &replData{RuleID: ev.RuleID, Destination: ev.Destination, Operation: ev.Operation, RequestTime: ev.RequestTime.UTC().Format(timeFormat),
			FailureReason: ev.Failure, Threshold: ev.Threshold}
		if !ev.ReplicationTime.IsZero() {
			rd.ReplicationTime = ev.ReplicationTime.UTC().Format(timeFormat)
		}
		rec.ReplData = rd
	}
	switch r.Event {
	case meta.EventRestoreCompleted:
		g := &glacierData{}
		g.RestoreEventData.LifecycleRestoreStorageClass = r.RestoreClass
		if !r.RestoreExpiry.IsZero() {
			g.RestoreEventData.LifecycleRestorationExpiryTime = r.RestoreExpiry.UTC().Format(timeFormat)
		}
		rec.GlacierData = g
	case meta.EventIntelligentTiering:
		rec.TieringData = &tieringData{r.AccessTier}
	}
	out, _ := json.Marshal(eventDoc{Records: []eventRecord{rec}})
	return out
}

// S3TestEvent is the s3:TestEvent S3 sends when a configuration is set.
func S3TestEvent(bucket, requestID, hostID string, now time.Time) []byte {
	out, _ := json.Marshal(struct {
		Service   string `json:"Service"`
		Event     string `json:"Event"`
		Time      string `json:"Time"`
		Bucket    string `json:"Bucket"`
		RequestID string `json:"RequestId"`
		HostID    string `json:"HostId"`
	}{"Amazon S3", "s3:TestEvent", now.UTC().Format(timeFormat), bucket, requestID, hostID})
	return out
}

// eventBridgeTypes are EventBridge's detail-types by S3 event.
var eventBridgeTypes = map[string]string{
	meta.EventPut: "Object Created", meta.EventPost: "Object Created", meta.EventCopy: "Object Created",
	meta.EventCompleteMultipartUpload: "Object Created",
	meta.EventDelete:                  "Object Deleted", meta.EventDeleteMarkerCreated: "Object Deleted",
	meta.EventLifecycleDelete: "Object Deleted", meta.EventLifecycleDeleteMarker: "Object Deleted",
	meta.EventTaggingPut: "Object Tags Added", meta.EventTaggingDelete: "Object Tags Deleted",
	meta.EventACLPut: "Object ACL Updated", meta.EventRestoreCompleted: "Object Restore Completed",
	meta.EventLifecycleTransition: "Object Storage Class Changed", meta.EventRestorePost: "Object Restore Initiated",
	meta.EventIntelligentTiering: "Object Access Tier Changed", meta.EventRestoreDelete: "Object Restore Expired",
}

// EventBridgeJSON is the EventBridge event of record r ("" type: none).
func EventBridgeJSON(r *meta.Record, b *meta.Bucket) []byte {
	typ := eventBridgeTypes[r.Event]
	if typ == "" {
		return nil
	}
	obj := map[string]any{"key": r.Key, "sequencer": Sequencer(r.Seq)}
	if r.VersionID != meta.NullVersion {
		obj["version-id"] = r.VersionID
	}
	if typ == "Object Created" || typ == "Object Storage Class Changed" {
		obj["size"], obj["etag"] = r.Size, strings.Trim(r.ETag, `"`)
	}
	detail := map[string]any{
		"version": "0", "bucket": map[string]string{"name": r.Bucket}, "object": obj,
		"request-id": r.RequestID, "requester": r.Requester, "source-ip-address": r.SourceIP,
	}
	switch typ {
	case "Object Created":
		detail["reason"] = map[string]string{meta.EventPut: "PutObject", meta.EventPost: "POST Object", meta.EventCopy: "CopyObject", meta.EventCompleteMultipartUpload: "CompleteMultipartUpload"}[r.Event]
	case "Object Deleted":
		detail["reason"] = "DeleteObject"
		if r.Operation == meta.OpLifecycleExpire {
			detail["reason"] = "Lifecycle Expiration"
		}
		detail["deletion-type"] = "Permanently Deleted"
		if r.DeleteMarker {
			detail["deletion-type"] = "Delete Marker Created"
		}
	case "Object Storage Class Changed":
		detail["destination-storage-class"] = r.StorageClass
	case "Object Restore Initiated":
		detail["source-storage-class"] = r.RestoreClass
	case "Object Restore Completed":
		detail["source-storage-class"] = r.RestoreClass
		if !r.RestoreExpiry.IsZero() {
			detail["restore-expiry-time"] = r.RestoreExpiry.UTC().Format(time.RFC3339)
		}
	case "Object Access Tier Changed":
		detail["destination-access-tier"] = r.AccessTier
	}
	out, _ := json.Marshal(map[string]any{
		"version": "0", "id": fmt.Sprintf("%s-%s", Sequencer(r.Seq), r.Bucket), "detail-type": typ, "source": "aws.s3",
		"account": b.Owner, "time": r.Time.UTC().Format(time.RFC3339), "region": b.Region,
		"resources": []string{"arn:aws:s3:::" + r.Bucket}, "detail": detail,
	})
	return out
}
