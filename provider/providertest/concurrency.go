package providertest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/idstack/idstack/provider"
)

// checkConcurrency: one provider serves creates, lists, gets and deletes of
// every kind at once (the race detector watches it with -race).
func checkConcurrency(t *testing.T, h *Harness) {
	env := h.New(t)
	p := env.Provider
	ctx := t.Context()
	const each = 3
	type made struct {
		k   Kind
		loc string
		obj provider.Object
	}
	var (
		mu   sync.Mutex
		objs []made
		wg   sync.WaitGroup
	)
	fail := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		t.Errorf(format, a...)
	}
	locOf := func(k Kind) string {
		if h.Facts(k.Kind).Global {
			return ""
		}
		return k.Location
	}
	// Attrs may use t (and make what the objects need): build them first.
	type job struct {
		k     Kind
		name  string
		attrs provider.Attrs
	}
	var jobs []job
	for _, k := range h.Kinds {
		for i := range each {
			name := fmt.Sprintf("pt-conc-%d-%d", len(jobs), i)
			jobs = append(jobs, job{k, name, k.Attrs(t, p, name)})
		}
	}
	for _, j := range jobs {
		wg.Go(func() {
			obj, err := p.Create(ctx, j.k.Kind, locOf(j.k), j.attrs)
			if err != nil {
				fail("concurrent Create(%s %q): %v", j.k.Kind, j.name, err)
				return
			}
			mu.Lock()
			objs = append(objs, made{j.k, locOf(j.k), obj})
			mu.Unlock()
		})
		wg.Go(func() {
			if _, err := p.List(ctx, j.k.Kind, locOf(j.k)); err != nil {
				fail("concurrent List(%s): %v", j.k.Kind, err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for _, m := range objs {
		wg.Go(func() {
			listed, err := p.List(ctx, m.k.Kind, m.loc)
			if err != nil {
				fail("List(%s): %v", m.k.Kind, err)
				return
			}
			if _, ok := byID(listed, m.obj.ID); !ok {
				fail("List(%s) does not show %s, made concurrently", m.k.Kind, m.obj.ID)
			}
			if _, err := p.Get(ctx, m.k.Kind, m.loc, m.obj.ID); err != nil {
				fail("Get(%s %s): %v", m.k.Kind, m.obj.ID, err)
			}
		})
	}
	wg.Wait()
	for _, m := range objs {
		wg.Go(func() {
			if err := p.Delete(ctx, m.k.Kind, m.loc, m.obj.ID); err != nil {
				fail("concurrent Delete(%s %s): %v", m.k.Kind, m.obj.ID, err)
				return
			}
			if !poll(ctx, h.Patience, func() (bool, string) {
				_, err := p.Get(ctx, m.k.Kind, m.loc, m.obj.ID)
				return errors.Is(err, provider.ErrNotFound), ""
			}) {
				fail("%s %s is still there after Delete", m.k.Kind, m.obj.ID)
			}
		})
	}
	wg.Wait()
}
