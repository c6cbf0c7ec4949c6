// Package state is what a stack owns: address → live id, location and the
// last applied inputs (secrets as salted hashes only). Live state is the
// truth for attributes; this file only says what is ours.
package state

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// FormatVersion of the state file. Version 2 is a snapshot read together
// with the write-ahead log beside it (the journal's "state" records whose
// serial is higher): an idstack that reads version 1 only would miss the
// changes the log holds, so it is told a newer idstack wrote the state.
// Version 1 (a whole-file state of an earlier idstack, with no log) is
// read as it is; the next write makes it version 2.
const FormatVersion = 2

// oldestVersion is the oldest state format this idstack reads.
const oldestVersion = 1

// State is the whole state of one stack.
type State struct {
	Version int `json:"version"`
	// Serial counts the state's changes: each record of its log makes
	// it one higher, and so does a Save.
	Serial  int64  `json:"serial"`
	Lineage string `json:"lineage"`
	Stack   string `json:"stack"`
	// Resources by address ("vms.web").
	Resources map[string]*Resource `json:"resources"`
	// Deposed are old halves of replacements still to be deleted.
	Deposed []*Resource `json:"deposed,omitempty"`
	// Hibernation is set while the stack is hibernated (idstack stop):
	// its VMs are kept stopped. Absent in a state that is awake (and in
	// every state of an earlier idstack, which reads as awake).
	Hibernation *Hibernation `json:"hibernation,omitempty"`
}

// Resource is one owned live object.
type Resource struct {
	Address  string `json:"address"`
	Kind     string `json:"kind"`
	ID       string `json:"id"`
	Location string `json:"location,omitempty"`
	Name     string `json:"name,omitempty"`
	// Inputs are the last applied desired values, references resolved to
	// ids; sensitive values are stored as Hash(...) strings only.
	Inputs map[string]any `json:"inputs,omitempty"`
	// DependsOn are the addresses this object referenced when applied: on
	// destroy they order deletions even after the stack file forgot them.
	DependsOn []string `json:"depends_on,omitempty"`
}

// New returns an empty state for a stack.
func New(stack string) *State {
	return &State{Version: FormatVersion, Lineage: randomHex(8), Stack: stack, Resources: map[string]*Resource{}}
}

// Get returns the resource at an address, or nil.
func (s *State) Get(addr string) *Resource { return s.Resources[addr] }

// Put records a resource.
func (s *State) Put(r *Resource) { s.Resources[r.Address] = r }

// Remove forgets a resource.
func (s *State) Remove(addr string) { delete(s.Resources, addr) }

// Depose moves the object at addr to the deposed list (its replacement is
// about to be recorded at addr).
func (s *State) Depose(addr string) {
	if r := s.Resources[addr]; r != nil {
		s.Deposed = append(s.Deposed, r)
		delete(s.Resources, addr)
	}
}

// RemoveDeposed forgets a deposed object once deleted.
func (s *State) RemoveDeposed(id string) {
	out := s.Deposed[:0]
	for _, r := range s.Deposed {
		if r.ID != id {
			out = append(out, r)
		}
	}
	s.Deposed = out
}

// Owned returns the set of live ids the stack owns, deposed ones included.
func (s *State) Owned() map[string]bool {
	owned := make(map[string]bool, len(s.Resources)+len(s.Deposed))
	for _, r := range s.Resources {
		owned[r.ID] = true
	}
	for _, r := range s.Deposed {
		owned[r.ID] = true
	}
	return owned
}

// Addresses returns the owned addresses, sorted.
func (s *State) Addresses() []string {
	out := make([]string, 0, len(s.Resources))
	for a := range s.Resources {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Clone returns a deep copy (inputs are JSON-like values).
func (s *State) Clone() *State {
	c := *s
	c.Resources = make(map[string]*Resource, len(s.Resources))
	for a, r := range s.Resources {
		c.Resources[a] = r.clone()
	}
	c.Deposed = nil
	for _, r := range s.Deposed {
		c.Deposed = append(c.Deposed, r.clone())
	}
	c.Hibernation = s.Hibernation.Clone()
	return &c
}

// Clone returns a deep copy of a record (nil for nil).
func (r *Resource) Clone() *Resource {
	if r == nil {
		return nil
	}
	return r.clone()
}

func (r *Resource) clone() *Resource {
	c := *r
	c.Inputs = make(map[string]any, len(r.Inputs))
	for k, v := range r.Inputs {
		c.Inputs[k] = v
	}
	c.DependsOn = append([]string(nil), r.DependsOn...)
	return &c
}

// hashPrefix marks a stored secret.
const hashPrefix = "sha256:"

// Hash returns a salted hash of a secret, safe to store and print.
func Hash(secret string) string {
	salt := randomHex(8)
	return hashPrefix + salt + ":" + digest(salt, secret)
}

// HashMatches reports whether a stored Hash was made from secret.
func HashMatches(stored any, secret string) bool {
	s, ok := stored.(string)
	if !ok || !strings.HasPrefix(s, hashPrefix) {
		return false
	}
	salt, sum, ok := strings.Cut(strings.TrimPrefix(s, hashPrefix), ":")
	if !ok {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(sum), []byte(digest(salt, secret))) == 1
}

// IsHash reports whether a stored value is a secret's hash.
func IsHash(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, hashPrefix)
}

func digest(salt, secret string) string {
	h := sha256.Sum256([]byte(salt + "\x00" + secret))
	return hex.EncodeToString(h[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}
