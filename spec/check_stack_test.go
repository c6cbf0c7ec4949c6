package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckStackName(t *testing.T) {
	t.Parallel()
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
		{"128 characters", "stack: " + strings.Repeat("a", 128) + "\n", Options{}, nil},
		{"129 characters", "stack: " + strings.Repeat("a", 129) + "\n", Options{}, []string{`1:8: error: invalid stack name "` + strings.Repeat("a", 129) + `"`}},
		{"an unset variable is reported once, elsewhere", "stack: shop-${var.env}\nvars: {env: {type: string}}\n", Options{}, nil},
		// Issue 11, item 7: a default's ${…} was the name's text, and a
		// name with "${" in it was never judged.
		{"from a variable's default that reads the environment", "stack: shop-${var.env}\nvars: {env: \"${env.STAGE}\"}\n",
			Options{LookupEnv: fakeEnv(map[string]string{"STAGE": "pr/7"})}, []string{`1:8: error: invalid stack name "shop-pr/7"`}},
		{"from a variable's default, fine", "stack: shop-${var.env}\nvars: {env: \"${env.STAGE}\"}\n",
			Options{LookupEnv: fakeEnv(map[string]string{"STAGE": "pr-7"})}, nil},
		{"a literal ${ from an escape", "stack: shop-$${x}\n", Options{}, []string{`1:8: error: invalid stack name "shop-${x}"`}},
		{"a literal ${ from --var", "stack: shop-${var.env}\nvars: {env: {type: string}}\n", Options{Vars: map[string]string{"env": "${env.X}"}},
			[]string{`1:8: error: invalid stack name "shop-${env.X}"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, diags := loadBytes("s.yaml", []byte(tc.src), tc.opts)
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
