package sim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idstack/idstack/provider/api"
)

func TestInProcessTransport(t *testing.T) {
	s := New(Options{Seed: 1})
	c := s.Client()
	req, _ := http.NewRequest("POST", "http://sim/v1/jkt02/user-resource/vm", strings.NewReader(vmCreate().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("apikey", "k")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var vm api.VM
	if err := json.NewDecoder(res.Body).Decode(&vm); err != nil || res.StatusCode != 200 || vm.Name != "web-1" {
		t.Fatalf("status %d, vm %+v, err %v", res.StatusCode, vm, err)
	}
	// A lost response is a transport error, and the change is committed.
	s.AddFault(Fault{Method: "POST", Path: "/network/network", LostResponse: true})
	req, _ = http.NewRequest("POST", "http://sim/v1/network/network?name=x", nil)
	req.Header.Set("apikey", "k")
	if _, err := c.Do(req); !errors.Is(err, ErrLostResponse) {
		t.Fatalf("err %v, want ErrLostResponse", err)
	}
	if n := len(s.World().Networks); n != 5 {
		t.Fatalf("%d networks", n)
	}
	// Cancellation during latency.
	s.SetLatency(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", "http://sim/v1/config/locations", nil)
	req.Header.Set("apikey", "k")
	if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline exceeded", err)
	}
}
