package sim

import (
	"strings"
	"testing"

	"github.com/idstack/idstack/provider/api"
)

func TestBucketNamesAreGlobalAndFollowS3Rules(t *testing.T) {
	e := newEnv(t, Options{})
	var b api.Bucket
	e.must(200, "PUT", "/v1/storage/bucket", form("name", "shop-assets", "billing_account_id", "129072")).strict(t, &b)
	if b.Name != "shop-assets" || b.BillingAccountID != DefaultBillingAccount || b.NumObjects != 0 {
		t.Fatalf("bucket %+v", b)
	}
	// Global: the same name again, even through a location prefix, is taken.
	r := e.must(409, "PUT", "/v1/sgp01/storage/bucket", form("name", "shop-assets"))
	if !strings.Contains(r.errMsg(), "taken") {
		t.Fatalf("message %q", r.errMsg())
	}
	// Names taken by other users of the cloud are refused too.
	e.sim.Mutate(func(w *World) { w.ForeignBuckets = append(w.ForeignBuckets, "someone-elses") })
	e.must(409, "PUT", "/v1/storage/bucket", form("name", "someone-elses"))
	for _, bad := range []string{"ab", "Upper-Case", "under_score", "-dash", "dash-", "192.168.1.1", "a..b", "xn--abc", "x-s3alias", strings.Repeat("a", 64)} {
		if r := e.do("PUT", "/v1/storage/bucket", form("name", bad)); r.Status != 400 {
			t.Errorf("name %q: status %d", bad, r.Status)
		}
	}
	e.must(400, "PUT", "/v1/storage/bucket", form("name", "valid-name", "billing_account_id", "999"))
	var list []api.Bucket
	e.must(200, "GET", "/v1/storage/bucket/list", nil).decode(t, &list)
	if len(list) != 1 {
		t.Fatalf("list %+v", list)
	}
}

func TestBucketDeleteOnlyWhenEmpty(t *testing.T) {
	e := newEnv(t, Options{})
	e.must(200, "PUT", "/v1/storage/bucket", form("name", "logs-bucket"))
	e.sim.Mutate(func(w *World) {
		w.Buckets[0].NumObjects, w.Buckets[0].SizeBytes = 3, 1024
	})
	r := e.must(409, "DELETE", "/v1/storage/bucket?name=logs-bucket", nil)
	if !strings.Contains(r.errMsg(), "not empty") {
		t.Fatalf("message %q", r.errMsg())
	}
	e.sim.Mutate(func(w *World) { w.Buckets[0].NumObjects, w.Buckets[0].SizeBytes = 0, 0 })
	// The name may also come as a form body.
	r = e.must(204, "DELETE", "/v1/storage/bucket", form("name", "logs-bucket"))
	if len(r.Body) != 0 {
		t.Fatalf("204 with body %q", r.Body)
	}
	e.must(404, "GET", "/v1/storage/bucket?name=logs-bucket", nil)
}

func TestBucketBillingAndS3Keys(t *testing.T) {
	e := newEnv(t, Options{})
	e.must(200, "PUT", "/v1/storage/bucket", form("name", "bill-me"))
	var b api.Bucket
	e.must(200, "PATCH", "/v1/storage/bucket", form("name", "bill-me", "billing_account_id", "129188")).decode(t, &b)
	if b.BillingAccountID != SecondBillingAccount {
		t.Fatalf("bucket %+v", b)
	}
	var list []api.Bucket
	e.must(200, "GET", "/v1/storage/bucket/list?billing_account_id=129072", nil).decode(t, &list)
	if len(list) != 0 {
		t.Fatalf("filtered list %+v", list)
	}
	var u api.S3User
	e.must(200, "GET", "/v1/storage/user", nil).strict(t, &u)
	if len(u.S3Credentials) != 1 || len(u.S3Credentials[0].AccessKey) != 20 {
		t.Fatalf("user %+v", u)
	}
	var keys []api.S3Key
	e.must(200, "POST", "/v1/storage/user/keys", nil).strict(t, &keys)
	if len(keys) != 2 || keys[1] != u.S3Credentials[0] {
		t.Fatalf("keys %+v", keys)
	}
	e.must(200, "DELETE", "/v1/storage/user/keys", form("access_key", keys[0].AccessKey))
	e.must(200, "GET", "/v1/storage/user/keys", nil).decode(t, &keys)
	if len(keys) != 1 {
		t.Fatalf("keys after delete %+v", keys)
	}
	var info api.S3Info
	e.must(200, "GET", "/v1/storage/api/s3", nil).strict(t, &info)
}
