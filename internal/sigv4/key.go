package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func deriveKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

// keyCache memoises derived signing keys: the derivation is four HMACs and
// changes only once a day per credential and region. It is a pure function
// cache, so it is shared by all Verifiers. Keys are never returned to callers
// outside the package, and the cache is bounded.
var keyCache struct {
	sync.Mutex
	m map[string][]byte
}

const keyCacheMax = 512

// signingKey returns the S3 signing key.
func signingKey(secret, date, region string) []byte {
	return serviceKey(secret, date, region, "s3")
}

// serviceKey returns the signing key for a service.
func serviceKey(secret, date, region, service string) []byte {
	ck := date + "\x00" + region + "\x00" + service + "\x00" + secret
	keyCache.Lock()
	k, ok := keyCache.m[ck]
	keyCache.Unlock()
	if ok {
		return k
	}
	k = deriveKey(secret, date, region, service)
	keyCache.Lock()
	if keyCache.m == nil {
		keyCache.m = make(map[string][]byte)
	}
	if len(keyCache.m) >= keyCacheMax {
		// Evict an arbitrary entry; yesterday's keys age out this way.
		for old := range keyCache.m {
			delete(keyCache.m, old)
			break
		}
	}
	keyCache.m[ck] = k
	keyCache.Unlock()
	return k
}

// hexHMAC returns the lowercase hex HMAC-SHA256 of data.
func hexHMAC(key, data []byte) [64]byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	var sum [sha256.Size]byte
	var out [64]byte
	hex.Encode(out[:], m.Sum(sum[:0]))
	return out
}
