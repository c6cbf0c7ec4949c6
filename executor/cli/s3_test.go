package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/spec"
)

// remoteStack keeps its state in the cloud's S3 storage.
const remoteStack = `stack: remote
location: jkt01
backend:
  s3: {bucket: idstack-state, key: remote/dev.state.json}
networks:
  app: {name: remote-app}
vms:
  web:
    name: remote-web
    os_name: ubuntu
    os_version: "22.04"
    vcpu: 1
    ram: 1024
    disk: 20
    network: app
    username: deploy
    password: Remote-Passw0rd
buckets:
  assets: {name: remote-assets-3c1d}
`

// makeStateBucket makes the bucket that holds the state, as an operator
// does once (through the API; the S3 side sees it).
func (r *simRun) makeStateBucket(name string) {
	r.t.Helper()
	if _, err := idcloudhost.New(r.url, "test-key").CreateBucket(context.Background(), name, 0); err != nil {
		r.t.Fatal(err)
	}
}

// TestRemoteStateRoundTrip: apply in one directory, then plan from a
// fresh directory holding nothing but the same stack file: no changes,
// because the state is in S3; nothing was written locally.
func TestRemoteStateRoundTrip(t *testing.T) {
	t.Parallel()
	r := newSimRun(t)
	r.makeStateBucket("idstack-state")
	first := filepath.Join(r.dir, "ci-job-1")
	second := filepath.Join(r.dir, "ci-job-2")
	for _, d := range []string{first, second} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	f1 := r.write("ci-job-1/idstack.yaml", remoteStack)
	r.mustRun(0, "apply", "-f", f1, "--auto-approve")
	if _, err := os.Stat(filepath.Join(first, ".idstack")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("apply with an S3 backend wrote .idstack/ locally (%v)", err)
	}
	w := r.sim.World()
	found := false
	for _, o := range w.Objects {
		if o.Bucket == "idstack-state" && o.Key == "remote/dev.state.json" {
			found = strings.Contains(string(o.Data), `"vms.web"`) && !strings.Contains(string(o.Data), "Remote-Passw0rd")
		}
		if strings.HasSuffix(o.Key, ".lock") {
			t.Errorf("lock %s left behind after apply", o.Key)
		}
	}
	if !found {
		t.Fatalf("no state with vms.web (and no clear password) at s3://idstack-state/remote/dev.state.json: %+v", w.Objects)
	}

	f2 := r.write("ci-job-2/idstack.yaml", remoteStack)
	out := r.mustRun(0, "plan", "-f", f2, "--detailed-exitcode")
	if !strings.Contains(out, "No changes") {
		t.Errorf("plan from a fresh directory:\n%s", out)
	}
	// The same with the bucket given by flag instead of the file (once
	// the commands take backendFlags).
	local := strings.Replace(remoteStack, "backend:\n  s3: {bucket: idstack-state, key: remote/dev.state.json}\n", "", 1)
	f3 := r.write("ci-job-2/flags.yaml", local)
	if hasFlag(planCommand(&IO{}), "backend-bucket") {
		r.mustRun(0, "plan", "-f", f3, "--detailed-exitcode", "--backend-bucket", "idstack-state", "--backend-key", "remote/dev.state.json")
	}
	// Without the backend the stack owns nothing here: every name is taken.
	code, _, errs := r.run("plan", "-f", f3)
	if code != ExitError || !strings.Contains(errs, "already exists") {
		t.Errorf("plan with a local, empty state: exit %d, want 1 with conflicts:\n%s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(second, ".idstack", "remote.state.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("plan wrote a local state (%v)", err)
	}

	r.mustRun(0, "state", "list", "-f", f2)
	r.mustRun(0, "destroy", "-f", f2, "--auto-approve")
	r.mustRun(0, "plan", "-f", f1, "--destroy", "--detailed-exitcode")
}

func hasFlag(cmd *cli.Command, name string) bool {
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// TestS3Settings: the flags win over the stack file; the key defaults to
// <stack>.state.json.
func TestS3Settings(t *testing.T) {
	t.Parallel()
	withBackend := &spec.Stack{Name: "shop/prod", Doc: map[string]any{"backend": map[string]any{"s3": map[string]any{"bucket": "b-file", "key": "k-file"}}}}
	without := &spec.Stack{Name: "shop/prod", Doc: map[string]any{}}
	tests := []struct {
		name  string
		stack *spec.Stack
		args  []string
		want  s3Settings
		ok    bool
	}{
		{"local", without, nil, s3Settings{}, false},
		{"file", withBackend, nil, s3Settings{Bucket: "b-file", Key: "k-file", From: "the stack file"}, true},
		{"flag bucket over the file", withBackend, []string{"--backend-bucket", "b-flag"}, s3Settings{Bucket: "b-flag", Key: "k-file", From: "--backend-bucket"}, true},
		{"flags only, default key", without, []string{"--backend-bucket", "b-flag"}, s3Settings{Bucket: "b-flag", Key: "shop_prod.state.json", From: "--backend-bucket"}, true},
		{"flag key", withBackend, []string{"--backend-key", "other.json"}, s3Settings{Bucket: "b-file", Key: "other.json", From: "the stack file"}, true},
		{"key without bucket is local", without, []string{"--backend-key", "other.json"}, s3Settings{Key: "other.json"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got s3Settings
			var ok bool
			app := &cli.App{Flags: backendFlags(), Action: func(c *cli.Context) error {
				got, ok = s3SettingsFor(stackOptions{BackendBucket: c.String("backend-bucket"), BackendKey: c.String("backend-key")}, tt.stack)
				return nil
			}}
			if err := app.Run(append([]string{"x"}, tt.args...)); err != nil {
				t.Fatal(err)
			}
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); ok && diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRemoteStateErrors(t *testing.T) {
	t.Parallel()
	r := newSimRun(t)
	f := r.write("idstack.yaml", remoteStack)
	code, _, errs := r.run("plan", "-f", f)
	if code != ExitError || !strings.Contains(errs, "NoSuchBucket") || !strings.Contains(errs, "s3://idstack-state/remote/dev.state.json") {
		t.Errorf("a missing state bucket: exit %d\n%s", code, errs)
	}
	var out, errb strings.Builder
	code = Main([]string{"--endpoint", "sim", "plan", "-f", f}, IO{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != ExitError || !strings.Contains(errb.String(), "idstack sim") {
		t.Errorf("--endpoint sim with an S3 backend: exit %d\n%s", code, errb.String())
	}
}

// TestCIFlowWithRemoteState is the flow of examples/ci with the state in
// S3: a saved Markdown plan gated on its exit code, its JSON shown from the
// saved file, the saved plan applied, and nothing left to do.
func TestCIFlowWithRemoteState(t *testing.T) {
	t.Parallel()
	r := newSimRun(t)
	r.makeStateBucket("idstack-state")
	f := r.write("idstack.yaml", remoteStack)
	saved := filepath.Join(r.dir, "plan.bin")
	code, md, errs := r.run("plan", "-f", f, "--out", saved, "--format", "markdown", "--detailed-exitcode")
	if code != ExitChanges {
		t.Fatalf("plan: exit %d, want %d\n%s%s", code, ExitChanges, md, errs)
	}
	if !strings.HasPrefix(md, MarkdownMarker+` stack="remote" -->`+"\n### idstack plan for `remote`: 3 to create · cost 0.00 → 7.67 per month (+7.67)\n") {
		t.Errorf("Markdown plan starts:\n%s", md[:min(len(md), 300)])
	}
	if strings.Contains(md, "Remote-Passw0rd") {
		t.Fatal("the password is in the Markdown plan")
	}
	js := r.mustRun(0, "show", "--format", "json", saved)
	var doc any
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	if err := compilePlanSchema(t).Validate(doc); err != nil {
		t.Errorf("show --format json does not match plan.schema.json: %v", err)
	}
	r.mustRun(0, "apply", "--auto-approve", "--lock-timeout", "1m", saved)
	r.mustRun(0, "plan", "-f", f, "--detailed-exitcode")
}
