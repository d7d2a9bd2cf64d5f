package iam

// Cache kinds the resolver publishes when a cached entry changes, for
// gateways sharing the metadata store (internal/cachebus).
const (
	CacheKey      = "iam-key"      // an access key, by ID
	CachePolicies = "iam-policies" // every parsed policy set
	CacheAccounts = "iam-accounts" // every account (and key)
)

// SetPublisher has every Forget call publish(kind, key) as well, so other
// gateways drop their cached copies; Drop is what they call on receipt.
// Set it before serving.
func (r *Resolver) SetPublisher(publish func(kind, key string)) { r.publish = publish }

// Drop drops cached entries on another gateway's word (key "*" for every
// entry of kind); it publishes nothing.
func (r *Resolver) Drop(kind, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch kind {
	case CacheKey:
		if key == "*" {
			r.cache = map[string]cached{}
		} else {
			delete(r.cache, key)
		}
	case CachePolicies:
		r.policies = map[string]cachedPolicies{}
	case CacheAccounts:
		r.accounts = map[string]cachedAccount{}
		r.cache = map[string]cached{}
	}
}

func (r *Resolver) published(kind, key string) {
	if r.publish != nil {
		r.publish(kind, key)
	}
}
