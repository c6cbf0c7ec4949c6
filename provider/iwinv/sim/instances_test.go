package sim

import (
	"net/url"
	"testing"
	"time"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// TestInstanceTransitions: every asynchronous call answers 202 at once,
// the instance shows the transition until ReadyAfter has passed and
// refuses changes meanwhile, then settles.
func TestInstanceTransitions(t *testing.T) {
	t.Parallel()
	busyCode := api.DeletedOrWorkingInstance
	for _, tc := range []struct {
		name         string
		before       func(e *env, id string) // from an active instance
		call         string
		body         any
		during, then string
	}{
		{name: "create", call: "", during: api.StatusBuilding, then: api.StatusActive},
		{name: "shutdown", call: "shutdown", during: api.StatusStopping, then: api.StatusShutoff},
		{name: "start", before: func(e *env, id string) {
			e.must(202, "POST", "/v1/instances/"+id+"/shutdown", nil)
			e.clock.Advance(testReady)
		},
			call: "start", during: api.StatusStarting, then: api.StatusActive},
		{name: "reboot", call: "reboot", during: api.StatusRebooting, then: api.StatusActive},
		{name: "rebuild", call: "rebuild", body: form{"image_id", "img-debian-12"}, during: api.StatusRebuilding, then: api.StatusActive},
		{name: "rebuild of a shut-off instance ends active",
			before: func(e *env, id string) {
				e.must(202, "POST", "/v1/instances/"+id+"/shutdown", nil)
				e.clock.Advance(testReady)
			},
			call: "rebuild", during: api.StatusRebuilding, then: api.StatusActive},
		{name: "resize of a running instance", call: "resize", body: form{"flavor_id", "fl-std-2c4g"}, during: api.StatusResizing, then: api.StatusActive},
		{name: "resize of a shut-off instance",
			before: func(e *env, id string) {
				e.must(202, "POST", "/v1/instances/"+id+"/shutdown", nil)
				e.clock.Advance(testReady)
			},
			call: "resize", body: form{"flavor_id", "fl-std-2c4g"}, during: api.StatusResizing, then: api.StatusShutoff},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{})
			var id string
			if tc.call == "" {
				id = e.createInstance(DefaultZone, "web")
			} else {
				id = e.activeInstance(DefaultZone, "web")
				if tc.before != nil {
					tc.before(e, id)
				}
				e.must(202, "POST", "/v1/instances/"+id+"/"+tc.call, tc.body)
			}
			if calls := e.sim.Calls(); !calls[len(calls)-1].Pending {
				t.Errorf("the call log does not show %s pending: %+v", tc.call, calls[len(calls)-1])
			}
			if got := e.instance(id).Status; got != tc.during {
				t.Fatalf("status %q during, want %q", got, tc.during)
			}
			e.fails(409, busyCode, "POST", "/v1/instances/"+id+"/reboot", nil)
			e.fails(409, busyCode, "PUT", "/v1/instances/"+id, form{"name", "x"})
			e.fails(409, busyCode, "DELETE", "/v1/instances/"+id, nil)
			e.clock.Advance(testReady - time.Second)
			if got := e.instance(id).Status; got != tc.during {
				t.Fatalf("status %q a second before the end, want %q", got, tc.during)
			}
			e.clock.Advance(time.Second)
			if got := e.instance(id).Status; got != tc.then {
				t.Fatalf("status %q after, want %q", got, tc.then)
			}
			if calls := e.sim.Calls(); calls[len(calls)-1].Pending {
				t.Error("still pending once done")
			}
		})
	}
}

// TestInstanceWrites: names and descriptions are URL-decoded once;
// rebuild and resize change what they say; no-op power calls do nothing;
// delete leaves the volumes behind, detached.
func TestInstanceWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	id := e.activeInstance(DefaultZone, "web")
	e.must(200, "PUT", "/v1/instances/"+id, form{"name", url.QueryEscape("웹 서버 & co"), "description", url.QueryEscape("a+b=c 100%")})
	got := e.instance(id)
	if *got.Name != "웹 서버 & co" || got.Description.Value != "a+b=c 100%" {
		t.Errorf("after edit: name %q description %+v", *got.Name, got.Description)
	}
	e.must(202, "POST", "/v1/instances/"+id+"/start", nil) // already active: nothing happens
	if s := e.instance(id).Status; s != api.StatusActive {
		t.Errorf("start of an active instance: %s", s)
	}
	e.fails(400, api.CheckParam, "POST", "/v1/instances/"+id+"/resize", form{"flavor_id", "fl-std-1c1g"})
	e.fails(400, api.UnavailableCombination, "POST", "/v1/instances/"+id+"/rebuild", form{"image_id", "img-win-2022"})
	e.must(202, "POST", "/v1/instances/"+id+"/resize", form{"flavor_id", "fl-std-4c8g"})
	e.clock.Advance(testReady)
	e.must(202, "POST", "/v1/instances/"+id+"/rebuild", form{"image_id", "img-win-2022"})
	e.clock.Advance(testReady)
	if got := e.instance(id); got.Flavor.FlavorID != "fl-std-4c8g" || got.Image.ImageID != "img-win-2022" || got.Image.Name != "Windows Server 2022" {
		t.Errorf("after resize and rebuild: %+v %+v", got.Flavor, got.Image)
	}
	var v []api.StorageAccepted
	e.must(202, "POST", "/v1/block-storages", form{"instance_id", id, "type", "SSD", "size", "10"}).decode(t, &v)
	e.clock.Advance(testReady)
	e.must(202, "DELETE", "/v1/instances/"+id, nil)
	if s := e.instance(id).Status; s != api.StatusDeleting {
		t.Errorf("status %s while deleting", s)
	}
	e.clock.Advance(testReady)
	e.fails(404, api.NotFound, "GET", "/v1/instances/"+id, nil)
	w := e.sim.World()
	if len(w.BlockStorages) != 1 || w.BlockStorages[0].Status != api.StorageAvailable || w.BlockStorages[0].Instance != "" {
		t.Errorf("the volume after its instance went: %+v", w.BlockStorages)
	}
}

// TestShutdownKeepsBilling: a shut-off instance is still on the live bill.
func TestShutdownKeepsBilling(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	id := e.activeInstance(DefaultZone, "web")
	e.must(202, "POST", "/v1/instances/"+id+"/shutdown", nil)
	e.clock.Advance(testReady)
	var live []LiveBill
	e.must(200, "GET", "/v1/bill/live", nil).decode(t, &live)
	if len(live) != 1 || live[0].Instances != 1 {
		t.Errorf("live bill %+v, want the shut-off instance on it", live)
	}
}

// TestCreateCount: count makes several instances with numbered names.
func TestCreateCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	var acc []api.Accepted
	e.must(202, "POST", "/v1/instances", form{"zone_id", SecondZone, "image_id", "img-debian-12", "flavor_id", "fl-cpu-8c16g", "name", "batch", "count", "3"}).decode(t, &acc)
	if len(acc) != 3 || *e.instance(acc[2].InstanceID).Name != "batch-3" {
		t.Fatalf("count 3: %+v", acc)
	}
	e.fails(400, api.CheckParam, "POST", "/v1/instances", form{"zone_id", SecondZone, "image_id", "img-debian-12", "flavor_id", "fl-cpu-8c16g", "count", "11"})
}
