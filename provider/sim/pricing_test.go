package sim

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider/api"
)

// TestPricingPolicyIsTheDocuments: the simulator serves the reference
// document's pricing policy value for value (the conformance table checks
// its shape), for the default location and any other.
func TestPricingPolicyIsTheDocuments(t *testing.T) {
	var doc api.PricingPolicy
	resp{Body: mustReadDoc(t, "get_pricing_policy")}.strict(t, &doc)
	e := newEnv(t, Options{})
	for _, path := range []string{"/v1/pricing/policy", "/v1/sgp01/pricing/policy"} {
		var got api.PricingPolicy
		e.must(200, "GET", path, nil).strict(t, &got)
		if d := cmp.Diff(doc, got); d != "" {
			t.Errorf("%s differs from the document's example (-doc +sim):\n%s", path, d)
		}
	}
}

func mustReadDoc(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sim", "doc", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
