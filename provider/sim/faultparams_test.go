package sim

import "testing"

// TestFaultParamsMatchOneObject: a fault with Params fails only the calls
// whose parameters hold those values (one VM's stop), in both modes, and
// the other VMs' calls go through.
func TestFaultParamsMatchOneObject(t *testing.T) {
	t.Parallel()
	for _, quirks := range []string{"", QuirksLive} {
		t.Run("quirks="+quirks, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{Quirks: quirks})
			a, b := e.createVM("", "name", "vm-a"), e.createVM("", "name", "vm-b")
			e.sim.AddFault(Fault{Method: "POST", Path: "/user-resource/vm/stop", Status: 400, Message: "a backup is running", Params: map[string]string{"uuid": a.UUID}})
			for _, c := range []struct {
				uuid string
				want int
			}{{a.UUID, 400}, {b.UUID, 200}, {a.UUID, 400}} {
				r := e.do("POST", "/v1/user-resource/vm/stop", form("uuid", c.uuid))
				if r.Status != c.want {
					t.Fatalf("stop %s: %d, want %d", c.uuid, r.Status, c.want)
				}
				if c.want == 400 && r.errMsg() != "a backup is running" {
					t.Fatalf("message %q", r.errMsg())
				}
			}
			if got := e.getVM(a.UUID).Status; got != "running" {
				t.Errorf("the failed stop changed VM a: %s", got)
			}
			if got := e.getVM(b.UUID).Status; got != "stopped" {
				t.Errorf("VM b is %s, want stopped", got)
			}
		})
	}
}
