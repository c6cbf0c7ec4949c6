package cli

import (
	"strings"
	"testing"
)

// TestS3AdoptRefusesAnotherStacksObject: with the S3 backend, the other
// states are the *.state.json objects beside this stack's key; --adopt
// refuses what they own, naming the object.
func TestS3AdoptRefusesAnotherStacksObject(t *testing.T) {
	t.Parallel()
	const stack = `stack: %s
location: jkt01
networks:
  app: {name: shared-app}
`
	r := newSimRun(t)
	r.makeStateBucket("states")
	owner := r.write("owner.yaml", strings.Replace(stack, "%s", "owner", 1))
	taker := r.write("taker.yaml", strings.Replace(stack, "%s", "taker", 1))
	r.mustRun(0, "apply", "-f", owner, "--auto-approve", "--backend-bucket", "states", "--backend-key", "envs/owner.state.json")
	code, out, errs := r.run("plan", "-f", taker, "--adopt", "--backend-bucket", "states", "--backend-key", "envs/taker.state.json")
	want := `networks.app: the live network "shared-app" (id `
	if code != ExitError || !strings.Contains(errs, want) ||
		!strings.Contains(errs, `belongs to stack "owner" (state s3://states/envs/owner.state.json, as networks.app); --adopt never takes over another stack's resource`) {
		t.Fatalf("plan --adopt of another stack's network: exit %d\n%s%s", code, out, errs)
	}
	// Under another prefix, the owner's state is not beside the taker's.
	code, out, errs = r.run("plan", "-f", taker, "--adopt", "--backend-bucket", "states", "--backend-key", "elsewhere/taker.state.json")
	if code != 0 || !strings.Contains(out, "Plan: 1 to adopt.") {
		t.Fatalf("plan --adopt with the states under different prefixes: exit %d\n%s%s", code, out, errs)
	}
}
