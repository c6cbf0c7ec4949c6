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
)

// goodState is a valid state of stack "shop", as a JSON value to spoil.
func goodState() map[string]any {
	rec := func(addr, kind, id, loc string) map[string]any {
		r := map[string]any{"address": addr, "kind": kind, "id": id}
		if loc != "" {
			r["location"] = loc
		}
		return r
	}
	return map[string]any{
		"version": 1, "serial": 3, "lineage": "0123456789abcdef", "stack": "shop",
		"resources": map[string]any{
			"networks.app":   rec("networks.app", "networks", "n-1", "jkt01"),
			"vms.web":        rec("vms.web", "vms", "v-1", "jkt01"),
			"vms.db":         rec("vms.db", "vms", "v-2", "jkt01"),
			"buckets.assets": rec("buckets.assets", "buckets", "shop-assets", ""),
		},
		"deposed": []any{rec("vms.old", "vms", "v-9", "jkt01")},
	}
}

func resources(m map[string]any) map[string]any { return m["resources"].(map[string]any) }
func record(m map[string]any, addr string) map[string]any {
	return resources(m)[addr].(map[string]any)
}

// badStates are states a hand edit, a bad merge or a torn copy leave
// behind; each must be refused when read, naming the entry and the fault.
var badStates = []struct {
	name  string
	raw   string               // the file as it is, or
	spoil func(map[string]any) // a change to goodState
	want  []string             // what the error says (besides where)
}{
	{name: "null record", spoil: func(m map[string]any) { resources(m)["vms.db"] = nil },
		want: []string{`resources["vms.db"]: the record is null`}},
	{name: "empty id", spoil: func(m map[string]any) { record(m, "vms.web")["id"] = "" },
		want: []string{`resources["vms.web"]: the id is empty`}},
	{name: "blank id", spoil: func(m map[string]any) { record(m, "vms.web")["id"] = "  " },
		want: []string{`resources["vms.web"]: the id is empty`}},
	{name: "missing id", spoil: func(m map[string]any) { delete(record(m, "vms.web"), "id") },
		want: []string{`resources["vms.web"]: the id is empty`}},
	{name: "blank address", spoil: func(m map[string]any) {
		r := record(m, "vms.db")
		delete(resources(m), "vms.db")
		r["address"] = ""
		resources(m)[""] = r
	}, want: []string{`resources[""]: the address is blank`}},
	{name: "key disagrees with the record", spoil: func(m map[string]any) { record(m, "vms.db")["address"] = "vms.database" },
		want: []string{`resources["vms.db"]: the record's address is "vms.database"`}},
	{name: "record without an address", spoil: func(m map[string]any) { delete(record(m, "vms.db"), "address") },
		want: []string{`resources["vms.db"]: the record's address is ""`}},
	{name: "not KIND.NAME", spoil: func(m map[string]any) {
		r := record(m, "vms.db")
		delete(resources(m), "vms.db")
		r["address"] = "db"
		resources(m)["db"] = r
	}, want: []string{`resources["db"]: address "db": want KIND.NAME`}},
	{name: "unknown kind", spoil: func(m map[string]any) {
		r := record(m, "vms.db")
		delete(resources(m), "vms.db")
		r["address"], r["kind"] = "servers.db", "servers"
		resources(m)["servers.db"] = r
	}, want: []string{`resources["servers.db"]: address "servers.db": unknown kind "servers"`}},
	{name: "kind disagrees with the address", spoil: func(m map[string]any) { record(m, "vms.db")["kind"] = "disks" },
		want: []string{`resources["vms.db"]: the record's kind is "disks", not vms`}},
	{name: "no location", spoil: func(m map[string]any) { delete(record(m, "vms.db"), "location") },
		want: []string{`resources["vms.db"]: no location`}},
	{name: "one id under two addresses", spoil: func(m map[string]any) { record(m, "vms.db")["id"] = "v-1" },
		want: []string{`resources["vms.db"] and resources["vms.web"] both hold VM "v-1"`, "idstack state rm"}},
	{name: "one id under three addresses", spoil: func(m map[string]any) {
		record(m, "vms.db")["id"] = "v-1"
		resources(m)["vms.cache"] = map[string]any{"address": "vms.cache", "kind": "vms", "id": "v-1", "location": "jkt01"}
	}, want: []string{`resources["vms.cache"], resources["vms.db"] and resources["vms.web"] all hold VM "v-1"`}},
	{name: "deposed duplicates a current record", spoil: func(m map[string]any) {
		m["deposed"] = append(m["deposed"].([]any), map[string]any{"address": "vms.web", "kind": "vms", "id": "v-1", "location": "jkt01"})
	}, want: []string{`deposed[1] (vms.web): holds VM "v-1", which resources["vms.web"] holds too`}},
	{name: "deposed twice", spoil: func(m map[string]any) {
		m["deposed"] = append(m["deposed"].([]any), map[string]any{"address": "vms.old", "kind": "vms", "id": "v-9", "location": "jkt01"})
	}, want: []string{`deposed[1] (vms.old): holds VM "v-9", which deposed[0] holds too`}},
	{name: "null deposed record", spoil: func(m map[string]any) { m["deposed"] = append(m["deposed"].([]any), nil) },
		want: []string{`deposed[1]: the record is null`}},
	{name: "deposed with no id", spoil: func(m map[string]any) { delete(m["deposed"].([]any)[0].(map[string]any), "id") },
		want: []string{`deposed[0]: the id is empty`}},
	{name: "another stack's state", spoil: func(m map[string]any) { m["stack"] = "shop-prod" },
		want: []string{`belongs to stack "shop-prod", not "shop"`}},
	{name: "no stack", spoil: func(m map[string]any) { delete(m, "stack") },
		want: []string{`stack: missing`}},
	{name: "negative serial", spoil: func(m map[string]any) { m["serial"] = -4 },
		want: []string{`serial: -4 is negative`}},
	{name: "serial not a number", spoil: func(m map[string]any) { m["serial"] = "7" },
		want: []string{`serial: a string where a number belongs`}},
	{name: "newer format", spoil: func(m map[string]any) { m["version"] = 2 },
		want: []string{`version: format version 2; this idstack reads version 1 (a newer idstack wrote it)`}},
	{name: "no format version", spoil: func(m map[string]any) { delete(m, "version") },
		want: []string{`version: missing`}},
	{name: "no resources", spoil: func(m map[string]any) { delete(m, "resources") },
		want: []string{`resources: missing`}},
	{name: "resources a list", spoil: func(m map[string]any) { m["resources"] = []any{} },
		want: []string{`resources: an array where an object belongs`}},
	{name: "record a string", spoil: func(m map[string]any) { resources(m)["vms.db"] = "v-2" },
		want: []string{`resources["vms.db"]: a string where an object belongs`}},
	{name: "truncated", raw: `{"version": 1, "serial": 3, "stack": "shop", "resources": {"vms.web": {"address": "vms.w`,
		want: []string{"not valid JSON: it ends at byte 88, in the middle (a truncated copy?)"}},
	{name: "empty file", raw: "",
		want: []string{"empty (0 bytes)"}},
	{name: "not JSON", raw: "<<<<<<< HEAD\n{}\n",
		want: []string{"not valid JSON at byte 1: invalid character '<'"}},
	{name: "JSON null", raw: "null",
		want: []string{"not a JSON object"}},
	{name: "every fault at once", spoil: func(m map[string]any) {
		m["stack"], m["serial"] = "other", -1
		resources(m)["vms.db"] = nil
		record(m, "networks.app")["id"] = ""
		record(m, "buckets.assets")["address"] = "buckets.logs"
	}, want: []string{`belongs to stack "other", not "shop"`, "serial: -1 is negative", `resources["vms.db"]: the record is null`,
		`resources["networks.app"]: the id is empty`, `resources["buckets.assets"]: the record's address is "buckets.logs"`, "5 problems"}},
}

func spoiled(t *testing.T, i int) []byte {
	t.Helper()
	tc := badStates[i]
	if tc.spoil == nil {
		return []byte(tc.raw)
	}
	m := goodState()
	tc.spoil(m)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGoodStateLoads: the base of the table is itself valid.
func TestGoodStateLoads(t *testing.T) {
	t.Parallel()
	b, _ := json.Marshal(goodState())
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
	for i, tc := range badStates {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := state.NewLocal(t.TempDir(), "shop")
			data := spoiled(t, i)
			if err := os.MkdirAll(l.Dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(l.Path(), data, 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := l.Load()
			checkRefused(t, st, err, "state file "+l.Path(), tc.want)
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
	for i, tc := range badStates {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			key := "states/" + strings.ReplaceAll(tc.name, " ", "-") + ".json"
			data := spoiled(t, i)
			w.putRaw(t, "tfstate", key, data)
			b := w.backend(t, "tfstate", key, "shop")
			st, err := b.Load()
			checkRefused(t, st, err, "state s3://tfstate/"+key, tc.want)
			if got := w.getRaw(t, "tfstate", key); !bytes.Equal(got, data) {
				t.Errorf("the state object changed")
			}
		})
	}
}

func checkRefused(t *testing.T, st *state.State, err error, where string, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("a bad state loaded: %+v", st)
	}
	var inv *state.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("want an *InvalidError, got %T: %v", err, err)
	}
	msg := err.Error()
	for _, s := range append([]string{where, "nothing was changed"}, want...) {
		if !strings.Contains(msg, s) {
			t.Errorf("the error lacks %q:\n%s", s, msg)
		}
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
		{"null record", func(m map[string]any) { resources(m)["vms.db"] = nil }, "vms.db", true},
		{"one id under two addresses", func(m map[string]any) { record(m, "vms.db")["id"] = "v-1" }, "vms.db", true},
		{"another address than the bad one", func(m map[string]any) { resources(m)["vms.db"] = nil }, "vms.web", false},
		{"an address not in the state", func(m map[string]any) { resources(m)["vms.db"] = nil }, "vms.nope", false},
		{"a fault elsewhere too", func(m map[string]any) { resources(m)["vms.db"] = nil; m["stack"] = "other" }, "vms.db", false},
		{"a deposed duplicate", func(m map[string]any) {
			m["deposed"] = append(m["deposed"].([]any), map[string]any{"address": "vms.web", "kind": "vms", "id": "v-1", "location": "jkt01"})
		}, "vms.web", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := goodState()
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
