package iwinv

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/idstack/idstack/provider/iwinv/api"
	"github.com/idstack/idstack/provider/iwinv/sim"
)

// TestListCrowdedZone: a zone with 35 instances is listed completely, and
// the calls grow with pages, not instances: 4 calls at 10 a page (10, 10,
// 10, 5), 12 at 3 a page. Another zone's instances are not read.
func TestListCrowdedZone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		instances, pageSize, calls int
	}{
		{35, 10, 4},
		{35, 3, 12},
		{30, 10, 3}, // a full last page: total ends the list without an empty page
		{1, 10, 1},
		{0, 10, 1},
	} {
		t.Run(fmt.Sprintf("%d-by-%d", tc.instances, tc.pageSize), func(t *testing.T) {
			t.Parallel()
			e := newSim(t, sim.Options{}, WithPageSize(tc.pageSize))
			e.sim.Mutate(func(w *sim.World) {
				for i := range tc.instances {
					w.Instances = append(w.Instances, sim.Instance{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Name: fmt.Sprintf("crowd-%02d", i),
						Status: api.StatusActive, Zone: sim.SecondZone, Flavor: "fl-std-1c1g", Image: "img-ubuntu-2204", IP: []string{}})
				}
				w.Instances = append(w.Instances, sim.Instance{ID: "00000000-0000-4000-8000-999999999999", Name: "elsewhere",
					Status: api.StatusActive, Zone: sim.DefaultZone, Flavor: "fl-std-1c1g", Image: "img-ubuntu-2204", IP: []string{}})
			})
			objs, err := e.c.List(context.Background(), VMs, sim.SecondZone)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, o := range objs {
				if o.Location != sim.SecondZone || seen[o.ID] {
					t.Errorf("object %s in %s (seen before: %v)", o.ID, o.Location, seen[o.ID])
				}
				seen[o.ID] = true
			}
			if len(objs) != tc.instances {
				t.Errorf("listed %d instances, want %d", len(objs), tc.instances)
			}
			calls := e.sim.Calls()
			if len(calls) != tc.calls {
				t.Errorf("%d calls for %d instances at %d a page, want %d: %+v", len(calls), tc.instances, tc.pageSize, tc.calls, calls)
			}
			for i, c := range calls {
				if want := fmt.Sprintf("page_no=%d&page_size=%d", i+1, tc.pageSize); c.Path != "/instances" || !strings.Contains(c.Query, want) {
					t.Errorf("call %d: %s ?%s, want page %d", i+1, c.Path, c.Query, i+1)
				}
			}
		})
	}
}
