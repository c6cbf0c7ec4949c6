package providertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/idstack/idstack/provider"
)

// checkLostAnswer: a create whose answer is lost after the simulator made
// the object is not repeated, says its outcome is unknown, and the object
// is then found in List as the engine looks for it.
func checkLostAnswer(x *kindTest) {
	name := x.name("lost")
	attrs := x.attrs(name)
	before := ids(x.list())
	m := x.mark()
	x.env.LoseAnswer(x.k.Kind)
	obj, err := x.p.Create(x.ctx, x.k.Kind, x.loc, attrs)
	calls := x.since(m)
	if n := x.creates(calls); n != 1 {
		x.Errorf("a Create whose answer was lost made %d create calls, want exactly 1 (calls: %s)", n, callsText(calls))
	}
	x.checkUnknown("a Create whose answer was lost", obj, err, name)
	found := x.lookUp(name, before)
	if err == nil && found.ID != obj.ID {
		x.Errorf("Create answered %s, but the object found is %s", obj.ID, found.ID)
	}
}

// checkAbandonedCreate: with creates made slow, a create the client gives
// up on carries on in the cloud, and the object is then found the same way.
func checkAbandonedCreate(x *kindTest) {
	const slow = 300 * time.Millisecond
	if x.env.Slow == nil || !x.env.Slow(x.k.Kind, slow) {
		x.Skipf("the simulator cannot make creates of %s slow", x.k.Kind)
	}
	name := x.name("slow")
	attrs := x.attrs(name)
	before := ids(x.list())
	m := x.mark()
	ctx, cancel := context.WithTimeout(x.ctx, slow/10)
	obj, err := x.p.Create(ctx, x.k.Kind, x.loc, attrs)
	cancel()
	// A create that reached the simulator is in its call log at once.
	reached := poll(x.ctx, slow, func() (bool, string) { return x.creates(x.since(m)) > 0, "" })
	if n := x.creates(x.since(m)); n > 1 {
		x.Errorf("an abandoned Create made %d create calls, want at most 1", n)
	}
	if err != nil && !reached {
		// The client gave up before its create reached the API: then the
		// error must say so, and nothing is to be found.
		if !errors.Is(err, provider.ErrNotSent) {
			x.Errorf("a Create given up before it was sent: %v does not match ErrNotSent", err)
		}
		x.Skipf("the create was given up before it reached the simulator: %v", err)
	}
	x.checkUnknown("an abandoned Create", obj, err, name)
	found := x.lookUp(name, before)
	if err == nil && found.ID != obj.ID {
		x.Errorf("Create answered %s, but the object found is %s", obj.ID, found.ID)
	}
	if len(x.facts.Ready) > 0 {
		x.waitReady(found.ID)
	}
}

// checkUnknown checks a Create whose answer may not have arrived: either
// it succeeded (the client found its answer another way) or its error
// reports an unknown outcome.
func (x *kindTest) checkUnknown(what string, obj provider.Object, err error, name string) {
	x.Helper()
	switch {
	case err == nil:
		x.checkObject(what, obj, name)
	case !provider.OutcomeUnknown(err):
		x.Errorf("%s: provider.OutcomeUnknown(%v) = false, want true", what, err)
	case errors.Is(err, provider.ErrNotSent):
		x.Errorf("%s: %v matches ErrNotSent, but the create reached the API", what, err)
	}
}

// lookUp finds the object of a create whose answer may have been lost, as
// the engine does: by its name for a named kind, else as the one new id
// of the List; waiting for it to show for at most the patience.
func (x *kindTest) lookUp(name string, before []string) provider.Object {
	x.Helper()
	var found provider.Object
	lists := 0
	x.eventually("the object of the create is listed", func() (bool, string) {
		lists++
		objs, err := x.p.List(x.ctx, x.k.Kind, x.loc)
		if err != nil {
			return false, err.Error()
		}
		var match []provider.Object
		if x.facts.Named {
			match = named(objs, name)
		} else {
			for _, o := range objs {
				if !slices.Contains(before, o.ID) {
					match = append(match, o)
				}
			}
		}
		switch len(match) {
		case 0:
			return false, fmt.Sprintf("not listed among %v", ids(objs))
		case 1:
			found = match[0]
			return true, ""
		}
		x.Errorf("one create made %d objects: %v", len(match), ids(match))
		found = match[0]
		return true, ""
	})
	if lists > 1 {
		x.Logf("the object showed in the %s's List only after %d Lists", x.k.Kind, lists)
	}
	x.checkObject("List after a lost answer", found, name)
	got := x.get(found.ID)
	x.checkObject("Get after a lost answer", got, name)
	return found
}

// checkReadiness: an object of a kind with ready statuses reaches one of
// them, as Get reports, and List agrees.
func checkReadiness(x *kindTest) {
	if x.env.Slow != nil {
		x.env.Slow(x.k.Kind, 50*time.Millisecond)
	}
	obj := x.create(x.name("rdy"))
	ready := x.waitReady(obj.ID)
	listed, ok := byID(x.list(), obj.ID)
	switch {
	case !ok:
		x.Errorf("List does not show ready %s", obj.ID)
	case listed.Status != ready.Status:
		x.Errorf("Get reports %s %q, List %q", obj.ID, ready.Status, listed.Status)
	}
}

// waitReady polls Get until the object reports a ready status.
func (x *kindTest) waitReady(id string) provider.Object {
	x.Helper()
	var obj provider.Object
	x.eventually(fmt.Sprintf("%s is one of %v", id, x.facts.Ready), func() (bool, string) {
		var err error
		obj, err = x.p.Get(x.ctx, x.k.Kind, x.loc, id)
		if err != nil {
			return false, err.Error()
		}
		return slices.Contains(x.facts.Ready, obj.Status), fmt.Sprintf("status %q", obj.Status)
	})
	return obj
}
