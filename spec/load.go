package spec

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/idstack/idstack/provider"
)

// Options are the inputs of a load besides the stack file.
type Options struct {
	Vars map[string]string // --var K=V (win over everything; taken as they are)
	// EnvVars are the values of IDSTACK_VAR_<name> (below --var-file and
	// --var; a name the stack file does not declare is ignored: the
	// environment may hold other stacks' variables).
	EnvVars   map[string]string
	VarFiles  []string                     // --var-file F, YAML maps, later ones win
	LookupEnv func(string) (string, bool)  // nil: os.LookupEnv
	ReadFile  func(string) ([]byte, error) // nil: the file system, within the limits (see read)
	// Providers are the descriptions of the providers a stack file may
	// name (provider: NAME), by name; DefaultProvider is the one of a file
	// that names none.
	Providers       map[string]*provider.Description
	DefaultProvider string
}

func (o Options) withDefaults() Options {
	if o.LookupEnv == nil {
		o.LookupEnv = os.LookupEnv
	}
	return o
}

// Load reads and loads the stack file at path.
func Load(path string, opts Options) (*Stack, Diagnostics) {
	opts = opts.withDefaults()
	src, err := opts.read(path, stackInput)
	if err != nil {
		var ds Diagnostics
		summary, allowed := readProblem(err, stackInput)
		if allowed == "" {
			allowed = "give the stack file with -f FILE (default idstack.yaml)"
		}
		ds.Errorf(nil, allowed, "cannot read stack file: %s", summary)
		return nil, ds
	}
	return LoadBytes(path, src, opts)
}

// LoadBytes loads a stack file from its text: parse, variables,
// interpolation, resources. It reports all problems it finds; the stack is
// nil only when the YAML itself cannot be read. The JSON schema and the
// semantic checks (Check) are separate steps.
func LoadBytes(filename string, src []byte, opts Options) (*Stack, Diagnostics) {
	opts = opts.withDefaults()
	var diags Diagnostics
	if len(src) > MaxSourceSize {
		diags.Errorf(nil, readLimitDetail, "cannot read stack file: %s", (&TooLargeError{Path: filename, Limit: MaxSourceSize}).Error())
		return nil, diags
	}
	src = stripBOM(src)
	root, ds := parseYAML(filename, src)
	diags = append(diags, ds...)
	if root == nil {
		return nil, diags
	}
	if root.kind != mapNode {
		diags.Errorf(&root.rng, "a stack file is a mapping: stack:, location:, vars:, vms:, …", "the stack file is not a YAML mapping")
		return nil, diags
	}
	s := &Stack{
		Filename: filename,
		Dir:      filepath.Dir(filename),
		Sources:  map[string][]byte{filename: src},
	}
	if s.Provider = opts.provider(root, &diags); s.Provider == nil {
		return nil, diags
	}

	var varsNode *node
	if e := root.get("vars"); e != nil {
		varsNode = e.val
	}
	vars := parseVars(varsNode, s.Dir, &diags)
	vars.applyEnv(opts.EnvVars, &diags)
	for _, f := range opts.VarFiles {
		data, err := opts.read(f, varInput)
		if err != nil {
			summary, allowed := readProblem(err, varInput)
			if allowed == "" {
				allowed = "check the path given to --var-file"
			}
			diags.Errorf(nil, allowed, "cannot read var file: %s", summary)
			continue
		}
		data = stripBOM(data)
		s.Sources[f] = data
		vars.applyVarFile(f, data, &diags)
	}
	vars.applyCLI(opts.Vars, &diags)
	for name, d := range vars.decls {
		if d.sensitive {
			s.SensitiveVars = append(s.SensitiveVars, name)
		}
	}
	sort.Strings(s.SensitiveVars)

	ev := &evaluator{vars: vars, opts: opts, sources: s.Sources, diags: &diags, reported: map[string]bool{}, kinds: s.kindNames()}
	// Every variable's value first, in the order of declaration: a default
	// or a var file value may use ${…} too, and its errors (a cycle, a
	// missing environment variable) are reported where it is written.
	for _, name := range vars.order {
		ev.resolve(vars.decls[name], nil)
	}
	for _, e := range root.keys {
		// Variable declarations stay as written in the document.
		if e.key != "vars" {
			ev.walk(e.val, scope{dir: s.Dir})
		}
	}

	s.Doc, _ = plain(root).(map[string]any)
	s.Ranges = Ranges{root: root}
	s.fillTop(root)
	s.listRefFields()
	for _, e := range root.keys {
		if s.isKind(e.key) {
			s.addResources(Kind(e.key), e.val, root)
		}
	}
	return s, diags
}

// provider finds the description of the provider the stack file names
// (provider: NAME, else the default one); nil after a diagnostic.
func (o Options) provider(root *node, diags *Diagnostics) *provider.Description {
	name := o.DefaultProvider
	var rng *Range
	if e := root.get("provider"); e != nil {
		rng = &e.val.rng
		if n, ok := e.val.val.(string); ok && e.val.isStr {
			name = n
		} else {
			diags.Errorf(rng, "provider: is the name of a cloud, e.g. provider: "+o.DefaultProvider, "provider: must be a name")
			return nil
		}
	}
	if d := o.Providers[name]; d != nil {
		return d
	}
	names := make([]string, 0, len(o.Providers))
	for n := range o.Providers {
		names = append(names, n)
	}
	slices.Sort(names)
	diags.Errorf(rng, "allowed: "+strings.Join(names, ", ")+DidYouMean(name, names), "unknown provider %q", name)
	return nil
}

// fillTop reads the stack's own settings; wrong types are left to the schema.
func (s *Stack) fillTop(root *node) {
	if e := root.get("stack"); e != nil {
		s.Name, _ = e.val.val.(string)
		s.nameUnresolved = e.val.unresolved
	}
	if e := root.get("location"); e != nil {
		s.Location, _ = e.val.val.(string)
	}
	if e := root.get("adopt"); e != nil {
		s.Adopt, _ = e.val.val.(bool)
	}
}

func (s *Stack) addResources(k Kind, n *node, root *node) {
	if n.kind != mapNode {
		return
	}
	ks := s.Provider.Kind(k)
	kindDoc, _ := s.Doc[string(k)].(map[string]any)
	for _, e := range n.keys {
		r := &Resource{
			Addr:     Address{Kind: k, Name: e.key},
			Location: s.Location,
			Fields:   make(map[string]Value, len(e.val.keys)),
			Range:    e.keyRng,
		}
		if ks.Global {
			r.Location = ""
		}
		body := e.val
		ptr := Pointer(string(k), e.key)
		if body.kind == mapNode {
			resDoc, _ := kindDoc[e.key].(map[string]any)
			for _, f := range body.keys {
				switch f.key {
				case "location":
					if loc, ok := f.val.val.(string); ok && !ks.Global {
						r.Location = loc
					}
				case "lifecycle":
					r.Lifecycle = lifecycleOf(f.val)
				default:
					r.Fields[f.key] = Value{
						V:         resDoc[f.key],
						Range:     f.val.rng,
						Sensitive: isSecretField(ks, f.key) || anySensitive(f.val),
						Refs:      collectRefs(f.val, nil),
					}
				}
			}
		}
		// The provider's stack defaults fill what the resource leaves out.
		for _, d := range s.Provider.StackDefaults {
			e := root.get(d.Name)
			if _, set := r.Fields[d.Name]; set || e == nil || ks.Field(d.Name) == nil {
				continue
			}
			r.Fields[d.Name] = Value{V: s.Doc[d.Name], Range: e.val.rng, Sensitive: anySensitive(e.val), Refs: collectRefs(e.val, nil)}
		}
		// Reference fields' refs come first, in order, then any
		// ${KIND.NAME.ATTR} inside the same field.
		var named map[string][]Ref
		s.eachRefSite(r, ptr, func(site refSite) {
			if site.ok {
				if named == nil {
					named = map[string][]Ref{}
				}
				named[site.field] = append(named[site.field], Ref{Addr: site.addr})
			}
		})
		for f, refs := range named {
			v := r.Fields[f]
			v.Refs = append(refs, v.Refs...)
			r.Fields[f] = v
		}
		s.Resources = append(s.Resources, r)
		if s.byAddr == nil {
			s.byAddr = map[Address]*Resource{}
		}
		if _, dup := s.byAddr[r.Addr]; !dup {
			s.byAddr[r.Addr] = r // the first, as a scan finds it
		}
	}
}

func lifecycleOf(n *node) Lifecycle {
	var l Lifecycle
	if e := n.get("prevent_destroy"); e != nil {
		l.PreventDestroy, _ = e.val.val.(bool)
	}
	if e := n.get("ignore_changes"); e != nil {
		for _, it := range e.val.items {
			if f, ok := it.val.(string); ok {
				l.IgnoreChanges = append(l.IgnoreChanges, f)
			}
		}
	}
	return l
}

func anySensitive(n *node) bool {
	if n.sensitive {
		return true
	}
	for _, e := range n.keys {
		if anySensitive(e.val) {
			return true
		}
	}
	for _, it := range n.items {
		if anySensitive(it) {
			return true
		}
	}
	return false
}

func collectRefs(n *node, acc []Ref) []Ref {
	acc = append(acc, n.refs...)
	for _, e := range n.keys {
		acc = collectRefs(e.val, acc)
	}
	for _, it := range n.items {
		acc = collectRefs(it, acc)
	}
	return acc
}
