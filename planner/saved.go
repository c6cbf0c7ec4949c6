package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// SavedFormat is the version of saved plan files.
const SavedFormat = "idstack-plan/1"

// Saved is a plan written by `plan --out`: enough to check, at apply time,
// that nothing it was made from has changed. It never holds a secret:
// sensitive variables and ${env.…} values are read again at apply.
type Saved struct {
	Format string `json:"format"`
	Plan   *Plan  `json:"plan"`
	// StackFile is the stack file as given; Vars the non-sensitive --var
	// values; VarFiles the --var-file paths.
	StackFile string            `json:"stack_file"`
	Vars      map[string]string `json:"vars,omitempty"`
	VarFiles  []string          `json:"var_files,omitempty"`
	// StackDigest covers every file the stack was read from (the stack
	// file, var files, ${file.…} files).
	StackDigest string `json:"stack_digest"`
	// StateLineage and StateSerial name the state the plan was made on.
	StateLineage string `json:"state_lineage"`
	StateSerial  int64  `json:"state_serial"`
	// Fingerprints of the live objects the plan depends on: what it changes
	// and what it references (kind/location/id → digest).
	Fingerprints map[string]string `json:"fingerprints"`
	// NameClaims are the names the plan's creates will take: an object of
	// that name appearing since makes the plan stale (kind/location/name).
	NameClaims []string `json:"name_claims,omitempty"`
}

// Digest hashes the text of every source file, in name order.
func Digest(sources map[string][]byte) string {
	h := sha256.New()
	for _, name := range sortedKeys(sources) {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(sources[name]))
		h.Write(sources[name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Fingerprint hashes what idstack reads of a live object.
func Fingerprint(o provider.Object) string {
	b, _ := json.Marshal(struct {
		Name, Status string
		Attrs        any
	}{o.Name, o.Status, normalize(map[string]any(o.Attrs))})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

func objectKey(kind, location, id string) string { return kind + "/" + location + "/" + id }

// Dependencies lists the live objects a plan depends on (kind/location/id)
// and the names its creates claim.
func Dependencies(p *Plan, st *state.State, live *Live) (fingerprints map[string]string, claims []string) {
	fingerprints = map[string]string{}
	add := func(kind, location, id string) {
		if id == "" {
			return
		}
		if o := live.Find(provider.Kind(kind), location, id); o != nil {
			fingerprints[objectKey(kind, scopeOf(live.Provider, provider.Kind(kind), location).Location, id)] = Fingerprint(*o)
		}
	}
	for _, a := range p.Actions {
		add(a.Kind, a.Location, a.ID)
		for _, ref := range a.References {
			if r := st.Get(ref); r != nil {
				add(r.Kind, r.Location, r.ID)
			}
		}
		if a.Action == Create && a.Name != "" {
			claims = append(claims, objectKey(a.Kind, a.Location, a.Name))
		}
	}
	sort.Strings(claims)
	return fingerprints, claims
}

// Stale compares a saved plan with what is there now and says why it no
// longer holds ("" when it still does). Changes to objects the plan does
// not depend on do not make it stale.
func (s *Saved) Stale(digest string, st *state.State, live *Live) []string {
	var why []string
	if digest != s.StackDigest {
		why = append(why, "the stack file (or a var file, or a file it reads) changed since the plan was made")
	}
	if st.Lineage != s.StateLineage && s.StateSerial > 0 {
		why = append(why, "the state is another one than the plan was made on (lineage changed)")
	} else if st.Serial != s.StateSerial {
		why = append(why, fmt.Sprintf("the state changed since the plan was made (serial %d, now %d): another run changed it (an apply, stop or start, state mv or rm, import)", s.StateSerial, st.Serial))
	}
	for _, key := range sortedKeys(s.Fingerprints) {
		parts := strings.SplitN(key, "/", 3)
		o := live.Find(provider.Kind(parts[0]), parts[1], parts[2])
		switch {
		case o == nil:
			why = append(why, fmt.Sprintf("%s %s is gone", singular(live.Provider, provider.Kind(parts[0])), parts[2]))
		case Fingerprint(*o) != s.Fingerprints[key]:
			why = append(why, fmt.Sprintf("%s %s changed since the plan was made", singular(live.Provider, provider.Kind(parts[0])), parts[2]))
		}
	}
	for _, c := range s.NameClaims {
		parts := strings.SplitN(c, "/", 3)
		if objs := live.FindByName(provider.Kind(parts[0]), parts[1], parts[2]); len(objs) > 0 {
			why = append(why, fmt.Sprintf("a %s named %q appeared since the plan was made", singular(live.Provider, provider.Kind(parts[0])), parts[2]))
		}
	}
	return why
}

// NewSaved wraps a plan for saving.
func NewSaved(p *Plan, stack *spec.Stack, stackFile string, vars map[string]string, varFiles []string, st *state.State, live *Live) *Saved {
	secret := map[string]bool{}
	for _, v := range stack.SensitiveVars {
		secret[v] = true
	}
	kept := map[string]string{}
	for k, v := range vars {
		if !secret[k] {
			kept[k] = v
		}
	}
	fps, claims := Dependencies(p, st, live)
	return &Saved{Format: SavedFormat, Plan: p, StackFile: stackFile, Vars: kept, VarFiles: varFiles,
		StackDigest: Digest(stack.Sources), StateLineage: st.Lineage, StateSerial: st.Serial, Fingerprints: fps, NameClaims: claims}
}

// WriteSaved writes a saved plan (mode 0600: it names the account's objects).
func WriteSaved(path string, s *Saved) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return state.WriteFileAtomic(path, append(b, '\n'), 0o600)
}

// ReadSaved reads a saved plan.
func ReadSaved(path string) (*Saved, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Saved
	if err := json.Unmarshal(b, &s); err != nil || s.Format != SavedFormat {
		return nil, fmt.Errorf("%s is not a plan saved by `idstack plan --out` (format %q)", path, SavedFormat)
	}
	return &s, nil
}

// Restrict keeps, of a plan made now, the actions of a saved plan: each
// saved action must be there with the same action and changes (else the
// saved plan no longer holds, and why says so); actions the saved plan
// did not have (drift of objects it does not touch) are left out.
func Restrict(now, saved *Plan) (*Plan, []string) {
	key := func(a *Action) string { return fmt.Sprintf("%s|%v|%s", a.Address, a.Deposed, a.ID) }
	body := func(a *Action) string {
		c, _ := json.Marshal(a.Changes)
		return fmt.Sprintf("%s|%s", a.Action, c)
	}
	fresh := map[string]*Action{}
	for _, a := range now.Actions {
		fresh[key(a)] = a
	}
	out := *now
	out.Actions = nil
	var why []string
	for _, a := range saved.Actions {
		f := fresh[key(a)]
		switch {
		case f == nil:
			why = append(why, fmt.Sprintf("%s would no longer %s", a.Address, a.Action))
		case body(f) != body(a):
			why = append(why, fmt.Sprintf("%s would now be planned differently", a.Address))
		default:
			out.Actions = append(out.Actions, f)
		}
	}
	out.summarize()
	if len(out.Actions) != len(now.Actions) {
		out.Cost = nil // its totals count actions left out
	}
	return &out, why
}
