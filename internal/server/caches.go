package server

import (
	"talus/internal/iam"
	"talus/internal/kms"
)

// wireCaches connects the caches of credentials, policies, accounts and
// KMS keys to the cache bus: a change made on this gateway is published,
// and one published by another gateway drops the cached copy here. Each
// cache keeps its TTL (2s for IAM, 5s for KMS) as the bound when a
// message is lost.
func (s *Server) wireCaches(ids *iam.Resolver, keys *kms.Local) {
	if !s.bus.Shared() {
		return
	}
	ids.SetPublisher(s.bus.Publish)
	keys.SetPublisher(s.bus.Publish)
	for _, kind := range []string{iam.CacheKey, iam.CachePolicies, iam.CacheAccounts} {
		s.bus.Handle(kind, func(key string) { ids.Drop(kind, key) })
	}
	for _, kind := range []string{kms.CacheKey, kms.CacheAlias} {
		s.bus.Handle(kind, func(key string) { keys.Drop(kind, key) })
	}
}
