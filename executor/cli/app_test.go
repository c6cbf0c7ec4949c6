package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/idstack/idstack/executor/cli"
)

// TestMainRunsConcurrently: two commands run in one process at once share
// nothing (urfave/cli's shared help flag and help command used to race),
// so in-process tests may run in parallel. Meaningful under -race.
func TestMainRunsConcurrently(t *testing.T) {
	for i := 0; i < 4; i++ {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			stdio := cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}
			if code := cli.Main([]string{"validate", "-f", "../../examples/shop.yaml"}, stdio); code != 0 {
				t.Errorf("validate: exit %d\n%s", code, errb.String())
			}
			if code := cli.Main([]string{"state", "rm", "--help"}, stdio); code != 0 || !strings.Contains(out.String(), "idstack state rm") {
				t.Errorf("state rm --help: exit %d\n%s%s", code, out.String(), errb.String())
			}
		})
	}
}
