package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/spec"
)

// backendFor picks where a stack's state lives: the local .idstack
// directory beside the stack file.
func backendFor(c *cli.Context, stack *spec.Stack) (state.Backend, error) {
	return state.NewLocal(stack.Dir, stack.Name), nil
}
