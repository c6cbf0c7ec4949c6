package state

// Change is one change to a state, as a step of an apply makes it: the
// unit of the state's write-ahead log. One field is set; a "state" record
// of the journal (Entry.Changes) holds the changes of one step, applied
// in order.
type Change struct {
	// Put records a resource at its address (replacing any record there).
	Put *Resource `json:"put,omitempty"`
	// Remove forgets the record at an address.
	Remove string `json:"remove,omitempty"`
	// Depose moves the record at an address to the deposed list (its
	// replacement is about to be put there).
	Depose string `json:"depose,omitempty"`
	// Undepose forgets the deposed object with this id (it was deleted).
	Undepose string `json:"undepose,omitempty"`
}

// Apply makes changes to the state, in order. It does not touch the
// serial: whoever records the changes numbers them.
func (s *State) Apply(cs ...Change) {
	for _, c := range cs {
		switch {
		case c.Put != nil:
			s.Put(c.Put)
		case c.Remove != "":
			s.Remove(c.Remove)
		case c.Depose != "":
			s.Depose(c.Depose)
		case c.Undepose != "":
			s.RemoveDeposed(c.Undepose)
		}
	}
}
