package api

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNullableRoundTrip: absent, null and a value each come back as they
// went in, through a struct field tagged omitzero.
func TestNullableRoundTrip(t *testing.T) {
	type holder struct {
		N Nullable[string] `json:"n,omitzero"`
	}
	tests := []struct {
		name string
		in   string
		want Nullable[string]
	}{
		{"absent", `{}`, Nullable[string]{}},
		{"null", `{"n":null}`, Null[string]()},
		{"value", `{"n":"80.64.107.54"}`, Some("80.64.107.54")},
		{"empty string is a value", `{"n":""}`, Some("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h holder
			if err := json.Unmarshal([]byte(tt.in), &h); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, h.N); diff != "" {
				t.Fatalf("decoded (-want +got):\n%s", diff)
			}
			b, err := json.Marshal(h)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.in {
				t.Fatalf("encoded %s, want %s", b, tt.in)
			}
		})
	}
	var h holder
	if err := json.Unmarshal([]byte(`{"n":3}`), &h); err == nil {
		t.Fatal("a number decoded into Nullable[string]")
	}
	if p := Some(7).Ptr(); p == nil || *p != 7 {
		t.Fatalf("Some(7).Ptr() = %v", p)
	}
	if Null[int]().Ptr() != nil || (Nullable[int]{}).Ptr() != nil {
		t.Fatal("Ptr of null or absent is not nil")
	}
}

// TestDocumentedShapesSurvive decodes fragments of the document's examples
// whose nulls and empty lists the wire types used to drop, and encodes them
// again.
func TestDocumentedShapesSurvive(t *testing.T) {
	tests := []struct {
		name string
		into func() any
		in   string
		keys []string // keys that must come back
	}{
		{"billing_resources VM", func() any { return new(VM) },
			`{"hypervisor_id":null,"public_ipv4":"80.64.107.54","storage":[{"public_ipv4":null,"updated_at":null,"replica":[]}]}`,
			[]string{"hypervisor_id", "public_ipv4", "storage.public_ipv4", "storage.updated_at"}},
		{"VM without a public address", func() any { return new(VM) },
			`{"public_ipv4":null,"storage":[]}`, []string{"public_ipv4"}},
		{"disk with no snapshots", func() any { return new(Disk) },
			`{"snapshots":[]}`, []string{"snapshots"}},
		{"S3 user", func() any { return new(S3User) },
			`{"caps":[],"displayName":"u","email":"","maxBuckets":1000,"s3Credentials":[{"accessKey":"a","secretKey":"s","userId":"u"}],"subusers":[],"suspended":0,"swiftCredentials":[],"userId":"u"}`,
			[]string{"caps", "displayName", "email", "maxBuckets", "s3Credentials", "subusers", "suspended", "swiftCredentials", "userId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.into()
			if err := json.Unmarshal([]byte(tt.in), v); err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			var in, out map[string]any
			_ = json.Unmarshal([]byte(tt.in), &in)
			_ = json.Unmarshal(b, &out)
			for _, k := range tt.keys {
				if diff := cmp.Diff(lookup(in, k), lookup(out, k)); diff != "" {
					t.Errorf("%s (-document +encoded):\n%s\nencoded: %s", k, diff, b)
				}
				if _, ok := lookupOK(out, k); !ok {
					t.Errorf("%s lost: %s", k, b)
				}
			}
		})
	}
	// Absent stays absent: a VM made in Go does not invent the keys.
	b, _ := json.Marshal(VM{Storage: []Storage{{}}})
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	for _, k := range []string{"hypervisor_id", "public_ipv4", "storage.public_ipv4", "storage.updated_at"} {
		if _, ok := lookupOK(out, k); ok {
			t.Errorf("%s present in %s", k, b)
		}
	}
	b, _ = json.Marshal(Disk{})
	if _, ok := lookupOK(unmarshal(b), "snapshots"); ok {
		t.Errorf("nil snapshots encoded: %s", b)
	}
}

func unmarshal(b []byte) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

func lookup(m map[string]any, path string) any {
	v, _ := lookupOK(m, path)
	return v
}

// lookupOK follows a dotted path; an array step looks into its first element.
func lookupOK(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, k := range splitDot(path) {
		if a, ok := cur.([]any); ok {
			if len(a) == 0 {
				return nil, false
			}
			cur = a[0]
		}
		o, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = o[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func splitDot(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
