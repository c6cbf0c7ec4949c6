package sim

import (
	"testing"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// TestFaultParams: a fault with Params fails only the calls whose query,
// form body or JSON body (top-level strings) hold those values.
func TestFaultParams(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	f, err := ParseFault("POST /instances=503 param.name=bad")
	if err != nil {
		t.Fatal(err)
	}
	e.sim.AddFault(f)
	e.sim.AddFault(Fault{Method: "POST", Path: "/security-groups", Status: 400, Message: "no", Params: map[string]string{"title": "no"}})
	e.sim.AddFault(Fault{Method: "GET", Path: "/zones", Status: 429, Params: map[string]string{"page_no": "2"}})
	create := func(name string) form {
		return form{"zone_id", DefaultZone, "image_id", "img-debian-12", "flavor_id", "fl-std-1c1g", "name", name}
	}
	e.fails(503, api.DevCheckReturn, "POST", "/v1/instances", create("bad"))
	e.must(202, "POST", "/v1/instances", create("good"))
	if a := e.fails(400, api.CheckParam, "POST", "/v1/security-groups", api.SecurityGroupInput{Title: "no"}); a.env.Message != "no" {
		t.Errorf("message %q", a.env.Message)
	}
	e.must(200, "POST", "/v1/security-groups", api.SecurityGroupInput{Title: "yes"})
	e.fails(429, api.LimitExceeded, "GET", "/v1/zones?page_no=2", nil)
	e.must(200, "GET", "/v1/zones?page_no=1", nil)
	e.must(200, "GET", "/v1/zones", nil)
	w := e.sim.World()
	if len(w.Instances) != 1 || len(w.SecurityGroups) != 1 {
		t.Errorf("a failed call changed the world: %d instances, %d groups", len(w.Instances), len(w.SecurityGroups))
	}
}
