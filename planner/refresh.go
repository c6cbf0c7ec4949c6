package planner

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/spec"
)

// Live is what a refresh saw: every object of each kind in use, per
// location, and the catalogue of each location with VMs.
type Live struct {
	// Provider describes the kinds of the cloud the refresh read.
	Provider        *provider.Description
	DefaultLocation string
	Locations       []provider.Location
	Objects         map[Scope][]provider.Object
	Catalogs        map[string]any // the provider's catalogue per location
	// Prices is the provider's price list (ReadPrices), nil when it has
	// none; PricesErr says why it could not be read.
	Prices    any
	PricesErr error

	mu     sync.Mutex
	byID   map[Scope]map[string]int   // index into Objects[scope]
	byName map[Scope]map[string][]int // index into Objects[scope]
}

// Scope is one kind in one location ("" for global kinds).
type Scope struct {
	Kind     provider.Kind
	Location string
}

func (s Scope) String() string {
	if s.Location == "" {
		return string(s.Kind)
	}
	return string(s.Kind) + "@" + s.Location
}

// index builds the id and name indexes of a scope on first use, so that
// matching thousands of resources stays linear.
func (l *Live) index(sc Scope) (map[string]int, map[string][]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byID == nil {
		l.byID, l.byName = map[Scope]map[string]int{}, map[Scope]map[string][]int{}
	}
	if ids, ok := l.byID[sc]; ok && len(ids) == len(l.Objects[sc]) {
		return ids, l.byName[sc]
	}
	ids, names := map[string]int{}, map[string][]int{}
	for i, o := range l.Objects[sc] {
		ids[o.ID] = i
		names[o.Name] = append(names[o.Name], i)
	}
	l.byID[sc], l.byName[sc] = ids, names
	return ids, names
}

// Find returns the live object of a kind in a location with an id.
func (l *Live) Find(kind provider.Kind, location, id string) *provider.Object {
	sc := l.scope(kind, location)
	ids, _ := l.index(sc)
	if i, ok := ids[id]; ok {
		return &l.Objects[sc][i]
	}
	return nil
}

// FindByName returns the live objects of a kind in a location with a name.
func (l *Live) FindByName(kind provider.Kind, location, name string) []provider.Object {
	sc := l.scope(kind, location)
	_, names := l.index(sc)
	var out []provider.Object
	for _, i := range names[name] {
		out = append(out, l.Objects[sc][i])
	}
	return out
}

// Set replaces what the refresh saw of a kind in a location (a list made
// again while waiting for an object to appear).
func (l *Live) Set(kind provider.Kind, location string, objs []provider.Object) {
	sc := l.scope(kind, location)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Objects == nil {
		l.Objects = map[Scope][]provider.Object{}
	}
	l.Objects[sc] = objs
	delete(l.byID, sc)
	delete(l.byName, sc)
}

// ObjectsOf returns the live objects of a kind in a location.
func (l *Live) ObjectsOf(kind provider.Kind, location string) []provider.Object {
	return l.Objects[l.scope(kind, location)]
}

// Catalog returns the catalogue of a location read by the refresh.
func (l *Live) Catalog(location string) any {
	if c, ok := l.Catalogs[location]; ok {
		return c
	}
	return nil
}

// view is a refresh as a provider's hooks see it (provider.Live).
type view struct{ l *Live }

func (v view) Objects(kind provider.Kind, location string) []provider.Object {
	return v.l.ObjectsOf(kind, location)
}
func (v view) Catalog(location string) any { return v.l.Catalog(location) }

func (l *Live) scope(kind provider.Kind, location string) Scope {
	return scopeOf(l.Provider, kind, location)
}

// Kind returns the description of a kind of the refreshed cloud.
func (l *Live) Kind(k provider.Kind) *provider.KindSpec {
	if l.Provider == nil {
		return nil
	}
	return l.Provider.Kind(k)
}

// scopeOf is where a kind's objects are listed: global kinds in no
// location.
func scopeOf(d *provider.Description, kind provider.Kind, location string) Scope {
	if d != nil {
		if ks := d.Kind(kind); ks != nil && ks.Global {
			location = ""
		}
	}
	return Scope{kind, location}
}

// NeedsDefaultLocation says whether a resource of the stack leaves its
// location to the account's default (no location of its own, none for
// the stack): ResolveLocations then fills it in, and nothing can be read
// for it before.
func NeedsDefaultLocation(s *spec.Stack) bool {
	for _, r := range s.Resources {
		if ks := s.Provider.Kind(r.Addr.Kind); ks != nil && !ks.Global && r.Location == "" {
			return true
		}
	}
	return false
}

// ResolveLocations asks the API for its locations and fills every
// resource's empty location with the account's default, so that state and
// plans always name a real slug. Unknown slugs are diagnostics.
func ResolveLocations(ctx context.Context, p provider.Provider, s *spec.Stack) ([]provider.Location, string, spec.Diagnostics, error) {
	locs, err := p.Locations(ctx)
	if err != nil {
		return nil, "", nil, fmt.Errorf("listing locations: %w", err)
	}
	def := ""
	known := map[string]bool{}
	var names []string
	for _, l := range locs {
		known[l.Slug] = true
		names = append(names, l.Slug)
		if l.Default {
			def = l.Slug
		}
	}
	var diags spec.Diagnostics
	for _, r := range s.Resources {
		if ks := s.Provider.Kind(r.Addr.Kind); ks == nil || ks.Global {
			continue
		}
		if r.Location == "" {
			r.Location = def
			continue
		}
		if !known[r.Location] {
			rng := s.Ranges.At("/" + string(r.Addr.Kind) + "/" + r.Addr.Name + "/location")
			if rng.Filename == "" {
				rng = s.Ranges.At("/location")
			}
			diags.Errorf(rangePtr(rng), fmt.Sprintf("allowed: %v", names), "unknown location %q for %s", r.Location, r.Addr)
		}
	}
	return locs, def, diags, nil
}

func rangePtr(r spec.Range) *spec.Range {
	if r.Filename == "" {
		return nil
	}
	return &r
}

// Scopes lists what a refresh must read for a stack and its state: each
// kind once per location in use, and the kinds a kind's implicit defaults
// read there (KindSpec.Reads: a VM's default network).
func Scopes(d *provider.Description, s *spec.Stack, st *state.State) []Scope {
	set := map[Scope]bool{}
	add := func(kind provider.Kind, loc string) {
		set[scopeOf(d, kind, loc)] = true
		if ks := d.Kind(kind); ks != nil {
			for _, k := range ks.Reads {
				set[scopeOf(d, k, loc)] = true
			}
		}
	}
	if s != nil {
		for _, r := range s.Resources {
			add(provider.Kind(r.Addr.Kind), r.Location)
		}
	}
	for _, r := range st.Resources {
		add(provider.Kind(r.Kind), r.Location)
	}
	for _, r := range st.Deposed {
		add(provider.Kind(r.Kind), r.Location)
	}
	out := make([]Scope, 0, len(set))
	for sc := range set {
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// WithIntents adds the scopes of journaled creates whose outcome is
// unknown, so recovery can find what they made.
func WithIntents(d *provider.Description, scopes []Scope, open []state.Entry) []Scope {
	seen := map[Scope]bool{}
	for _, sc := range scopes {
		seen[sc] = true
	}
	for _, e := range open {
		sc := scopeOf(d, provider.Kind(e.Kind), e.Location)
		if !seen[sc] {
			seen[sc] = true
			scopes = append(scopes, sc)
		}
	}
	return scopes
}

// Refresh lists every scope once, concurrently, and reads the catalogue
// of each location that has VMs: the number of calls does not grow with
// the number of resources.
func Refresh(ctx context.Context, p provider.Provider, scopes []Scope, parallelism int) (*Live, error) {
	if parallelism < 1 {
		parallelism = 8
	}
	d := p.Describe()
	live := &Live{Provider: d, Objects: map[Scope][]provider.Object{}, Catalogs: map[string]any{}}
	var catalogs []string
	for _, sc := range scopes {
		if ks := d.Kind(sc.Kind); ks != nil && ks.Catalog != nil && !slices.Contains(catalogs, sc.Location) {
			catalogs = append(catalogs, sc.Location)
		}
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []error
		sem  = make(chan struct{}, parallelism)
	)
	run := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := f(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	for _, sc := range scopes {
		run(func() error {
			objs, err := p.List(ctx, sc.Kind, sc.Location)
			if err != nil {
				return fmt.Errorf("listing %s: %w", sc, err)
			}
			mu.Lock()
			live.Objects[sc] = objs
			mu.Unlock()
			return nil
		})
	}
	for _, loc := range catalogs {
		run(func() error {
			c, err := p.Catalog(ctx, loc)
			if err != nil {
				return fmt.Errorf("reading the catalogue of %s: %w", loc, err)
			}
			mu.Lock()
			live.Catalogs[loc] = c
			mu.Unlock()
			return nil
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return nil, errs[0]
	}
	return live, nil
}
