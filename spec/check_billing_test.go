package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCheckFloatingIPBillingAccount: a floating IP needs a billing account
// (the API requires billing_account_id for it), its own or the stack's.
func TestCheckFloatingIPBillingAccount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		reason string
		src    string
		want   []string
	}{
		{"none: an error at the floating IP", `stack: s
floating_ips:
  web-ip: {name: web-ip}
  db-ip:
    name: db-ip
`, []string{
			"3:3: error: floating_ips.web-ip: billing_account is required",
			"4:3: error: floating_ips.db-ip: billing_account is required",
		}},
		{"the stack default fills it", `stack: s
billing_account: 129072
floating_ips:
  web-ip: {name: web-ip}
`, nil},
		{"its own", `stack: s
floating_ips:
  web-ip: {name: web-ip, billing_account: 129188}
  db-ip: {name: db-ip}
`, []string{"4:3: error: floating_ips.db-ip: billing_account is required"}},
		{"a null is none", `stack: s
floating_ips:
  web-ip: {name: web-ip, billing_account: null}
`, []string{"3:3: error: floating_ips.web-ip: billing_account is required"}},
		{"from a variable", `stack: s
vars:
  ba: {type: number, default: 129072}
billing_account: ${var.ba}
floating_ips:
  web-ip: {}
`, nil},
		{"a wrong type is the schema's", `stack: s
billing_account: lots
floating_ips:
  web-ip: {}
`, nil},
		{"other kinds may leave it to the account", `stack: s
networks:
  app: {}
disks:
  d: {size: 20}
buckets:
  assets: {}
`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			t.Parallel()
			s, ds := loadBytes("c.yaml", []byte(tt.src), Options{})
			if len(ds) != 0 {
				t.Fatalf("load: %v", ds)
			}
			got := Check(s)
			got.Sort()
			if diff := cmp.Diff(tt.want, brief(got)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%s", diff, got.Error())
			}
			for _, d := range got {
				if !strings.Contains(d.Detail, "billing_account: at the top level") || !strings.Contains(d.Detail, "requires billing_account_id") {
					t.Errorf("the detail does not say what is required and that the stack default fills it: %q", d.Detail)
				}
			}
		})
	}
}
