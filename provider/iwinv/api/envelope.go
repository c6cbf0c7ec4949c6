package api

import "encoding/json"

// The envelope's success values: a call succeeded when both hold, whatever
// its HTTP status (200 or 202).
const (
	SuccessCode      = "0x00"
	SuccessErrorCode = "SUCCESS"
)

// Envelope is every answer of the API: {code, error_code, message,
// result}, and on lists count (the rows of this page), page_no,
// page_size and total. Result is kept raw: its shape depends on the
// endpoint (an array of rows, or a text for an action).
type Envelope struct {
	Code      string          `json:"code"`
	ErrorCode string          `json:"error_code"`
	Message   string          `json:"message"`
	Result    json.RawMessage `json:"result"`
	Count     *int            `json:"count,omitempty"`
	PageNo    *int            `json:"page_no,omitempty"`
	PageSize  *int            `json:"page_size,omitempty"`
	Total     *int            `json:"total,omitempty"`
}

// OK reports whether the envelope says success.
func (e *Envelope) OK() bool { return e.Code == SuccessCode && e.ErrorCode == SuccessErrorCode }

// Paged reports whether the answer is one page of a paginated list: it
// carries page_no and page_size. An unpaginated list (a group's rules)
// holds every row at once.
func (e *Envelope) Paged() bool { return e.PageNo != nil && e.PageSize != nil }

// Accepted is the result row of an asynchronous instance call that
// answers with the instance and its new status (create: "building";
// delete: "deleting", with the block storages it leaves behind).
type Accepted struct {
	InstanceID    string   `json:"instance_id"`
	Status        string   `json:"status"`
	BlockStorages []string `json:"block_storages,omitempty"`
}

// Query parameters of paginated lists. PageAlias is accepted by the
// simulator as page_no (IWINV-NOTES.md spells it page).
const (
	PageParam       = "page_no"
	PageAlias       = "page"
	PageSizeParam   = "page_size"
	DefaultPageSize = 10
	MaxPageSize     = 100
)
