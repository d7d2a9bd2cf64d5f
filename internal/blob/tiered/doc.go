// Package tiered joins the default blob store and the operator's storage
// tiers into one blob.Store. A blob's ID says where it lives: a plain ID
// (blob.NewID) is in the default tier, ID "." tier-name in that tier, so
// the metadata store records a version's tier simply by the blob IDs it
// names, readers need no lookup, and the orphan sweeper, which walks this
// store, sees every tier's blobs.
//
// It must not import internal/meta or internal/s3api.
package tiered
