package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckStackName(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		opts Options
		want []string
	}{
		{"plain", "stack: shop-staging\n", Options{}, nil},
		{"dots and underscores", "stack: shop_v1.2\n", Options{}, nil},
		{"from a variable", "stack: shop-${var.env}\nvars: {env: {type: string}}\n", Options{Vars: map[string]string{"env": "pr-123"}}, nil},
		{"a slash from a variable", "stack: shop-${var.env}\nvars: {env: {type: string}}\n", Options{Vars: map[string]string{"env": "pr/123"}},
			[]string{`1:8: error: invalid stack name "shop-pr/123"`}},
		{"a space", "stack: shop staging\n", Options{}, []string{`1:8: error: invalid stack name "shop staging"`}},
		{"a leading dot", "stack: ..\n", Options{}, []string{`1:8: error: invalid stack name ".."`}},
		{"an unset variable is reported once, elsewhere", "stack: shop-${var.env}\nvars: {env: {type: string}}\n", Options{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, diags := LoadBytes("s.yaml", []byte(tc.src), tc.opts)
			if s == nil {
				t.Fatal(diags)
			}
			got := Check(s)
			got.Sort()
			if d := cmp.Diff(tc.want, brief(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
