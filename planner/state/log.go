package state

import (
	"fmt"
)

// Stored is a state as a backend keeps it: a snapshot (the whole state at
// some serial, written atomically) and the journal, whose "state" records
// are the changes made since, one per step. A backend reads the journal
// first and the snapshot second: a run that writes a newer snapshot (and
// then clears the journal) between the two reads leaves a snapshot that
// already holds every record read, never a stale snapshot with its
// records gone.
type Stored struct {
	// Where names the snapshot in errors: "state file PATH" or "state
	// s3://BUCKET/KEY"; LogWhere the journal: "journal PATH"…
	Where, LogWhere string
	// Snapshot is the snapshot's JSON; Found is false when there is
	// none yet (a first run killed before its first snapshot).
	Snapshot []byte
	Found    bool
	// Log is the journal's entries, in order.
	Log []Entry
}

// State decodes the snapshot and replays over it the records of the log
// whose serial is higher, in order; want is what it must be (Decode). A
// snapshot or a replayed state that does not validate, or a log that
// does not continue the snapshot, is an *InvalidError.
func (s Stored) State(want Expect) (*State, error) {
	var st *State
	if s.Found {
		var err error
		if st, err = Decode(s.Where, s.Snapshot, want); err != nil {
			if inv, ok := err.(*InvalidError); ok {
				inv.log = s.Log // state rm repairs the snapshot, then replays
			}
			return nil, err
		}
	} else {
		st = New(want.Stack)
		st.Lineage = "" // the log's, if it has records
	}
	replayed, err := replay(st, s.Log)
	if err != nil {
		return nil, &InvalidError{Where: s.Where, Faults: []Fault{{Entry: "journal", Problem: fmt.Sprintf("%s: %v", s.LogWhere, err)}}}
	}
	if st.Lineage == "" {
		st.Lineage = randomHex(8)
	}
	if replayed > 0 {
		if faults := Validate(st, want); len(faults) > 0 {
			sortFaults(faults)
			return nil, &InvalidError{Where: s.Where + " with the changes of " + s.LogWhere, Faults: faults}
		}
	}
	return st, nil
}

// replay applies the log's state records that follow the state's serial,
// and says how many it applied. The records must continue the state: the
// same lineage, and no serial missing.
func replay(st *State, log []Entry) (int, error) {
	n := 0
	for _, e := range log {
		if e.Phase != PhaseState || e.Serial <= st.Serial {
			continue // an intent or outcome, or a change the snapshot holds
		}
		if st.Lineage == "" {
			st.Lineage = e.Lineage // no snapshot yet: the log's state
		}
		if e.Lineage != st.Lineage {
			return n, fmt.Errorf("its change %d (entry %d) belongs to another state (lineage %s, this state's is %s)", e.Serial, e.Seq, e.Lineage, st.Lineage)
		}
		if e.Serial != st.Serial+1 {
			return n, fmt.Errorf("the state is at serial %d and the journal's next change is %d (entry %d): changes %d to %d are missing", st.Serial, e.Serial, e.Seq, st.Serial+1, e.Serial-1)
		}
		st.Apply(e.Changes...)
		st.Serial = e.Serial
		n++
	}
	return n, nil
}
