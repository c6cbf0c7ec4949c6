package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idstack/idstack/executor/cli"
)

// IDSTACK_VAR_<name> sets a variable, below --var-file and --var.
func TestVariablesFromIDSTACK_VAR(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(f, []byte("stack: shop-${var.env}\nvars:\n  env: {type: string}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(env []string, args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := cli.Main(append([]string{"validate", "-f", f}, args...), cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb,
			LookupEnv: func(string) (string, bool) { return "", false }, Environ: func() []string { return env }})
		return code, out.String() + errb.String()
	}
	if code, out := run([]string{"IDSTACK_VAR_env=staging", "IDSTACK_VAR_unused=x", "HOME=/"}); code != 0 || !strings.Contains(out, `stack "shop-staging"`) {
		t.Errorf("exit %d: %s", code, out)
	}
	if code, out := run([]string{"IDSTACK_VAR_env=staging"}, "--var", "env=prod"); code != 0 || !strings.Contains(out, `stack "shop-prod"`) {
		t.Errorf("--var should win: exit %d: %s", code, out)
	}
	if code, out := run(nil); code != 1 || !strings.Contains(out, "IDSTACK_VAR_env") {
		t.Errorf("no value: exit %d: %s (want the hint naming IDSTACK_VAR_env)", code, out)
	}
}
