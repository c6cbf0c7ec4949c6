package schema

import (
	"github.com/idstack/idstack/spec"
)

// Load loads a stack file and reports everything wrong with it at once:
// loading, the semantic checks and the JSON schema, sorted by place. This
// is what `idstack validate` and `plan` call.
func Load(path string, opts spec.Options) (*spec.Stack, spec.Diagnostics) {
	go prepare(opts)
	s, ds := spec.Load(path, opts)
	return s, finish(s, ds)
}

// LoadBytes is Load for a stack file's text.
func LoadBytes(filename string, src []byte, opts spec.Options) (*spec.Stack, spec.Diagnostics) {
	s, ds := spec.LoadBytes(filename, src, opts)
	return s, finish(s, ds)
}

// prepare compiles the default provider's fast check (fast.go) while
// the file is read and parsed: the first Validate of a process would
// otherwise compile it (2–4 ms) after the parse. The other providers'
// are compiled when a stack file names them: compiling them all here
// would take CPU from the parse for checks no stack uses. A panic is
// left for Validate, whose fastCheck call repeats it (sync.OnceValue).
func prepare(opts spec.Options) {
	defer func() { _ = recover() }()
	if d := opts.Providers[opts.DefaultProvider]; d != nil {
		fastCheck(d)
	}
}

func finish(s *spec.Stack, ds spec.Diagnostics) spec.Diagnostics {
	if s != nil {
		// The checks come before the schema: where both speak of one
		// value, the check's message is the more specific one. The
		// schema is validated beside the checks: both only read the
		// stack.
		schemaDiags := make(chan spec.Diagnostics, 1)
		go func() { schemaDiags <- Validate(s) }()
		ds = append(ds, spec.Check(s)...)
		ds = append(ds, <-schemaDiags...)
	}
	ds = dedupe(ds)
	ds.Sort()
	return ds
}

// dedupe drops a diagnostic about a value already reported at the same
// place (the same JSON path, or the same summary when there is none).
func dedupe(ds spec.Diagnostics) spec.Diagnostics {
	type key struct {
		file      string
		line, col int
		what      string
	}
	seen := map[key]bool{}
	out := ds[:0:0]
	for _, d := range ds {
		k := key{what: d.Summary}
		if d.Path != "" {
			k.what = "path:" + d.Path
		}
		if d.Range != nil {
			k.file, k.line, k.col = d.Range.Filename, d.Range.Start.Line, d.Range.Start.Col
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}
