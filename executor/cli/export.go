package cli

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/planner"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/schema"
	"github.com/idstack/idstack/spec"
)

func exportCommand(stdio *IO) *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write a stack file from the live resources of a location",
		UsageText: "idstack export [--provider NAME] --location SLUG [--kinds vms,networks,…] [--prefix P] [--stack NAME] [-o FILE]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "provider", Value: defaultCloud, Usage: "the cloud to read: `NAME` is idcloudhost or iwinv (written as provider: NAME in the file unless it is the default)"},
			&cli.StringFlag{Name: "location", Usage: "the location `SLUG` to export (buckets are global: exported with the rest)", Required: true},
			&cli.StringFlag{Name: "kinds", Usage: "comma-separated kinds to export (default: all)"},
			&cli.StringFlag{Name: "prefix", Usage: "live names starting with `P` become ${var.prefix}… (a template)"},
			&cli.StringFlag{Name: "stack", Usage: "the stack `NAME` (default export-LOCATION, or ${var.prefix}LOCATION)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` instead of standard output"},
		},
		Action: func(c *cli.Context) error { return runExport(c, stdio) },
	}
}

func parseKinds(s string, d *provider.Description) ([]spec.Kind, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []spec.Kind
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if d.Kind(spec.Kind(k)) == nil {
			return nil, fmt.Errorf("--kinds: unknown kind %q (allowed: %s)", k, strings.Join(d.KindNames(), ", "))
		}
		out = append(out, spec.Kind(k))
	}
	return out, nil
}

func runExport(c *cli.Context, stdio *IO) error {
	cloudName := c.String("provider")
	cl, ok := clouds[cloudName]
	if !ok {
		return exit(ExitError, fmt.Errorf("--provider %q: allowed: %s", cloudName, strings.Join(cloudNames(), ", ")))
	}
	d := cl.desc
	kinds, err := parseKinds(c.String("kinds"), d)
	if err != nil {
		return exit(ExitError, err)
	}
	loc, outFile := c.String("location"), c.String("output")
	dir := "."
	if outFile != "" {
		dir = filepath.Dir(outFile)
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	conn, err := connect(connOf(c), stdio, d, dir)
	if err != nil {
		return exit(ExitError, err)
	}
	defer func() {
		if cerr := conn.Close(); cerr != nil {
			fmt.Fprintf(stdio.Err, "Warning: %v\n", cerr)
		}
	}()
	locs, err := conn.Provider.Locations(ctx)
	if err != nil {
		return exit(ExitError, fmt.Errorf("listing locations: %w", err))
	}
	var slugs []string
	known := false
	for _, l := range locs {
		slugs = append(slugs, l.Slug)
		known = known || l.Slug == loc
	}
	if !known {
		return exit(ExitError, fmt.Errorf("--location %q: no such location (allowed: %s)", loc, strings.Join(slugs, ", ")))
	}

	// The kinds exported are read, and the kinds they name (a VM's
	// network, a disk's VM): references point at them, and what the
	// provider leaves out (a default network, boot disks) is told apart.
	want := map[provider.Kind]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	if len(kinds) == 0 {
		for _, ks := range d.Kinds {
			want[ks.Kind] = true
		}
	}
	for k := range want {
		for _, f := range d.Kind(k).Fields {
			if f.Ref != "" {
				want[f.Ref] = true
			}
		}
	}
	var scopes []planner.Scope
	for k := range want {
		scope := planner.Scope{Kind: k, Location: loc}
		if d.Kind(k).Global {
			scope.Location = ""
		}
		scopes = append(scopes, scope)
	}
	sort.Slice(scopes, func(i, j int) bool { return scopes[i].String() < scopes[j].String() })
	live, err := planner.Refresh(ctx, conn.Provider, scopes, 8)
	if err != nil {
		return exit(ExitError, err)
	}
	opts := planner.ExportOptions{Location: loc, Kinds: kinds, Prefix: c.String("prefix"), Stack: c.String("stack")}
	if cloudName != defaultCloud {
		opts.Provider = cloudName
	}
	ex, err := planner.Export(live, opts)
	if err != nil {
		return exit(ExitError, err)
	}
	if err := checkExported(outFile, ex.YAML); err != nil {
		return exit(ExitError, err)
	}
	if outFile == "" {
		_, err := stdio.Out.Write(ex.YAML)
		return err
	}
	if err := os.WriteFile(outFile, ex.YAML, 0o644); err != nil {
		return exit(ExitError, err)
	}
	var parts []string
	for _, ks := range d.Kinds {
		if n := ex.Counts[ks.Kind]; n > 0 {
			parts = append(parts, ks.Count(n))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no resources")
	}
	fmt.Fprintf(stdio.Err, "Wrote %s: %s.\n", outFile, strings.Join(parts, ", "))
	if len(ex.EnvVars) > 0 {
		fmt.Fprintf(stdio.Err, "Set %s in the environment (secrets the API never shows), then: idstack plan --adopt -f %s\n", strings.Join(ex.EnvVars, ", "), outFile)
	} else {
		fmt.Fprintf(stdio.Err, "Next: idstack plan --adopt -f %s\n", outFile)
	}
	return nil
}

// checkExported loads the exported file as plan would, with a stand-in
// value for every environment variable: an export that does not validate
// is a bug, never a file left for the user to find out.
func checkExported(name string, src []byte) error {
	if name == "" {
		name = "export.yaml"
	}
	_, diags := schema.LoadBytes(name, src, spec.Options{
		Providers: descriptions(), DefaultProvider: defaultCloud,
		LookupEnv: func(string) (string, bool) { return "Export-Check-0", true },
		ReadFile:  func(string) ([]byte, error) { return nil, errors.New("export reads no files") },
	})
	if diags.HasErrors() {
		var b strings.Builder
		spec.Format(&b, diags, map[string][]byte{name: src})
		return fmt.Errorf("the exported stack file does not validate (a bug in idstack export):\n%s", b.String())
	}
	return nil
}
