package sim

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/sim")

// TestWorldGolden pins the initial world and a small scenario's world for a
// seed: ids, uuids, addresses and times are deterministic.
func TestWorldGolden(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clk := func() time.Time { return at }
	e := newEnv(t, Options{Seed: 42, Now: clk})
	var initial bytes.Buffer
	if err := e.sim.Save(&initial); err != nil {
		t.Fatal(err)
	}
	golden(t, "initial-world.json", initial.Bytes())

	app := e.must(200, "POST", "/v1/network/network?name=app", nil)
	_ = app
	vm := e.createVM("", "reserve_public_ip", "true")
	e.must(200, "POST", "/v1/storage/disks", form("size_gb", "30"))
	e.must(200, "PUT", "/v1/storage/bucket", form("name", "shop-assets"))
	e.must(200, "POST", "/v1/network/load_balancers", map[string]any{"display_name": "front",
		"rules": []map[string]any{{"source_port": 80, "target_port": 8080}}, "targets": []map[string]any{{"target_uuid": vm.UUID, "target_type": "vm"}}})
	var scenario bytes.Buffer
	if err := e.sim.Save(&scenario); err != nil {
		t.Fatal(err)
	}
	golden(t, "scenario-world.json", scenario.Bytes())
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "sim", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./provider/sim -run TestWorldGolden -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); rerun with -update if intended:\n%s", name, diff)
	}
}
