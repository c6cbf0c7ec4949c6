package state

import (
	"fmt"
	"slices"
	"strings"
)

// Move renames the record at from to to (idstack state mv): the live
// object keeps its id, only the address that owns it changes. Whatever the
// state says of from follows it: a deposed old half of its replacement
// (still to be deleted) is renamed too, and so is from in the references
// other records keep (DependsOn, which orders deletions once the stack
// file forgets a resource). Inputs hold live ids, never addresses, so
// they stay as they are. It returns the addresses whose references it
// changed, sorted.
//
// The record must exist, to must be free, and both must name the same
// kind (a kind is part of what the record means: its fields, its id).
func (s *State) Move(from, to string) (updated []string, err error) {
	r := s.Resources[from]
	if r == nil {
		return nil, fmt.Errorf("%q is not in the state of stack %q", from, s.Stack)
	}
	if s.Resources[to] != nil {
		return nil, fmt.Errorf("%q is in the state of stack %q already (id %s)", to, s.Stack, s.Resources[to].ID)
	}
	if fk, tk := kindOf(from), kindOf(to); fk != tk {
		return nil, fmt.Errorf("%s and %s are of different kinds (%s, %s): an address keeps its kind", from, to, fk, tk)
	}
	moved := r.clone()
	moved.Address = to
	delete(s.Resources, from)
	s.Resources[to] = moved
	for _, d := range s.Deposed {
		if d.Address == from {
			d.Address = to
		}
	}
	rename := func(x *Resource) bool {
		i := slices.Index(x.DependsOn, from)
		if i < 0 {
			return false
		}
		if slices.Contains(x.DependsOn, to) { // there already
			x.DependsOn = slices.Delete(slices.Clone(x.DependsOn), i, i+1)
		} else {
			x.DependsOn = slices.Clone(x.DependsOn)
			x.DependsOn[i] = to
		}
		return true
	}
	for _, a := range s.Addresses() {
		if rename(s.Resources[a]) {
			updated = append(updated, a)
		}
	}
	for _, d := range s.Deposed {
		if rename(d) && !slices.Contains(updated, d.Address+" (deposed)") {
			updated = append(updated, d.Address+" (deposed)")
		}
	}
	return updated, nil
}

func kindOf(addr string) string {
	k, _, _ := strings.Cut(addr, ".")
	return k
}
