package sim

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/idstack/idstack/provider/api"
)

// s3Do sends an S3 request signed (in form only: the simulator checks the
// access key, not the signature) with the account's first key.
func (e *env) s3Do(method, path, body string, hdr ...string) resp {
	e.t.Helper()
	var keys []api.S3Key
	e.must(200, "GET", "/v1/storage/user", nil)
	e.must(200, "GET", "/v1/storage/user/keys", nil).decode(e.t, &keys)
	return e.s3DoAs(keys[0].AccessKey, method, path, body, hdr...)
}

func (e *env) s3DoAs(accessKey, method, path, body string, hdr ...string) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+S3Prefix+strings.TrimPrefix(path, "/"), strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+accessKey+"/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}
}

func (e *env) s3Must(want int, method, path, body string, hdr ...string) resp {
	e.t.Helper()
	r := e.s3Do(method, path, body, hdr...)
	if r.Status != want {
		e.t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

func TestS3InfoNamesThisServer(t *testing.T) {
	e := newEnv(t, Options{})
	var info api.S3Info
	e.must(200, "GET", "/v1/storage/api/s3", nil).decode(t, &info)
	if want := e.srv.URL + S3Prefix; info.URL != want {
		t.Fatalf("S3 URL %q, want %q", info.URL, want)
	}
}

// Buckets are one set, whichever side makes them; objects count in the
// API's num_objects and size_bytes; a bucket with objects cannot be
// deleted from either side.
func TestS3AndTheBucketAPIAgree(t *testing.T) {
	e := newEnv(t, Options{})
	e.must(200, "PUT", "/v1/storage/bucket", form("name", "from-api"))
	e.s3Must(200, "PUT", "/from-s3", "")

	var list struct {
		Buckets []struct{ Name string } `xml:"Buckets>Bucket"`
	}
	if err := xml.Unmarshal(e.s3Must(200, "GET", "/", "").Body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Buckets) != 2 || list.Buckets[0].Name != "from-api" || list.Buckets[1].Name != "from-s3" {
		t.Fatalf("S3 lists %+v, want from-api and from-s3", list.Buckets)
	}
	var b api.Bucket
	e.must(200, "GET", "/v1/storage/bucket?name=from-s3", nil).decode(t, &b)
	if b.BillingAccountID != DefaultBillingAccount || b.CreatedAt == "" {
		t.Errorf("a bucket made over S3, through the API: %+v", b)
	}

	e.s3Must(200, "PUT", "/from-api/a/state.json", `{"serial": 1}`)
	e.s3Must(200, "PUT", "/from-api/b", "xyz")
	e.must(200, "GET", "/v1/storage/bucket?name=from-api", nil).decode(t, &b)
	if b.NumObjects != 2 || b.SizeBytes != int64(len(`{"serial": 1}`)+3) {
		t.Errorf("num_objects %d, size_bytes %d; want 2 and %d", b.NumObjects, b.SizeBytes, len(`{"serial": 1}`)+3)
	}
	e.must(409, "DELETE", "/v1/storage/bucket?name=from-api", nil)
	e.s3Must(409, "DELETE", "/from-api", "")
	if got := string(e.s3Must(200, "GET", "/from-api/a/state.json", "").Body); got != `{"serial": 1}` {
		t.Errorf("object read back %q", got)
	}
	e.s3Must(204, "DELETE", "/from-api/a/state.json", "")
	e.s3Must(204, "DELETE", "/from-api/b", "")
	e.must(200, "GET", "/v1/storage/bucket?name=from-api", nil).decode(t, &b)
	if b.NumObjects != 0 || b.SizeBytes != 0 {
		t.Errorf("emptied bucket: num_objects %d, size_bytes %d", b.NumObjects, b.SizeBytes)
	}
	e.must(204, "DELETE", "/v1/storage/bucket?name=from-api", nil)
	e.s3Must(404, "GET", "/from-api/b", "")
	e.s3Must(204, "DELETE", "/from-s3", "")
	e.must(404, "GET", "/v1/storage/bucket?name=from-s3", nil)
}

func TestS3BucketNamesAreGlobal(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.Mutate(func(w *World) { w.ForeignBuckets = append(w.ForeignBuckets, "taken") })
	r := e.s3Must(409, "PUT", "/taken", "")
	if !bytes.Contains(r.Body, []byte("BucketAlreadyExists")) {
		t.Errorf("%s", r.Body)
	}
}

func TestS3NeedsAnAccountKey(t *testing.T) {
	e := newEnv(t, Options{})
	for _, ak := range []string{"", "AKNOTOURS"} {
		r := e.s3DoAs(ak, "GET", "/", "")
		if r.Status != 403 || !bytes.Contains(r.Body, []byte("InvalidAccessKeyId")) {
			t.Errorf("key %q: %d %s, want 403 InvalidAccessKeyId", ak, r.Status, r.Body)
		}
	}
}

func TestS3ConditionalWrites(t *testing.T) {
	e := newEnv(t, Options{})
	e.s3Must(200, "PUT", "/b01", "")
	first := e.s3Must(200, "PUT", "/b01/lock", "holder-1", "If-None-Match", "*")
	e.s3Must(412, "PUT", "/b01/lock", "holder-2", "If-None-Match", "*")
	etag := first.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on PUT")
	}
	e.s3Must(412, "PUT", "/b01/lock", "x", "If-Match", `"0123"`)
	second := e.s3Must(200, "PUT", "/b01/lock", "holder-1b", "If-Match", etag)
	e.s3Must(412, "DELETE", "/b01/lock", "", "If-Match", etag) // the old ETag
	e.s3Must(204, "DELETE", "/b01/lock", "", "If-Match", second.Header.Get("ETag"))
	e.s3Must(404, "GET", "/b01/lock", "")
}

// The objects are part of the world: Save and Load keep them.
func TestS3ObjectsSurviveSaveAndLoad(t *testing.T) {
	e := newEnv(t, Options{})
	e.s3Must(200, "PUT", "/keep", "")
	e.s3Must(200, "PUT", "/keep/state.json", "hello")
	var buf bytes.Buffer
	if err := e.sim.Save(&buf); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, Options{})
	if err := e2.sim.Load(&buf); err != nil {
		t.Fatal(err)
	}
	if got := string(e2.s3Must(200, "GET", "/keep/state.json", "").Body); got != "hello" {
		t.Fatalf("after Load: %q", got)
	}
}
