package sim

import (
	"net"
	"regexp"
	"strings"
	"sync"

	"github.com/idstack/idstack/provider/api"
)

var bucketNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`) })

// bucketNameProblem checks the S3 bucket naming rules; "" when valid.
func bucketNameProblem(n string) string {
	switch {
	case len(n) < 3 || len(n) > 63:
		return "bucket names must be between 3 and 63 characters long"
	case !bucketNameRe().MatchString(n):
		return "bucket names may contain only lower-case letters, digits, dots and hyphens, and must begin and end with a letter or digit"
	case strings.Contains(n, ".."), strings.Contains(n, ".-"), strings.Contains(n, "-."):
		return "bucket names must not contain two adjacent periods or a period next to a hyphen"
	case net.ParseIP(n) != nil:
		return "bucket names must not be formatted as an IP address"
	case strings.HasPrefix(n, "xn--"), strings.HasPrefix(n, "sthree-"):
		return "bucket names must not start with xn-- or sthree-"
	case strings.HasSuffix(n, "-s3alias"), strings.HasSuffix(n, "--ol-s3"):
		return "bucket names must not end with -s3alias or --ol-s3"
	}
	return ""
}

func (w *World) bucket(name string) *api.Bucket {
	for i := range w.Buckets {
		if w.Buckets[i].Name == name {
			return &w.Buckets[i]
		}
	}
	return nil
}

// putBucket creates a bucket; names are global across all users.
func putBucket(c *call) (result, *apiErr) {
	name := c.str("name")
	if name == "" {
		return result{}, badRequest("name is required")
	}
	if p := bucketNameProblem(name); p != "" {
		return result{}, badRequest("Invalid bucket name %q: %s", name, p)
	}
	billing, e := c.billing(false)
	if e != nil {
		return result{}, e
	}
	taken := c.w.bucket(name) != nil
	for _, f := range c.w.ForeignBuckets {
		taken = taken || f == name
	}
	if taken {
		return result{}, conflict("Bucket name %q is already taken: bucket names are unique across all users", name)
	}
	ts := c.tsJava()
	b := api.Bucket{Name: name, BillingAccountID: billing, CreatedAt: ts, ModifiedAt: ts}
	c.w.Buckets = append(c.w.Buckets, b)
	return ok(b), nil
}

func (c *call) bucketParam() (*api.Bucket, *apiErr) {
	name := c.str("name")
	if name == "" {
		return nil, badRequest("name is required")
	}
	b := c.w.bucket(name)
	if b == nil {
		return nil, notFound("Bucket not found: %s", name)
	}
	return b, nil
}

func getBucket(c *call) (result, *apiErr) {
	b, e := c.bucketParam()
	if e != nil {
		return result{}, e
	}
	return ok(*b), nil
}

func patchBucket(c *call) (result, *apiErr) {
	b, e := c.bucketParam()
	if e != nil {
		return result{}, e
	}
	billing, e := c.billing(true)
	if e != nil {
		return result{}, e
	}
	b.BillingAccountID = billing
	b.ModifiedAt = c.tsJava()
	return ok(*b), nil
}

// deleteBucket deletes an empty bucket (name in the query or the form).
func deleteBucket(c *call) (result, *apiErr) {
	b, e := c.bucketParam()
	if e != nil {
		return result{}, e
	}
	if b.NumObjects > 0 || b.SizeBytes > 0 {
		return result{}, conflict("Bucket %s is not empty (%d objects): only empty buckets can be deleted", b.Name, b.NumObjects)
	}
	for i := range c.w.Buckets {
		if c.w.Buckets[i].Name == b.Name {
			c.w.Buckets = append(c.w.Buckets[:i], c.w.Buckets[i+1:]...)
			break
		}
	}
	return noContent(), nil
}

func listBuckets(c *call) (result, *apiErr) {
	billing, has, e := c.integer("billing_account_id")
	if e != nil {
		return result{}, e
	}
	out := []api.Bucket{}
	for _, b := range c.w.Buckets {
		if !has || b.BillingAccountID == billing {
			out = append(out, b)
		}
	}
	return ok(out), nil
}

func getS3Info(c *call) (result, *apiErr) {
	return ok(api.S3Info{URL: s3URL(c.r)}), nil
}

const s3UserID = "user@example.com"

const keyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (c *call) newS3Key() api.S3Key {
	h := hash64(c.s.seed, c.w.next(), "s3key")
	h2 := hash64(c.s.seed, c.w.Seq, "s3secret")
	var ak, sk strings.Builder
	for i := 0; i < 20; i++ {
		ak.WriteByte(keyAlphabet[int(h[i])%len(keyAlphabet)])
	}
	const sec = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for i := 0; i < 40; i++ {
		sk.WriteByte(sec[int(h2[i%len(h2)]+byte(i))%len(sec)])
	}
	return api.S3Key{AccessKey: ak.String(), SecretKey: sk.String(), UserID: s3UserID}
}

func (c *call) s3Keys() []api.S3Key { return append([]api.S3Key{}, c.w.S3Keys...) }

// getS3User answers the S3 user, generating a key pair on first use.
func getS3User(c *call) (result, *apiErr) {
	if len(c.w.S3Keys) == 0 {
		c.w.S3Keys = append(c.w.S3Keys, c.newS3Key())
	}
	return ok(api.S3User{Caps: []any{}, DisplayName: s3UserID, MaxBuckets: 1000, S3Credentials: c.s3Keys(),
		Subusers: []any{}, SwiftCredentials: []any{}, UserID: s3UserID}), nil
}

func getS3Keys(c *call) (result, *apiErr) { return ok(c.s3Keys()), nil }

// postS3Key generates a key pair and answers all keys, the new one first.
func postS3Key(c *call) (result, *apiErr) {
	c.w.S3Keys = append([]api.S3Key{c.newS3Key()}, c.w.S3Keys...)
	return ok(c.s3Keys()), nil
}

func deleteS3Key(c *call) (result, *apiErr) {
	ak := c.str("access_key")
	if ak == "" {
		return result{}, badRequest("access_key is required")
	}
	for i, k := range c.w.S3Keys {
		if k.AccessKey == ak {
			c.w.S3Keys = append(c.w.S3Keys[:i], c.w.S3Keys[i+1:]...)
			return emptyOK(), nil
		}
	}
	return result{}, notFound("No such access key: %s", ak)
}
