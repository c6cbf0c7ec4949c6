package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/provider/iwinv"
)

// TestRequiredFieldMessage: a required field that is missing is named as
// the stack file writes it, whatever its name ("attach_to", not "a attach
// to"), for every provider.
func TestRequiredFieldMessage(t *testing.T) {
	t.Parallel()
	providers := map[string]*provider.Description{idcloudhost.Name: idcloudhost.Description(), iwinv.Name: iwinv.Description()}
	tests := []struct {
		name, src, want, detail string
	}{
		{"idcloudhost: a floating IP's billing account", `stack: s
location: jkt01
floating_ips:
  ip: {name: ip}
`, "4:3: error: floating_ips.ip: billing_account is required", "set billing_account: on it, or a billing_account: at the top level"},
		{"iwinv: a disk's attach_to", `provider: iwinv
stack: s
location: KR1-Z01
vms:
  db: {flavor: STD-1C1G, image: Ubuntu 22.04}
disks:
  data: {size: 50, type: SSD}
`, "7:3: error: disks.data: attach_to is required", "iwinv creates a block storage attached to an instance, so a disk names the VM it is made on: set attach_to:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ds := LoadBytes("r.yaml", []byte(tt.src), Options{Providers: providers, DefaultProvider: idcloudhost.Name})
			if len(ds) != 0 {
				t.Fatalf("load: %v", ds)
			}
			got := Check(s)
			if diff := cmp.Diff([]string{tt.want}, brief(got)); diff != "" {
				t.Fatalf("(-want +got):\n%s\n%s", diff, got.Error())
			}
			if d := got[0].Detail; !strings.Contains(d, tt.detail) {
				t.Errorf("detail %q, want it to say %q", d, tt.detail)
			}
		})
	}
}
