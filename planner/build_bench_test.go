package planner_test

import (
	"fmt"
	"github.com/idstack/idstack/provider/idcloudhost"
	"testing"

	"github.com/idstack/idstack/bench/stackgen"
	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/schema"
	"github.com/idstack/idstack/spec"
)

var benchSizes = []int{100, 1000}

// benchStack loads a generated stack of n resources.
func benchStack(b *testing.B, n int) *spec.Stack {
	b.Helper()
	src, _ := stackgen.Generate(n, stackgen.Options{})
	s, diags := schema.LoadBytes("stack.yaml", src, spec.Options{Providers: map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description()}, DefaultProvider: idcloudhost.Name, LookupEnv: func(string) (string, bool) { return "", false }})
	if s == nil || diags.HasErrors() {
		b.Fatalf("load: %v", diags)
	}
	return s
}

// emptyWorld is an account with only the default network and the
// catalogue of each location.
func emptyWorld() *planner.Live {
	live := &planner.Live{Provider: idcloudhost.Description(), DefaultLocation: "jkt01", Objects: map[planner.Scope][]provider.Object{}, Catalogs: map[string]any{}}
	for _, loc := range stackgen.Locations {
		live.Objects[planner.Scope{Kind: idcloudhost.Networks, Location: loc}] = []provider.Object{{
			Kind: idcloudhost.Networks, Location: loc, ID: "default-" + loc, Name: "Default network",
			Attrs: provider.Attrs{"name": "Default network", "is_default": true},
		}}
		live.Catalogs[loc] = &idcloudhost.Catalog{
			Location: loc,
			Pools:    []idcloudhost.Pool{{UUID: "p-" + loc, Name: "General", Default: true}},
			Images:   []idcloudhost.Image{{OSName: "ubuntu", Versions: []string{"20.04", "22.04", "24.04"}}},
		}
	}
	return live
}

// appliedWorld is the stack applied: one live object per resource, owned
// by the state, its attributes the declared values (references as ids).
func appliedWorld(s *spec.Stack) (*planner.Live, *state.State) {
	live := emptyWorld()
	st := state.New(s.Name)
	id := func(a spec.Address) string { return "id-" + a.String() }
	for _, r := range s.Resources {
		kind := provider.Kind(r.Addr.Kind)
		attrs := provider.Attrs{}
		for f, v := range r.Fields {
			attrs[f] = v.V
			if len(v.Refs) > 0 && v.Refs[0].Attr == "" {
				if _, isList := v.V.([]any); !isList {
					attrs[f] = id(v.Refs[0].Addr)
				}
			}
		}
		name, _ := attrs["name"].(string)
		if name == "" {
			name = r.Addr.Name
		}
		attrs["name"] = name
		if kind == idcloudhost.VMs {
			attrs["private_ipv4"] = fmt.Sprintf("10.%d.%d.%d", len(st.Resources)>>16&255, len(st.Resources)>>8&255, len(st.Resources)&255)
		}
		loc := r.Location
		if idcloudhost.Description().Kind(kind).Global {
			loc = ""
		}
		sc := planner.Scope{Kind: kind, Location: loc}
		live.Objects[sc] = append(live.Objects[sc], provider.Object{Kind: kind, Location: loc, ID: id(r.Addr), Name: name, Status: "running", Attrs: attrs})
		st.Put(&state.Resource{Address: r.Addr.String(), Kind: string(r.Addr.Kind), ID: id(r.Addr), Location: loc, Name: name})
	}
	return live, st
}

// BenchmarkBuild is the diff: planner.Build of a generated stack against
// an empty account (every resource a create) and against the stack
// applied (every resource compared with its live object).
//
//	go test ./planner -run '^$' -bench . -benchmem
func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes {
		s := benchStack(b, n)
		b.Run(fmt.Sprintf("empty/resources=%d", n), func(b *testing.B) {
			live, st := emptyWorld(), state.New(s.Name)
			b.ReportAllocs()
			for b.Loop() {
				if p := planner.Build(s, st, live, planner.Options{}); len(p.Errors) > 0 {
					b.Fatalf("plan: %v", p.Errors[0])
				}
			}
		})
		b.Run(fmt.Sprintf("applied/resources=%d", n), func(b *testing.B) {
			live, st := appliedWorld(s)
			b.ReportAllocs()
			for b.Loop() {
				if p := planner.Build(s, st, live, planner.Options{}); len(p.Errors) > 0 {
					b.Fatalf("plan: %v", p.Errors[0])
				}
			}
		})
	}
}

// BenchmarkGraphOrder orders a graph shaped like the generated stacks:
// cells of ten nodes, each cell's nodes depending on its first ones.
func BenchmarkGraphOrder(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		nodes := make([]string, n)
		for i := range nodes {
			nodes[i] = fmt.Sprintf("n%d", i)
		}
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g := planner.NewGraph(nodes)
				for i := range nodes {
					cell := i - i%10
					if i%10 >= 1 {
						g.Edge(nodes[i], nodes[cell]) // everything on the cell's network
					}
					if i%10 >= 2 {
						g.Edge(nodes[i], nodes[cell+1]) // and on its first VM
					}
				}
				if order, err := g.Order(); err != nil || len(order) != n {
					b.Fatalf("order: %d nodes, %v", len(order), err)
				}
			}
		})
	}
}
