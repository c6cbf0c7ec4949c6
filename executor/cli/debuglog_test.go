package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/idstack/idstack/executor/cli"
	"github.com/idstack/idstack/provider/sim"
)

// IDSTACK_LOG=debug / --log-level debug writes every API call (method,
// path, status, duration, attempt, retry) to IDSTACK_LOG_FILE or stderr;
// no key and no secret of the stack ever appears in it.
func TestDebugLogRecordsEveryCallWithoutSecrets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{APIKey: "test-key"})
	f := e.write("s.yaml", "stack: logged\nlocation: jkt01\nnetworks:\n  app: {name: logged-net}\nvms:\n  web:\n    name: logged-web\n    os_name: ubuntu\n    os_version: \"22.04\"\n    vcpu: 1\n    ram: 1024\n    disk: 20\n    network: app\n    username: deploy\n    password: ${env.DEMO_PASSWORD}\n")
	e.sim.AddFault(sim.Fault{Method: "GET", Path: "/user-resource/vm/list", Nth: 1, Status: 503, Message: "injected transient failure"})
	logFile := filepath.Join(e.dir, "calls.log")
	e.mustRun(0, "apply", "-f", f, "--auto-approve", "--log-level", "debug", "--log-file", logFile)
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if got, want := len(lines), len(e.sim.Calls()); got != want {
		t.Errorf("%d log lines for %d calls the simulator served:\n%s", got, want, log)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`level=DEBUG msg="api call" cloud=idcloudhost method=GET location="" path=/config/locations status=200 duration=\S+ attempt=1 retry=false`),
		regexp.MustCompile(`level=WARN msg="api call" cloud=idcloudhost method=GET location=jkt01 path=/user-resource/vm/list status=503 duration=\S+ attempt=1 retry=true error=".*injected transient failure"`),
		regexp.MustCompile(`level=DEBUG msg="api call" cloud=idcloudhost method=GET location=jkt01 path=/user-resource/vm/list status=200 duration=\S+ attempt=2 retry=false`),
		regexp.MustCompile(`method=POST location=jkt01 path=/user-resource/vm status=200`),
	} {
		if !want.MatchString(log) {
			t.Errorf("the log lacks %s:\n%s", want, log)
		}
	}
	for _, secret := range []string{"test-key", "Sup3r-secret"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %q:\n%s", secret, log)
		}
	}

	// To stderr when no file is named; warn keeps only failed attempts.
	_, _, errs := e.run("plan", "-f", f, "--log-level", "debug")
	if !strings.Contains(errs, `path=/user-resource/vm/list status=200`) {
		t.Errorf("no log on stderr:\n%s", errs)
	}
	_, _, errs = e.run("plan", "-f", f, "--log-level", "warn")
	if strings.Contains(errs, "api call") {
		t.Errorf("warn logged successful calls:\n%s", errs)
	}
	code, _, errs := e.run("plan", "-f", f, "--log-level", "verbose")
	if code != 1 || !strings.Contains(errs, `log level "verbose"`) || !strings.Contains(errs, "debug, info, warn, error or off") {
		t.Errorf("a wrong level: exit %d, %s", code, errs)
	}
}

// A cloud that cannot be reached is named with how to choose another; an
// endpoint that is not a URL is refused before any call.
func TestEndpointMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sim.Options{})
	f := e.write("s.yaml", "stack: reach\nlocation: jkt01\nnetworks:\n  app: {name: reach-net}\n")
	for _, c := range []struct {
		endpoint string
		want     []string
	}{
		{"http://127.0.0.1:1", []string{"could not connect to http://127.0.0.1:1", "--endpoint URL or IDSTACK_ENDPOINT"}},
		{"simm", []string{`--endpoint "simm" (or IDSTACK_ENDPOINT) is not a URL`, "did you mean sim"}},
		{"api.idcloudhost.com", []string{"is not a URL", "https://api.idcloudhost.com?"}},
		{"ftp://example.com", []string{"is not a URL"}},
	} {
		code, out, errs := e.run("plan", "-f", f, "--endpoint", c.endpoint)
		for _, w := range c.want {
			if code != 1 || !strings.Contains(errs, w) {
				t.Errorf("--endpoint %s: exit %d, want %q in\n%s%s", c.endpoint, code, w, out, errs)
			}
		}
	}
}

// iwinv's calls are logged the same way, and its key pair never is.
func TestDebugLogIwinv(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "iwinv", "stack.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, sim.Options{})
	f := e.write("stack.yaml", string(src))
	var out, errb strings.Builder
	code := cli.Main([]string{"plan", "-f", f, "--endpoint", "sim", "--iwinv-access-key", "AK-never-logged", "--iwinv-secret-key", "SK-never-logged", "--log-level", "debug"},
		cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, LookupEnv: func(string) (string, bool) { return "", false }})
	log := errb.String()
	if code != 0 || !regexp.MustCompile(`level=DEBUG msg="api call" cloud=iwinv method=GET path=/v1/\S+ status=200 duration=\S+ attempt=1 retry=false`).MatchString(log) {
		t.Errorf("exit %d, no iwinv call logged:\n%s%s", code, out.String(), log)
	}
	if strings.Contains(log, "never-logged") {
		t.Errorf("a key in the log:\n%s", log)
	}
}
