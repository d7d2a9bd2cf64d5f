package s3api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// Archived objects: a version in GLACIER or DEEP_ARCHIVE, or an
// INTELLIGENT_TIERING version in an archive tier, is readable only while
// a restore has completed and not expired. A restore's completion is a
// time (its retrieval delay scaled by the lifecycle day), so it needs no
// job and survives restarts; its bytes stay where the version's tier
// keeps them.

// tierFor is the tier new data of the class goes to.
func (a *API) tierFor(class string) string {
	if a.cfg.ClassTier == nil {
		return ""
	}
	return a.cfg.ClassTier(class)
}

// archiveStatus is the Intelligent-Tiering archive tier o is in at now:
// none once a restore of it has completed.
func archiveStatus(o *meta.Object, now time.Time) string {
	st := o.Attrs.ArchiveStatus
	if st == "" || o.StorageClass != s3.ClassIntelligentTiering {
		return ""
	}
	if r := o.Attrs.Restore; r != nil && r.Expires.IsZero() && !now.Before(r.Ready) {
		return ""
	}
	return st
}

// archived reports whether o needs a restore to be read at now.
func archived(o *meta.Object, now time.Time) bool {
	if archiveStatus(o, now) != "" {
		return true
	}
	if !s3.ArchiveClass(o.StorageClass) {
		return false
	}
	r := o.Attrs.Restore
	return r == nil || now.Before(r.Ready) || !now.Before(r.Expires)
}

// checkReadable refuses to read an archived version's data.
func (a *API) checkReadable(o *meta.Object) error {
	if archived(o, a.cfg.Now()) {
		return s3err.New(s3err.InvalidObjectState).With("StorageClass", o.StorageClass)
	}
	return nil
}

// setRestoreHeaders sets x-amz-restore (a restore requested and not
// expired) and x-amz-archive-status on a response about o.
func (a *API) setRestoreHeaders(h http.Header, o *meta.Object) {
	now := a.cfg.Now()
	if st := archiveStatus(o, now); st != "" {
		h.Set("x-amz-archive-status", st)
	}
	r := o.Attrs.Restore
	if r == nil || (!r.Expires.IsZero() && !now.Before(r.Expires)) {
		return
	}
	if o.StorageClass == s3.ClassIntelligentTiering && o.Attrs.ArchiveStatus == "" {
		return
	}
	h.Set("x-amz-restore", s3.RestoreHeader(now.Before(r.Ready), r.Expires))
}

const maxRestoreBody = 64 << 10

// restoreObject starts, or extends, the restore of an archived version.
func (a *API) restoreObject(ctx context.Context, req *request) (*response, error) {
	body, err := a.readSmallBody(req, maxRestoreBody)
	if err != nil {
		return nil, err
	}
	var doc s3xml.RestoreRequest
	if err := s3xml.Decode(bytesReader(body), maxRestoreBody, "RestoreRequest", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	if doc.Type != nil || doc.SelectParameters != nil || doc.OutputLocation != nil || doc.Tier != nil {
		return nil, s3err.Newf(s3err.NotImplemented, "Select restores (Type, SelectParameters, OutputLocation) are not implemented.")
	}
	tier := s3.RestoreStandard
	if p := doc.GlacierJobParameters; p != nil {
		switch p.Tier {
		case s3.RestoreExpedited, s3.RestoreStandard, s3.RestoreBulk:
			tier = p.Tier
		default:
			return nil, s3err.New(s3err.MalformedXML)
		}
	}
	if doc.Days != nil && (*doc.Days < 1 || *doc.Days > 2147483647) {
		return nil, s3err.Newf(s3err.InvalidArgument, "Days must be a positive integer.").With("ArgumentName", "Days")
	}
	day := a.lifecycleDay()
	status := http.StatusAccepted
	_, err = a.updateVersion(ctx, req, func(o *meta.Object) error {
		now := a.cfg.Now()
		it := o.StorageClass == s3.ClassIntelligentTiering && o.Attrs.ArchiveStatus != ""
		switch {
		case it && doc.Days != nil:
			return s3err.Newf(s3err.InvalidArgument, "Days is not accepted for an object in an Intelligent-Tiering archive tier.").With("ArgumentName", "Days")
		case !it && !s3.ArchiveClass(o.StorageClass):
			return s3err.Newf(s3err.InvalidObjectState, "Restore is not allowed for the object's current storage class").With("StorageClass", o.StorageClass)
		case !it && doc.Days == nil:
			return s3err.Newf(s3err.InvalidArgument, "Days is required to restore an object in %s.", o.StorageClass).With("ArgumentName", "Days")
		}
		hours, ok := s3.RestoreTime(o.StorageClass, o.Attrs.ArchiveStatus, tier)
		noTier := s3err.Newf(s3err.InvalidArgument, "Expedited retrievals are not available for the %s storage class.", o.StorageClass)
		ready := now.Add(s3.ScaledHours(hours, day)).UTC()
		if r := o.Attrs.Restore; r != nil && (r.Expires.IsZero() || now.Before(r.Expires)) {
			if now.Before(r.Ready) {
				if !ok {
					return noTier
				}
				// A faster tier upgrades the restore in progress (S3's
				// restore speed upgrade); its period stays as requested.
				if !ready.Before(r.Ready) {
					return s3err.New(s3err.RestoreAlreadyInProgress)
				}
				r.Ready, r.Tier = ready, tier
				if !r.Expires.IsZero() {
					r.Expires = s3.LifecycleDayEnd(ready, r.Days, day)
				}
				return nil
			}
			status = http.StatusOK
			if it {
				return nil // already back in the frequent access tier
			}
			// A completed restore: S3 sets the expiry anew from now.
			r.Days, r.Expires = int(*doc.Days), s3.LifecycleDayEnd(now, int(*doc.Days), day)
			return nil
		}
		if !ok {
			return noTier
		}
		r := &meta.Restore{Requested: now.UTC(), Ready: ready, Tier: tier}
		if !it {
			r.Days = int(*doc.Days)
			r.Expires = s3.LifecycleDayEnd(r.Ready, r.Days, day)
		}
		o.Attrs.Restore = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(status), nil
}

// touch records a read of an INTELLIGENT_TIERING version for its archive
// tiers: only the day is kept, so a version is written at most once a
// lifecycle day however often it is read, and in the background, so the
// read does not wait for it.
func (a *API) touch(o *meta.Object) {
	if o.StorageClass != s3.ClassIntelligentTiering {
		return
	}
	day := a.lifecycleDay()
	today := a.cfg.Now().Truncate(day).UTC()
	if !o.Attrs.Accessed.Before(today) {
		return
	}
	bucket, key, version, seq := o.Bucket, o.Key, o.VersionID, o.Seq
	// One recording per version at a time: a burst of reads costs one write.
	id := bucket + "/" + key + "\x00" + version
	if _, busy := a.touching.LoadOrStore(id, struct{}{}); busy {
		return
	}
	go func() {
		defer a.touching.Delete(id)
		_, err := a.meta.UpdateObject(meta.Bookkeeping(context.Background()), bucket, key, version, func(v *meta.Object) error {
			if v.Seq != seq || !v.Attrs.Accessed.Before(today) {
				return errUnchanged
			}
			v.Attrs.Accessed = today
			return nil
		})
		if err != nil && err != errUnchanged {
			a.log.Debug("recording an access failed", "bucket", bucket, "key", key, "err", err)
		}
	}()
}

var errUnchanged = errors.New("nothing to record")

// wantRestoreStatus reports whether a listing asked for RestoreStatus
// (the unsupported-header gate refuses any other attribute).
func wantRestoreStatus(req *request) bool {
	return strings.Contains(req.Header.Get("x-amz-optional-object-attributes"), "RestoreStatus")
}

// restoreStatus is a listed version's RestoreStatus: only archived
// classes can have one, so only their rows are read in full (listings
// carry no attributes).
func (a *API) restoreStatus(ctx context.Context, want bool, o *meta.Object) *s3xml.RestoreStatus {
	if !want || !(s3.ArchiveClass(o.StorageClass) || o.StorageClass == s3.ClassIntelligentTiering) {
		return nil
	}
	full, err := a.meta.GetObject(ctx, o.Bucket, o.Key, o.VersionID)
	if err != nil {
		return nil
	}
	r := full.Attrs.Restore
	now := a.cfg.Now()
	if r == nil || (!r.Expires.IsZero() && !now.Before(r.Expires)) {
		return nil
	}
	st := &s3xml.RestoreStatus{IsRestoreInProgress: now.Before(r.Ready)}
	if !st.IsRestoreInProgress && !r.Expires.IsZero() {
		st.RestoreExpiryDate = s3xml.Time(r.Expires)
	}
	return st
}
