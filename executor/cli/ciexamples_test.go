package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/idstack/idstack/planner"
)

// TestCIExamples: the workflows of examples/ci are valid YAML and use the
// command line as it is: a saved Markdown plan gated on the detailed exit
// code, the comment found again by the plan's first line, and the saved
// plan applied on merge.
func TestCIExamples(t *testing.T) {
	t.Parallel()
	var md bytes.Buffer
	if err := renderMarkdown(&md, &planner.Plan{Stack: "shop-prod"}, markdownOptions{}); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(md.String(), "\n")
	if first != MarkdownMarker+` stack="shop-prod" -->` {
		t.Fatalf("the Markdown plan's first line %q is what CI finds its comment by", first)
	}
	for _, name := range []string{"github-actions.yml", "gitlab-ci.yml"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", "examples", "ci", name))
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := yaml.Unmarshal(b, &doc); err != nil {
				t.Fatalf("not YAML: %v", err)
			}
			text := string(b)
			for _, want := range []string{
				`idstack plan -f "$STACK_FILE" --out plan.bin --format markdown --detailed-exitcode > plan.md`,
				`idstack show --format json plan.bin > plan.json`,
				`idstack apply --auto-approve --lock-timeout 10m plan.bin`,
				`"$code" = 1`, // an error is not a plan
				`IDSTACK_API_KEY`,
				`head -n 1 plan.md`,
			} {
				if want == `head -n 1 plan.md` && name == "github-actions.yml" {
					want = `body.split('\n')[0]`
				}
				if !strings.Contains(text, want) {
					t.Errorf("%s lacks %q", name, want)
				}
			}
			if !strings.Contains(text, "3") || !strings.Contains(text, "destructive") {
				t.Errorf("%s does not gate destructive plans (exit code 3)", name)
			}
		})
	}
}
