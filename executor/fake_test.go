package executor

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/idstack/idstack/provider"
)

// fakeCloud is an in-memory provider.Provider for engine tests: objects by
// id, call counts, and hooks that replace a method's behaviour. It knows
// nothing of any real cloud.
type fakeCloud struct {
	mu      sync.Mutex
	objs    map[string]provider.Object
	hidden  map[string]int // id → lists left before it is listed
	calls   map[string]int // "Create vms" → count
	updates [][]provider.FieldChange
	seq     int

	create func(ctx context.Context, kind provider.Kind, attrs provider.Attrs) (provider.Object, error)
	update func(ctx context.Context, id string, changes []provider.FieldChange) (provider.Object, error)
	get    func(ctx context.Context, id string) (provider.Object, error)
	delete func(ctx context.Context, id string) error
}

var _ provider.Provider = (*fakeCloud)(nil)

func newFakeCloud() *fakeCloud {
	return &fakeCloud{objs: map[string]provider.Object{}, hidden: map[string]int{}, calls: map[string]int{}}
}

func (f *fakeCloud) count(what string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[what]
}

func (f *fakeCloud) note(what string) {
	f.mu.Lock()
	f.calls[what]++
	f.mu.Unlock()
}

// put adds an object; listed only after `after` lists (0: at once).
func (f *fakeCloud) put(o provider.Object, after int) provider.Object {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o.ID == "" {
		f.seq++
		o.ID = fmt.Sprintf("id-%d", f.seq)
	}
	if o.Attrs == nil {
		o.Attrs = provider.Attrs{}
	}
	f.objs[o.ID] = clone(o)
	if after > 0 {
		f.hidden[o.ID] = after
	}
	return o
}

func (f *fakeCloud) Locations(context.Context) ([]provider.Location, error) {
	return []provider.Location{{Slug: "l1", Default: true}}, nil
}

func (f *fakeCloud) Catalog(context.Context, string) (any, error) { return nil, nil }

func (f *fakeCloud) Describe() *provider.Description { return fakeDescription }

// fakeDescription is the fake cloud's one kind: named servers that run or
// stop, with a size changed by a restart. Nothing of a real cloud.
var fakeDescription = &provider.Description{Name: "fake", Kinds: []*provider.KindSpec{{
	Kind: "vms", Singular: "server", NameField: "name", ReadyField: "power", ReadyDefault: "running",
	CreateDeadline: time.Minute,
	Fields: []*provider.Field{
		{Name: "name", Type: provider.StringType, Live: "name", Default: provider.DefaultName},
		{Name: "vcpu", Type: provider.IntegerType, Live: "vcpu", Change: provider.Restart},
		{Name: "power", Enum: []any{"running", "stopped"}, Live: "power", Default: "running"},
	},
}}}

func (f *fakeCloud) List(_ context.Context, kind provider.Kind, location string) ([]provider.Object, error) {
	f.note("List " + string(kind))
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []provider.Object
	for id, o := range f.objs {
		if n := f.hidden[id]; n > 0 {
			f.hidden[id] = n - 1
			continue
		}
		if o.Kind == kind && o.Location == location {
			out = append(out, clone(o))
		}
	}
	return out, nil
}

func (f *fakeCloud) Get(ctx context.Context, kind provider.Kind, location, id string) (provider.Object, error) {
	f.note("Get " + string(kind))
	if f.get != nil {
		return f.get(ctx, id)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objs[id]
	if !ok {
		return provider.Object{}, &provider.APIError{Method: "GET", Path: id, Status: 404, NotFound: true}
	}
	return clone(o), nil
}

func (f *fakeCloud) Create(ctx context.Context, kind provider.Kind, location string, attrs provider.Attrs) (provider.Object, error) {
	f.note("Create " + string(kind))
	if f.create != nil {
		return f.create(ctx, kind, attrs)
	}
	name, _ := attrs["name"].(string)
	return f.put(provider.Object{Kind: kind, Location: location, Name: name, Status: "running", Attrs: attrs}, 0), nil
}

func (f *fakeCloud) Update(ctx context.Context, kind provider.Kind, location, id string, changes []provider.FieldChange) (provider.Object, error) {
	f.note("Update " + string(kind))
	f.mu.Lock()
	f.updates = append(f.updates, changes)
	f.mu.Unlock()
	if f.update != nil {
		return f.update(ctx, id, changes)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	o := clone(f.objs[id])
	for _, c := range changes {
		o.Attrs[c.Field] = c.After
	}
	f.objs[id] = o
	return clone(o), nil
}

func (f *fakeCloud) Delete(ctx context.Context, kind provider.Kind, location, id string) error {
	f.note("Delete " + string(kind))
	if f.delete != nil {
		return f.delete(ctx, id)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.objs, id)
	return nil
}

// clone copies an object's attributes, so callers never share a map.
func clone(o provider.Object) provider.Object {
	a := provider.Attrs{}
	for k, v := range o.Attrs {
		a[k] = v
	}
	o.Attrs = a
	return o
}

// vms is the fake cloud's kind.
const vms provider.Kind = "vms"
