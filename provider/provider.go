// Package provider is the narrow contract between idstack's engine (planner,
// executor) and a cloud. It speaks in Objects whose attributes use the stack
// file's field names, so nothing above it knows the API's own shapes.
package provider

import (
	"context"
	"errors"
	"fmt"
)

// Kind is a kind of resource, named as in the stack file ("vms"). Each
// provider describes its kinds (Description).
type Kind string

// Attrs holds a resource's attributes under the stack file's field names.
// Values are plain JSON-like Go values: string, int, float64, bool, []any,
// map[string]any. References are already resolved to live ids.
type Attrs map[string]any

// Object is one live resource as the API reports it.
type Object struct {
	Kind     Kind
	Location string // "" for global kinds
	ID       string // uuid, IP address or bucket name
	Name     string
	Status   string // the API's status word; "" when the kind has none
	Attrs    Attrs
}

// FieldChange is one in-place change of a field.
type FieldChange struct {
	Field  string
	Before any
	After  any
}

// Location is a data centre the account can use.
type Location struct {
	Slug, Name string
	Default    bool
}

// Provider is what the planner and the executor need of a cloud. Every
// method is safe for concurrent use. Delete tolerates "not found"; Create
// never retries blindly (callers look the name up after an unknown outcome).
type Provider interface {
	// Describe returns the description of the provider's kinds.
	Describe() *Description
	Locations(ctx context.Context) ([]Location, error)
	// Catalog returns what a location offers (images, sizes, pools), in
	// the provider's own shape: only its KindSpec.Catalog reads it.
	Catalog(ctx context.Context, location string) (any, error)
	// List returns every object of a kind in a location with one or a fixed
	// few API calls, however many objects there are.
	List(ctx context.Context, kind Kind, location string) ([]Object, error)
	Get(ctx context.Context, kind Kind, location, id string) (Object, error)
	// Create makes an object. An error with an Object whose ID is set means
	// the object exists but a follow-up step (attach, assign, stop) failed:
	// the caller owns it all the same.
	Create(ctx context.Context, kind Kind, location string, attrs Attrs) (Object, error)
	// Update applies in-place changes; it performs whatever sequence the API
	// needs (a VM is stopped for vcpu/ram and started again if it ran).
	Update(ctx context.Context, kind Kind, location, id string, changes []FieldChange) (Object, error)
	Delete(ctx context.Context, kind Kind, location, id string) error
}

// ErrNotFound is matched (errors.Is) by errors for objects that do not exist.
var ErrNotFound = errors.New("not found")

// ErrNotSent is matched by errors of calls that never reached the API (the
// connection was refused, the name did not resolve, the run was cancelled
// before the call): they had no effect, so repeating them is safe.
var ErrNotSent = errors.New("the request was not sent")

// ErrGaveUp is matched by errors of calls that the client already repeated
// until its attempts ran out: a caller should not repeat them once more.
var ErrGaveUp = errors.New("attempts exhausted")

// OutcomeUnknown reports whether a failed write may have taken effect, or
// may still take effect later: no answer came (a timeout, a dropped
// connection, a cancelled call) or the answer was a 5xx, which a gateway
// sends while the cloud carries on. A 4xx (429 included) or a call that was
// never sent is known not to have done anything.
func OutcomeUnknown(err error) bool {
	if err == nil || errors.Is(err, ErrNotSent) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Status >= 500
	}
	return true
}

// APIError is an error answer of the API, decoded from either error shape.
type APIError struct {
	Method  string
	Path    string
	Status  int
	Message string
	// NotFound is set by the client when the answer means "no such object",
	// whatever status the service used to say it.
	NotFound bool
	// RetryAfter is the server's Retry-After in seconds (0 when absent).
	RetryAfter int
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

// Is makes errors.Is(err, ErrNotFound) work for not-found answers.
func (e *APIError) Is(target error) bool { return target == ErrNotFound && e.NotFound }

// Transient reports whether repeating the same call may succeed.
func (e *APIError) Transient() bool { return e.Status == 429 || e.Status >= 500 }
