package api

import (
	"encoding/json"
	"fmt"
	"testing"
)

// TestSign checks the signature against values computed independently:
//
//	printf '%s' '1767225600/v1/zones' | openssl dgst -sha256 -hmac 'sim-secret-key'
//	python3 -c "import hmac,hashlib; print(hmac.new(b'sim-secret-key', b'1767225600/v1/zones', hashlib.sha256).hexdigest())"
func TestSign(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ secret, ts, path, want string }{
		{"sim-secret-key", "1767225600", "/v1/zones", "6072518255b2454272bb9e1738711e52f86dc70896145ca1ffdeb6617c8eb5ca"},
		{"sim-secret-key", "1767225600", "/v1/instances/0f8e6c2a-1b3d-4e5f-8a9b-0c1d2e3f4a5b/shutdown",
			"576bdefe70aae132dcfb65463e758d53675a73e162d1bd7bd0fcbb6f63a734d5"},
	} {
		if got := Sign(tc.secret, tc.ts, tc.path); got != tc.want {
			t.Errorf("Sign(%q, %q, %q) = %s, want %s", tc.secret, tc.ts, tc.path, got, tc.want)
		}
	}
}

// TestErrorCodes: the table holds the 24 documented codes, 0x1 to 0x18 in
// order, each name once.
func TestErrorCodes(t *testing.T) {
	t.Parallel()
	if len(ErrorCodes) != 24 {
		t.Fatalf("%d error codes, want 24", len(ErrorCodes))
	}
	seen := map[string]bool{}
	for i, c := range ErrorCodes {
		if want := fmt.Sprintf("0x%x", i+1); c.Code != want {
			t.Errorf("ErrorCodes[%d] = %v, want code %s", i, c, want)
		}
		if seen[c.Name] {
			t.Errorf("%s twice", c.Name)
		}
		seen[c.Name] = true
		if got, ok := LookupErrorCode(c.Name, c.Code); !ok || got != c {
			t.Errorf("LookupErrorCode(%s, %s) = %v, %v", c.Name, c.Code, got, ok)
		}
	}
	if _, ok := LookupErrorCode("NOT_FOUND", "0x2"); ok {
		t.Error("a name with another code's number is trusted")
	}
	if _, ok := LookupErrorCode("NOPE", "0x1"); ok {
		t.Error("an unknown name is trusted")
	}
}

func TestNullString(t *testing.T) {
	t.Parallel()
	type doc struct {
		D NullString `json:"d,omitzero"`
	}
	for _, tc := range []struct {
		in   doc
		json string
	}{
		{doc{}, `{}`},
		{doc{Null()}, `{"d":null}`},
		{doc{Text("")}, `{"d":""}`},
		{doc{Text("web")}, `{"d":"web"}`},
	} {
		b, err := json.Marshal(tc.in)
		if err != nil || string(b) != tc.json {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", tc.in, b, err, tc.json)
		}
		var back doc
		if err := json.Unmarshal(b, &back); err != nil || back != tc.in {
			t.Errorf("Unmarshal(%s) = %+v, %v; want %+v", b, back, err, tc.in)
		}
	}
}

// TestEnvelope: success needs both words; paged answers carry page_no and
// page_size.
func TestEnvelope(t *testing.T) {
	t.Parallel()
	var e Envelope
	if err := json.Unmarshal([]byte(`{"code":"0x00","error_code":"SUCCESS","message":"","result":"Shutting down the instance. It may take some time."}`), &e); err != nil {
		t.Fatal(err)
	}
	if !e.OK() || e.Paged() {
		t.Errorf("seed answer: OK %v, Paged %v; want true, false", e.OK(), e.Paged())
	}
	if err := json.Unmarshal([]byte(`{"code":"0x1","error_code":"SUCCESS","result":[],"count":0,"page_no":1,"page_size":10,"total":0}`), &e); err != nil {
		t.Fatal(err)
	}
	if e.OK() || !e.Paged() {
		t.Errorf("mixed answer: OK %v, Paged %v; want false, true", e.OK(), e.Paged())
	}
}
