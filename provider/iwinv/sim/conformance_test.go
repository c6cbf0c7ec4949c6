package sim

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// seedShutdown is the seed page's example answer of POST
// /v1/instances/{instance_id}/shutdown (202 Accepted).
const seedShutdown = `{
  "code": "0x00",
  "error_code": "SUCCESS",
  "message": "",
  "result": "Shutting down the instance. It may take some time."
}`

// fixture is a world with one of everything, made through the API.
type fixture struct {
	inst, vol, group string
}

func newFixture(e *env) fixture {
	var fx fixture
	fx.inst = e.activeInstance(DefaultZone, "web-1")
	var vols []api.StorageAccepted
	e.must(202, "POST", "/v1/block-storages", form{"instance_id", fx.inst, "type", "SSD", "size", "20"}).decode(e.t, &vols)
	fx.vol = vols[0].BlockStorageID
	var groups []api.SecurityGroup
	e.must(200, "POST", "/v1/security-groups", api.SecurityGroupInput{Title: "web", ICMP: "Y"}).decode(e.t, &groups)
	fx.group = groups[0].FirewallID
	e.clock.Advance(testReady)
	return fx
}

// keysOf decodes the result's rows into maps, to compare their keys.
func keysOf(t *testing.T, a answer) [][]string {
	t.Helper()
	var rows []map[string]any
	a.decode(t, &rows)
	var out [][]string
	for _, r := range rows {
		out = append(out, sortedKeys(r))
	}
	return out
}

// TestConformance runs the documented requests and checks the documented
// answers: the seed page's shutdown example exactly, and the shapes and
// codes IWINV-NOTES.md records.
func TestConformance(t *testing.T) {
	t.Parallel()
	fields := func(mask int) string { return "?fields=" + strconv.Itoa(mask) }
	for _, tc := range []struct {
		name         string
		method, path string // {inst}, {vol}, {group} stand for the fixture's ids
		body         any
		status       int
		code         api.ErrorCode // zero: success
		check        func(t *testing.T, a answer)
	}{
		{name: "seed: shutdown answers the seed's 202 body", method: "POST", path: "/v1/instances/{inst}/shutdown", status: 202,
			check: func(t *testing.T, a answer) {
				var got, want any
				_ = json.Unmarshal(a.raw, &got)
				_ = json.Unmarshal([]byte(seedShutdown), &want)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("answer %s, want the seed's %s", a.raw, seedShutdown)
				}
			}},
		{name: "create answers 202 [{instance_id, status: building}]", method: "POST", path: "/v1/instances",
			body: form{"zone_id", DefaultZone, "image_id", "img-rocky-9", "flavor_id", "fl-std-2c4g", "name", "api-1"}, status: 202,
			check: func(t *testing.T, a answer) {
				if got := keysOf(t, a); !reflect.DeepEqual(got, [][]string{{"instance_id", "status"}}) || *a.env.Count != 1 {
					t.Errorf("rows %v, count %v", got, a.env.Count)
				}
				if !strings.Contains(string(a.raw), `"status":"building"`) {
					t.Errorf("answer %s has no building status", a.raw)
				}
			}},
		{name: "detail is an array of one, the documented 3599 fields", method: "GET", path: "/v1/instances/{inst}" + fields(3599), status: 200,
			check: func(t *testing.T, a answer) {
				want := [][]string{{"description", "flavor", "image", "instance_id", "name", "status", "zone"}}
				if got := keysOf(t, a); !reflect.DeepEqual(got, want) {
					t.Errorf("keys %v, want %v", got, want)
				}
				if !strings.Contains(string(a.raw), `"description":null`) {
					t.Errorf("an empty description is not null: %s", a.raw)
				}
			}},
		{name: "detail without a mask: id, name, status", method: "GET", path: "/v1/instances/{inst}", status: 200,
			check: func(t *testing.T, a answer) {
				if got := keysOf(t, a); !reflect.DeepEqual(got, [][]string{{"instance_id", "name", "status"}}) {
					t.Errorf("keys %v", got)
				}
			}},
		{name: "password and console only when asked", method: "GET", path: "/v1/instances/{inst}" + fields(api.FieldInstanceID|api.FieldDefaultAccount|api.FieldVNC), status: 200,
			check: func(t *testing.T, a answer) {
				if got := keysOf(t, a); !reflect.DeepEqual(got, [][]string{{"default_account", "instance_id", "vnc"}}) {
					t.Errorf("keys %v", got)
				}
			}},
		{name: "lists add count, page_no, page_size, total", method: "GET", path: "/v1/instances?zone_id=" + DefaultZone, status: 200,
			check: func(t *testing.T, a answer) {
				var top map[string]any
				_ = json.Unmarshal(a.raw, &top)
				want := []string{"code", "count", "error_code", "message", "page_no", "page_size", "result", "total"}
				if got := sortedKeys(top); !reflect.DeepEqual(got, want) {
					t.Errorf("keys %v, want %v", got, want)
				}
			}},
		{name: "an unknown instance id is 404 NOT_FOUND", method: "GET", path: "/v1/instances/00000000-0000-4000-8000-000000000000", status: 404, code: api.NotFound},
		{name: "a malformed instance id is 400 ID_INVALID", method: "GET", path: "/v1/instances/12345", status: 400, code: api.IDInvalid},
		{name: "an unknown image is 400 ID_INVALID (seen live)", method: "GET", path: "/v1/images/img-nope", status: 400, code: api.IDInvalid},
		{name: "an unknown flavor is an empty array (seen live)", method: "GET", path: "/v1/flavors/fl-nope", status: 200,
			check: func(t *testing.T, a answer) {
				if *a.env.Count != 0 || string(a.env.Result) != "[]" {
					t.Errorf("answer %s", a.raw)
				}
			}},
		{name: "an unknown security group is an empty array (seen live)", method: "GET", path: "/v1/security-groups/FIREWALL-NOPE", status: 200,
			check: func(t *testing.T, a answer) {
				if *a.env.Count != 0 || string(a.env.Result) != "[]" {
					t.Errorf("answer %s", a.raw)
				}
			}},
		{name: "rules of an unknown group are CHECK_PARAM (seen live)", method: "GET", path: "/v1/security-groups/FIREWALL-NOPE/rules", status: 400, code: api.CheckParam},
		{name: "a rule in capitals is made, answered with its integer id", method: "POST", path: "/v1/security-groups/{group}/rules",
			body: api.RuleInput{Bound: "IN", Protocol: "TCP", Port: "22", IP: "192.0.2.1/24", Title: "ssh"}, status: 200,
			check: func(t *testing.T, a answer) {
				var r []api.Rule
				a.decode(t, &r)
				if len(r) != 1 || r[0].RuleID <= 0 || r[0].IP != "192.0.2.1/24" {
					t.Errorf("rule %+v (host bits must be kept)", r)
				}
			}},
		{name: "a lowercase rule is CHECK_PARAM_ENUM", method: "POST", path: "/v1/security-groups/{group}/rules",
			body: api.RuleInput{Bound: "inbound", Protocol: "tcp", Port: "22", IP: "0.0.0.0/0", Title: "ssh"}, status: 400, code: api.CheckParamEnum},
		{name: "an ICMP rule is CHECK_PARAM_ENUM", method: "POST", path: "/v1/security-groups/{group}/rules",
			body: api.RuleInput{Bound: "IN", Protocol: "ICMP", Port: "1", IP: "0.0.0.0/0", Title: "ping"}, status: 400, code: api.CheckParamEnum},
		{name: "an IPv6 rule is IPV6_NOT_SUPPORTED", method: "POST", path: "/v1/security-groups/{group}/rules",
			body: api.RuleInput{Bound: "IN", Protocol: "TCP", Port: "22", IP: "2001:db8::/32", Title: "ssh"}, status: 400, code: api.IPv6NotSupported},
		{name: "a bare address is CHECK_PARAM", method: "POST", path: "/v1/security-groups/{group}/rules",
			body: api.RuleInput{Bound: "IN", Protocol: "TCP", Port: "22", IP: "192.0.2.1", Title: "ssh"}, status: 400, code: api.CheckParam},
		{name: "port 0 is CHECK_PARAM", method: "POST", path: "/v1/security-groups/{group}/rules",
			body: api.RuleInput{Bound: "IN", Protocol: "TCP", Port: "0-65535", IP: "0.0.0.0/0", Title: "all"}, status: 400, code: api.CheckParam},
		{name: "a volume is created attached: 202 creating", method: "POST", path: "/v1/block-storages",
			body: form{"instance_id", "{inst}", "type", "HDD", "size", "100"}, status: 202,
			check: func(t *testing.T, a answer) {
				var v []api.StorageAccepted
				a.decode(t, &v)
				if len(v) != 1 || v[0].Status != api.StorageCreating || v[0].InstanceID == nil {
					t.Errorf("answer %s", a.raw)
				}
			}},
		{name: "an attached volume cannot be deleted: 409 IN_USE", method: "DELETE", path: "/v1/block-storages/{vol}", status: 409, code: api.InUse},
		{name: "an instance without name or description to edit is EMPTY_SET", method: "PUT", path: "/v1/instances/{inst}", body: form{"other", "x"}, status: 400, code: api.EmptySet},
		{name: "Windows on a 1-vCPU flavor is UNAVAILABLE_COMBINATION", method: "POST", path: "/v1/instances",
			body: form{"zone_id", DefaultZone, "image_id", "img-win-2022", "flavor_id", "fl-std-1c1g"}, status: 400, code: api.UnavailableCombination},
		{name: "a flavor of another zone is UNAVAILABLE_FLAVOR", method: "POST", path: "/v1/instances",
			body: form{"zone_id", DefaultZone, "image_id", "img-debian-12", "flavor_id", "fl-cpu-8c16g"}, status: 400, code: api.UnavailableFlavor},
		{name: "an unknown SSH key is UNAVAILABLE_SSH_KEY", method: "POST", path: "/v1/instances",
			body: form{"zone_id", DefaultZone, "image_id", "img-debian-12", "flavor_id", "fl-std-1c1g", "ssh_key_id", "key-nope"}, status: 400, code: api.UnavailableSSHKey},
		{name: "a create without its zone is REQUIRED_POST_PARAM_MISSING", method: "POST", path: "/v1/instances",
			body: form{"image_id", "img-debian-12", "flavor_id", "fl-std-1c1g"}, status: 400, code: api.RequiredPostParamMissing},
		{name: "delete answers 202 deleting with the volumes it leaves", method: "DELETE", path: "/v1/instances/{inst}", status: 202,
			check: func(t *testing.T, a answer) {
				var acc []api.Accepted
				a.decode(t, &acc)
				if len(acc) != 1 || acc[0].Status != api.StatusDeleting || len(acc[0].BlockStorages) != 1 {
					t.Errorf("answer %s", a.raw)
				}
			}},
		{name: "an unknown path is 404 NOT_FOUND", method: "GET", path: "/v1/nothing", status: 404, code: api.NotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{})
			fx := newFixture(e)
			fill := strings.NewReplacer("{inst}", fx.inst, "{vol}", fx.vol, "{group}", fx.group)
			body := tc.body
			if f, ok := body.(form); ok {
				body = form(strings.Split(fill.Replace(strings.Join(f, "\x00")), "\x00"))
			}
			a := e.do(tc.method, fill.Replace(tc.path), body)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.raw)
			}
			switch {
			case tc.code == (api.ErrorCode{}) && !a.env.OK():
				t.Fatalf("not a success: %s", a.raw)
			case tc.code != (api.ErrorCode{}) && (a.env.ErrorCode != tc.code.Name || a.env.Code != tc.code.Code || string(a.env.Result) != "null"):
				t.Fatalf("answer %s, want %v with result null", a.raw, tc.code)
			}
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}
}

// TestAllowedMethods: a documented path with another method is 405.
func TestAllowedMethods(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.fails(http.StatusMethodNotAllowed, api.CheckParam, "PATCH", "/v1/instances", nil)
}
