package sim

import (
	"testing"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// TestVolumeLifecycle: created attached, detached, attached elsewhere in
// its zone, deleted once available; each step 202 and ReadyAfter long.
func TestVolumeLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.activeInstance(DefaultZone, "a")
	b := e.activeInstance(DefaultZone, "b")
	other := e.activeInstance(SecondZone, "other")
	var acc []api.StorageAccepted
	e.must(202, "POST", "/v1/block-storages", form{"instance_id", a, "type", "HDD", "size", "50"}).decode(t, &acc)
	id := acc[0].BlockStorageID
	vol := func() api.BlockStorage {
		var v []api.BlockStorage
		e.must(200, "GET", "/v1/block-storages/"+id, nil).decode(t, &v)
		return v[0]
	}
	step := func(during, then, attached string) {
		t.Helper()
		if v := vol(); v.Status != during {
			t.Fatalf("status %s, want %s", v.Status, during)
		}
		e.clock.Advance(testReady)
		v := vol()
		got := ""
		if v.InstanceID != nil {
			got = *v.InstanceID
		}
		if v.Status != then || got != attached {
			t.Fatalf("status %s attached to %q, want %s attached to %q", v.Status, got, then, attached)
		}
	}
	step(api.StorageCreating, api.StorageInUse, a)
	if v := vol(); v.ZoneID != DefaultZone || v.Size != 50 || v.Type != "HDD" {
		t.Errorf("volume %+v", v)
	}
	e.fails(409, api.InUse, "POST", "/v1/block-storages/"+id+"/attach/"+b, nil) // attached already
	e.must(202, "POST", "/v1/block-storages/"+id+"/detach", nil)
	step(api.StorageDetaching, api.StorageAvailable, "")
	e.fails(400, api.CheckParam, "POST", "/v1/block-storages/"+id+"/attach/"+other, nil)
	e.must(202, "POST", "/v1/block-storages/"+id+"/attach/"+b, nil)
	step(api.StorageAttaching, api.StorageInUse, b)
	e.fails(409, api.InUse, "DELETE", "/v1/block-storages/"+id, nil)
	e.must(202, "POST", "/v1/block-storages/"+id+"/detach", nil)
	e.clock.Advance(testReady)
	e.must(202, "DELETE", "/v1/block-storages/"+id, nil)
	e.clock.Advance(testReady)
	e.fails(404, api.NotFound, "GET", "/v1/block-storages/"+id, nil)
}

// TestVolumeRules: what a volume create needs.
func TestVolumeRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	in := e.createInstance(SecondZone, "web") // building
	e.fails(409, api.DeletedOrWorkingInstance, "POST", "/v1/block-storages", form{"instance_id", in, "type", "SSD", "size", "10"})
	e.clock.Advance(testReady)
	for _, tc := range []struct {
		body form
		code api.ErrorCode
	}{
		{form{"type", "SSD", "size", "10"}, api.RequiredPostParamMissing},
		{form{"instance_id", in, "type", "HDD", "size", "10"}, api.CheckParamEnum}, // HDD only in the first zone
		{form{"instance_id", in, "type", "NVME", "size", "10"}, api.CheckParamEnum},
		{form{"instance_id", in, "type", "SSD", "size", "5"}, api.CheckParam},
		{form{"instance_id", in, "type", "SSD", "size", "2001"}, api.CheckParam},
		{form{"instance_id", "00000000-0000-4000-8000-000000000000", "type", "SSD", "size", "10"}, api.CheckParam},
	} {
		e.fails(400, tc.code, "POST", "/v1/block-storages", tc.body)
	}
	if n := len(e.sim.World().BlockStorages); n != 0 {
		t.Errorf("refused creates made %d volumes", n)
	}
}
