package api

import "encoding/json"

// NullString is a JSON string that may be absent, null or a value: an
// instance read shows description only when its fields mask asks, and
// then as null when there is none. With omitzero an absent one is left
// out.
type NullString struct {
	Value string
	Valid bool // not null
	Set   bool // present
}

// Text is a present, non-null string.
func Text(s string) NullString { return NullString{Value: s, Valid: true, Set: true} }

// Null is a present null.
func Null() NullString { return NullString{Set: true} }

// IsZero reports an absent value (for omitzero).
func (n NullString) IsZero() bool { return !n.Set }

// MarshalJSON writes null or the string.
func (n NullString) MarshalJSON() ([]byte, error) {
	if !n.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(n.Value)
}

// UnmarshalJSON reads null or a string.
func (n *NullString) UnmarshalJSON(b []byte) error {
	*n = NullString{Set: true}
	if string(b) == "null" {
		return nil
	}
	n.Valid = true
	return json.Unmarshal(b, &n.Value)
}
