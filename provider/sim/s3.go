package sim

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"

	"github.com/idstack/idstack/provider/api"
)

// S3Prefix is where the simulator serves the cloud's S3 object storage, on
// its own listener: GET /v1/storage/api/s3 answers http://HOST/s3/. The S3
// protocol is gofakes3's (path-style requests: /s3/BUCKET/KEY) over a
// backend that is the world itself, so buckets made through the API are S3
// buckets and the other way round, and a bucket's num_objects and
// size_bytes are its objects'.
//
// On top of gofakes3:
//   - requests must carry one of the account's access keys (GET
//     /v1/storage/user/keys) in their signature, or get 403
//     InvalidAccessKeyId (signatures themselves are not checked);
//   - PUT with If-None-Match: * or If-Match: ETAG, and DELETE with
//     If-Match: ETAG, are atomic: every S3 request runs under the world's
//     lock, so of two writers with the same condition exactly one wins and
//     the other gets 412 PreconditionFailed.
const S3Prefix = "/s3/"

// Object is an object of the simulated S3 storage.
type Object struct {
	Bucket   string            `json:"bucket"`
	Key      string            `json:"key"`
	Data     []byte            `json:"data"`
	MD5      string            `json:"md5"` // hex; the ETag without quotes
	Meta     map[string]string `json:"meta,omitempty"`
	Modified time.Time         `json:"modified"`
}

// s3URL is the S3 endpoint of the server a request reached.
func s3URL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + S3Prefix
}

var credentialRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`Credential=([^/,\s]+)/`) })

// s3AccessKey finds the access key of a request (header or presigned URL).
func s3AccessKey(r *http.Request) string {
	if m := credentialRe().FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	if c := r.URL.Query().Get("X-Amz-Credential"); c != "" {
		ak, _, _ := strings.Cut(c, "/")
		return ak
	}
	return ""
}

// serveS3 serves the S3 endpoint; it reports whether the request was one.
func (s *Server) serveS3(rw http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, S3Prefix) && r.URL.Path != strings.TrimSuffix(S3Prefix, "/") {
		return false
	}
	// Read the body before taking the lock: clients may be slow.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s3Error(rw, http.StatusBadRequest, "IncompleteBody", err.Error())
		return true
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	s.mu.Lock()
	defer s.mu.Unlock()
	ak := s3AccessKey(r)
	known := false
	for _, k := range s.w.S3Keys {
		known = known || (ak != "" && k.AccessKey == ak)
	}
	if !known {
		s3Error(rw, http.StatusForbidden, "InvalidAccessKeyId", "The access key you provided does not exist in our records: make one with POST /v1/storage/user/keys.")
		return true
	}
	b := &s3Backend{w: &s.w, now: s.now}
	bucket, key := splitS3Path(strings.TrimPrefix(r.URL.Path, S3Prefix))
	if r.Method == http.MethodDelete && key != "" {
		if m := r.Header.Get("If-Match"); m != "" {
			o := b.object(bucket, key)
			if o == nil || strings.Trim(m, `"`) != o.MD5 {
				s3Error(rw, http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
				return true
			}
		}
	}
	h := gofakes3.New(b, gofakes3.WithTimeSkewLimit(0), gofakes3.WithoutVersioning()).Server()
	http.StripPrefix(strings.TrimSuffix(S3Prefix, "/"), h).ServeHTTP(rw, r)
	return true
}

func splitS3Path(p string) (bucket, key string) {
	bucket, key, _ = strings.Cut(p, "/")
	return bucket, key
}

// s3Error answers an S3 error document.
func s3Error(rw http.ResponseWriter, status int, code, msg string) {
	rw.Header().Set("Content-Type", "application/xml")
	rw.WriteHeader(status)
	io.WriteString(rw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>"+code+"</Code><Message>"+msg+"</Message></Error>")
}

// s3Backend is gofakes3's view of the world. Its methods run with the
// server's lock held (serveS3 takes it for the whole request).
type s3Backend struct {
	w   *World
	now func() time.Time
}

var _ gofakes3.Backend = (*s3Backend)(nil)

func (b *s3Backend) ListBuckets() ([]gofakes3.BucketInfo, error) {
	out := make([]gofakes3.BucketInfo, 0, len(b.w.Buckets))
	for _, bk := range b.w.Buckets {
		t, _ := time.Parse(tsJavaLayout, bk.CreatedAt)
		out = append(out, gofakes3.BucketInfo{Name: bk.Name, CreationDate: gofakes3.NewContentTime(t)})
	}
	return out, nil
}

// objects returns a bucket's objects sorted by key.
func (b *s3Backend) objects(bucket string) []*Object {
	var out []*Object
	for i := range b.w.Objects {
		if b.w.Objects[i].Bucket == bucket {
			out = append(out, &b.w.Objects[i])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func (b *s3Backend) object(bucket, key string) *Object {
	for i := range b.w.Objects {
		if o := &b.w.Objects[i]; o.Bucket == bucket && o.Key == key {
			return o
		}
	}
	return nil
}

func (b *s3Backend) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	if b.w.bucket(name) == nil {
		return nil, gofakes3.BucketNotFound(name)
	}
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	out := gofakes3.NewObjectList()
	var match gofakes3.PrefixMatch
	objs := b.objects(name)
	n := int64(0)
	last := ""
	for i, o := range objs {
		if page.HasMarker && o.Key <= page.Marker {
			continue
		}
		if !prefix.Match(o.Key, &match) {
			continue
		}
		if match.CommonPrefix {
			if match.MatchedPart == last {
				continue
			}
			out.AddPrefix(match.MatchedPart)
			last = match.MatchedPart
		} else {
			out.Add(&gofakes3.Content{Key: o.Key, LastModified: gofakes3.NewContentTime(o.Modified), ETag: `"` + o.MD5 + `"`, Size: int64(len(o.Data))})
		}
		n++
		if page.MaxKeys > 0 && n >= page.MaxKeys {
			out.NextMarker = o.Key
			out.IsTruncated = i < len(objs)-1
			break
		}
	}
	return out, nil
}

func (b *s3Backend) CreateBucket(name string) error {
	if b.w.bucket(name) != nil {
		return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
	}
	for _, f := range b.w.ForeignBuckets {
		if f == name {
			return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
		}
	}
	if p := bucketNameProblem(name); p != "" {
		return gofakes3.ErrorMessage(gofakes3.ErrInvalidBucketName, p)
	}
	ts := b.now().UTC().Format(tsJavaLayout)
	b.w.Buckets = append(b.w.Buckets, api.Bucket{Name: name, BillingAccountID: b.w.defaultBilling(), CreatedAt: ts, ModifiedAt: ts})
	return nil
}

func (b *s3Backend) BucketExists(name string) (bool, error) { return b.w.bucket(name) != nil, nil }

func (b *s3Backend) DeleteBucket(name string) error {
	bk := b.w.bucket(name)
	if bk == nil {
		return gofakes3.BucketNotFound(name)
	}
	if bk.NumObjects > 0 || bk.SizeBytes > 0 {
		return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, name)
	}
	return b.ForceDeleteBucket(name)
}

func (b *s3Backend) ForceDeleteBucket(name string) error {
	if b.w.bucket(name) == nil {
		return gofakes3.BucketNotFound(name)
	}
	kept := b.w.Objects[:0]
	for _, o := range b.w.Objects {
		if o.Bucket != name {
			kept = append(kept, o)
		}
	}
	b.w.Objects = kept
	for i := range b.w.Buckets {
		if b.w.Buckets[i].Name == name {
			b.w.Buckets = append(b.w.Buckets[:i], b.w.Buckets[i+1:]...)
			break
		}
	}
	return nil
}

func (b *s3Backend) toObject(o *Object, rng *gofakes3.ObjectRangeRequest, withBody bool) (*gofakes3.Object, error) {
	hash, _ := hex.DecodeString(o.MD5)
	obj := &gofakes3.Object{Name: o.Key, Metadata: o.Meta, Size: int64(len(o.Data)), Hash: hash, Contents: io.NopCloser(bytes.NewReader(nil))}
	if withBody {
		r, err := rng.Range(obj.Size)
		if err != nil {
			return nil, err
		}
		data := o.Data
		if r != nil {
			data = data[r.Start : r.Start+r.Length]
		}
		obj.Range = r
		obj.Contents = io.NopCloser(bytes.NewReader(bytes.Clone(data)))
	}
	return obj, nil
}

func (b *s3Backend) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	if b.w.bucket(bucket) == nil {
		return nil, gofakes3.BucketNotFound(bucket)
	}
	o := b.object(bucket, key)
	if o == nil {
		return nil, gofakes3.KeyNotFound(key)
	}
	return b.toObject(o, rng, true)
}

func (b *s3Backend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	if b.w.bucket(bucket) == nil {
		return nil, gofakes3.BucketNotFound(bucket)
	}
	o := b.object(bucket, key)
	if o == nil {
		return nil, gofakes3.KeyNotFound(key)
	}
	return b.toObject(o, nil, false)
}

func (b *s3Backend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	if b.w.bucket(bucket) == nil {
		return gofakes3.ObjectDeleteResult{}, gofakes3.BucketNotFound(bucket)
	}
	for i := range b.w.Objects {
		if o := b.w.Objects[i]; o.Bucket == bucket && o.Key == key {
			b.w.Objects = append(b.w.Objects[:i], b.w.Objects[i+1:]...)
			break
		}
	}
	b.count(bucket)
	return gofakes3.ObjectDeleteResult{}, nil
}

func (b *s3Backend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	data, err := gofakes3.ReadAll(input, size)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	if b.w.bucket(bucket) == nil {
		return gofakes3.PutObjectResult{}, gofakes3.BucketNotFound(bucket)
	}
	old := b.object(bucket, key)
	if cond != nil {
		info := &gofakes3.ConditionalObjectInfo{Exists: old != nil}
		if old != nil {
			info.Hash, _ = hex.DecodeString(old.MD5)
		}
		if err := gofakes3.CheckPutConditions(cond, info); err != nil {
			return gofakes3.PutObjectResult{}, err
		}
	}
	sum := md5.Sum(data)
	o := Object{Bucket: bucket, Key: key, Data: data, MD5: hex.EncodeToString(sum[:]), Meta: meta, Modified: b.now().UTC()}
	if old != nil {
		*old = o
	} else {
		b.w.Objects = append(b.w.Objects, o)
	}
	b.count(bucket)
	return gofakes3.PutObjectResult{}, nil
}

func (b *s3Backend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	var res gofakes3.MultiDeleteResult
	for _, k := range keys {
		if _, err := b.DeleteObject(bucket, k); err != nil {
			res.Error = append(res.Error, gofakes3.ErrorResultFromError(err))
			continue
		}
		res.Deleted = append(res.Deleted, gofakes3.ObjectID{Key: k})
	}
	return res, nil
}

func (b *s3Backend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObject(b, srcBucket, srcKey, dstBucket, dstKey, meta)
}

// count keeps a bucket's num_objects and size_bytes (what the API shows)
// in step with its objects.
func (b *s3Backend) count(bucket string) {
	bk := b.w.bucket(bucket)
	if bk == nil {
		return
	}
	bk.NumObjects, bk.SizeBytes = 0, 0
	for _, o := range b.w.Objects {
		if o.Bucket == bucket {
			bk.NumObjects++
			bk.SizeBytes += int64(len(o.Data))
		}
	}
	bk.ModifiedAt = b.now().UTC().Format(tsJavaLayout)
}
