// Package fake is an in-memory cloud for engine tests: a provider.Provider
// with a small description of its own (named servers that run or stop, a
// size changed by a restart, nameless volumes attached to a server),
// objects by id, call counts, objects that are listed only after some
// lists (the live service's unlisted creates), and hooks that replace a
// method's behaviour. It knows nothing of any real cloud.
package fake

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/idstack/idstack/provider"
)

// Cloud is the fake cloud. Its hooks, when set, replace a method.
type Cloud struct {
	mu      sync.Mutex
	objs    map[string]provider.Object
	hidden  map[string]int // id → lists left before it is listed
	calls   map[string]int // "Create servers" → count
	log     []string       // every call, in order
	updates [][]provider.FieldChange
	seq     int

	OnCreate func(ctx context.Context, kind provider.Kind, attrs provider.Attrs) (provider.Object, error)
	OnUpdate func(ctx context.Context, id string, changes []provider.FieldChange) (provider.Object, error)
	OnGet    func(ctx context.Context, id string) (provider.Object, error)
	OnDelete func(ctx context.Context, id string) error
}

var _ provider.Provider = (*Cloud)(nil)

// New returns an empty fake cloud.
func New() *Cloud {
	return &Cloud{objs: map[string]provider.Object{}, hidden: map[string]int{}, calls: map[string]int{}}
}

// Count is how often a call was made ("Create servers", "List servers").
func (f *Cloud) Count(what string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[what]
}

func (f *Cloud) note(what string) {
	f.mu.Lock()
	f.calls[what]++
	f.log = append(f.log, what)
	f.mu.Unlock()
}

// Log is every call made, in order ("Create servers", "Delete addresses").
func (f *Cloud) Log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

// Put adds an object (an id is made when it has none); it is listed
// only after `after` lists (0: at once).
func (f *Cloud) Put(o provider.Object, after int) provider.Object {
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

func (f *Cloud) Locations(context.Context) ([]provider.Location, error) {
	return []provider.Location{{Slug: "l1", Default: true}}, nil
}

func (f *Cloud) Catalog(context.Context, string) (any, error) { return nil, nil }

func (f *Cloud) Describe() *provider.Description { return Description }

// Description is the fake cloud's kinds: named servers that run or stop,
// with a size changed by a restart and an image changed by a rebuild;
// and addresses, assigned to a server in place. Nothing of a real cloud.
var Description = &provider.Description{Name: "fake", Title: "a fake cloud for tests", Kinds: []*provider.KindSpec{
	{
		Kind: Servers, Singular: "server", SchemaName: "server", NameField: "name", ReadyField: "power", ReadyDefault: "running",
		Power:          &provider.Power{Field: "power", Running: "running", Stopped: "stopped"},
		CreateDeadline: time.Minute,
		Fields: []*provider.Field{
			{Name: "name", Type: provider.StringType, Live: "name", Default: provider.DefaultName},
			{Name: "size", Type: provider.IntegerType, Live: "size", Change: provider.Restart},
			{Name: "image", Type: provider.StringType, Live: "image", Change: provider.Replace},
			{Name: "power", Enum: []any{"running", "stopped"}, Live: "power", Default: "running"},
		},
	},
	{
		Kind: Addresses, Singular: "address", SchemaName: "address", NameField: "name",
		Fields: []*provider.Field{
			{Name: "name", Type: provider.StringType, Live: "name", Default: provider.DefaultName},
			{Name: "server", Type: provider.StringType, Live: "server", Ref: Servers, Default: ""},
		},
	},
}}

func (f *Cloud) List(ctx context.Context, kind provider.Kind, location string) ([]provider.Object, error) {
	f.note("List " + string(kind))
	if err := ctx.Err(); err != nil {
		return nil, err // a cancelled call gets no answer
	}
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

func (f *Cloud) Get(ctx context.Context, kind provider.Kind, location, id string) (provider.Object, error) {
	f.note("Get " + string(kind))
	if err := ctx.Err(); err != nil {
		return provider.Object{}, err
	}
	if f.OnGet != nil {
		return f.OnGet(ctx, id)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objs[id]
	if !ok {
		return provider.Object{}, &provider.APIError{Method: "GET", Path: id, Status: 404, NotFound: true}
	}
	return clone(o), nil
}

func (f *Cloud) Create(ctx context.Context, kind provider.Kind, location string, attrs provider.Attrs) (provider.Object, error) {
	f.note("Create " + string(kind))
	if f.OnCreate != nil {
		return f.OnCreate(ctx, kind, attrs)
	}
	name, _ := attrs["name"].(string)
	o := provider.Object{Kind: kind, Location: location, Name: name, Attrs: attrs}
	settle(&o)
	return f.Put(o, 0), nil
}

// settle gives an object the status its ready field asks for (ready at
// once: the fake has no boot time).
func settle(o *provider.Object) {
	ks := Description.Kind(o.Kind)
	if ks == nil || ks.ReadyField == "" {
		return
	}
	o.Status = ks.ReadyDefault
	if s, ok := o.Attrs[ks.ReadyField].(string); ok && s != "" {
		o.Status = s
	}
	o.Attrs[ks.ReadyField] = o.Status
}

func (f *Cloud) Update(ctx context.Context, kind provider.Kind, location, id string, changes []provider.FieldChange) (provider.Object, error) {
	f.note("Update " + string(kind))
	f.mu.Lock()
	f.updates = append(f.updates, changes)
	f.mu.Unlock()
	if f.OnUpdate != nil {
		return f.OnUpdate(ctx, id, changes)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objs[id]
	if !ok {
		return provider.Object{}, &provider.APIError{Method: "PATCH", Path: id, Status: 404, NotFound: true}
	}
	o = clone(o)
	for _, c := range changes {
		o.Attrs[c.Field] = c.After
	}
	settle(&o)
	f.objs[id] = o
	return clone(o), nil
}

func (f *Cloud) Delete(ctx context.Context, kind provider.Kind, location, id string) error {
	f.note("Delete " + string(kind))
	if f.OnDelete != nil {
		return f.OnDelete(ctx, id)
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

// The fake cloud's kinds.
const (
	Servers   provider.Kind = "servers"
	Addresses provider.Kind = "addresses"
)

// Updates are the changes of every Update call, in order.
func (f *Cloud) Updates() [][]provider.FieldChange {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]provider.FieldChange(nil), f.updates...)
}

// Modify changes a live object behind the API's back (drift, or what a
// hook's call did half-way).
func (f *Cloud) Modify(id string, change func(*provider.Object)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := clone(f.objs[id])
	change(&o)
	f.objs[id] = o
}

// Objects are every live object.
func (f *Cloud) Objects() []provider.Object {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]provider.Object, 0, len(f.objs))
	for _, o := range f.objs {
		out = append(out, clone(o))
	}
	return out
}
