package sim

import (
	"encoding/json"
	"net/http"

	"github.com/idstack/idstack/provider/simkit"
)

// ErrLostResponse is the transport error of a call whose answer was
// dropped (Fault.LostResponse) when the simulator is used in process.
var ErrLostResponse = simkit.ErrLostResponse

// Transport returns an http.RoundTripper that serves requests in process,
// without a listener. The request's host is ignored.
func (s *Server) Transport() http.RoundTripper { return simkit.Transport(s) }

// Client returns an *http.Client using Transport.
func (s *Server) Client() *http.Client { return &http.Client{Transport: s.Transport()} }

func jsonMarshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(b, '\n'), err
}
