package state

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Owner is another stack that owns a live object, as its state says.
type Owner struct {
	Stack   string // the stack's name
	Where   string // its state: "state file PATH" or "state s3://BUCKET/KEY"
	Address string // the object's address in that stack
}

// Elsewhere is what the other stacks' states beside this one own: the
// plan refuses to adopt those objects. A state it could not read, or a
// backend that cannot list states, is a warning, never a failure.
type Elsewhere struct {
	owners   map[string]Owner // kind \x00 id
	Warnings []string
}

// Owner says which other stack owns an object, if one does.
func (e *Elsewhere) Owner(kind, id string) (Owner, bool) {
	if e == nil {
		return Owner{}, false
	}
	o, ok := e.owners[kind+"\x00"+id]
	return o, ok
}

// OtherStates lists the states of the other stacks kept beside a stack's
// own: the *.state.json files of the same .idstack directory, or the
// *.state.json objects of the same bucket and key prefix. unreadable has
// one line for each state it could not read (or for a listing that
// failed).
type OtherStates interface {
	OtherStates() (states []*Other, unreadable []string)
}

// Other is one other stack's state.
type Other struct {
	Where string // "state file PATH" or "state s3://BUCKET/KEY"
	State *State
}

var _ OtherStates = (*Local)(nil)

// OwnedElsewhere reads, once, what the other stacks' states of a backend
// own.
func OwnedElsewhere(b Backend) *Elsewhere {
	lister, ok := b.(OtherStates)
	if !ok {
		return ElsewhereOf(nil, []string{fmt.Sprintf("the state backend of %s cannot list other stacks' states: --adopt cannot tell whether an object belongs to another stack", b)})
	}
	return ElsewhereOf(lister.OtherStates())
}

// ElsewhereOf is what the given states own; unreadable become warnings.
func ElsewhereOf(states []*Other, unreadable []string) *Elsewhere {
	e := &Elsewhere{owners: map[string]Owner{}}
	for _, u := range unreadable {
		e.Warnings = append(e.Warnings, u+": --adopt cannot tell what that stack owns")
	}
	for _, o := range states {
		recs := append(sortedRecords(o.State), o.State.Deposed...)
		for _, r := range recs {
			k := r.Kind + "\x00" + r.ID
			if _, dup := e.owners[k]; !dup {
				e.owners[k] = Owner{Stack: o.State.Stack, Where: o.Where, Address: r.Address}
			}
		}
	}
	return e
}

func sortedRecords(s *State) []*Resource {
	out := make([]*Resource, 0, len(s.Resources))
	for _, a := range s.Addresses() {
		out = append(out, s.Resources[a])
	}
	return out
}

// OtherStates reads the other *.state.json files of the .idstack directory.
func (l *Local) OtherStates() ([]*Other, []string) {
	paths, err := filepath.Glob(filepath.Join(l.Dir, "*"+Suffix))
	if err != nil {
		return nil, []string{fmt.Sprintf("listing the states of %s: %v", l.Dir, err)}
	}
	sort.Strings(paths)
	var out []*Other
	var bad []string
	for _, p := range paths {
		if p == l.Path() {
			continue
		}
		where := "state file " + p
		journal := strings.TrimSuffix(p, Suffix) + ".journal.jsonl"
		st, err := l.disk.loadFiles(where, p, journal, Expect{})
		if err != nil {
			bad = append(bad, otherProblem(where, err))
			continue
		}
		out = append(out, &Other{Where: where, State: st})
	}
	return out, bad
}

// DecodeOther decodes another stack's state read from where ("state file
// PATH", "state s3://BUCKET/KEY"), with its journal's changes, or says why
// it cannot in a line for OtherStates' unreadable list.
func DecodeOther(st Stored) (*Other, string) {
	s, err := st.State(Expect{})
	if err != nil {
		return nil, otherProblem(st.Where, err)
	}
	return &Other{Where: st.Where, State: s}, ""
}

// otherProblem is the line of OtherStates' unreadable list for a state
// that could not be read.
func otherProblem(where string, err error) string {
	var inv *InvalidError
	if errors.As(err, &inv) {
		faults := make([]string, len(inv.Faults))
		for i, f := range inv.Faults {
			faults[i] = f.String()
		}
		return fmt.Sprintf("another stack's %s is invalid (%s)", where, strings.Join(faults, "; "))
	}
	return fmt.Sprintf("another stack's %s is unreadable (%v)", where, err)
}
