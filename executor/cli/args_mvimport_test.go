package cli

import (
	"slices"
	"strings"
	"testing"
)

// Flags anywhere (args.go) for `state mv OLD NEW` and `import ADDR ID`:
// after either positional, global ones included; a third positional is
// refused, never ignored.
func TestNormalizeArgsMvImport(t *testing.T) {
	t.Parallel()
	app := newApp(&IO{})
	for _, tc := range []struct {
		name, args, want, wantErr string
	}{
		{"mv: -f after both", "state mv vms.a vms.b -f x.yaml", "state mv -f x.yaml vms.a vms.b", ""},
		{"mv: -f between", "state mv vms.a -f x.yaml vms.b", "state mv -f x.yaml vms.a vms.b", ""},
		{"mv: global after", "state mv vms.a vms.b --endpoint sim --lock-timeout 5s", "--endpoint sim state mv --lock-timeout 5s vms.a vms.b", ""},
		{"mv: stray third", "state mv vms.a vms.b other.yaml", "", "`idstack state mv` takes OLD NEW (a stack file is given with -f)"},
		{"mv: unknown flag", "state mv vms.a vms.b --frce", "", "unknown flag --frce for `idstack state mv`"},
		{"import: flags after", "import vms.web 123 --endpoint sim -f x.yaml --var env=dev", "--endpoint sim import -f x.yaml --var env=dev vms.web 123", ""},
		{"import: an id that starts with -", "import -f x.yaml vms.web -- -12", "import -f x.yaml -- vms.web -12", ""},
		{"import: stray third", "import vms.web 123 456", "", "unexpected argument \"456\": `idstack import` takes ADDR ID"},
		{"import: did you mean", "import vms.web 123 --fiel x.yaml", "", "Did you mean --file?"},
	} {
		got, err := normalizeArgs(app, splitArgs(tc.args))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: normalizeArgs(%q) = %q, %v; want an error containing %q", tc.name, tc.args, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: normalizeArgs(%q): %v", tc.name, tc.args, err)
			continue
		}
		if want := splitArgs(tc.want); !slices.Equal(got, want) {
			t.Errorf("%s: normalizeArgs(%q)\n got %q\nwant %q", tc.name, tc.args, got, want)
		}
	}
}
