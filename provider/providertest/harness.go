package providertest

import (
	"net"
	"testing"
	"time"

	"github.com/idstack/idstack/provider"
)

// Harness is what a provider's test gives the suite.
type Harness struct {
	// New returns a fresh simulator and a provider speaking to it, for one
	// test (properties run in parallel, each with its own). Register any
	// cleanup with t.Cleanup.
	New func(t *testing.T) Env
	// Unreachable returns a provider whose endpoint refuses connections
	// (see RefusingEndpoint), configured as New's.
	Unreachable func(t *testing.T) provider.Provider
	// Facts reports what the provider says of a kind. It is the one place
	// the suite learns a kind's nature; when providers describe their kinds,
	// it reads the description.
	Facts func(kind provider.Kind) Facts
	// Kinds are the kinds to check, with their test data.
	Kinds []Kind
	// Patience bounds every wait: readiness, an asynchronous delete, an
	// object that shows in List only once its create is done (default 5 s).
	Patience time.Duration
	// KnownBugs skips the properties the provider is known not to meet
	// yet, each with its reason: "kind/property" (e.g. "disks/update") or,
	// for the properties across kinds, "not-sent" and "concurrency". The
	// subtest is skipped as "provider bug: reason"; a key that names no
	// subtest fails the run.
	KnownBugs map[string]string
}

// Facts are what a provider says of one of its kinds.
type Facts struct {
	// Global kinds ignore locations: objects are listed with location "".
	Global bool
	// Named kinds report the name an object was created with (Object.Name),
	// and the engine finds an object whose create answer was lost by that
	// name. Objects of other kinds are found as the new ids of a List.
	Named bool
	// Ready lists the statuses (Object.Status) in which an object of the
	// kind is ready for use; empty when the kind has no readiness.
	Ready []string
	// PageSize is how many objects one call of a List reads, when the API
	// pages its lists; 0 when List makes a fixed number of calls whatever
	// the number of objects.
	PageSize int
	// CallsPerObject is how many calls a List makes for each object, when
	// the API documents part of an object only per object (a firewall's
	// rules); 0 for a kind listed whole. A provider that sets it breaks the
	// engine's promise that a refresh does not grow with the objects, and
	// says so: the suite then checks that it grows by no more.
	CallsPerObject int
}

// Kind is a kind's test data.
type Kind struct {
	Kind provider.Kind
	// Location is where its objects are made ("" for a global kind, or for
	// the account's default location).
	Location string
	// Attrs returns valid create attributes for an object named name (a
	// short word of lowercase letters, digits and hyphens, starting with a
	// letter). For a kind without names, ignore it. It may make what the
	// object needs (a VM for a disk that must be attached) through p.
	Attrs func(t testing.TB, p provider.Provider, name string) provider.Attrs
	// Change is an in-place change that Update makes.
	Change Change
	// MissingID is a well-formed id that no object has.
	MissingID string
}

// Change is an in-place change of one field to a value different from
// the one Attrs gives. The object reports the field under the same name in
// its Attrs (and as Object.Name when the field is "name").
type Change struct {
	Field string
	To    any
}

// Env is one test's simulator and the provider under test.
type Env struct {
	Provider provider.Provider
	// Calls returns the calls the simulator has received so far, in order.
	Calls func() []Call
	// Fail makes the next call that op makes to the API for kind fail with
	// f, before the call changes anything. For a List or a Get that reads
	// several API calls, it is the call that reads the kind itself.
	Fail func(kind provider.Kind, op Op, f Failure)
	// LoseAnswer makes the next create of kind take effect in the simulator
	// and its answer never arrive (the connection drops).
	LoseAnswer func(kind provider.Kind)
	// Slow, if set, makes the creates of kind that begin from now on take
	// d before the object is done (as the cloud does it: answering at once
	// with a status that is not ready, or answering when done and perhaps
	// not listing the object before). It reports false when the simulator
	// cannot make creates of this kind slow.
	Slow func(kind provider.Kind, d time.Duration) bool
}

// Call is one API call as the simulator saw it.
type Call struct {
	// Text names the call in messages ("POST /vms").
	Text string
	// Write is set for every call that may change something.
	Write bool
	// Create is the kind this call creates objects of ("" for other calls).
	Create provider.Kind
	// OK is set when the simulator answered with success (even if the
	// answer was then lost).
	OK bool
}

// Op is a provider operation, as Env.Fail aims at it.
type Op int

// The operations Env.Fail aims at.
const (
	OpList Op = iota + 1
	OpGet
	OpCreate
)

func (o Op) String() string {
	switch o {
	case OpList:
		return "list"
	case OpGet:
		return "get"
	case OpCreate:
		return "create"
	}
	return "op?"
}

// Failure is a class of error answer, as each cloud spells it.
type Failure int

// The failures Env.Fail injects.
const (
	// ServerError is a 5xx: the service failed; the outcome of a write is
	// unknown to the client.
	ServerError Failure = iota + 1
	// RateLimited is a 429: the call was refused for now and did nothing.
	RateLimited
	// Refused is any other 4xx: the call was refused as invalid and did
	// nothing.
	Refused
)

func (f Failure) String() string {
	switch f {
	case ServerError:
		return "server error"
	case RateLimited:
		return "rate limited"
	case Refused:
		return "refused"
	}
	return "failure?"
}

// RefusingEndpoint returns an http:// URL on the loopback interface where
// nothing listens: a connection to it is refused.
func RefusingEndpoint(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("providertest: finding a free port: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatalf("providertest: %v", err)
	}
	return "http://" + addr
}
