package providertest

import (
	"errors"

	"github.com/idstack/idstack/provider"
)

// checkListCalls: List makes as many calls with one object as with six
// (one more per page when the API pages).
func checkListCalls(x *kindTest) {
	first := x.create(x.name("list"))
	m := x.mark()
	one := x.list()
	withOne := len(x.since(m))
	if _, ok := byID(one, first.ID); !ok {
		x.Fatalf("List does not show %s: %v", first.ID, ids(one))
	}
	if withOne == 0 {
		x.Fatalf("List made no call the simulator saw")
	}
	made := []provider.Object{first}
	for range 5 {
		made = append(made, x.create(x.name("list")))
	}
	m = x.mark()
	six := x.list()
	calls := x.since(m)
	for _, o := range made {
		if _, ok := byID(six, o.ID); !ok {
			x.Errorf("List does not show %s: %v", o.ID, ids(six))
		}
	}
	allowed := withOne
	if ps := x.facts.PageSize; ps > 0 {
		pages := func(n int) int { return (n + ps - 1) / ps }
		allowed += pages(len(six)) - pages(len(one))
	}
	allowed += x.facts.CallsPerObject * (len(six) - len(one))
	if len(calls) > allowed {
		x.Errorf("List made %d calls with %d objects, %d with %d: it must not grow with the objects (page size %d, %d calls per object): %s",
			len(calls), len(six), withOne, len(one), x.facts.PageSize, x.facts.CallsPerObject, callsText(calls))
	}
	for _, c := range calls {
		if c.Write {
			x.Errorf("List made a write: %s", c.Text)
		}
	}
}

// checkCreateGetList: Create answers the object; Get and List show it.
func checkCreateGetList(x *kindTest) {
	name := x.name("new")
	obj := x.create(name)
	got := x.get(obj.ID)
	x.checkObject("Get", got, name)
	if got.ID != obj.ID {
		x.Errorf("Get(%s) answered id %s", obj.ID, got.ID)
	}
	listed, ok := byID(x.list(), obj.ID)
	if !ok {
		x.Fatalf("List does not show %s", obj.ID)
	}
	x.checkObject("List", listed, name)
	if x.facts.Named {
		if n := named(x.list(), name); len(n) != 1 {
			x.Errorf("List shows %d objects named %q, want 1", len(n), name)
		}
	}
}

// checkUpdate: an in-place change takes effect; asked again it changes
// nothing and answers the same object, as Get does.
func checkUpdate(x *kindTest) {
	name := x.name("upd")
	obj := x.create(name)
	ch := x.k.Change
	before := reported(obj, ch.Field)
	if sameValue(before, ch.To) {
		x.Fatalf("the harness's change of %s to %v is no change: the object has it already", ch.Field, ch.To)
	}
	change := []provider.FieldChange{{Field: ch.Field, Before: before, After: ch.To}}
	first, err := x.p.Update(x.ctx, x.k.Kind, x.loc, obj.ID, change)
	if err != nil {
		x.Fatalf("Update(%s → %v): %v", ch.Field, ch.To, err)
	}
	if got := reported(first, ch.Field); !sameValue(got, ch.To) {
		x.Errorf("after Update, %s = %v, want %v", ch.Field, got, ch.To)
	}
	if first.ID != obj.ID {
		x.Errorf("Update answered id %s, want %s", first.ID, obj.ID)
	}
	if got := reported(x.get(obj.ID), ch.Field); !sameValue(got, ch.To) {
		x.Errorf("Get after Update: %s = %v, want %v", ch.Field, got, ch.To)
	}

	m := x.mark()
	again := []provider.FieldChange{{Field: ch.Field, Before: ch.To, After: ch.To}}
	second, err := x.p.Update(x.ctx, x.k.Kind, x.loc, obj.ID, again)
	if err != nil {
		x.Fatalf("the same Update again: %v", err)
	}
	calls := x.since(m)
	writes := 0
	for _, c := range calls {
		if c.Write {
			writes++
			if !c.OK {
				x.Errorf("the same Update again made a write that the API refused: %s", c.Text)
			}
		}
	}
	if writes > 0 {
		x.Logf("the same Update again made %d writes the API accepted: %s", writes, callsText(calls))
	}
	if d := objectDiff(first, second); d != "" {
		x.Errorf("the same Update twice answered different objects (-first +second):\n%s", d)
	}
	if d := objectDiff(second, x.get(obj.ID)); d != "" {
		x.Errorf("Update answered an object that Get does not (-update +get):\n%s", d)
	}
}

// checkDelete: Delete removes the object; Get is then ErrNotFound and a
// second Delete is no error.
func checkDelete(x *kindTest) {
	obj := x.create(x.name("del"))
	if err := x.p.Delete(x.ctx, x.k.Kind, x.loc, obj.ID); err != nil {
		x.Fatalf("Delete(%s): %v", obj.ID, err)
	}
	x.eventually("Get after Delete is ErrNotFound", func() (bool, string) {
		got, err := x.p.Get(x.ctx, x.k.Kind, x.loc, obj.ID)
		if err == nil {
			return false, "still there, status " + got.Status
		}
		return errors.Is(err, provider.ErrNotFound), err.Error()
	})
	if err := x.p.Delete(x.ctx, x.k.Kind, x.loc, obj.ID); err != nil {
		x.Errorf("Delete of a deleted object: %v (want no error)", err)
	}
	if _, ok := byID(x.list(), obj.ID); ok {
		x.Errorf("List still shows deleted %s", obj.ID)
	}
}

// checkNotFound: an id that no object has is ErrNotFound to Get and
// Update, and no error to Delete.
func checkNotFound(x *kindTest) {
	x.create(x.name("other")) // something of the kind exists
	id := x.k.MissingID
	if _, err := x.p.Get(x.ctx, x.k.Kind, x.loc, id); !errors.Is(err, provider.ErrNotFound) {
		x.Errorf("Get(missing %s) = %v, want an error matching ErrNotFound", id, err)
	}
	ch := []provider.FieldChange{{Field: x.k.Change.Field, After: x.k.Change.To}}
	if _, err := x.p.Update(x.ctx, x.k.Kind, x.loc, id, ch); !errors.Is(err, provider.ErrNotFound) {
		x.Errorf("Update(missing %s) = %v, want an error matching ErrNotFound", id, err)
	}
	if err := x.p.Delete(x.ctx, x.k.Kind, x.loc, id); err != nil {
		x.Errorf("Delete(missing %s) = %v, want no error", id, err)
	}
}
