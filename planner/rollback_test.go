package planner_test

import (
	"github.com/idstack/idstack/provider/idcloudhost"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
)

// TestRollbackFromJournal: what each journaled step turns into.
func TestRollbackFromJournal(t *testing.T) {
	net := &state.Resource{Address: "networks.app", Kind: "networks", Location: "jkt01", Name: "net"}
	vm := &state.Resource{Address: "vms.web", Kind: "vms", Location: "jkt01", Name: "web", DependsOn: []string{"networks.app"}}
	oldDB := &state.Resource{Address: "vms.db", Kind: "vms", ID: "v-old", Location: "jkt01"}
	fip := &state.Resource{Address: "floating_ips.ip", Kind: "floating_ips", ID: "1.1.1.1", Location: "jkt01"}
	entries := []state.Entry{
		{Seq: 1, Phase: "intent", Op: "create", Address: "networks.app", Kind: "networks", Location: "jkt01", Record: net},
		{Seq: 2, Phase: "outcome", Intent: 1, ID: "n1", OK: true},
		{Seq: 3, Phase: "intent", Op: "create", Address: "vms.web", Kind: "vms", Location: "jkt01", Record: vm},
		{Seq: 4, Phase: "outcome", Intent: 3, ID: "v1", OK: true},
		{Seq: 5, Phase: "intent", Op: "replace", Address: "vms.db", Kind: "vms", Location: "jkt01", Previous: oldDB},
		{Seq: 6, Phase: "outcome", Intent: 5, ID: "v-new", OK: true},
		{Seq: 7, Phase: "intent", Op: "update", Address: "floating_ips.ip", Kind: "floating_ips", Location: "jkt01", ID: "1.1.1.1",
			Before: map[string]any{"assign_to": "v-old"}, After: map[string]any{"assign_to": "v-new"}, Previous: fip},
		{Seq: 8, Phase: "outcome", Intent: 7, Error: "503", OK: false}, // failed: may have done half
		{Seq: 9, Phase: "intent", Op: "adopt", Address: "buckets.b", Kind: "buckets", ID: "b"},
		{Seq: 10, Phase: "outcome", Intent: 9, ID: "b", OK: true},
		{Seq: 11, Phase: "intent", Op: "create", Address: "disks.d", Kind: "disks", Location: "jkt01"},
		{Seq: 12, Phase: "outcome", Intent: 11, Error: "422", OK: false}, // made nothing
	}
	p := planner.Rollback(idcloudhost.Description(), "shop", entries)
	type row struct {
		Addr, Action, ID string
		Forget           bool
		Restore          string
		After            []string
	}
	var got []row
	for _, a := range p.Actions {
		r := row{Addr: a.Address, Action: string(a.Action), ID: a.ID, Forget: a.Forget, After: a.DeleteAfter}
		if a.Restore != nil {
			r.Restore = a.Restore.ID + "@" + a.Restore.Address
		}
		got = append(got, r)
	}
	want := []row{
		{Addr: "floating_ips.ip", Action: "update", ID: "1.1.1.1", Restore: "1.1.1.1@floating_ips.ip"},
		{Addr: "buckets.b", Action: "delete", ID: "b", Forget: true},
		{Addr: "vms.db", Action: "delete", ID: "v-new", Restore: "v-old@vms.db"},
		{Addr: "vms.web", Action: "delete", ID: "v1"},
		{Addr: "networks.app", Action: "delete", ID: "n1", After: []string{"vms.web"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("rollback (-want +got):\n%s", d)
	}
	up := p.Actions[0]
	if d := cmp.Diff([]planner.Change{{Path: "assign_to", Before: "v-new", After: "v-old"}}, up.Changes); d != "" {
		t.Errorf("the update is not reversed (-want +got):\n%s", d)
	}
	if !p.Rollback || p.Summary.Delete != 4 || p.Summary.Update != 1 {
		t.Errorf("summary %+v rollback %v", p.Summary, p.Rollback)
	}
}

func TestTemplateFillsOnlyRealReferences(t *testing.T) {
	in := planner.Input{Template: true, Attrs: []string{"vms.db.private_ipv4"},
		Value: map[string]any{"runcmd": []any{"echo ${vms.db.private_ipv4} > /etc/db", "echo '${vms.db.private_ipv4}' again"}}}
	got, ok, err := in.Resolve(func(addr string) (provider.Object, bool) {
		return provider.Object{ID: "v1", Attrs: provider.Attrs{"private_ipv4": "10.0.0.5"}}, addr == "vms.db"
	})
	if err != nil || !ok {
		t.Fatalf("resolve: %v %v", ok, err)
	}
	want := map[string]any{"runcmd": []any{"echo 10.0.0.5 > /etc/db", "echo '10.0.0.5' again"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// Text written $${vms.db.private_ipv4} in the file is literal.
	lit := planner.Input{Template: true, Value: "${vms.db.private_ipv4}"}
	if got, _, _ := lit.Resolve(func(string) (provider.Object, bool) { return provider.Object{}, true }); got != "${vms.db.private_ipv4}" {
		t.Errorf("a literal $${…} was filled: %v", got)
	}
}
