package iwinv

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
	"github.com/idstack/idstack/provider/iwinv/sim"
)

func rule(direction, protocol, port, source, description string) map[string]any {
	m := map[string]any{"direction": direction, "protocol": protocol, "port": port, "source": source}
	if description != "" {
		m["description"] = description
	}
	return m
}

// TestFirewallLifecycle: a firewall with rules and instances in two zones;
// each change makes only the calls it needs (a changed rule is one rule
// added and one removed); deleting an attached firewall detaches it first.
func TestFirewallLifecycle(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{})
	ctx := context.Background()
	a, b := e.vm(sim.DefaultZone, "a"), e.vm(sim.SecondZone, "b")
	ssh, web := rule("in", "tcp", "22", "203.0.113.0/24", "ssh"), rule("in", "tcp", "8000-8100", "0.0.0.0/0", "")
	e.sim.ResetCalls()
	fw := e.must(e.c.Create(ctx, Firewalls, "", provider.Attrs{"name": "web", "description": "<front> & co", "icmp": true,
		"rules": []any{ssh, web}, "attach_to": []any{b.ID, a.ID}}))
	if fw.Name != "web" || fw.Location != "" || fw.Attrs["description"] != "<front> & co" || fw.Attrs["icmp"] != true {
		t.Errorf("created %+v", fw)
	}
	if got := fw.Attrs["attach_to"]; !slices.Equal(got.([]any), []any{min(a.ID, b.ID), max(a.ID, b.ID)}) {
		t.Errorf("attach_to %v (sorted)", got)
	}
	rules := fw.Attrs["rules"].([]any)
	if len(rules) != 2 || rules[0].(map[string]any)["description"] != "ssh" || rules[1].(map[string]any)["description"] != nil {
		t.Errorf("rules %v (no description key when none)", rules)
	}
	if got := e.writes(); len(got) != 5 {
		t.Errorf("create writes %v: want the group, 2 rules, 2 attachments", got)
	}
	if w := e.sim.World().SecurityGroups[0].Rules[1]; w.Title != "in-tcp-8000-8100" || w.Bound != "IN" || w.Protocol != "TCP" {
		t.Errorf("the API's rule %+v", w)
	}
	id := fw.ID
	for _, step := range []struct {
		name    string
		changes []provider.FieldChange
		writes  []string
		check   func(provider.Object) bool
	}{
		{name: "a rule's port changes: one added, one removed",
			changes: []provider.FieldChange{{Field: "rules", After: []any{ssh, rule("in", "tcp", "8080", "0.0.0.0/0", "")}}},
			writes:  []string{"POST /security-groups/{id}/rules", "DELETE /security-groups/{id}/rules/*"}},
		{name: "a rule's description alone: edited in place",
			changes: []provider.FieldChange{{Field: "rules", After: []any{rule("in", "tcp", "22", "203.0.113.0/24", "office"), rule("in", "tcp", "8080", "0.0.0.0/0", "")}}},
			writes:  []string{"PUT /security-groups/{id}/rules/*"}},
		{name: "a rule's description removed: made again (an edit cannot clear it)",
			changes: []provider.FieldChange{{Field: "rules", After: []any{rule("in", "tcp", "22", "203.0.113.0/24", ""), rule("in", "tcp", "8080", "0.0.0.0/0", "")}}},
			writes:  []string{"DELETE /security-groups/{id}/rules/*", "POST /security-groups/{id}/rules"}},
		{name: "name, description and icmp: one edit",
			changes: []provider.FieldChange{{Field: "name", After: "front"}, {Field: "description", After: ""}, {Field: "icmp", After: false}},
			writes:  []string{"PUT /security-groups/{id}"},
			check: func(o provider.Object) bool {
				return o.Name == "front" && o.Attrs["description"] == "" && o.Attrs["icmp"] == false
			}},
		{name: "detach one instance", changes: []provider.FieldChange{{Field: "attach_to", After: []any{a.ID}}},
			writes: []string{"POST /security-groups/{id}/detach"},
			check:  func(o provider.Object) bool { return slices.Equal(o.Attrs["attach_to"].([]any), []any{a.ID}) }},
		{name: "the same again: no write", changes: []provider.FieldChange{{Field: "attach_to", After: []any{a.ID}}, {Field: "name", After: "front"}}},
	} {
		e.sim.ResetCalls()
		o, err := e.c.Update(ctx, Firewalls, "", id, step.changes)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		got := e.writes()
		if len(got) != len(step.writes) {
			t.Errorf("%s: writes %v, want %v", step.name, got, step.writes)
		}
		for i := range min(len(got), len(step.writes)) {
			want := strings.ReplaceAll(step.writes[i], "{id}", id)
			if !matchPath(want, got[i]) {
				t.Errorf("%s: write %d is %s, want %s", step.name, i, got[i], want)
			}
		}
		if step.check != nil && !step.check(o) {
			t.Errorf("%s: answered %+v", step.name, o)
		}
	}
	e.sim.ResetCalls()
	if err := e.c.Delete(ctx, Firewalls, "", id); err != nil {
		t.Fatal(err)
	}
	if got := e.writes(); !slices.Equal(got, []string{"POST /security-groups/" + id + "/detach", "DELETE /security-groups/" + id}) {
		t.Errorf("delete writes %v", got)
	}
	if _, err := e.c.Get(ctx, Firewalls, "", id); !isNotFound(err) {
		t.Errorf("Get after Delete: %v", err)
	}
}

// matchPath compares "METHOD /path" with * for one segment.
func matchPath(pattern, got string) bool {
	p, g := strings.Split(pattern, "/"), strings.Split(got, "/")
	if len(p) != len(g) {
		return false
	}
	for i := range p {
		if p[i] != "*" && p[i] != g[i] {
			return false
		}
	}
	return true
}

// TestFirewallListSkipsVanished: a group deleted between the list and the
// read of its rules is left out, not an error.
func TestFirewallListSkipsVanished(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{})
	ctx := context.Background()
	keep := e.must(e.c.Create(ctx, Firewalls, "", provider.Attrs{"name": "keep"}))
	gone := e.must(e.c.Create(ctx, Firewalls, "", provider.Attrs{"name": "gone"}))
	// The list is read, then the group disappears before its rules are.
	groups, err := e.c.ListGroups(ctx)
	if err != nil || len(groups) != 2 {
		t.Fatal(groups, err)
	}
	if err := e.c.DeleteGroup(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		_, err := e.c.parts(ctx, g)
		switch g.FirewallID {
		case keep.ID:
			if err != nil {
				t.Errorf("parts(%s): %v", g.FirewallID, err)
			}
		case gone.ID:
			if !isNotFound(err) {
				t.Errorf("parts of a vanished group: %v, want not found", err)
			}
		}
	}
	objs, err := e.c.List(ctx, Firewalls, "")
	if err != nil || len(objs) != 1 || objs[0].ID != keep.ID {
		t.Errorf("List = %+v, %v", objs, err)
	}
}

// TestFirewallWaitsForBusyInstances: attaching a firewall to an instance
// that is still building (one adopted after a killed run may be), or
// detaching it from one being resized, is refused by the API with 409
// DELETED_OR_WORKING_INSTANCE; the client waits for the instance to settle
// and makes the call again. Detaching from an instance being deleted is
// no error: its attachments go with it.
func TestFirewallWaitsForBusyInstances(t *testing.T) {
	t.Parallel()
	e := newSim(t, sim.Options{ReadyAfter: 40 * time.Millisecond})
	ctx := context.Background()
	settled := e.vm(sim.DefaultZone, "old")
	building := e.must(e.c.Create(ctx, VMs, sim.DefaultZone, provider.Attrs{"name": "new", "flavor": "fl-std-1c1g", "image": "img-ubuntu-2204"}))
	e.sim.ResetCalls()
	fw := e.must(e.c.Create(ctx, Firewalls, "", provider.Attrs{"name": "web", "attach_to": []any{building.ID, settled.ID}}))
	if got := fw.Attrs["attach_to"].([]any); len(got) != 2 {
		t.Fatalf("attached to %v, want both", got)
	}
	busy := 0
	for _, c := range e.sim.Calls() {
		if strings.HasSuffix(c.Path, "/attach") && c.Status == 409 {
			busy++
		}
	}
	if busy != 1 {
		t.Errorf("%d busy refusals of an attach, want 1 (the building instance, then waited for): %+v", busy, e.sim.Calls())
	}

	// Resizing: the detach waits for it.
	if err := e.c.InstanceAction(ctx, settled.ID, "resize", []field{{api.FormFlavorID, "fl-std-2c4g"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Update(ctx, Firewalls, "", fw.ID, []provider.FieldChange{{Field: "attach_to", After: []any{building.ID}}}); err != nil {
		t.Fatalf("detach from a resizing instance: %v", err)
	}
	// Deleting: the detach is moot.
	if _, err := e.c.DeleteInstance(ctx, building.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Delete(ctx, Firewalls, "", fw.ID); err != nil {
		t.Fatalf("delete a firewall attached to an instance being deleted: %v", err)
	}
	if n := len(e.sim.World().SecurityGroups); n != 0 {
		t.Errorf("%d firewalls left", n)
	}
}
