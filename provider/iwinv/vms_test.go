package iwinv

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
	"github.com/idstack/idstack/provider/iwinv/sim"
)

// TestVMLifecycle drives an instance through the simulator as the engine
// does, checking the API calls each change makes.
func TestVMLifecycle(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{ReadyAfter: 10 * time.Millisecond})
	ctx := context.Background()
	const zone = sim.DefaultZone

	obj := e.must(e.c.Create(ctx, VMs, zone, provider.Attrs{"name": "web-1", "description": "front & back", "flavor": "fl-std-1c1g",
		"image": "img-ubuntu-2204", "ssh_key": "key-7f3a91", "user_script": "us-1001", "power": "stopped"}))
	if obj.Name != "web-1" || obj.Location != zone {
		t.Fatalf("created %+v", obj)
	}
	// power: stopped waits for the build, then shuts it down: the engine
	// waits for "stopped".
	if got := e.writes(); !slices.Equal(got, []string{"POST /instances", "POST /instances/" + obj.ID + "/shutdown"}) {
		t.Errorf("create writes %v", got)
	}
	got := waitObj(t, e, obj.ID, "stopped")
	want := provider.Attrs{"name": "web-1", "description": "front & back", "flavor": "fl-std-1c1g", "flavor_name": "STD-1C1G",
		"image": "img-ubuntu-2204", "image_name": "Ubuntu 22.04", "power": "stopped", "status": "shutoff", "ip": got.Attrs["ip"], "ips": got.Attrs["ips"]}
	if d := cmp.Diff(want, got.Attrs); d != "" || !strings.HasPrefix(got.Attrs["ip"].(string), "10.1.") {
		t.Errorf("attrs (-want +got):\n%s", d)
	}
	w := e.sim.World().Instances[0]
	if w.SSHKey != "key-7f3a91" || w.UserScript != "us-1001" {
		t.Errorf("the world's instance has key %q script %q", w.SSHKey, w.UserScript)
	}

	for _, step := range []struct {
		name    string
		changes []provider.FieldChange
		writes  []string
		power   string
		check   func(o provider.Object) bool
	}{
		{name: "rename and describe: one edit",
			changes: []provider.FieldChange{{Field: "name", After: "web-2"}, {Field: "description", After: "새 설명"}},
			writes:  []string{"PUT /instances/{id}"}, power: "stopped",
			check: func(o provider.Object) bool { return o.Name == "web-2" && o.Attrs["description"] == "새 설명" }},
		{name: "resize a stopped instance: it stays stopped",
			changes: []provider.FieldChange{{Field: "flavor", After: "fl-std-2c4g"}},
			writes:  []string{"POST /instances/{id}/resize"}, power: "stopped",
			check: func(o provider.Object) bool { return o.Attrs["flavor"] == "fl-std-2c4g" }},
		{name: "start", changes: []provider.FieldChange{{Field: "power", After: "running"}},
			writes: []string{"POST /instances/{id}/start"}, power: "running"},
		{name: "resize a running instance in place: no shutdown, the resize restarts it",
			changes: []provider.FieldChange{{Field: "flavor", After: "fl-std-4c8g"}},
			writes:  []string{"POST /instances/{id}/resize"}, power: "running"},
		{name: "resize and stop at once: stopped first, then resized",
			changes: []provider.FieldChange{{Field: "flavor", After: "fl-std-2c4g"}, {Field: "power", After: "stopped"}},
			writes:  []string{"POST /instances/{id}/shutdown", "POST /instances/{id}/resize"}, power: "stopped"},
		{name: "rebuild a stopped instance: it runs after, so it is stopped again",
			changes: []provider.FieldChange{{Field: "image", After: "img-debian-12"}},
			writes:  []string{"POST /instances/{id}/rebuild", "POST /instances/{id}/shutdown"}, power: "stopped",
			check: func(o provider.Object) bool {
				return o.Attrs["image"] == "img-debian-12" && o.Attrs["image_name"] == "Debian 12"
			}},
		{name: "nothing to do: no write", changes: []provider.FieldChange{{Field: "name", After: "web-2"}, {Field: "power", After: "stopped"}},
			power: "stopped"},
	} {
		e.sim.ResetCalls()
		o, err := e.c.Update(ctx, VMs, zone, obj.ID, step.changes)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		var want []string
		for _, w := range step.writes {
			want = append(want, strings.ReplaceAll(w, "{id}", obj.ID))
		}
		if got := e.writes(); !slices.Equal(got, want) {
			t.Errorf("%s: writes %v, want %v", step.name, got, want)
		}
		if o.Attrs["power"] != step.power || o.Status != step.power || step.check != nil && !step.check(o) {
			t.Errorf("%s: answered %+v", step.name, o)
		}
	}
	if _, err := e.c.Update(ctx, VMs, zone, obj.ID, []provider.FieldChange{{Field: "ssh_key", After: "key-2b8c40"}}); err == nil {
		t.Error("an SSH key changed in place")
	}

	// A disk on it is left behind, detached, when the instance goes.
	disk := e.must(e.c.Create(ctx, Disks, zone, provider.Attrs{"size": 20, "type": "SSD", "attach_to": obj.ID}))
	e.sim.ResetCalls()
	if err := e.c.Delete(ctx, VMs, zone, obj.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Get(ctx, VMs, zone, obj.ID); !isNotFoundErr(err) {
		t.Errorf("Get after Delete: %v", err)
	}
	if got := e.writes(); !slices.Equal(got, []string{"DELETE /instances/" + obj.ID}) {
		t.Errorf("delete writes %v", got)
	}
	d := e.must(e.c.Get(ctx, Disks, zone, disk.ID))
	if d.Attrs["attach_to"] != "" || d.Status != api.StorageAvailable {
		t.Errorf("the disk after its instance went: %+v", d)
	}
	if err := e.c.Delete(ctx, VMs, zone, obj.ID); err != nil {
		t.Errorf("a second Delete: %v", err)
	}
}

// waitObj polls Get until the object's status is status (a test's wait:
// the engine's own is in the executor).
func waitObj(t *testing.T, e *simEnv, id, status string) provider.Object {
	t.Helper()
	var obj provider.Object
	err := e.c.waitFor(context.Background(), id+" "+status, func(ctx context.Context) (bool, string, error) {
		o, err := e.c.Get(ctx, VMs, "", id)
		obj = o
		return err == nil && o.Status == status, o.Status, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

func isNotFoundErr(err error) bool { return isNotFound(err) }

// TestVMWaitDeadline: a wait that does not end names what it waited for
// and the status it last saw, and the create still answers the instance
// (it exists: the caller owns it).
func TestVMWaitDeadline(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{ReadyAfter: time.Hour}, WithPoll(time.Millisecond, 2*time.Millisecond, 50*time.Millisecond))
	obj, err := e.c.Create(context.Background(), VMs, sim.DefaultZone, provider.Attrs{"name": "slow", "flavor": "fl-std-1c1g", "image": "img-ubuntu-2204", "power": "stopped"})
	if err == nil || obj.ID == "" {
		t.Fatalf("Create = %+v, %v; want the object and an error", obj, err)
	}
	for _, s := range []string{"instance " + obj.ID, "to be [active shutoff]", `still "building"`, "deadline"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%q does not say %q", err, s)
		}
	}
	if provider.OutcomeUnknown(err) && obj.ID == "" {
		t.Error("an object that exists came back without its id")
	}
}

// TestVMBusyRefusal: a change while the instance is busy waits for it
// rather than failing, and a create refused by the API is known not done.
func TestVMBusyRefusal(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{ReadyAfter: 20 * time.Millisecond})
	ctx := context.Background()
	obj := e.must(e.c.Create(ctx, VMs, sim.DefaultZone, provider.Attrs{"name": "busy", "flavor": "fl-std-1c1g", "image": "img-ubuntu-2204"}))
	// Still building: the update waits for it, then renames.
	o := e.must(e.c.Update(ctx, VMs, sim.DefaultZone, obj.ID, []provider.FieldChange{{Field: "name", After: "calm"}}))
	if o.Name != "calm" || o.Status != "running" {
		t.Errorf("updated %+v", o)
	}
	_, err := e.c.Create(ctx, VMs, sim.DefaultZone, provider.Attrs{"name": "win", "flavor": "fl-std-1c1g", "image": "img-win-2022"})
	if err == nil || provider.OutcomeUnknown(err) || codeOf(err) != api.UnavailableCombination.Name {
		t.Errorf("a refused create: %v (code %q)", err, codeOf(err))
	}
}
