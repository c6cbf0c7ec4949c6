package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// graphFormats are the values of `idstack graph --format`.
var graphFormats = []string{"dot", "svg", "png"}

// checkGraphFormat refuses a format graph cannot write.
func checkGraphFormat(format string) error {
	for _, f := range graphFormats {
		if f == format {
			return nil
		}
	}
	return fmt.Errorf("--format %q: allowed: %s", format, strings.Join(graphFormats, ", "))
}

// graphviz renders DOT with Graphviz's dot command.
type graphviz struct {
	// lookPath finds the dot command (exec.LookPath).
	lookPath func(string) (string, error)
	timeout  time.Duration
}

var defaultGraphviz = graphviz{lookPath: exec.LookPath, timeout: time.Minute}

// renderGraph writes a plan's graph in format: "dot" is the DOT text;
// "svg" and "png" are drawn by Graphviz's dot when it is installed, and
// are the DOT text otherwise, with a note on errw saying how to get the
// picture.
func renderGraph(w, errw io.Writer, dot, format string) error {
	return defaultGraphviz.render(w, errw, dot, format)
}

func (g graphviz) render(w, errw io.Writer, dot, format string) error {
	if err := checkGraphFormat(format); err != nil {
		return err
	}
	if format == "dot" {
		_, err := io.WriteString(w, dot)
		return err
	}
	bin, err := g.lookPath("dot")
	if err != nil {
		fmt.Fprintf(errw, "Note: Graphviz's dot is not installed, so this is the graph as DOT text, not %s: install Graphviz (apt-get install graphviz, brew install graphviz) or run `dot -T%s -o graph.%s` on this output.\n", strings.ToUpper(format), format, format)
		_, err := io.WriteString(w, dot)
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
	defer cancel()
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "-T"+format)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(dot), &out, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s -T%s: %v: %s", bin, format, err, strings.TrimSpace(stderr.String()))
	}
	_, err = w.Write(out.Bytes())
	return err
}
