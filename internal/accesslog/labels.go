package accesslog

import "sync"

// maxOperations bounds the operation label values per API. Handlers name
// operations from fixed tables, but a handler that lets client input
// through would otherwise grow the metrics without limit.
const maxOperations = 512

type labelSet struct {
	mu   sync.RWMutex
	seen map[string]map[string]bool
}

var labels = &labelSet{seen: map[string]map[string]bool{}}

// bound returns op, or "Other" once api has maxOperations other names.
func (l *labelSet) bound(api, op string) string {
	l.mu.RLock()
	ok := l.seen[api][op]
	l.mu.RUnlock()
	if ok {
		return op
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.seen[api]
	if m == nil {
		m = map[string]bool{}
		l.seen[api] = m
	}
	if !m[op] && len(m) >= maxOperations {
		return "Other"
	}
	m[op] = true
	return op
}
