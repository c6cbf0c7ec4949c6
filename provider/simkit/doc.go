// Package simkit is what both simulators (provider/sim for idcloudhost,
// provider/iwinv/sim for iwinv) share: fault specs, their parsing and
// matching, the /_sim/ control endpoints' routing and the in-process
// transport.
//
// It holds no lock and draws no random numbers of its own: a simulator
// keeps its Faults under its own mutex and passes its seeded generator to
// Faults.Match. What a fired fault answers (status, body, Retry-After),
// how the control endpoints authenticate and what the call log looks like
// stay each simulator's own.
package simkit
