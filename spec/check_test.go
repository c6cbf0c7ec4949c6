package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkHeader starts every row's stack: a valid network and VM to refer to.
const checkHeader = `stack: s
location: jkt01
networks:
  app: {}
vms:
  web1:
    os_name: ubuntu
    username: deploy
    network: app
`

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		src  string // appended to checkHeader
		want []string
	}{
		{"valid", `
  win1:
    os_name: windows
    vcpu: 2
    ram: 1024
    password: Abcdefg1
  clone:
    username: u
    clone_from: {vm: 0b7e1ac8-4c8f-4a8e-9b1e-3c2d1f0a9e77}
disks:
  d: {attach_to: vms.web1, source: {type: DISK, ref: e}}
  e: {}
buckets:
  assets: {name: my.assets-1}
`, nil},
		{"dangling reference", `
  web2:
    username: u
    network: ap
`, []string{"12:14: error: vms.web2.network: networks.ap does not exist"}},
		{"reference of the wrong kind", `
  web2:
    username: u
    network: vms.web1
`, []string{"12:14: error: vms.web2.network must name one of the networks, not vms.web1"}},
		{"dangling list item", `
load_balancers:
  lb:
    network: networks.app
    targets: [web1, nope]
`, []string{"13:21: error: load_balancers.lb.targets: vms.nope does not exist"}},
		{"dangling source.ref and assign_to", `
disks:
  d: {source: {type: DISK, ref: gone}}
floating_ips:
  ip: {assign_to: web9, billing_account: 129072}
`, []string{
			"11:33: error: disks.d.source.ref: disks.gone does not exist",
			"13:19: error: floating_ips.ip.assign_to: vms.web9 does not exist",
		}},
		{"dangling ${KIND.NAME.ATTR}", `
  web2:
    username: u
    description: "db at ${vms.db.private_ipv4}"
`, []string{"12:18: error: ${vms.db.private_ipv4}: vms.db does not exist"}},
		{"reference across locations", `
  web2:
    username: u
    location: sgp01
    network: app
`, []string{"13:14: error: vms.web2 (in sgp01) cannot use networks.app (in jkt01)"}},
		{"reference cycle", `
  vma1:
    username: u
    clone_from: {vm: vmb1}
  vmb1:
    username: u
    description: ${vms.vma1.private_ipv4}
`, []string{"12:17: error: reference cycle: vms.vma1 → vms.vmb1 → vms.vma1"}},
		{"self reference", `
disks:
  d: {source: {type: DISK, ref: d}}
`, []string{"11:15: error: reference cycle: disks.d → disks.d"}},
		{"VM name", `
  web2:
    name: web_2
    username: u
  ab: {username: u}
`, []string{
			`11:11: error: invalid VM name "web_2" for vms.web2`,
			`13:3: error: invalid VM name "ab" for vms.ab`,
		}},
		{"windows needs 2 vcpu and 1024 ram", `
  win1: {os_name: windows, vcpu: 1, ram: 512}
`, []string{
			"10:34: error: a Windows VM needs at least 2 vcpu, vms.win1 has 1",
			"10:42: error: a Windows VM needs at least 1024 MiB of ram, vms.win1 has 512",
		}},
		{"username required unless windows", `
  web2: {os_name: debian}
`, []string{"10:3: error: vms.web2: username is required"}},
		{"username form", `
  web2: {username: 9lives}
  web3: {username: abcdefghijklmnopqrstuvwxyz012345}
`, []string{
			`10:20: error: invalid username "9lives" for vms.web2`,
			`11:20: error: invalid username "abcdefghijklmnopqrstuvwxyz012345" for vms.web3`,
		}},
		{"password strength", `
  web2: {username: u, password: weakpass}
`, []string{"10:33: error: the password of vms.web2 is too weak"}},
		{"cloud_init users with username", `
  web2:
    username: u
    cloud_init: {users: [{name: x}], runcmd: []}
`, []string{"12:18: error: vms.web2 sets both cloud_init.users and username"}},
		{"bucket names", `
buckets:
  ab: {}
  b1: {name: Assets}
  b2: {name: 192.168.1.1}
  b3: {name: a..b}
  b4: {name: -abc}
  b5: {name: a_bc}
`, []string{
			`11:3: error: invalid bucket name "ab" for buckets.ab: length is not 3–63`,
			`12:14: error: invalid bucket name "Assets" for buckets.b1: it must start and end with a lowercase letter or a digit`,
			`13:14: error: invalid bucket name "192.168.1.1" for buckets.b2: it is an IP address`,
			`14:14: error: invalid bucket name "a..b" for buckets.b3: it contains ".."`,
			`15:14: error: invalid bucket name "-abc" for buckets.b4: it must start and end with a lowercase letter or a digit`,
			`16:14: error: invalid bucket name "a_bc" for buckets.b5: it contains '_'`,
		}},
		{"bucket location", `
buckets:
  logs: {location: jkt01}
`, []string{"11:10: error: location is not allowed on a bucket (buckets.logs)"}},
		{"ignore_changes names an unknown field", `
floating_ips:
  ip: {lifecycle: {ignore_changes: [name, vcpu, lifecycle]}, billing_account: 129072}
`, []string{
			`11:43: error: lifecycle.ignore_changes of floating_ips.ip names "vcpu", which floating_ips do not have`,
			`11:49: error: lifecycle.ignore_changes of floating_ips.ip names "lifecycle", which floating_ips do not have`,
		}},
		{"same live name twice", `
  web2: {name: web1, username: u}
  web3: {name: web1, username: u, location: sgp01}
`, []string{`10:16: warning: vms.web2 has the same name "web1" as vms.web1 in jkt01`}},
		{"same bucket name twice", `
buckets:
  logs: {}
  logs2: {name: logs}
`, []string{`12:17: error: buckets.logs2 has the same name "logs" as buckets.logs`}},
		{"logical name", `
floating_ips:
  "a.b": {name: ab, billing_account: 129072}
`, []string{`11:3: error: invalid logical name "a.b" in floating_ips`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := checkHeader + strings.TrimPrefix(tt.src, "\n")
			s, ds := loadBytes("c.yaml", []byte(src), Options{})
			if len(ds) != 0 {
				t.Fatalf("load: %v", ds)
			}
			got := Check(s)
			got.Sort()
			if diff := cmp.Diff(tt.want, brief(got)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%s", diff, got.Error())
			}
		})
	}
}

// TestCheckNeverPrintsPasswords: a weak password is refused without
// repeating it.
func TestCheckNeverPrintsPasswords(t *testing.T) {
	s, _ := loadBytes("c.yaml", []byte(checkHeader+"    password: tooweak\n"), Options{})
	ds := Check(s)
	if len(ds) != 1 {
		t.Fatalf("want one diagnostic, got %v", ds)
	}
	if msg := ds.Error(); strings.Contains(msg, "tooweak") {
		t.Errorf("the password leaks: %s", msg)
	}
	if !strings.Contains(ds[0].Detail, "an uppercase letter, a digit") {
		t.Errorf("detail should say what is missing: %q", ds[0].Detail)
	}
}

func TestCheckCycleListsEdges(t *testing.T) {
	src := checkHeader + "disks:\n  a: {source: {type: DISK, ref: b}}\n  b: {source: {type: DISK, ref: a}}\n"
	s, _ := loadBytes("c.yaml", []byte(src), Options{})
	ds := Check(s)
	want := "references must not form a cycle; the cycle:\n  disks.a → disks.b (by source)\n  disks.b → disks.a (by source)"
	if len(ds) != 1 || ds[0].Detail != want {
		t.Errorf("got %v\nwant detail %q", ds, want)
	}
}
