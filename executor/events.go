package executor

import (
	"time"

	"github.com/idstack/idstack/planner"
)

// EventType says what happened to a step.
type EventType string

// Event types.
const (
	Started  EventType = "started"
	Progress EventType = "progress" // still running (every ProgressEvery)
	// Waiting: a step waits for something outside idstack (Message says
	// what, and until when).
	Waiting  EventType = "waiting"
	Finished EventType = "finished"
	Failed   EventType = "failed"
	Skipped  EventType = "skipped" // not started: a dependency failed or the run stopped
)

// Event is one thing a view may show. Views render events; the executor
// never prints.
type Event struct {
	Type    EventType
	Address string
	Action  planner.ActionType
	// Half is "delete" for the deletion half of a replacement.
	Half    string
	ID      string
	Elapsed time.Duration
	Err     error
	Message string
}
