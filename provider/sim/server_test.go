package sim

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/idstack/idstack/provider/api"
)

func TestAuth(t *testing.T) {
	e := newEnv(t, Options{APIKey: "s3cret"})
	e.key = "-"
	r := e.must(401, "GET", "/v1/config/locations", nil)
	if r.errMsg() == "" {
		t.Fatalf("401 without message: %s", r.Body)
	}
	e.key = "wrong"
	e.must(403, "GET", "/v1/config/locations", nil)
	e.key = "s3cret"
	e.must(200, "GET", "/v1/config/locations", nil)
	// The header name is case-insensitive.
	req, _ := http.NewRequest("GET", e.srv.URL+"/v1/config/locations", nil)
	req.Header["APIKEY"] = []string{"s3cret"}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("APIKEY header: %d", res.StatusCode)
	}
	// Without a configured key any non-empty key is accepted, none is not.
	e2 := newEnv(t, Options{})
	e2.must(200, "GET", "/v1/config/locations", nil)
	e2.key = "-"
	e2.must(401, "GET", "/v1/config/locations", nil)
}

func TestLocationRouting(t *testing.T) {
	e := newEnv(t, Options{})
	var locs []api.Location
	e.must(200, "GET", "/v1/config/locations", nil).strict(t, &locs)
	var slugs []string
	for _, l := range locs {
		slugs = append(slugs, l.Slug)
	}
	if diff := cmp.Diff([]string{"jkt01", "jkt02", "jkt03", "sgp01"}, slugs); diff != "" {
		t.Fatalf("slugs (-want +got):\n%s", diff)
	}
	if !locs[0].IsDefault || locs[3].CountryCode != "sgp" || locs[0].CountryCode != "idn" {
		t.Fatalf("locations %+v", locs)
	}
	r := e.must(404, "GET", "/v1/xyz99/user-resource/vm/list", nil)
	if !strings.Contains(r.errMsg(), "xyz99") {
		t.Fatalf("message %q", r.errMsg())
	}
	e.must(404, "GET", "/v1/user-resource/nothing", nil)
	e.must(405, "PUT", "/v1/user-resource/vm/list", nil)
	// Default location and its slug are the same place.
	vm := e.createVM("")
	e.must(200, "GET", "/v1/jkt01/user-resource/vm?uuid="+vm.UUID, nil)
	calls := e.sim.Calls()
	last := calls[len(calls)-1]
	if last.Path != "/user-resource/vm" || last.Location != "jkt01" || last.Status != 200 {
		t.Fatalf("last call %+v", last)
	}
}

func TestLiveQuirks(t *testing.T) {
	e := newEnv(t, Options{Quirks: "live", ReadyAfter: 20 * time.Millisecond})
	missing := "aaaaaaaa-0000-bbbb-1111-cccccccccccc"
	// GET of a missing VM or network answers 400.
	e.must(400, "GET", "/v1/user-resource/vm?uuid="+missing, nil)
	r := e.must(400, "GET", "/v1/network/network/"+missing, nil)
	// Network, disk and floating IP errors use {"message": …}.
	if !bytes.Contains(r.Body, []byte(`"message"`)) {
		t.Fatalf("network error shape %s", r.Body)
	}
	r = e.must(404, "GET", "/v1/storage/disks/"+missing, nil)
	if !bytes.Contains(r.Body, []byte(`"message"`)) {
		t.Fatalf("disk error shape %s", r.Body)
	}
	r = e.must(404, "GET", "/v1/network/ip_addresses/1.2.3.4", nil)
	if !bytes.Contains(r.Body, []byte(`"message"`)) {
		t.Fatalf("floating IP error shape %s", r.Body)
	}
	// VM errors keep the document's envelope.
	r = e.must(404, "POST", "/v1/user-resource/vm/start", form("uuid", missing))
	if !bytes.Contains(r.Body, []byte(`"errors"`)) {
		t.Fatalf("VM error shape %s", r.Body)
	}
	// Auth errors use {"message": …}.
	e.key = "-"
	r = e.must(401, "GET", "/v1/network/networks", nil)
	if !bytes.Contains(r.Body, []byte(`"message"`)) {
		t.Fatalf("auth error shape %s", r.Body)
	}
	e.key = "k"
	// VM create blocks for ReadyAfter and answers running.
	start := time.Now()
	vm := e.createVM("")
	if vm.Status != "running" || time.Since(start) < 20*time.Millisecond {
		t.Fatalf("live create: %s after %v", vm.Status, time.Since(start))
	}
	var stopped api.VM
	e.must(200, "POST", "/v1/user-resource/vm/stop", form("uuid", vm.UUID)).decode(t, &stopped)
	if stopped.Status != "stopped" {
		t.Fatalf("live stop: %s", stopped.Status)
	}
}

func TestDocumentQuirksByDefault(t *testing.T) {
	e := newEnv(t, Options{})
	missing := "aaaaaaaa-0000-bbbb-1111-cccccccccccc"
	r := e.must(404, "GET", "/v1/network/network/"+missing, nil)
	var env api.ErrorEnvelope
	r.strict(t, &env)
	if _, ok := env.Errors["Error"]; !ok {
		t.Fatalf("envelope %s", r.Body)
	}
	e.must(404, "GET", "/v1/user-resource/vm?uuid="+missing, nil)
}

func TestSaveLoadAndDeterminism(t *testing.T) {
	clk := newClock()
	a := newEnv(t, Options{Seed: 7, Now: clk.Now})
	b := newEnv(t, Options{Seed: 7, Now: clk.Now})
	for _, e := range []*env{a, b} {
		e.createVM("")
		e.must(200, "POST", "/v1/network/network?name=app", nil)
	}
	wa, wb := a.sim.World(), b.sim.World()
	if diff := cmp.Diff(wa, wb); diff != "" {
		t.Fatalf("same seed, different worlds (-a +b):\n%s", diff)
	}
	c := newEnv(t, Options{Seed: 8, Now: clk.Now})
	c.createVM("")
	if c.sim.World().VMs[0].API.UUID == wa.VMs[0].API.UUID {
		t.Fatal("different seeds, same uuid")
	}
	var buf bytes.Buffer
	if err := a.sim.Save(&buf); err != nil {
		t.Fatal(err)
	}
	d := New(Options{Seed: 7, Now: clk.Now})
	if err := d.Load(&buf); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wa, d.World()); diff != "" {
		t.Fatalf("loaded world differs (-saved +loaded):\n%s", diff)
	}
}

func TestCatalogue(t *testing.T) {
	e := newEnv(t, Options{})
	var pools []api.HostPool
	e.must(200, "GET", "/v1/jkt02/user-resource/host_pool/list", nil).strict(t, &pools)
	if len(pools) != 2 || pools[0].UUID != GeneralPoolUUID || !pools[0].IsDefaultDesignated || pools[1].Name != "Performance" {
		t.Fatalf("pools %+v", pools)
	}
	var imgs []api.VMImage
	e.must(200, "GET", "/v1/config/vm_images", nil).strict(t, &imgs)
	want := map[string][]string{
		"ubuntu": {"20.04", "22.04", "24.04"}, "debian": {"11", "12"}, "centos": {"7.9"},
		"almalinux": {"8", "9"}, "rockylinux": {"9"}, "windows": {"2019", "2022"},
	}
	got := map[string][]string{}
	for _, img := range imgs {
		if img.IsAppCatalog {
			continue
		}
		for _, v := range img.Versions {
			if v.Published {
				got[img.OSName] = append(got[img.OSName], v.OSVersion)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("published images (-want +got):\n%s", diff)
	}
	var plain, app []api.VMImage
	e.must(200, "GET", "/v1/config/vm_images/plain_os", nil).decode(t, &plain)
	e.must(200, "GET", "/v1/config/vm_images/app_catalog", nil).decode(t, &app)
	if len(plain)+len(app) != len(imgs) || len(app) == 0 {
		t.Fatalf("plain %d + app %d != %d", len(plain), len(app), len(imgs))
	}
	var params []api.VMParameter
	e.must(200, "GET", "/v1/api/parameters/vm", nil).strict(t, &params)
	byName := map[string]api.VMParameter{}
	for _, p := range params {
		byName[p.Parameter] = p
	}
	if p := byName["vcpu"]; *p.Min != 1 || *p.Max != 16 {
		t.Fatalf("vcpu %+v", p)
	}
	if p := byName["name"]; p.Expression != `^[0-9a-zA-Z][-0-9a-zA-Z]{2,}[0-9a-zA-Z]$` {
		t.Fatalf("name %+v", p)
	}
}
