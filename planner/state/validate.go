package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// Fault is one thing wrong in a state: the entry ("resources[\"vms.web\"]",
// "deposed[0]", "stack"…) and what is wrong with it.
type Fault struct {
	Entry   string
	Problem string
}

func (f Fault) String() string {
	if f.Entry == "" {
		return f.Problem
	}
	return f.Entry + ": " + f.Problem
}

// InvalidError is a state that cannot be used as it is: a hand edit, a bad
// merge, a torn copy or another stack's state. Every fault is listed;
// whoever gets it must change nothing (no save, no cloud call).
type InvalidError struct {
	// Where names the state: "state file PATH" or "state s3://BUCKET/KEY".
	Where  string
	Faults []Fault

	// What was decoded, for Without: the snapshot and the log replayed
	// over it.
	data   []byte
	expect Expect
	log    []Entry
}

// Without is the state without the record at addr, when that is all that
// made it invalid: `idstack state rm ADDR` forgets a bad record this way.
// Otherwise it is an *InvalidError listing what would still be wrong.
func (e *InvalidError) Without(addr string) (*State, error) {
	for _, f := range e.Faults {
		if strings.HasPrefix(f.Entry, "deposed[") {
			// Forgetting the current record would leave the deposed one,
			// which the next apply deletes: deposed faults are fixed by
			// hand.
			return nil, e
		}
	}
	var top map[string]json.RawMessage
	var recs map[string]json.RawMessage
	if json.Unmarshal(e.data, &top) != nil || json.Unmarshal(top["resources"], &recs) != nil {
		return nil, e
	}
	if _, ok := recs[addr]; !ok {
		return nil, e
	}
	delete(recs, addr)
	top["resources"], _ = json.Marshal(recs)
	data, err := json.Marshal(top)
	if err != nil {
		return nil, e
	}
	return Stored{Where: e.Where, LogWhere: "its journal", Snapshot: data, Found: true, Log: e.log}.State(e.expect)
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	n := "1 problem"
	if len(e.Faults) != 1 {
		n = fmt.Sprintf("%d problems", len(e.Faults))
	}
	fmt.Fprintf(&b, "%s cannot be used (%s); nothing was changed:", e.Where, n)
	hints := map[string]bool{}
	var order []string
	for _, f := range e.Faults {
		b.WriteString("\n  " + f.String())
		if h := hintFor(f); h != "" && !hints[h] {
			hints[h] = true
			order = append(order, h)
		}
	}
	for _, h := range order {
		b.WriteString("\n  " + h)
	}
	return b.String()
}

// hintFor says how a fault is put right.
func hintFor(f Fault) string {
	switch {
	case f.Entry == "stack" && strings.HasPrefix(f.Problem, "this state belongs"):
		return "A state names its stack: check -f, the variables that make the stack's name and the backend's key; if the stack was renamed, set \"stack\" in the state by hand."
	case f.Entry == "version" || strings.HasPrefix(f.Problem, "not valid JSON") || f.Problem == "empty (0 bytes)" || f.Problem == "not a JSON object":
		return "Restore the state from a copy (for S3: an earlier version of the object, where the bucket keeps them), or use the idstack that wrote it."
	case strings.Contains(f.Problem, "idstack state rm"):
		return ""
	case strings.HasPrefix(f.Entry, "deposed["):
		return "Correct or delete the deposed entry by hand: a deposed object is deleted by the next apply, so never leave one that the stack still uses."
	case f.Entry == "journal":
		return "The journal beside the state does not continue it (a state restored from a copy, or another stack's journal?): if the state is right as it is, move the journal away; its open creates are then no longer waited for, so check the cloud for objects they made."
	case strings.HasPrefix(f.Entry, "resources["):
		return "Correct the entry by hand, or forget it with `idstack state rm ADDR` (which accepts a state that only that removal makes valid)."
	}
	return "Correct the state by hand."
}

// Decode reads a state from its JSON and validates it, as every backend
// does on Load: where names it in errors ("state file PATH"), and want
// is what it must be (its stack, its provider's kinds). Any fault is an
// *InvalidError listing them all.
func Decode(where string, data []byte, want Expect) (*State, error) {
	inv := &InvalidError{Where: where, data: data, expect: want}
	fail := func(entry, problem string) (*State, error) {
		inv.Faults = append(inv.Faults, Fault{Entry: entry, Problem: problem})
		return nil, inv
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fail("", "empty (0 bytes)")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return fail("", jsonProblem(data, err, ""))
	}
	if top == nil {
		return fail("", "not a JSON object")
	}
	// The version first: a state of another format is not read further.
	switch v, ok := top["version"]; {
	case !ok:
		return fail("version", "missing (a state always has \"version\": 1)")
	default:
		var n int
		if err := json.Unmarshal(v, &n); err != nil {
			return fail("version", jsonProblem(v, err, ""))
		}
		if n < oldestVersion || n > FormatVersion {
			why := ""
			if n > FormatVersion {
				why = " (a newer idstack wrote it)"
			}
			return fail("version", fmt.Sprintf("format version %d; this idstack reads versions %d to %d%s", n, oldestVersion, FormatVersion, why))
		}
	}
	var s State
	typeFaults := false
	for _, key := range []string{"serial", "lineage", "stack", "resources", "deposed", "hibernation"} {
		raw, ok := top[key]
		if !ok {
			continue
		}
		var err error
		switch key {
		case "serial":
			err = json.Unmarshal(raw, &s.Serial)
		case "lineage":
			err = json.Unmarshal(raw, &s.Lineage)
		case "stack":
			err = json.Unmarshal(raw, &s.Stack)
		case "resources":
			err = decodeResources(raw, &s, inv)
		case "deposed":
			err = decodeDeposed(raw, &s, inv)
		case "hibernation":
			err = json.Unmarshal(raw, &s.Hibernation)
		}
		if err != nil {
			inv.Faults = append(inv.Faults, Fault{Entry: key, Problem: jsonProblem(raw, err, key)})
			typeFaults = true
		}
	}
	s.Version = FormatVersion
	if s.Resources == nil {
		s.Resources = map[string]*Resource{}
	}
	if _, ok := top["resources"]; !ok {
		inv.Faults = append(inv.Faults, Fault{Entry: "resources", Problem: "missing (a state always has \"resources\", {} when it owns nothing)"})
	}
	if _, ok := top["stack"]; !ok {
		inv.Faults = append(inv.Faults, Fault{Entry: "stack", Problem: "missing (a state names the stack it belongs to)"})
	}
	if !typeFaults {
		inv.Faults = append(inv.Faults, Validate(&s, want)...)
	}
	if len(inv.Faults) > 0 {
		sortFaults(inv.Faults)
		return nil, inv
	}
	return &s, nil
}

// decodeResources reads the resources object record by record, so that
// one record of the wrong type is named and the others still read.
func decodeResources(raw json.RawMessage, s *State, inv *InvalidError) error {
	// All at once first: one pass over the records. Only a state with a
	// record of the wrong type is read again, record by record.
	var all map[string]*Resource
	if json.Unmarshal(raw, &all) == nil {
		if all != nil { // null: an empty state of an earlier idstack
			s.Resources = all
		}
		return nil
	}
	var recs map[string]json.RawMessage
	if err := json.Unmarshal(raw, &recs); err != nil {
		return err
	}
	if recs == nil {
		return nil // null: an empty state of an earlier idstack
	}
	s.Resources = make(map[string]*Resource, len(recs))
	for addr, r := range recs {
		var rec *Resource
		if err := json.Unmarshal(r, &rec); err != nil {
			entry := fmt.Sprintf("resources[%q]", addr)
			inv.Faults = append(inv.Faults, Fault{Entry: entry, Problem: jsonProblem(r, err, "")})
			continue
		}
		s.Resources[addr] = rec
	}
	return nil
}

func decodeDeposed(raw json.RawMessage, s *State, inv *InvalidError) error {
	var recs []json.RawMessage
	if err := json.Unmarshal(raw, &recs); err != nil {
		return err
	}
	for i, r := range recs {
		var rec *Resource
		if err := json.Unmarshal(r, &rec); err != nil {
			inv.Faults = append(inv.Faults, Fault{Entry: fmt.Sprintf("deposed[%d]", i), Problem: jsonProblem(r, err, "")})
			rec = nil
		}
		s.Deposed = append(s.Deposed, rec)
	}
	return nil
}

// jsonProblem says what is wrong with some JSON in a person's words.
func jsonProblem(data []byte, err error, field string) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && strings.Contains(syn.Error(), "unexpected end of JSON input"),
		err.Error() == "unexpected end of JSON input":
		return fmt.Sprintf("not valid JSON: it ends at byte %d, in the middle (a truncated copy?)", len(data))
	case errors.As(err, &syn):
		return fmt.Sprintf("not valid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		where := ""
		if typ.Field != "" && typ.Field != field {
			where = typ.Field + ": "
		}
		return fmt.Sprintf("%s%s where %s belongs", where, jsonType(typ.Value), goType(typ.Type.Kind().String()))
	}
	return err.Error()
}

func jsonType(v string) string {
	switch v {
	case "object", "array":
		return "an " + v
	case "number", "string", "bool":
		return "a " + strings.Replace(v, "bool", "boolean", 1)
	}
	if strings.HasPrefix(v, "number") {
		return "a number (" + strings.TrimSpace(strings.TrimPrefix(v, "number")) + ")"
	}
	return v
}

func goType(k string) string {
	switch k {
	case "map", "struct", "ptr":
		return "an object"
	case "slice":
		return "an array"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	}
	if strings.HasPrefix(k, "int") || strings.HasPrefix(k, "float") || strings.HasPrefix(k, "uint") {
		return "a number"
	}
	return k
}

// Expect is what a state must be: the state of a stack ("" any), whose
// addresses are of a provider's kinds (nil any).
type Expect struct {
	Stack    string
	Provider *provider.Description
}

// Validate lists what is wrong with a decoded state.
func Validate(s *State, want Expect) []Fault {
	stack := want.Stack
	var faults []Fault
	add := func(entry, format string, args ...any) {
		faults = append(faults, Fault{Entry: entry, Problem: fmt.Sprintf(format, args...)})
	}
	if s.Serial < 0 {
		add("serial", "%d is negative (saves count up from 0)", s.Serial)
	}
	switch {
	case strings.TrimSpace(s.Stack) == "":
		add("stack", "empty (a state names the stack it belongs to)")
	case stack != "" && s.Stack != stack:
		add("stack", "this state belongs to stack %q, not %q", s.Stack, stack)
	}
	// holders maps a kind and an id to the entries that hold it (ids
	// are unique within a kind).
	type holder struct{ entry, addr string }
	holders := map[string][]holder{}
	key := func(r *Resource) string { return r.Kind + "\x00" + r.ID }
	check := func(entry, addr string, r *Resource, keyed bool) bool {
		if r == nil {
			add(entry, "the record is null")
			return false
		}
		ok := true
		if strings.TrimSpace(addr) == "" {
			add(entry, "the address is blank")
			return false
		}
		a, err := spec.ParseAddress(addr, want.Provider)
		if err != nil {
			add(entry, "%v", err)
			return false
		}
		if keyed && r.Address != addr {
			add(entry, "the record's address is %q", r.Address)
			ok = false
		}
		if r.Kind != string(a.Kind) {
			add(entry, "the record's kind is %q, not %s", r.Kind, a.Kind)
			ok = false
		}
		if strings.TrimSpace(r.ID) == "" {
			add(entry, "the id is empty")
			ok = false
		}
		if ks := want.Provider.Kind(a.Kind); strings.TrimSpace(r.Location) == "" && ks != nil && !ks.Global {
			add(entry, "no location (a %s is found by its location and id)", ks.Singular)
			ok = false
		}
		return ok
	}
	for _, addr := range s.Addresses() {
		r := s.Resources[addr]
		entry := fmt.Sprintf("resources[%q]", addr)
		if check(entry, addr, r, true) {
			holders[key(r)] = append(holders[key(r)], holder{entry, addr})
		}
	}
	for k, hs := range holders {
		if len(hs) < 2 {
			continue
		}
		entries := make([]string, len(hs))
		addrs := make([]string, len(hs))
		for i, h := range hs {
			entries[i], addrs[i] = h.entry, h.addr
		}
		kind, id, _ := strings.Cut(k, "\x00")
		both := "both"
		if len(hs) > 2 {
			both = "all"
		}
		faults = append(faults, Fault{Problem: fmt.Sprintf("%s %s hold %s %q: one live object cannot be %d resources (a plan would delete it as the one no longer declared); forget the wrong one with `idstack state rm ADDR` (one of %s)",
			joinAnd(entries), both, singular(want.Provider, kind), id, len(hs), strings.Join(addrs, ", "))})
	}
	for i, r := range s.Deposed {
		entry := fmt.Sprintf("deposed[%d]", i)
		addr := ""
		if r != nil {
			addr = r.Address
		}
		if !check(entry, addr, r, false) {
			continue
		}
		k := key(r)
		if hs := holders[k]; len(hs) > 0 {
			faults = append(faults, Fault{Entry: fmt.Sprintf("%s (%s)", entry, r.Address),
				Problem: fmt.Sprintf("holds %s %q, which %s holds too: an object is either current or deposed (deposed ones are deleted by the next apply)", singular(want.Provider, r.Kind), r.ID, hs[0].entry)})
			continue
		}
		holders[k] = append(holders[k], holder{entry, r.Address})
	}
	return append(faults, validateHibernation(s.Hibernation, want.Provider)...)
}

func joinAnd(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// sortFaults orders faults as the file reads: top-level keys, then
// resources by address, then deposed records by index.
func sortFaults(f []Fault) {
	rank := func(x Fault) (int, string, int) {
		e := x.Entry
		switch {
		case e == "":
			if strings.HasPrefix(x.Problem, "resources[") {
				return 3, x.Problem, 0
			}
			return 0, "", 0
		case e == "version":
			return 1, "", 0
		case strings.HasPrefix(e, "resources["):
			return 2, e, 0
		case strings.HasPrefix(e, "deposed["):
			n, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(e, "]", 2)[0], "deposed["))
			return 4, "", n
		}
		return 1, e, 0
	}
	sort.SliceStable(f, func(i, j int) bool {
		a1, b1, c1 := rank(f[i])
		a2, b2, c2 := rank(f[j])
		if a1 != a2 {
			return a1 < a2
		}
		if b1 != b2 {
			return b1 < b2
		}
		return c1 < c2
	})
}

// singular names one object of a kind in messages.
func singular(d *provider.Description, kind string) string {
	if ks := d.Kind(provider.Kind(kind)); ks != nil {
		return ks.Singular
	}
	return kind
}
