// Package providertest is the contract suite that every provider's client
// and simulator pass: the promises of provider.Provider that the engine
// relies on, checked against the real client speaking to its cloud's
// simulator, kind by kind.
//
// It knows no cloud. Everything it needs of one comes from the Harness the
// provider's own test passes in: a fresh provider and simulator per test
// (Harness.New), the simulator's call log and faults expressed in the
// suite's words (Env: Calls, Fail, LoseAnswer, Slow), what the provider
// says of each kind (Harness.Facts: global, named, ready statuses, page
// size; once providers describe their kinds, read from the description)
// and test data per kind (Kind: valid create attributes, an in-place
// change, a location, an id that does not exist).
//
// # Using it for a new provider
//
// In the provider's package, next to its other simulator tests, write one
// test per simulator mode:
//
//	func TestContract(t *testing.T) {
//		providertest.Run(t, providertest.Harness{
//			New:         func(t *testing.T) providertest.Env { … a simulator, a client of it, its faults … },
//			Unreachable: func(t *testing.T) provider.Provider { return New(providertest.RefusingEndpoint(t), …) },
//			Facts:       func(k provider.Kind) providertest.Facts { … },
//			Kinds:       []providertest.Kind{{Kind: "vms", Location: "zone-1", Attrs: …, Change: …, MissingID: …}, …},
//		})
//	}
//
// Env.Fail, Env.LoseAnswer and Env.Slow translate the suite's faults into
// the simulator's: which API call is a kind's list, read or create, which
// status or error code a server error, a rate limit or a refusal is. Env.Calls
// translates the simulator's call log back. The client under test should
// poll and back off in milliseconds (the suite runs every property in
// parallel, with a fresh simulator each, and should take seconds).
// fake_test.go is a whole harness for a small cloud in memory.
//
// A property the provider does not meet is a bug to fix in the client or
// the simulator, never a reason to bend the suite: while it is open, name
// it in Harness.KnownBugs with its reason, and the subtest is skipped as
// "provider bug: …".
//
// # Properties
//
// For each kind, each a subtest of its own:
//
//   - list-calls: List makes a fixed number of calls per kind and location,
//     however many objects there are (or one more per page, with
//     Facts.PageSize, and Facts.CallsPerObject more per object for a kind
//     whose API documents part of an object only per object).
//   - create-get-list: Create answers the object with an id (and the name
//     asked, for named kinds); Get and List show it.
//   - update: an in-place change takes effect and is idempotent: asked a
//     second time it changes nothing (no write, or only writes the API
//     accepts) and answers the same object, which Get confirms.
//   - delete: Delete removes the object (Get is provider.ErrNotFound, at
//     once or after an asynchronous delete), and a second Delete is no error.
//   - not-found: Get and Update of an id that does not exist match
//     provider.ErrNotFound; Delete of it is no error.
//   - read-retried: a server error on Get and a rate limit on List are
//     retried by the client.
//   - create-server-error: a create that meets a server error is made exactly
//     once and its error reports provider.OutcomeUnknown.
//   - create-refused: a refused create is not OutcomeUnknown and left
//     nothing behind.
//   - create-rate-limited: a rate-limited create either failed without
//     OutcomeUnknown or, repeated by the client, made exactly one object.
//   - lost-answer: a create whose answer is lost (the simulator commits it,
//     then drops the connection) is made once, its error (if any) reports
//     OutcomeUnknown, and List then shows the object, by its name for named
//     kinds: the engine's lookup.
//   - abandoned-create: with creates made slow (Env.Slow), a create the
//     client gives up on carries on and is then found the same way.
//   - readiness: for kinds with ready statuses, Get reports one of them
//     within Harness.Patience, and List agrees.
//
// And across kinds:
//
//   - not-sent: against an endpoint that refuses connections, List, Get,
//     Create, Update and Delete of every kind fail with provider.ErrNotSent
//     (so not OutcomeUnknown, and Delete does not take it for "not found").
//   - concurrency: one provider creates, lists and deletes objects of every
//     kind at once (run the suite with -race).
package providertest
