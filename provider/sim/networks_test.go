package sim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/idstack/idstack/provider/api"
)

func TestFirstNetworkBecomesDefault(t *testing.T) {
	e := newEnv(t, Options{NoDefaultNetworks: true})
	if ns := e.networks(""); len(ns) != 0 {
		t.Fatalf("start with %d networks", len(ns))
	}
	var first, second api.Network
	e.must(200, "POST", "/v1/network/network?name=app", nil).decode(t, &first)
	e.must(200, "POST", "/v1/network/network?name=db", nil).decode(t, &second)
	if !first.IsDefault || second.IsDefault || first.Name != "app" {
		t.Fatalf("first %+v second %+v", first, second)
	}
	if first.Subnet == second.Subnet {
		t.Fatalf("both networks on %s", first.Subnet)
	}
	// Without a name the default network comes back: the trap of a lost name.
	var got api.Network
	e.must(200, "POST", "/v1/network/network", nil).decode(t, &got)
	if got.UUID != first.UUID {
		t.Fatalf("POST without name gave %s, want the default %s", got.Name, first.Name)
	}
	// A name sent as a form body is not read: the default network comes back.
	e.must(200, "POST", "/v1/network/network", form("name", "lost")).decode(t, &got)
	if got.UUID != first.UUID {
		t.Fatalf("POST with a form name gave %s, want the default %s", got.Name, first.Name)
	}
	// Other locations are separate.
	e.must(200, "POST", "/v1/sgp01/network/network", nil).decode(t, &got)
	if got.Name != "Default network" || !got.IsDefault {
		t.Fatalf("sgp01 default %+v", got)
	}
}

func TestVMCreateWithoutNetworksCreatesDefault(t *testing.T) {
	e := newEnv(t, Options{NoDefaultNetworks: true})
	vm := e.createVM("/jkt03")
	ns := e.networks("/jkt03")
	if len(ns) != 1 || ns[0].Name != "Default network" || !ns[0].IsDefault || ns[0].VMUUIDs[0] != vm.UUID {
		t.Fatalf("networks %+v", ns)
	}
}

func TestNetworkNotDeletableWhenDefaultOrUsed(t *testing.T) {
	e := newEnv(t, Options{})
	def := e.networks("")[0]
	r := e.must(409, "DELETE", "/v1/network/network/"+def.UUID, nil)
	if !strings.Contains(r.errMsg(), "default") {
		t.Fatalf("message %q", r.errMsg())
	}
	var app api.Network
	e.must(200, "POST", "/v1/network/network?name=app", nil).decode(t, &app)
	vm := e.createVM("", "network_uuid", app.UUID)
	r = e.must(409, "DELETE", "/v1/network/network/"+app.UUID, nil)
	if !strings.Contains(r.errMsg(), "resource") {
		t.Fatalf("message %q", r.errMsg())
	}
	e.must(200, "DELETE", "/v1/user-resource/vm", formValues("uuid", vm.UUID))
	r = e.must(200, "DELETE", "/v1/network/network/"+app.UUID, nil)
	if len(r.Body) != 0 {
		t.Fatalf("delete answered %q", r.Body)
	}
	e.must(404, "GET", "/v1/network/network/"+app.UUID, nil)
}

func TestNetworkRenameAndDefault(t *testing.T) {
	e := newEnv(t, Options{})
	def := e.networks("")[0]
	var app api.Network
	e.must(200, "POST", "/v1/network/network?name=app", nil).decode(t, &app)
	var got api.Network
	e.must(200, "PATCH", "/v1/network/network/"+app.UUID, map[string]string{"name": "app-renamed"}).decode(t, &got)
	if got.Name != "app-renamed" {
		t.Fatalf("renamed %+v", got)
	}
	e.must(400, "PATCH", "/v1/network/network/"+app.UUID, map[string]string{})
	e.must(200, "PUT", "/v1/network/network/"+app.UUID+"/default", nil).decode(t, &got)
	if !got.IsDefault {
		t.Fatal("not default")
	}
	var old api.Network
	e.must(200, "GET", "/v1/network/network/"+def.UUID, nil).decode(t, &old)
	if old.IsDefault {
		t.Fatal("old default still default")
	}
	// Now the old default is deletable and new VMs go to the new default.
	vm := e.createVM("")
	e.must(200, "GET", "/v1/network/network/"+app.UUID, nil).decode(t, &got)
	if diff := cmp.Diff([]string{vm.UUID}, got.VMUUIDs); diff != "" {
		t.Fatalf("members (-want +got):\n%s", diff)
	}
	e.must(200, "DELETE", "/v1/network/network/"+def.UUID, nil)
}
