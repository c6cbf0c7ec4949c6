package executor

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider"
)

// Verify reads again every object a finished rollback acted on and says
// where the cloud is not as the rollback meant to leave it: a deleted
// object still there, a restored field with another value (a VM left
// stopped). A rollback is reported as complete only when this is empty.
func Verify(ctx context.Context, p provider.Provider, plan *planner.Plan, res *Result) []string {
	var out []string
	for _, a := range plan.Actions {
		kind := provider.Kind(a.Kind)
		switch {
		case a.Action == planner.Delete && !a.Forget && slices.Contains(res.Done, planner.Step{Action: a, Delete: true}.Key()):
			_, err := p.Get(ctx, kind, a.Location, a.ID)
			switch {
			case err == nil:
				out = append(out, fmt.Sprintf("%s (%s) still exists", a.Address, a.ID))
			case !errors.Is(err, provider.ErrNotFound):
				out = append(out, fmt.Sprintf("%s (%s): cannot read it to check it is gone: %v", a.Address, a.ID, err))
			}
		case a.Action == planner.Update && slices.Contains(res.Done, a.Address):
			obj, err := p.Get(ctx, kind, a.Location, a.ID)
			if err != nil {
				out = append(out, fmt.Sprintf("%s (%s): cannot read it to check it is restored: %v", a.Address, a.ID, err))
				continue
			}
			want := map[string]any{}
			for f, in := range a.Desired {
				want[f] = in.Value
			}
			for _, c := range planner.Converge(p.Describe().Kind(kind), want, obj.Attrs) {
				out = append(out, fmt.Sprintf("%s (%s): %s is %v, it was %v before the apply", a.Address, a.ID, c.Field, c.Before, c.After))
			}
		}
	}
	return out
}
