package planner_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/planner"
)

// Order: each node after its dependencies, ties in the given order; a
// cycle lists its edges.
func TestGraphOrder(t *testing.T) {
	g := planner.NewGraph([]string{"lb", "web", "net", "db", "web", "ip"})
	g.Edge("lb", "web")
	g.Edge("lb", "net")
	g.Edge("web", "db")
	g.Edge("web", "net")
	g.Edge("web", "db") // twice: one edge
	g.Edge("db", "net")
	g.Edge("ip", "db")
	g.Edge("ip", "unknown") // ignored
	g.Edge("ip", "ip")      // ignored
	order, err := g.Order()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"net", "db", "web", "lb", "ip"}, order); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}

	g = planner.NewGraph([]string{"a", "b", "c", "d", "e"})
	g.Edge("a", "e")
	g.Edge("b", "c")
	g.Edge("c", "d")
	g.Edge("d", "b")
	_, err = g.Order()
	var ce *planner.CycleError
	if !errors.As(err, &ce) {
		t.Fatalf("want a CycleError, got %v", err)
	}
	if d := cmp.Diff([][2]string{{"b", "c"}, {"c", "d"}, {"d", "b"}}, ce.Edges); d != "" {
		t.Errorf("cycle (-want +got):\n%s", d)
	}
	if want := "dependency cycle: b → c, c → d, d → b"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
