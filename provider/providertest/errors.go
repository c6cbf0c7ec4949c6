package providertest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/idstack/idstack/provider"
)

// checkReadRetried: a server error on a Get and a rate limit on a List are
// retried by the client.
func checkReadRetried(x *kindTest) {
	obj := x.create(x.name("read"))
	for _, tc := range []struct {
		op Op
		f  Failure
	}{{OpGet, ServerError}, {OpList, RateLimited}, {OpGet, RateLimited}, {OpList, ServerError}} {
		m := x.mark()
		x.env.Fail(x.k.Kind, tc.op, tc.f)
		var err error
		if tc.op == OpGet {
			_, err = x.p.Get(x.ctx, x.k.Kind, x.loc, obj.ID)
		} else {
			var objs []provider.Object
			if objs, err = x.p.List(x.ctx, x.k.Kind, x.loc); err == nil {
				if _, ok := byID(objs, obj.ID); !ok {
					err = fmt.Errorf("the list does not show %s", obj.ID)
				}
			}
		}
		calls := x.since(m)
		if err != nil {
			x.Errorf("%s after one %s: %v (calls: %s)", tc.op, tc.f, err, callsText(calls))
			continue
		}
		failed := 0
		for _, c := range calls {
			if !c.OK {
				failed++
			}
		}
		if failed != 1 {
			x.Errorf("%s with one %s injected: %d calls failed, want 1 (calls: %s)", tc.op, tc.f, failed, callsText(calls))
		}
	}
}

// createOnce injects f into the next create, creates, and checks that the
// client made exactly one create call. It returns the error of Create.
func (x *kindTest) createOnce(f Failure, attrs provider.Attrs) error {
	x.Helper()
	m := x.mark()
	x.env.Fail(x.k.Kind, OpCreate, f)
	obj, err := x.p.Create(x.ctx, x.k.Kind, x.loc, attrs)
	calls := x.since(m)
	if err == nil {
		x.Errorf("Create after a %s succeeded: %+v (calls: %s)", f, obj, callsText(calls))
	}
	if n := x.creates(calls); n != 1 {
		x.Errorf("Create after a %s made %d create calls, want exactly 1: a create is never repeated blindly (calls: %s)", f, n, callsText(calls))
	}
	return err
}

// checkCreateServerError: a create that meets a server error is not
// repeated, and its error says its outcome is unknown.
func checkCreateServerError(x *kindTest) {
	err := x.createOnce(ServerError, x.attrs(x.name("cse")))
	if err != nil && !provider.OutcomeUnknown(err) {
		x.Errorf("Create after a server error: provider.OutcomeUnknown(%v) = false, want true", err)
	}
	if errors.Is(err, provider.ErrNotSent) {
		x.Errorf("Create after a server error: %v matches ErrNotSent", err)
	}
}

// checkCreateRefused: a refused create is known not to have happened.
func checkCreateRefused(x *kindTest) {
	attrs := x.attrs(x.name("ref")) // first: it may make what the object needs
	before := x.list()
	err := x.createOnce(Refused, attrs)
	if provider.OutcomeUnknown(err) {
		x.Errorf("a refused Create: provider.OutcomeUnknown(%v) = true, want false", err)
	}
	if errors.Is(err, provider.ErrNotFound) {
		x.Errorf("a refused Create: %v matches ErrNotFound", err)
	}
	if after := x.list(); len(after) != len(before) {
		x.Errorf("a refused Create left objects: %d before, %d after", len(before), len(after))
	}
}

// checkCreateRateLimited: a rate-limited create either failed, known not
// to have happened, or was repeated by the client and made one object.
func checkCreateRateLimited(x *kindTest) {
	name := x.name("rl")
	attrs := x.attrs(name)
	before := x.list()
	m := x.mark()
	x.env.Fail(x.k.Kind, OpCreate, RateLimited)
	obj, err := x.p.Create(x.ctx, x.k.Kind, x.loc, attrs)
	calls := x.since(m)
	after := x.list()
	if err != nil {
		if provider.OutcomeUnknown(err) {
			x.Errorf("a rate-limited Create: provider.OutcomeUnknown(%v) = true, want false", err)
		}
		if n := x.creates(calls); n != 1 {
			x.Errorf("a rate-limited Create that failed made %d create calls, want 1 (calls: %s)", n, callsText(calls))
		}
		if len(after) != len(before) {
			x.Errorf("a rate-limited Create that failed left objects: %d before, %d after", len(before), len(after))
		}
		return
	}
	x.checkObject("Create after a rate limit", obj, name)
	if len(after) != len(before)+1 {
		x.Errorf("a rate-limited Create, repeated by the client, made %d objects, want 1 (calls: %s)", len(after)-len(before), callsText(calls))
	}
}

// checkNotSent: against an endpoint that refuses connections, every call
// fails with ErrNotSent.
func checkNotSent(t *testing.T, h *Harness) {
	if h.Unreachable == nil {
		t.Fatal("providertest: the harness needs Unreachable")
	}
	env := h.New(t)
	p := h.Unreachable(t)
	ctx := t.Context()
	for _, k := range h.Kinds {
		loc := k.Location
		if h.Facts(k.Kind).Global {
			loc = ""
		}
		attrs := k.Attrs(t, env.Provider, "pt-notsent")
		check := func(what string, err error) {
			t.Helper()
			switch {
			case !errors.Is(err, provider.ErrNotSent):
				t.Errorf("%s %s to a refusing endpoint = %v, want an error matching ErrNotSent", what, k.Kind, err)
			case provider.OutcomeUnknown(err):
				t.Errorf("%s %s to a refusing endpoint: OutcomeUnknown(%v) = true", what, k.Kind, err)
			case errors.Is(err, provider.ErrNotFound):
				t.Errorf("%s %s to a refusing endpoint: %v matches ErrNotFound", what, k.Kind, err)
			}
		}
		_, err := p.List(ctx, k.Kind, loc)
		check("List", err)
		_, err = p.Get(ctx, k.Kind, loc, k.MissingID)
		check("Get", err)
		_, err = p.Create(ctx, k.Kind, loc, attrs)
		check("Create", err)
		_, err = p.Update(ctx, k.Kind, loc, k.MissingID, []provider.FieldChange{{Field: k.Change.Field, After: k.Change.To}})
		check("Update", err)
		check("Delete", p.Delete(ctx, k.Kind, loc, k.MissingID))
	}
}
