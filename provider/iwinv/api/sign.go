package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// The three headers every request carries.
const (
	HeaderTimestamp  = "X-iwinv-Timestamp"  // Unix seconds
	HeaderCredential = "X-iwinv-Credential" // the access key
	HeaderSignature  = "X-iwinv-Signature"  // Sign(secret, timestamp, path)
)

// ClockWindow is how far, in seconds, a request's timestamp may be from
// the server's clock either way.
const ClockWindow = 5 * 60

// Sign is the request signature: the lowercase hex of HMAC-SHA256 keyed
// with the secret key over timestamp followed by path. path is the URL
// path only ("/v1/zones"): no scheme or host, no query string, no
// trailing slash.
func Sign(secret, timestamp, path string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + path))
	return hex.EncodeToString(mac.Sum(nil))
}
