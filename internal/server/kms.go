package server

import (
	"fmt"

	"talus/internal/kms"
	"talus/internal/meta"
)

// openKMS returns the key service of a data directory whose root has been
// opened (so its master key exists): key material is sealed under the
// master key, key records live in the metadata store.
func openKMS(dataDir, region string, store meta.Store) (*kms.Local, error) {
	key, err := dataKey(dataDir, false)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: master key: %w", dataDir, err)
	}
	return kms.New(key, store, region)
}
