package state_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/planner/state/statetest"
)

// TestGoodStateLoads: the base of the table is itself valid.
func TestGoodStateLoads(t *testing.T) {
	t.Parallel()
	b, _ := json.Marshal(statetest.GoodState())
	st, err := state.Decode("state file x", b, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Resources) != 4 || len(st.Deposed) != 1 {
		t.Fatalf("decoded %+v", st)
	}
	// An empty state written by an earlier idstack, resources null.
	if _, err := state.Decode("state file x", []byte(`{"version": 1, "serial": 0, "lineage": "x", "stack": "shop", "resources": null}`), "shop"); err != nil {
		t.Fatal(err)
	}
}

// TestBadLocalStateIsRefused: each fault is an error naming the file and
// the entry; the file is left as it was.
func TestBadLocalStateIsRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range statetest.BadStates() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			l := state.NewLocal(t.TempDir(), "shop")
			data := tc.Data(t)
			if err := os.MkdirAll(l.Dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(l.Path(), data, 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := l.Load()
			statetest.CheckRefused(t, st, err, "state file "+l.Path(), tc.Want)
			if got, _ := os.ReadFile(l.Path()); !bytes.Equal(got, data) {
				t.Errorf("the state file changed")
			}
			if entries, _ := os.ReadDir(l.Dir); len(entries) != 1 {
				t.Errorf("%d files in %s, want the state only", len(entries), l.Dir)
			}
		})
	}
}

// TestBadS3StateIsRefused: the same validation for the S3 backend.
func TestBadS3StateIsRefused(t *testing.T) {
	t.Parallel()
	w := newS3World(t, "tfstate")
	for _, tc := range statetest.BadStates() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			key := "states/" + strings.ReplaceAll(tc.Name, " ", "-") + ".json"
			data := tc.Data(t)
			w.putRaw(t, "tfstate", key, data)
			b := w.backend(t, "tfstate", key, "shop")
			st, err := b.Load()
			statetest.CheckRefused(t, st, err, "state s3://tfstate/"+key, tc.Want)
			if got := w.getRaw(t, "tfstate", key); !bytes.Equal(got, data) {
				t.Errorf("the state object changed")
			}
		})
	}
}

// putRaw writes an object as it is, as someone with the bucket's keys can.
func (w *s3World) putRaw(t *testing.T, bucket, key string, data []byte) {
	t.Helper()
	_, err := w.s3().PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data)))})
	if err != nil {
		t.Fatal(err)
	}
}

func (w *s3World) getRaw(t *testing.T, bucket, key string) []byte {
	t.Helper()
	for _, o := range w.sim.World().Objects {
		if o.Bucket == bucket && o.Key == key {
			return o.Data
		}
	}
	t.Fatalf("no object s3://%s/%s", bucket, key)
	return nil
}

func (w *s3World) s3() *s3.Client {
	return s3.New(s3.Options{BaseEndpoint: aws.String(w.access.Endpoint), Region: "us-east-1", UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(w.access.AccessKey, w.access.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired, ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired})
}

// TestWithoutRepairsOnlyWhatItRemoves: `state rm ADDR` on an invalid
// state saves it only when forgetting ADDR is all it takes; never when
// a deposed record is at fault (forgetting the current one would leave
// the deposed one, which the next apply deletes).
func TestWithoutRepairsOnlyWhatItRemoves(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		spoil func(map[string]any)
		rm    string
		ok    bool
	}{
		{"null record", func(m map[string]any) { statetest.Resources(m)["vms.db"] = nil }, "vms.db", true},
		{"one id under two addresses", func(m map[string]any) { statetest.Record(m, "vms.db")["id"] = "v-1" }, "vms.db", true},
		{"another address than the bad one", func(m map[string]any) { statetest.Resources(m)["vms.db"] = nil }, "vms.web", false},
		{"an address not in the state", func(m map[string]any) { statetest.Resources(m)["vms.db"] = nil }, "vms.nope", false},
		{"a fault elsewhere too", func(m map[string]any) { statetest.Resources(m)["vms.db"] = nil; m["stack"] = "other" }, "vms.db", false},
		{"a deposed duplicate", func(m map[string]any) {
			m["deposed"] = append(m["deposed"].([]any), map[string]any{"address": "vms.web", "kind": "vms", "id": "v-1", "location": "jkt01"})
		}, "vms.web", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := statetest.GoodState()
			tc.spoil(m)
			b, _ := json.Marshal(m)
			_, err := state.Decode("state file x", b, "shop")
			var inv *state.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("not invalid: %v", err)
			}
			st, err := inv.Without(tc.rm)
			if ok := err == nil; ok != tc.ok {
				t.Fatalf("Without(%s): %v, want ok=%v", tc.rm, err, tc.ok)
			}
			if tc.ok && (st.Get(tc.rm) != nil || st.Serial != 3 || st.Stack != "shop" || len(st.Resources) != 3) {
				t.Errorf("repaired state: %+v", st)
			}
		})
	}
}
