package cli_test

import (
	"bytes"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/idstack/idstack/executor/cli"
)

// `idstack version`, `--version` and `--version` after a command print the
// version, the commit and the Go version from the build information.
func TestVersion(t *testing.T) {
	t.Parallel()
	line := regexp.MustCompile(`^idstack \S+ \(commit ([0-9a-f]{12}(-dirty)?|unknown), built with go\S+; providers idcloudhost, iwinv\)\n$`)
	for _, args := range [][]string{{"version"}, {"--version"}, {"plan", "--version"}} {
		var out, errb bytes.Buffer
		code := cli.Main(args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
		if code != 0 || !line.MatchString(out.String()) || !strings.Contains(out.String(), runtime.Version()) {
			t.Errorf("idstack %s: exit %d, %q %q", strings.Join(args, " "), code, out.String(), errb.String())
		}
	}
}
