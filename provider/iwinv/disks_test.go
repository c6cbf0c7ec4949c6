package iwinv

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
	"github.com/idstack/idstack/provider/iwinv/sim"
)

// TestDiskLifecycle: a disk is made on an instance still building (its
// create waits), moved to another instance (detach, attach), and deleted
// attached (detach, delete), each step waited for.
func TestDiskLifecycle(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{ReadyAfter: 10 * time.Millisecond})
	ctx := context.Background()
	const zone = sim.DefaultZone
	a := e.must(e.c.Create(ctx, VMs, zone, provider.Attrs{"name": "a", "flavor": "fl-std-1c1g", "image": "img-ubuntu-2204"}))
	b := e.vm(zone, "b")
	e.sim.ResetCalls()
	d := e.must(e.c.Create(ctx, Disks, zone, provider.Attrs{"size": 100, "type": "HDD", "attach_to": a.ID}))
	if d.Status != api.StorageInUse || d.Attrs["attach_to"] != a.ID || d.Attrs["size"] != 100 || d.Attrs["type"] != "HDD" || d.Location != zone {
		t.Fatalf("created %+v", d)
	}
	if got := e.writes(); !slices.Equal(got, []string{"POST /block-storages"}) {
		t.Errorf("create writes %v (the instance still building must be waited for, not refused)", got)
	}
	e.sim.ResetCalls()
	moved := e.must(e.c.Update(ctx, Disks, zone, d.ID, []provider.FieldChange{{Field: "attach_to", Before: a.ID, After: b.ID}}))
	if moved.Attrs["attach_to"] != b.ID || moved.Status != api.StorageInUse {
		t.Errorf("moved %+v", moved)
	}
	if got := e.writes(); !slices.Equal(got, []string{"POST /block-storages/" + d.ID + "/detach", "POST /block-storages/" + d.ID + "/attach/" + b.ID}) {
		t.Errorf("move writes %v", got)
	}
	if _, err := e.c.Update(ctx, Disks, zone, d.ID, []provider.FieldChange{{Field: "size", After: 200}}); err == nil {
		t.Error("a size changed in place (the API cannot resize a volume)")
	}
	e.sim.ResetCalls()
	if err := e.c.Delete(ctx, Disks, zone, d.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.writes(); !slices.Equal(got, []string{"POST /block-storages/" + d.ID + "/detach", "DELETE /block-storages/" + d.ID}) {
		t.Errorf("delete writes %v", got)
	}
	if len(e.sim.World().BlockStorages) != 0 {
		t.Error("the disk is still there")
	}
}

// TestDiskCreateRefusedBeforeSending: a disk needs an instance, of its
// own zone; without, nothing is sent and the error says the create did
// not happen.
func TestDiskCreateRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{})
	other := e.vm(sim.SecondZone, "other")
	for _, tc := range []struct {
		attrs provider.Attrs
		says  string
	}{
		{provider.Attrs{"size": 20, "type": "SSD"}, "attached to an instance"},
		{provider.Attrs{"size": 20, "type": "SSD", "attach_to": other.ID}, "is in " + sim.SecondZone},
		{provider.Attrs{"size": 20, "type": "SSD", "attach_to": "00000000-0000-4000-8000-00000000dead"}, "does not exist"},
		{provider.Attrs{"size": "big", "type": "SSD", "attach_to": other.ID}, "whole number"},
	} {
		e.sim.ResetCalls()
		_, err := e.c.Create(context.Background(), Disks, sim.DefaultZone, tc.attrs)
		if err == nil || !strings.Contains(err.Error(), tc.says) || !errors.Is(err, provider.ErrNotSent) || errors.Is(err, provider.ErrNotFound) {
			t.Errorf("%v: %v; want a not-sent error that says %q", tc.attrs, err, tc.says)
		}
		if w := e.writes(); len(w) != 0 {
			t.Errorf("%v: writes %v", tc.attrs, w)
		}
	}
}
