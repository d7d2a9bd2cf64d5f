package meta

import (
	"context"
	"time"
)

// Restore events: S3 sends ObjectRestore:Completed when a restore's
// copy becomes readable and ObjectRestore:Delete when it expires. Both
// happen with no request, so a shared job writes them: the store keeps
// the versions with such an event still to come in an index by due time
// (maintained in the transactions that change or remove the version),
// and the job applies each one through UpdateObject with the operation
// below, which journals it in the same transaction.
const (
	EventRestoreDelete = "ObjectRestore:Delete"
	// OpRestoreCompleted records that a restore has completed.
	OpRestoreCompleted = "S3.RESTORE.COMPLETED"
	// OpRestoreExpired removes a restored copy whose period ended.
	OpRestoreExpired = "S3.RESTORE.EXPIRED"
)

// DueRestore is a version with a restore event due: its completion (when
// not yet recorded) or its restored copy's expiry.
type DueRestore struct {
	Bucket    string
	Key       string
	VersionID string
	// Seq is the version's store sequence (its incarnation).
	Seq int64
	Due time.Time
}

// Restores finds restore events that fell due.
type Restores interface {
	// DueRestores returns up to limit versions whose next restore event
	// is due at or before now, earliest first: a restore whose Ready has
	// passed and is not Completed, or a Completed one whose Expires has
	// passed. It reads an index, not every version.
	DueRestores(ctx context.Context, now time.Time, limit int) ([]DueRestore, error)
}
