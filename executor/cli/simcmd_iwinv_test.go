package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv"
	"github.com/idstack/idstack/provider/iwinv/api"
	iwinvsim "github.com/idstack/idstack/provider/iwinv/sim"
)

// iwinvClient is the real iwinv client of a running `idstack sim
// --provider iwinv`, signing with a key pair; it does not pace itself,
// polls in milliseconds and tries a call at most twice.
func iwinvClient(base, access, secret string) *iwinv.Client {
	return iwinv.New(base, access, secret, iwinv.WithRateLimit(0, 0), iwinv.WithPoll(5*time.Millisecond, 20*time.Millisecond, 10*time.Second),
		iwinv.WithRetry(2, time.Millisecond, 5*time.Millisecond))
}

// iwinvControl calls a control endpoint of a running iwinv simulator with
// its access key.
func iwinvControl(t *testing.T, base, access, method, path string, v any) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(api.HeaderCredential, access)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d", method, path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
}

// signedGet sends one signed GET by hand (no client: no retry, no wait)
// and returns its status, Retry-After and envelope error code.
func signedGet(t *testing.T, base, access, secret, path string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set(api.HeaderTimestamp, ts)
	req.Header.Set(api.HeaderCredential, access)
	req.Header.Set(api.HeaderSignature, api.Sign(secret, ts, path))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var env api.Envelope
	_ = json.NewDecoder(res.Body).Decode(&env)
	return res.StatusCode, res.Header.Get("Retry-After"), env.ErrorCode
}

// TestIwinvSimFlags: `idstack sim --provider iwinv` serves the iwinv
// simulator with its own key pair (printed, with the variables to set),
// and --fail, --lost-response, --seed and --rate-limit shape what a real,
// signing client sees; a request signed with another secret is refused.
func TestIwinvSimFlags(t *testing.T) {
	t.Parallel()
	const access, secret = "AK-test", "s3cret/key"
	s := startSim(t, "--provider", "iwinv", "--access-key", access, "--secret-key", secret, "--seed", "9", "--ready-after", "0s",
		"--fail", "POST /security-groups=503 times=1",
		"--lost-response", "PUT /security-groups/* times=1")
	out := s.out.String()
	for _, want := range []string{"iwinv simulator listening on " + s.base, "access key AK-test, secret key s3cret/key",
		"export IDSTACK_ENDPOINT=" + s.base + " IDSTACK_IWINV_ACCESS_KEY=AK-test IDSTACK_IWINV_SECRET_KEY=s3cret/key IDSTACK_IWINV_RATE_LIMIT=0",
		"2 fault(s) installed"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	ctx := context.Background()
	c := iwinvClient(s.base, access, secret)
	zones, err := c.ListZones(ctx)
	if err != nil || len(zones) != 2 {
		t.Fatalf("signed zone list: %v %v", zones, err)
	}

	// Another secret: the documented envelope's INVALID_SIGNATURE.
	_, err = iwinvClient(s.base, access, "wrong").ListZones(ctx)
	var ae *provider.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), api.InvalidSignature.Name) {
		t.Fatalf("a wrong secret: %v, want 401 %s", err, api.InvalidSignature.Name)
	}

	// --fail: the first group create fails (a create is never repeated),
	// the second succeeds.
	if _, err := c.CreateGroup(ctx, api.SecurityGroupInput{Title: "web", ICMP: api.ICMPNo}); !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable {
		t.Fatalf("first create: %v, want the injected 503", err)
	}
	id, err := c.CreateGroup(ctx, api.SecurityGroupInput{Title: "web", ICMP: api.ICMPNo})
	if err != nil {
		t.Fatalf("second create: %v", err)
	}
	// --lost-response: the edit is made, its answer dropped; an edit sets
	// values, so the client sends it again and gets the answer.
	if err := c.EditGroup(ctx, id, api.SecurityGroupInput{Title: "web-2", ICMP: api.ICMPYes}); err != nil {
		t.Fatalf("edit after a lost answer: %v", err)
	}
	var w iwinvsim.World
	iwinvControl(t, s.base, access, "GET", "/_sim/world", &w)
	if len(w.SecurityGroups) != 1 || w.SecurityGroups[0].Title != "web-2" || w.SecurityGroups[0].ICMP != api.ICMPYes {
		t.Fatalf("world's groups: %+v, want one, web-2 with ICMP", w.SecurityGroups)
	}
	var calls struct {
		Count int
		Calls []struct {
			Method, Path string
			Status       int
			Lost         bool
		}
	}
	iwinvControl(t, s.base, access, "GET", "/_sim/calls", &calls)
	var writes []string
	for _, c := range calls.Calls {
		if c.Method != "GET" {
			writes = append(writes, fmt.Sprintf("%s %s %d lost=%v", c.Method, strings.Replace(c.Path, id, "ID", 1), c.Status, c.Lost))
		}
	}
	want := []string{"POST /security-groups 503 lost=false", "POST /security-groups 200 lost=false", "PUT /security-groups/ID 200 lost=true", "PUT /security-groups/ID 200 lost=false"}
	if strings.Join(writes, "\n") != strings.Join(want, "\n") {
		t.Errorf("writes:\n%s\nwant:\n%s", strings.Join(writes, "\n"), strings.Join(want, "\n"))
	}
	// The seed makes ids deterministic: the same command makes the same id.
	s2 := startSim(t, "--provider", "iwinv", "--seed", "9", "--ready-after", "0s")
	id2, err := iwinvClient(s2.base, iwinvsim.DefaultAccessKey, iwinvsim.DefaultSecretKey).CreateGroup(ctx, api.SecurityGroupInput{Title: "web", ICMP: api.ICMPNo})
	if err != nil || id2 != id {
		t.Errorf("--seed 9: first group %q (%v), want %q as before", id2, err, id)
	}
}

// TestIwinvSimRateLimitAndTransients: --rate-limit N answers 429
// LIMIT_EXCEEDED past N calls a minute, with Retry-After; --transient-rate
// 1 fails every call with 503 or 429, before it changes anything.
func TestIwinvSimRateLimitAndTransients(t *testing.T) {
	t.Parallel()
	a, k := iwinvsim.DefaultAccessKey, iwinvsim.DefaultSecretKey
	s := startSim(t, "--provider", "iwinv", "--rate-limit", "3")
	if !strings.Contains(s.out.String(), "rate limit: 3 calls a minute per key") || strings.Contains(s.out.String(), "IDSTACK_IWINV_RATE_LIMIT=0") {
		t.Errorf("stdout:\n%s", s.out)
	}
	var got []string
	for range 4 {
		status, retry, code := signedGet(t, s.base, a, k, "/v1/zones")
		got = append(got, fmt.Sprintf("%d %s", status, code))
		if status == http.StatusTooManyRequests {
			if n, err := strconv.Atoi(retry); err != nil || n < 1 || n > 60 {
				t.Errorf("429 with Retry-After %q, want 1–60 seconds", retry)
			}
		}
	}
	if want := "200 SUCCESS,200 SUCCESS,200 SUCCESS,429 " + api.LimitExceeded.Name; strings.Join(got, ",") != want {
		t.Errorf("4 calls at 3 a minute: %v, want %s", got, want)
	}

	s = startSim(t, "--provider", "iwinv", "--transient-rate", "1", "--transient-retry-after", "0", "--seed", "3")
	codes := map[int]int{}
	for range 20 {
		status, _, _ := signedGet(t, s.base, a, k, "/v1/zones")
		codes[status]++
	}
	if codes[503] == 0 || codes[429] == 0 || codes[503]+codes[429] != 20 {
		t.Errorf("--transient-rate 1: %v, want every call 503 or 429, both seen", codes)
	}
}

// TestIwinvSimWorldFile: the iwinv world outlives the command in --world.
func TestIwinvSimWorldFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "world.json")
	s := startSim(t, "--provider", "iwinv", "--world", file)
	c := iwinvClient(s.base, iwinvsim.DefaultAccessKey, iwinvsim.DefaultSecretKey)
	if _, err := c.CreateGroup(context.Background(), api.SecurityGroupInput{Title: "kept", ICMP: api.ICMPNo}); err != nil {
		t.Fatal(err)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.out.String(), "world saved to "+file) {
		t.Fatalf("stdout %q", s.out)
	}
	s = startSim(t, "--provider", "iwinv", "--world", file)
	groups, err := iwinvClient(s.base, iwinvsim.DefaultAccessKey, iwinvsim.DefaultSecretKey).ListGroups(context.Background())
	if err != nil || len(groups) != 1 || groups[0].Title != "kept" {
		t.Fatalf("after a restart: %+v %v, want the group kept", groups, err)
	}
}

// TestSimRefusesTheOtherCloudsFlags: a flag of one simulator given to the
// other is refused, naming it, before anything listens; so is a bad value
// of iwinv's own flags.
func TestSimRefusesTheOtherCloudsFlags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--provider", "iwinv", "--quirks", "live"}, "--quirks (or its variable IDSTACK_SIM_QUIRKS) does not apply to the iwinv simulator: it is idcloudhost's"},
		{[]string{"--provider", "iwinv", "--async-vms"}, "--async-vms (or its variable IDSTACK_SIM_ASYNC_VMS) does not apply to the iwinv simulator"},
		{[]string{"--provider", "iwinv", "--gateway-timeout", "1s"}, "--gateway-timeout (or its variable IDSTACK_SIM_GATEWAY_TIMEOUT) does not apply to the iwinv simulator"},
		{[]string{"--require-key", "k", "--provider", "iwinv"}, "--require-key (or its variable IDSTACK_SIM_REQUIRE_KEY) does not apply to the iwinv simulator"},
		{[]string{"--rate-limit", "60"}, "--rate-limit (or its variable IDSTACK_SIM_RATE_LIMIT) does not apply to the idcloudhost simulator: it is iwinv's (--provider iwinv)"},
		{[]string{"--provider", "idcloudhost", "--access-key", "a"}, "--access-key (or its variable IDSTACK_SIM_ACCESS_KEY) does not apply to the idcloudhost simulator"},
		{[]string{"--secret-key", "s"}, "--secret-key (or its variable IDSTACK_SIM_SECRET_KEY) does not apply to the idcloudhost simulator"},
		{[]string{"--provider", "aws"}, `--provider "aws": allowed: idcloudhost, iwinv`},
		{[]string{"--provider", "iwinv", "--rate-limit", "-1"}, "--rate-limit -1: want calls a minute, 0 or more"},
		{[]string{"--provider", "iwinv", "--access-key", ""}, "--access-key is empty"},
		{[]string{"--provider", "iwinv", "--fail", "POST /v1/instances"}, "without /v1"},
		{[]string{"--provider", "iwinv", "--fail", "POST /instances lost"}, "use --lost-response"},
		{[]string{"--provider", "iwinv", "--lost-response", "POST /instances=500"}, "no status"},
		{[]string{"--provider", "iwinv", "--transient-rate", "2"}, "want a share from 0 to 1"},
		{[]string{"--provider", "iwinv", "--ready-after", "-1s"}, "--ready-after -1s: want a duration of 0 or more"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			mustRefuseSim(t, tt.args, tt.want)
		})
	}
}

// TestSimRefusesTheOtherCloudsVariables: the same for a flag set by its
// variable (urfave/cli reads the process's environment: not parallel).
func TestSimRefusesTheOtherCloudsVariables(t *testing.T) {
	for _, tt := range []struct {
		env  [][2]string
		want string
	}{
		{[][2]string{{"IDSTACK_SIM_PROVIDER", "iwinv"}, {"IDSTACK_SIM_QUIRKS", "live"}}, "--quirks (or its variable IDSTACK_SIM_QUIRKS) does not apply to the iwinv simulator"},
		{[][2]string{{"IDSTACK_SIM_PROVIDER", "iwinv"}, {"IDSTACK_SIM_ASYNC_VMS", "true"}}, "--async-vms (or its variable IDSTACK_SIM_ASYNC_VMS) does not apply to the iwinv simulator"},
		{[][2]string{{"IDSTACK_SIM_RATE_LIMIT", "60"}}, "--rate-limit (or its variable IDSTACK_SIM_RATE_LIMIT) does not apply to the idcloudhost simulator"},
	} {
		t.Run(fmt.Sprint(tt.env), func(t *testing.T) {
			for _, kv := range tt.env {
				t.Setenv(kv[0], kv[1])
			}
			mustRefuseSim(t, nil, tt.want)
		})
	}
}

// mustRefuseSim runs `idstack sim ARGS` and wants exit 1 with want on
// stderr, and nothing listening.
func mustRefuseSim(t *testing.T, args []string, want string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(append([]string{"sim", "--listen", "127.0.0.1:0"}, args...), IO{Out: &out, Err: &errOut})
	if code != ExitError || !strings.Contains(errOut.String(), want) {
		t.Fatalf("exit %d, stderr %q; want exit 1 and %q", code, errOut.String(), want)
	}
	if strings.Contains(out.String(), "listening") {
		t.Fatalf("listened: %q", out.String())
	}
}
