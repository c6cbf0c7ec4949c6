package providertest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider"
)

// DefaultPatience is Harness.Patience when it is zero.
const DefaultPatience = 5 * time.Second

// property is one promise of the contract, checked for one kind.
type property struct {
	name  string
	check func(x *kindTest)
}

var properties = []property{
	{"list-calls", checkListCalls},
	{"create-get-list", checkCreateGetList},
	{"update", checkUpdate},
	{"delete", checkDelete},
	{"not-found", checkNotFound},
	{"read-retried", checkReadRetried},
	{"create-server-error", checkCreateServerError},
	{"create-refused", checkCreateRefused},
	{"create-rate-limited", checkCreateRateLimited},
	{"lost-answer", checkLostAnswer},
	{"abandoned-create", checkAbandonedCreate},
	{"readiness", checkReadiness},
}

// Run checks the contract for every kind of h, each property of each kind
// in a parallel subtest of its own (kind/property), then the properties
// across kinds (not-sent, concurrency).
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil || h.Facts == nil || len(h.Kinds) == 0 {
		t.Fatal("providertest: the harness needs New, Facts and at least one Kind")
	}
	if h.Patience <= 0 {
		h.Patience = DefaultPatience
	}
	known := map[string]bool{}
	skipKnown := func(t *testing.T, key string) {
		t.Helper()
		if why, ok := h.KnownBugs[key]; ok {
			t.Skip("provider bug: " + why)
		}
	}
	for _, k := range h.Kinds {
		if k.Attrs == nil || k.Change.Field == "" || k.MissingID == "" {
			t.Fatalf("providertest: kind %s needs Attrs, Change and MissingID", k.Kind)
		}
		for _, p := range properties {
			known[string(k.Kind)+"/"+p.name] = true
		}
		t.Run(string(k.Kind), func(t *testing.T) {
			t.Parallel()
			for _, p := range properties {
				if p.name == "readiness" && len(h.Facts(k.Kind).Ready) == 0 {
					continue // the kind has no readiness
				}
				t.Run(p.name, func(t *testing.T) {
					t.Parallel()
					skipKnown(t, string(k.Kind)+"/"+p.name)
					p.check(newKindTest(t, &h, k))
				})
			}
		})
	}
	for _, c := range []struct {
		name  string
		check func(*testing.T, *Harness)
	}{{"not-sent", checkNotSent}, {"concurrency", checkConcurrency}} {
		known[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			skipKnown(t, c.name)
			c.check(t, &h)
		})
	}
	for key := range h.KnownBugs {
		if !known[key] {
			t.Errorf("providertest: KnownBugs names %q, which is no subtest (want kind/property, not-sent or concurrency)", key)
		}
	}
}

// kindTest is one property's test of one kind, with its own simulator.
type kindTest struct {
	*testing.T
	h     *Harness
	k     Kind
	facts Facts
	env   Env
	p     provider.Provider
	ctx   context.Context
	loc   string
	names int
}

func newKindTest(t *testing.T, h *Harness, k Kind) *kindTest {
	env := h.New(t)
	if env.Provider == nil || env.Calls == nil || env.Fail == nil || env.LoseAnswer == nil {
		t.Fatal("providertest: the harness's Env needs Provider, Calls, Fail and LoseAnswer")
	}
	facts := h.Facts(k.Kind)
	ctx, cancel := context.WithTimeout(t.Context(), 4*h.Patience)
	t.Cleanup(cancel)
	loc := k.Location
	if facts.Global {
		loc = ""
	}
	return &kindTest{T: t, h: h, k: k, facts: facts, env: env, p: env.Provider, ctx: ctx, loc: loc}
}

// name returns a fresh name for an object of this test.
func (x *kindTest) name(what string) string {
	x.names++
	return fmt.Sprintf("pt-%s-%d", what, x.names)
}

// attrs returns the create attributes of a new object named name.
func (x *kindTest) attrs(name string) provider.Attrs {
	x.Helper()
	return x.k.Attrs(x.T, x.p, name)
}

// create makes an object and checks what Create answers.
func (x *kindTest) create(name string) provider.Object {
	x.Helper()
	obj, err := x.p.Create(x.ctx, x.k.Kind, x.loc, x.attrs(name))
	if err != nil {
		x.Fatalf("Create(%s %q): %v", x.k.Kind, name, err)
	}
	x.checkObject("Create", obj, name)
	return obj
}

// checkObject checks an object's kind, location, id and (for named kinds)
// name.
func (x *kindTest) checkObject(what string, obj provider.Object, name string) {
	x.Helper()
	if obj.ID == "" {
		x.Errorf("%s: the object has no id: %+v", what, obj)
	}
	if obj.Kind != x.k.Kind {
		x.Errorf("%s: Kind = %q, want %q", what, obj.Kind, x.k.Kind)
	}
	if x.facts.Global && obj.Location != "" {
		x.Errorf("%s: a global kind's object has location %q, want \"\"", what, obj.Location)
	}
	if !x.facts.Global && x.loc != "" && obj.Location != x.loc {
		x.Errorf("%s: Location = %q, want %q", what, obj.Location, x.loc)
	}
	if x.facts.Named && name != "" && obj.Name != name {
		x.Errorf("%s: Name = %q, want the name asked, %q", what, obj.Name, name)
	}
}

func (x *kindTest) list() []provider.Object {
	x.Helper()
	objs, err := x.p.List(x.ctx, x.k.Kind, x.loc)
	if err != nil {
		x.Fatalf("List(%s, %q): %v", x.k.Kind, x.loc, err)
	}
	return objs
}

func (x *kindTest) get(id string) provider.Object {
	x.Helper()
	obj, err := x.p.Get(x.ctx, x.k.Kind, x.loc, id)
	if err != nil {
		x.Fatalf("Get(%s %s): %v", x.k.Kind, id, err)
	}
	return obj
}

// mark returns the length of the call log, to read the calls made after.
func (x *kindTest) mark() int { return len(x.env.Calls()) }

// since returns the calls made after mark m.
func (x *kindTest) since(m int) []Call {
	calls := x.env.Calls()
	if m > len(calls) {
		return nil
	}
	return calls[m:]
}

// creates counts the calls that create objects of this kind.
func (x *kindTest) creates(calls []Call) int {
	n := 0
	for _, c := range calls {
		if c.Create == x.k.Kind {
			n++
		}
	}
	return n
}

// eventually polls f until it reports done, for at most the patience; it
// fails the test with f's last word otherwise.
func (x *kindTest) eventually(what string, f func() (done bool, last string)) {
	x.Helper()
	if !poll(x.ctx, x.h.Patience, f) {
		_, last := f()
		x.Fatalf("%s: not within %s; last: %s", what, x.h.Patience, last)
	}
}

// poll calls f every few milliseconds (backing off to 50 ms) until it
// reports done or patience runs out.
func poll(ctx context.Context, patience time.Duration, f func() (bool, string)) bool {
	deadline := time.Now().Add(patience)
	wait := 2 * time.Millisecond
	for {
		if done, _ := f(); done {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		if wait *= 2; wait > 50*time.Millisecond {
			wait = 50 * time.Millisecond
		}
	}
}

func ids(objs []provider.Object) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.ID)
	}
	return out
}

func byID(objs []provider.Object, id string) (provider.Object, bool) {
	i := slices.IndexFunc(objs, func(o provider.Object) bool { return o.ID == id })
	if i < 0 {
		return provider.Object{}, false
	}
	return objs[i], true
}

func named(objs []provider.Object, name string) []provider.Object {
	var out []provider.Object
	for _, o := range objs {
		if o.Name == name {
			out = append(out, o)
		}
	}
	return out
}

func callsText(calls []Call) string {
	var b strings.Builder
	for i, c := range calls {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Text)
		if !c.OK {
			b.WriteString(" (failed)")
		}
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// plain turns a value into its JSON form (numbers as float64), so that
// values that the API and the stack file spell with different Go types
// compare equal.
func plain(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return string(b)
	}
	return out
}

func sameValue(a, b any) bool { return cmp.Equal(plain(a), plain(b)) }

// objectDiff compares two objects with their attributes in plain form.
func objectDiff(want, got provider.Object) string {
	view := func(o provider.Object) map[string]any {
		return map[string]any{"Kind": string(o.Kind), "Location": o.Location, "ID": o.ID, "Name": o.Name, "Status": o.Status, "Attrs": plain(o.Attrs)}
	}
	return cmp.Diff(view(want), view(got))
}

// reported is the value an object reports for a field.
func reported(obj provider.Object, field string) any {
	if v, ok := obj.Attrs[field]; ok {
		return v
	}
	if field == "name" {
		return obj.Name
	}
	return nil
}
