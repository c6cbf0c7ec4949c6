package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/idstack/idstack/provider/sim"
)

// simOutput is the running command's stdout, read while it writes.
type simOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *simOutput) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *simOutput) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var simListeningRe = regexp.MustCompile(`listening on (http://[0-9.:]+)`)

// runningSim is the real `idstack sim` command, started in a goroutine.
type runningSim struct {
	base string // http://127.0.0.1:PORT
	out  *simOutput
	stop func() error // cancels the command's context and waits for it
}

// startSim runs `idstack sim --listen 127.0.0.1:0 ARGS…` until the test
// ends (or stop), and returns once it listens.
func startSim(t *testing.T, args ...string) *runningSim {
	t.Helper()
	out, errOut := &simOutput{}, &simOutput{}
	stdio := IO{In: strings.NewReader(""), Out: out, Err: errOut, LookupEnv: os.LookupEnv, Terminal: func() bool { return false }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- newApp(&stdio).RunContext(ctx, append([]string{"idstack", "sim", "--listen", "127.0.0.1:0"}, args...))
	}()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(10 * time.Second):
				runErr = errors.New("idstack sim did not stop")
			}
		})
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	deadline := time.Now().Add(5 * time.Second)
	for {
		if m := simListeningRe.FindStringSubmatch(out.String()); m != nil {
			return &runningSim{base: m[1], out: out, stop: stop}
		}
		select {
		case err := <-done:
			t.Fatalf("idstack sim %v exited: %v\nstdout: %s\nstderr: %s", args, err, out, errOut)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("idstack sim %v did not say where it listens: %q", args, out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// curlResult is the answer to one curl command.
type curlResult struct {
	status int
	header http.Header
	body   []byte
	err    error // transport error: no answer
}

func (r curlResult) json(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("answer is not JSON: %v: %q", err, r.body)
	}
	return v
}

// simCurl runs a curl command line as curl would send it: -X/--request the
// method, -H/--header headers, -d/--data the body (several joined with &,
// sent as given, form-encoded unless a Content-Type header says otherwise;
// POST unless -X says otherwise), --location and -s ignored. The
// document's host is replaced by base.
func simCurl(t *testing.T, base, cmdline string) curlResult {
	t.Helper()
	words, err := curlWords(cmdline)
	if err != nil {
		t.Fatalf("%s: %v", cmdline, err)
	}
	if len(words) == 0 || words[0] != "curl" {
		t.Fatalf("not a curl command: %s", cmdline)
	}
	var method, url string
	var data []string
	hasData := false
	header := http.Header{}
	for i := 1; i < len(words); i++ {
		w := words[i]
		next := func() string {
			i++
			if i >= len(words) {
				t.Fatalf("%s: %s without a value", cmdline, w)
			}
			return words[i]
		}
		switch w {
		case "-X", "--request":
			method = next()
		case "-H", "--header":
			k, v, _ := strings.Cut(next(), ":")
			header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		case "-d", "--data":
			data, hasData = append(data, next()), true
		case "--location", "-s", "--silent":
		default:
			if strings.HasPrefix(w, "-") {
				t.Fatalf("%s: curl option %s not supported by this test", cmdline, w)
			}
			url = w
		}
	}
	url = strings.Replace(url, "https://api.idcloudhost.com", base, 1)
	url = strings.Replace(url, "http://127.0.0.1:8080", base, 1)
	if method == "" {
		method = "GET"
		if hasData {
			method = "POST"
		}
	}
	var body io.Reader
	if hasData {
		body = strings.NewReader(strings.Join(data, "&"))
		if header.Get("Content-Type") == "" {
			header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatalf("%s: %v", cmdline, err)
	}
	req.Header = header
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		return curlResult{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return curlResult{status: res.StatusCode, header: res.Header, body: b, err: err}
}

// curlWords splits a shell command line: "…" (with \ escapes), '…', and
// backslash-newline continuations.
func curlWords(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i++
		case ch == ' ' || ch == '\t' || ch == '\n':
			if in {
				out, in = append(out, cur.String()), false
				cur.Reset()
			}
		case ch == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated '")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i, in = i+1+j, true
		case ch == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("unterminated \"")
			}
			in = true
		default:
			cur.WriteByte(ch)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}

// jsonAt follows a dotted path into decoded JSON: keys, array indexes, and #
// for an array's length.
func jsonAt(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				return nil, false
			}
		case []any:
			if k == "#" {
				v = float64(len(x))
				continue
			}
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// keyPresent matches any value; keyAbsent matches a missing key.
type keyPresence int

const (
	keyPresent keyPresence = iota + 1
	keyAbsent
)

// docStep is one of the reference document's curl examples, adapted to
// the simulator's ids ({{var}} is a value saved by an earlier step).
type docStep struct {
	name   string
	curl   string
	status int
	want   map[string]any    // path → value (or keyPresent/keyAbsent)
	save   map[string]string // var ← path
	empty  bool              // the answer has no body
}

// docSteps are the document's examples for every kind, in an order that
// makes each one valid, with the document's own billing account ids.
// Adaptations: real uuids and addresses; an os_version of the published
// catalogue; the document's typos fixed where noted.
func docSteps() []docStep {
	const key = `-H "apikey: meowmeowmeow"`
	const api = "https://api.idcloudhost.com/v1"
	return []docStep{
		// Catalogue.
		{name: "list locations", curl: `curl "` + api + `/config/locations" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"#": 4.0, "0.slug": "jkt01", "0.is_default": true}},
		{name: "list VM resource pools", curl: `curl "` + api + `/user-resource/host_pool/list" -X GET ` + key, status: 200,
			want: map[string]any{"0.is_default_designated": true}, save: map[string]string{"pool": "0.uuid"}},
		{name: "VM images", curl: `curl "` + api + `/config/vm_images" ` + key + ` -X GET`, status: 200, want: map[string]any{"0.os_name": "ubuntu"}},
		{name: "plain OS images", curl: `curl "` + api + `/config/vm_images/plain_os" ` + key + ` -X GET`, status: 200, want: map[string]any{"0.is_app_catalog": false}},
		{name: "app catalogue images", curl: `curl "` + api + `/config/vm_images/app_catalog" ` + key + ` -X GET`, status: 200, want: map[string]any{"0.is_app_catalog": true}},
		{name: "VM parameters", curl: `curl "` + api + `/api/parameters/vm" ` + key + ` -X GET`, status: 200, want: map[string]any{"0.parameter": keyPresent}},

		// Private networks.
		{name: "create network", curl: `curl "` + api + `/network/network?name=network3" ` + key + ` -X POST`, status: 200,
			want: map[string]any{"name": "network3", "type": "private", "is_default": false, "vm_uuids": []any{}, "resources_count": 0.0},
			save: map[string]string{"net": "uuid"}},
		// The document's example says -X POST; its HTTP Request line says GET.
		{name: "get network", curl: `curl "` + api + `/network/network/{{net}}" ` + key + ` -X GET -H "Content-Type: application/json"`, status: 200,
			want: map[string]any{"uuid": "{{net}}", "name": "network3", "subnet": keyPresent}},
		{name: "list networks", curl: `curl "` + api + `/network/networks" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"#": 2.0, "0.is_default": true, "1.name": "network3"}},
		// The document's example ends in a stray quote and a "t" after the uuid.
		{name: "rename network (JSON)", curl: `curl "` + api + `/network/network/{{net}}" ` + key + ` -H "Content-Type: application/json" --data '{"name":"My new network name"}' -X PATCH`, status: 200,
			want: map[string]any{"name": "My new network name"}},
		{name: "network to default", curl: `curl "` + api + `/network/network/{{net}}/default" ` + key + ` -H "Content-Type: application/json" -X PUT`, status: 200,
			want: map[string]any{"is_default": true}},
		{name: "create a second network", curl: `curl "` + api + `/network/network?name=scratch" ` + key + ` -X POST`, status: 200,
			want: map[string]any{"is_default": false}, save: map[string]string{"scratch": "uuid"}},
		{name: "delete network", curl: `curl "` + api + `/network/network/{{scratch}}" ` + key + ` -H "Content-Type: application/json" -X DELETE`, status: 200, empty: true},
		{name: "a default network is not deleted", curl: `curl "` + api + `/network/network/{{net}}" ` + key + ` -H "Content-Type: application/json" -X DELETE`, status: 409,
			want: map[string]any{"errors.Error": keyPresent}},

		// VMs (form fields).
		{name: "create VM", curl: `curl "` + api + `/user-resource/vm" ` + key + ` -X POST \
-d "name=Ubuntu-16-04" -d "os_name=ubuntu" -d "os_version=22.04" -d "disks=20" -d "vcpu=2" -d "ram=2048" \
-d "designated_pool_uuid={{pool}}" -d "username=example" -d "password=Password123" -d "billing_account_id=6" \
-d "network_uuid={{net}}" \
-d 'cloud_init={"runcmd": ["/firstboot"], "write_files": [{"path": "/firstboot", "content": "IyEvYmluL2Jhc2gKZWNobyBOb3cgQm9vdGluZwoK", "permissions": "0755", "encoding": "b64"}]}'`,
			status: 200,
			want: map[string]any{"name": "Ubuntu-16-04", "memory": 2048.0, "vcpu": 2.0, "status": "running", "billing_account": 6.0,
				"designated_pool_uuid": "{{pool}}", "username": "example", "storage.0.size": 20.0, "storage.0.primary": true, "private_ipv4": keyPresent},
			save: map[string]string{"vm": "uuid", "boot": "storage.0.uuid"}},
		{name: "get VM", curl: `curl "` + api + `/user-resource/vm?uuid={{vm}}" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"uuid": "{{vm}}", "os_name": "ubuntu", "os_version": "22.04", "storage.#": 1.0}},
		{name: "the VM is in its network", curl: `curl "` + api + `/network/network/{{net}}" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"vm_uuids": []any{"{{vm}}"}, "resources_count": 1.0}},
		{name: "list VMs", curl: `curl "` + api + `/user-resource/vm/list" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"#": 1.0, "0.uuid": "{{vm}}"}},
		{name: "change password (running VM)", curl: `curl "` + api + `/user-resource/vm/user" ` + key + ` -X PATCH -d "uuid={{vm}}" -d "username=example" -d "password=Password1234"`, status: 200,
			want: map[string]any{"success": true}},
		{name: "resize while running is refused", curl: `curl "` + api + `/user-resource/vm" ` + key + ` -X PATCH -d "uuid={{vm}}" -d "name=web-server" -d "vcpu=4" -d "ram=4096"`, status: 409,
			want: map[string]any{"errors.Error": keyPresent}},
		{name: "stop VM", curl: `curl "` + api + `/user-resource/vm/stop" ` + key + ` -X POST -d "uuid={{vm}}"`, status: 200,
			want: map[string]any{"status": "stopped"}},
		// The document's example sets ram=2048, the value the VM already has:
		// the API refuses a no-op resize (API-NOTES), so it is tried as is, then with a change.
		{name: "modify VM, the document's values", curl: `curl "` + api + `/user-resource/vm" ` + key + ` -X PATCH -d "uuid={{vm}}" -d "name=web-server" -d "vcpu=4" -d "ram=2048"`, status: 400,
			want: map[string]any{"errors.Error": keyPresent}},
		{name: "modify VM", curl: `curl "` + api + `/user-resource/vm" ` + key + ` -X PATCH -d "uuid={{vm}}" -d "name=web-server" -d "vcpu=4" -d "ram=4096"`, status: 200,
			want: map[string]any{"name": "web-server", "vcpu": 4.0, "memory": 4096.0, "status": "stopped"}},
		{name: "password change needs a running VM", curl: `curl "` + api + `/user-resource/vm/user" ` + key + ` -X PATCH -d "uuid={{vm}}" -d "username=example" -d "password=Password1234"`, status: 409,
			want: map[string]any{"errors.Error": keyPresent}},
		{name: "start VM", curl: `curl "` + api + `/user-resource/vm/start" ` + key + ` -X POST -d "uuid={{vm}}"`, status: 200,
			want: map[string]any{"status": "running"}},
		{name: "start a missing VM (the document's example)", curl: `curl "` + api + `/user-resource/vm/start" ` + key + ` -X POST -d "uuid=aaaaaaaa-0000-bbbb-1111-cccccccccccc"`, status: 404,
			want: map[string]any{"errors.Error": "No such virtual machine exists. aaaaaaaa-0000-bbbb-1111-cccccccccccc"}},
		{name: "toggle backup", curl: `curl "` + api + `/user-resource/vm/backup" ` + key + ` -X POST -d "uuid={{vm}}"`, status: 200,
			want: map[string]any{"backup": true}},
		{name: "add disk", curl: `curl "` + api + `/user-resource/vm/storage" ` + key + ` -X POST -d "uuid={{vm}}" -d "size_gb=50"`, status: 200,
			want: map[string]any{"size": 50.0, "primary": false, "name": "vdb"}, save: map[string]string{"vmdisk": "uuid"}},
		{name: "grow disk", curl: `curl "` + api + `/user-resource/vm/storage" ` + key + ` -X PATCH -d "uuid={{vm}}" -d "disk_uuid={{vmdisk}}" -d "size_gb=60"`, status: 200,
			want: map[string]any{"size": 60.0, "uuid": "{{vmdisk}}"}},
		{name: "disks never shrink", curl: `curl "` + api + `/user-resource/vm/storage" ` + key + ` -X PATCH -d "uuid={{vm}}" -d "disk_uuid={{vmdisk}}" -d "size_gb=40"`, status: 400,
			want: map[string]any{"errors.Error": keyPresent}},
		{name: "delete attached disk", curl: `curl "` + api + `/user-resource/vm/storage" ` + key + ` -X DELETE -d "uuid={{vm}}" -d "storage_uuid={{vmdisk}}"`, status: 200,
			want: map[string]any{"success": true}},

		// Standalone disks (form fields).
		{name: "create disk", curl: `curl "` + api + `/storage/disks" ` + key + ` -X POST -d "billing_account_id=129673" -d "size_gb=50" -d "source_image_type=EMPTY"`, status: 200,
			want: map[string]any{"status": "Active", "size_gb": 50.0, "billing_account_id": 129673.0, "source_image_type": "EMPTY"},
			save: map[string]string{"disk": "uuid"}},
		{name: "get disk", curl: `curl "` + api + `/storage/disks/{{disk}}" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"uuid": "{{disk}}", "snapshots": []any{}}},
		{name: "list disks", curl: `curl "` + api + `/storage/disks" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"#": 1.0, "0.uuid": "{{disk}}"}},
		{name: "modify disk info", curl: `curl "` + api + `/storage/disks/{{disk}}" ` + key + ` -X PATCH -d "billing_account_id=129072"`, status: 200,
			want: map[string]any{"billing_account_id": 129072.0}},
		{name: "attach disk", curl: `curl "` + api + `/user-resource/vm/storage/attach" ` + key + ` -X POST -d "uuid={{vm}}" -d "storage_uuid={{disk}}"`, status: 200,
			want: map[string]any{"uuid": "{{disk}}", "size": 50.0, "primary": false}},
		{name: "an attached disk is not deleted", curl: `curl "` + api + `/storage/disks/{{disk}}" ` + key + ` -X DELETE`, status: 409,
			want: map[string]any{"errors.Error": keyPresent}},
		{name: "detach disk", curl: `curl "` + api + `/user-resource/vm/storage/detach" ` + key + ` -X POST -d "uuid={{vm}}" -d "storage_uuid={{disk}}"`, status: 200,
			want: map[string]any{"success": true}},
		{name: "delete disk", curl: `curl "` + api + `/storage/disks/{{disk}}" ` + key + ` -X DELETE`, status: 204, empty: true},

		// Floating IPs (JSON). The VM was made with reserve_public_ip's
		// default (true): release its address first.
		{name: "release the VM's public IP", curl: `curl "` + api + `/user-resource/vm/ip/public" ` + key + ` -X DELETE -d "uuid={{vm}}"`, status: 200,
			want: map[string]any{"uuid": "{{vm}}"}},
		{name: "create floating IP", curl: `curl "` + api + `/network/ip_addresses" ` + key + ` -X POST -H "Content-Type: application/json" --data '{"name": "my_ip", "billing_account_id": 2}'`, status: 200,
			want: map[string]any{"name": "my_ip", "type": "public", "network_id": nil, "assigned_to": nil, "billing_account_id": 2.0},
			save: map[string]string{"ip": "address"}},
		{name: "list floating IPs", curl: `curl "` + api + `/network/ip_addresses" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"#": 2.0}},
		{name: "list floating IPs of a billing account", curl: `curl "` + api + `/network/ip_addresses?billing_account_id=2" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"#": 1.0, "0.name": "my_ip"}},
		{name: "a floating IP needs a billing account", curl: `curl "` + api + `/network/ip_addresses" ` + key + ` -X POST -H "Content-Type: application/json" --data '{"name": "my_ip"}'`, status: 400,
			want: map[string]any{"errors.Error": "billing_account_id is required: the billing account that pays for the address"}},
		{name: "get floating IP", curl: `curl "` + api + `/network/ip_addresses/{{ip}}" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"address": "{{ip}}", "enabled": true}},
		// The document's body lacks a quote: {"name": "my_ip", billing_account_id": 2}.
		{name: "update floating IP", curl: `curl "` + api + `/network/ip_addresses/{{ip}}" ` + key + ` -H "Content-Type: application/json" -X PATCH --data '{"name": "my_ip2", "billing_account_id": 2}'`, status: 200,
			want: map[string]any{"name": "my_ip2", "billing_account_id": 2.0}},
		{name: "assign floating IP", curl: `curl "` + api + `/network/ip_addresses/{{ip}}/assign" ` + key + ` -H "Content-Type: application/json" -X POST --data '{"vm_uuid": "{{vm}}"}'`, status: 200,
			want: map[string]any{"assigned_to": "{{vm}}", "assigned_to_resource_type": "virtual_machine", "assigned_to_private_ip": keyPresent}},
		{name: "unassign floating IP", curl: `curl "` + api + `/network/ip_addresses/{{ip}}/unassign" ` + key + ` -X POST`, status: 200,
			want: map[string]any{"assigned_to": nil, "unassigned_at": keyPresent}},
		// The document's curl drops /network/ (API-NOTES): that path is no API.
		{name: "delete floating IP, the document's curl path", curl: `curl "` + api + `/ip_addresses/{{ip}}" ` + key + ` -X DELETE`, status: 404,
			want: map[string]any{"errors.Error": keyPresent}},
		{name: "delete floating IP", curl: `curl "` + api + `/network/ip_addresses/{{ip}}" ` + key + ` -X DELETE`, status: 200, empty: true},

		// Load balancers (JSON). The document's bodies lack a comma after
		// "my LB" and have trailing commas; one target here.
		{name: "create load balancer", curl: `curl "` + api + `/network/load_balancers" ` + key + ` -X POST -H "Content-Type: application/json" --data
'{
"display_name": "my LB",
"billing_account_id": 130157,
"network_uuid": "{{net}}",
"reserve_public_ip" : "true",
"rules": [{"source_port": 8080, "target_port": 80}],
"targets": [{"target_uuid": "{{vm}}", "target_type": "vm"}]
}'`, status: 200,
			want: map[string]any{"display_name": "my LB", "billing_account_id": 130157.0, "network_uuid": "{{net}}", "forwarding_rules.0.source_port": 8080.0,
				"forwarding_rules.0.target_port": 80.0, "targets.0.target_uuid": "{{vm}}", "private_address": keyPresent},
			save: map[string]string{"lb": "uuid", "rule": "forwarding_rules.0.uuid"}},
		{name: "list load balancers", curl: `curl "` + api + `/network/load_balancers" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"#": 1.0, "0.uuid": "{{lb}}"}},
		{name: "get load balancer", curl: `curl "` + api + `/network/load_balancers/{{lb}}" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"uuid": "{{lb}}", "targets.#": 1.0}},
		{name: "rename load balancer", curl: `curl "` + api + `/network/load_balancers/{{lb}}" ` + key + ` -X PATCH -H "Content-Type: application/json" --data
'{
"display_name": "my new LB Name"
}'`, status: 200, want: map[string]any{"display_name": "my new LB Name"}},
		{name: "unlink target", curl: `curl "` + api + `/network/load_balancers/{{lb}}/targets/{{vm}}" ` + key + ` -X DELETE -H "Content-Type: application/json"`, status: 200, empty: true},
		{name: "add target", curl: `curl "` + api + `/network/load_balancers/{{lb}}/targets" ` + key + ` -X POST -H "Content-Type: application/json" --data
'{
"target_uuid": "{{vm}}",
"target_type": "vm"
}'`, status: 200, want: map[string]any{"target_uuid": "{{vm}}", "target_type": "vm", "target_ip_address": keyPresent}},
		{name: "add forwarding rule", curl: `curl "` + api + `/network/load_balancers/{{lb}}/forwarding_rules" ` + key + ` -X POST -H "Content-Type: application/json" --data
'{
"source_port": 8081,
"target_port": 80
}'`, status: 200, want: map[string]any{"source_port": 8081.0, "target_port": 80.0}},
		{name: "drop forwarding rule", curl: `curl "` + api + `/network/load_balancers/{{lb}}/forwarding_rules/{{rule}}" ` + key + ` -X DELETE -H "Content-Type: application/json"`, status: 200, empty: true},
		{name: "change billing account", curl: `curl "` + api + `/network/load_balancers/{{lb}}/billing_account" ` + key + ` -X PUT -H "Content-Type: application/json" --data
'{
"set_id": 123456
}'`, status: 200, want: map[string]any{"billing_account_id": 123456.0, "forwarding_rules.#": 1.0, "forwarding_rules.0.source_port": 8081.0}},
		{name: "delete load balancer", curl: `curl "` + api + `/network/load_balancers/{{lb}}" ` + key + ` -X DELETE -H "Content-Type: application/json"`, status: 200, empty: true},

		// Object storage (global; form fields).
		{name: "S3 API info", curl: `curl "` + api + `/storage/api/s3" ` + key + ` -X GET`, status: 200, want: map[string]any{"url": keyPresent}},
		{name: "create bucket", curl: `curl --location --request PUT "` + api + `/storage/bucket" ` + key + ` -d "name=pang1" -d "billing_account_id=12345"`, status: 200,
			want: map[string]any{"name": "pang1", "size_bytes": 0.0, "num_objects": 0.0, "billing_account_id": 12345.0, "is_suspended": false}},
		{name: "bucket names are global", curl: `curl --location --request PUT "` + api + `/jkt02/storage/bucket" ` + key + ` -d "name=pang1" -d "billing_account_id=129072"`, status: 409,
			want: map[string]any{"errors.Error": keyPresent}},
		// The document's example ends in a stray backslash; billing_account_id is its form parameter.
		{name: "modify bucket", curl: `curl "` + api + `/storage/bucket" ` + key + ` -X PATCH -d "name=pang1" -d "billing_account_id=129072"`, status: 200,
			want: map[string]any{"billing_account_id": 129072.0}},
		{name: "get bucket", curl: `curl "` + api + `/storage/bucket?name=pang1" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"name": "pang1", "billing_account_id": 129072.0}},
		{name: "list buckets (a form body on GET)", curl: `curl "` + api + `/storage/bucket/list" ` + key + ` -d "billing_account_id=129072" -X GET`, status: 200,
			want: map[string]any{"#": 1.0, "0.name": "pang1"}},
		{name: "get S3 user", curl: `curl "` + api + `/storage/user" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"maxBuckets": 1000.0, "s3Credentials.#": 1.0, "caps": []any{}}, save: map[string]string{"s3key": "s3Credentials.0.accessKey"}},
		{name: "generate key", curl: `curl "` + api + `/storage/user/keys" ` + key + ` -X POST`, status: 200, want: map[string]any{"#": 2.0}},
		{name: "delete key", curl: `curl "` + api + `/storage/user/keys" ` + key + ` -X DELETE -d "access_key={{s3key}}"`, status: 200, empty: true},
		{name: "get keys", curl: `curl "` + api + `/storage/user/keys" ` + key + ` -X GET`, status: 200, want: map[string]any{"#": 1.0}},
		{name: "delete bucket", curl: `curl "` + api + `/storage/bucket" ` + key + ` -d "name=pang1" -X DELETE`, status: 204, empty: true},

		// Billing.
		{name: "billing account's resources", curl: `curl "` + api + `/user-resource/billing_resources?id=6" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"#": 1.0, "0.uuid": "{{vm}}", "0.hypervisor_id": nil, "0.storage.0.public_ipv4": nil}},
		{name: "set resource billing of a missing VM (the document's example)", curl: `curl "` + api + `/user-resource/resource_billing" ` + key + ` -X POST -d "billing_account_id=0" -d "uuid=aaaaaaaa-0000-bbbb-1111-cccccccccccc"`, status: 404,
			want: map[string]any{"errors.Error": "No such virtual machine exists. aaaaaaaa-0000-bbbb-1111-cccccccccccc"}},
		{name: "pricing policy", curl: `curl "` + api + `/pricing/policy" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"policy.#": 8.0, "policy.0.resourceType": "CPU", "policy.0.price": 0.00521, "policy.2.megsRam": 1024.0, "policy.7.price": 3.42e-05}},

		// Deletes, as the document shows them.
		{name: "delete VM", curl: `curl "` + api + `/user-resource/vm" ` + key + ` -X DELETE -d "uuid={{vm}}"`, status: 200, empty: true},
		{name: "delete a missing VM (the document's example)", curl: `curl "` + api + `/user-resource/vm" ` + key + ` -X DELETE -d "uuid=aaaaaaaa-0000-bbbb-1111-cccccccccccc"`, status: 404,
			want: map[string]any{"errors.Error": "No such virtual machine exists. aaaaaaaa-0000-bbbb-1111-cccccccccccc"}},
		{name: "the network is empty again", curl: `curl "` + api + `/network/network/{{net}}" ` + key + ` -X GET`, status: 200,
			want: map[string]any{"vm_uuids": []any{}, "resources_count": 0.0}},
	}
}

// runCurlSteps sends each step to base and checks it.
func runCurlSteps(t *testing.T, base string, steps []docStep) {
	t.Helper()
	vars := map[string]string{}
	subst := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{{"+k+"}}", v)
		}
		return s
	}
	for _, st := range steps {
		cmdline := subst(st.curl)
		if strings.Contains(cmdline, "{{") {
			t.Fatalf("%s: unresolved variable in %s", st.name, cmdline)
		}
		r := simCurl(t, base, cmdline)
		if r.err != nil {
			t.Fatalf("%s: %v\n%s", st.name, r.err, cmdline)
		}
		if r.status != st.status {
			t.Fatalf("%s: status %d, want %d: %s\n%s", st.name, r.status, st.status, r.body, cmdline)
		}
		if st.empty {
			if len(r.body) != 0 {
				t.Errorf("%s: body %q, want none", st.name, r.body)
			}
			continue
		}
		v := r.json(t)
		for path, want := range st.want {
			got, ok := jsonAt(v, path)
			switch want {
			case keyPresent:
				if !ok {
					t.Errorf("%s: no %s in %s", st.name, path, r.body)
				}
				continue
			case keyAbsent:
				if ok {
					t.Errorf("%s: %s keyPresent in %s", st.name, path, r.body)
				}
				continue
			}
			if !ok {
				t.Errorf("%s: no %s in %s", st.name, path, r.body)
				continue
			}
			if s, isStr := want.(string); isStr {
				want = subst(s)
			}
			if wl, isList := want.([]any); isList {
				for i := range wl {
					if s, isStr := wl[i].(string); isStr {
						wl[i] = subst(s)
					}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: %s (-want +got):\n%s", st.name, path, diff)
			}
		}
		for name, path := range st.save {
			got, ok := jsonAt(v, path)
			s, isStr := got.(string)
			if !ok || !isStr || s == "" {
				t.Fatalf("%s: nothing to save as %s at %s in %s", st.name, name, path, r.body)
			}
			vars[name] = s
		}
	}
}

// TestSimAnswersTheDocumentsCurlExamples starts the real `idstack sim` on
// a free loopback port and sends it the reference document's curl examples
// for every kind and the catalogue, with the document's methods and
// encodings (form fields for -d, JSON for --data with a JSON body).
func TestSimAnswersTheDocumentsCurlExamples(t *testing.T) {
	t.Parallel()
	s := startSim(t, "--ready-after", "0s", "--seed", "3")
	runCurlSteps(t, s.base, docSteps())

	// Every call was counted, and none of the steps was lost.
	var calls struct {
		Count int `json:"count"`
		Calls []struct {
			Method string `json:"method"`
			Status int    `json:"status"`
		} `json:"calls"`
	}
	r := simCurl(t, s.base, `curl "http://127.0.0.1:8080/_sim/calls"`)
	if r.status != 200 {
		t.Fatalf("/_sim/calls: %d %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, &calls); err != nil {
		t.Fatal(err)
	}
	if n := len(docSteps()); calls.Count != n || len(calls.Calls) != n {
		t.Fatalf("/_sim/calls counted %d (%d listed), want %d", calls.Count, len(calls.Calls), n)
	}
	if err := s.stop(); err != nil {
		t.Fatalf("idstack sim: %v", err)
	}
}

// TestSimQuirksLive: with --quirks live the network, disk, floating IP and
// auth endpoints answer {"message": …}, a missing VM or network is 400, and
// the VM endpoints keep the document's envelope.
func TestSimQuirksLive(t *testing.T) {
	t.Parallel()
	const missing = "aaaaaaaa-0000-bbbb-1111-cccccccccccc"
	const api = "https://api.idcloudhost.com/v1"
	s := startSim(t, "--quirks", "live", "--ready-after", "0s")
	tests := []struct {
		name   string
		curl   string
		status int
		want   map[string]any
	}{
		{"missing network: 400, second shape", `curl "` + api + `/network/network/` + missing + `" -H "apikey: k" -X GET`, 400,
			map[string]any{"message": keyPresent, "errors": keyAbsent}},
		{"missing disk: second shape", `curl "` + api + `/storage/disks/` + missing + `" -H "apikey: k" -X GET`, 404,
			map[string]any{"message": keyPresent, "errors": keyAbsent}},
		{"missing floating IP: second shape", `curl "` + api + `/network/ip_addresses/203.0.113.9" -H "apikey: k" -X GET`, 404,
			map[string]any{"message": keyPresent}},
		{"no key: second shape", `curl "` + api + `/config/locations" -X GET`, 401,
			map[string]any{"message": "No API key found in request"}},
		{"missing VM: 400, the document's shape", `curl "` + api + `/user-resource/vm?uuid=` + missing + `" -H "apikey: k" -X GET`, 400,
			map[string]any{"errors.Error": "No such virtual machine exists. " + missing, "message": keyAbsent}},
		{"VM delete keeps the document's shape", `curl "` + api + `/user-resource/vm" -H "apikey: k" -X DELETE -d "uuid=` + missing + `"`, 404,
			map[string]any{"errors.Error": keyPresent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runCurlSteps(t, s.base, []docStep{{name: tt.name, curl: tt.curl, status: tt.status, want: tt.want}})
		})
	}
	// A VM create is synchronous: it answers running.
	runCurlSteps(t, s.base, []docStep{{name: "create VM", status: 200, want: map[string]any{"status": "running"},
		curl: `curl "` + api + `/user-resource/vm" -H "apikey: k" -X POST -d "name=web-1" -d "os_name=ubuntu" -d "os_version=22.04" -d "disks=20" -d "vcpu=1" -d "ram=1024" -d "username=example" -d "password=Password123"`}})
}

// TestSimFaultFlags: --fail, --lost-response and --seed shape what a
// client sees; /_sim/ shows the calls and the world meanwhile.
func TestSimFaultFlags(t *testing.T) {
	t.Parallel()
	const api = "https://api.idcloudhost.com/v1"
	s := startSim(t, "--seed", "9",
		"--fail", "POST /network/network=503 times=1",
		"--fail", "GET /config/locations=429 retry-after=7 nth=2",
		"--lost-response", "POST /storage/disks times=1")
	if !strings.Contains(s.out.String(), "3 fault(s) installed") {
		t.Errorf("stdout %q", s.out)
	}
	create := `curl "` + api + `/network/network?name=app" -H "apikey: k" -X POST`
	if r := simCurl(t, s.base, create); r.status != 503 || !strings.Contains(string(r.body), "injected fault") {
		t.Fatalf("first create: %d %s", r.status, r.body)
	}
	if r := simCurl(t, s.base, create); r.status != 200 {
		t.Fatalf("second create: %d %s", r.status, r.body)
	}
	locs := `curl "` + api + `/config/locations" -H "apikey: k"`
	var statuses []int
	for i := 0; i < 3; i++ {
		r := simCurl(t, s.base, locs)
		statuses = append(statuses, r.status)
		if r.status == 429 && r.header.Get("Retry-After") != "7" {
			t.Errorf("429 with Retry-After %q", r.header.Get("Retry-After"))
		}
	}
	if diff := cmp.Diff([]int{200, 429, 200}, statuses); diff != "" {
		t.Errorf("nth=2 (-want +got):\n%s", diff)
	}
	// The lost create: no answer, but the disk exists.
	r := simCurl(t, s.base, `curl "`+api+`/storage/disks" -H "apikey: k" -d "size_gb=10"`)
	if r.err == nil {
		t.Fatalf("lost response answered %d %s", r.status, r.body)
	}
	var w sim.World
	if r := simCurl(t, s.base, `curl http://127.0.0.1:8080/_sim/world`); r.status != 200 || json.Unmarshal(r.body, &w) != nil {
		t.Fatalf("/_sim/world: %d %s", r.status, r.body)
	}
	if len(w.Disks) != 1 || w.Disks[0].API.SizeGB != 10 {
		t.Fatalf("the lost create was not committed: %+v", w.Disks)
	}
	var calls struct {
		Count int
		Calls []struct {
			Method, Path string
			Status       int
			Lost         bool
		}
	}
	if r := simCurl(t, s.base, `curl http://127.0.0.1:8080/_sim/calls`); json.Unmarshal(r.body, &calls) != nil {
		t.Fatalf("/_sim/calls: %s", r.body)
	}
	if calls.Count != 6 {
		t.Fatalf("count %d, want 6: %+v", calls.Count, calls.Calls)
	}
	if last := calls.Calls[5]; last.Method != "POST" || last.Path != "/storage/disks" || last.Status != 200 || !last.Lost {
		t.Fatalf("last call %+v", last)
	}
}

// TestSimEnvironment: every fault flag has an IDSTACK_SIM_ variable, which
// takes several specs separated by commas.
func TestSimEnvironment(t *testing.T) {
	const api = "https://api.idcloudhost.com/v1"
	t.Setenv("IDSTACK_SIM_FAIL", "GET /config/locations=502,GET /config/vm_images=418")
	t.Setenv("IDSTACK_SIM_LOST_RESPONSE", "DELETE /network/network/*")
	t.Setenv("IDSTACK_SIM_SEED", "11")
	t.Setenv("IDSTACK_SIM_REQUIRE_KEY", "right")
	s := startSim(t)
	for _, tt := range []struct {
		curl   string
		status int
	}{
		{`curl "` + api + `/config/locations" -H "apikey: right"`, 502},
		{`curl "` + api + `/config/vm_images" -H "apikey: right"`, 418},
		{`curl "` + api + `/network/networks" -H "apikey: right"`, 200},
		{`curl "` + api + `/network/networks" -H "apikey: wrong"`, 403},
	} {
		if r := simCurl(t, s.base, tt.curl); r.status != tt.status {
			t.Errorf("%s: %d, want %d: %s", tt.curl, r.status, tt.status, r.body)
		}
	}
	var n struct{ UUID string }
	r := simCurl(t, s.base, `curl "`+api+`/network/network?name=gone" -H "apikey: right" -X POST`)
	if err := json.Unmarshal(r.body, &n); err != nil || n.UUID == "" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r := simCurl(t, s.base, `curl "`+api+`/network/network/`+n.UUID+`" -H "apikey: right" -X DELETE`); r.err == nil {
		t.Fatalf("lost delete answered %d", r.status)
	}

	// Every call fails at rate 1, half of them 429 with the Retry-After asked.
	t.Setenv("IDSTACK_SIM_FAIL", "")
	t.Setenv("IDSTACK_SIM_LOST_RESPONSE", "")
	t.Setenv("IDSTACK_SIM_REQUIRE_KEY", "")
	t.Setenv("IDSTACK_SIM_TRANSIENT_RATE", "1")
	t.Setenv("IDSTACK_SIM_TRANSIENT_RETRY_AFTER", "3")
	s = startSim(t)
	count := map[int]int{}
	for i := 0; i < 30; i++ {
		r := simCurl(t, s.base, `curl "`+api+`/network/networks" -H "apikey: k"`)
		count[r.status]++
		if r.status == 429 && r.header.Get("Retry-After") != "3" {
			t.Fatalf("429 with Retry-After %q", r.header.Get("Retry-After"))
		}
	}
	if count[503]+count[429] != 30 || count[503] == 0 || count[429] == 0 {
		t.Fatalf("statuses at rate 1: %v", count)
	}
}

// TestSimBadFlags: a wrong fault spec stops the command before it listens.
func TestSimBadFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--fail", "POST /v1/user-resource/vm"}, "without /v1"},
		{[]string{"--fail", "POST /user-resource/vm=200"}, "want 400–599"},
		{[]string{"--fail", "POST /user-resource/vm lost"}, "use --lost-response"},
		{[]string{"--lost-response", "POST /user-resource/vm=500"}, "no status"},
		{[]string{"--transient-rate", "1.5"}, "want a share from 0 to 1"},
		{[]string{"--transient-retry-after", "-1"}, "0 or more seconds"},
		{[]string{"--quirks", "docs"}, "allowed: live"},
		{[]string{"--gateway-timeout", "-1s"}, "--gateway-timeout -1s: want a duration of 0 or more"},
		{[]string{"--ready-after", "-5s"}, "--ready-after -5s: want a duration of 0 or more"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(append([]string{"sim", "--listen", "127.0.0.1:0"}, tt.args...), IO{Out: &out, Err: &errOut})
			if code != ExitError || !strings.Contains(errOut.String(), tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit 1 and %q", code, errOut.String(), tt.want)
			}
			if strings.Contains(out.String(), "listening") {
				t.Fatalf("listened: %q", out.String())
			}
		})
	}
}

// TestSimWorldFile: the world outlives the command in --world.
func TestSimWorldFile(t *testing.T) {
	t.Parallel()
	const api = "https://api.idcloudhost.com/v1"
	file := filepath.Join(t.TempDir(), "world.json")
	s := startSim(t, "--world", file)
	if r := simCurl(t, s.base, `curl "`+api+`/network/network?name=kept" -H "apikey: k" -X POST`); r.status != 200 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.out.String(), "world saved to "+file) {
		t.Fatalf("stdout %q", s.out)
	}
	s = startSim(t, "--world", file)
	runCurlSteps(t, s.base, []docStep{{name: "the network is back", curl: `curl "` + api + `/network/networks" -H "apikey: k"`, status: 200,
		want: map[string]any{"#": 2.0, "1.name": "kept"}}})
}

// TestSimREADMEExample runs the README's simulator example, curl by curl,
// against the real command; and checks that the README and --help name
// every flag of `idstack sim` and its variable.
func TestSimREADMEExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i := strings.Index(readme, "## The simulator")
	if i < 0 {
		t.Fatal("README has no simulator section")
	}
	section := readme[i:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	start := strings.Index(section, "```sh\nidstack sim --listen 127.0.0.1:8080")
	if start < 0 {
		t.Fatal("the simulator section has no ```sh block starting with idstack sim --listen 127.0.0.1:8080")
	}
	block := section[start+len("```sh\n"):]
	block = block[:strings.Index(block, "```")]
	var curls []string
	for _, cmd := range strings.Split(strings.ReplaceAll(block, "\\\n", "\\\x00"), "\n") {
		cmd = strings.ReplaceAll(cmd, "\\\x00", "\\\n")
		if strings.HasPrefix(cmd, "curl ") {
			curls = append(curls, cmd)
		}
	}
	if len(curls) < 2 {
		t.Fatalf("README example has %d curl commands", len(curls))
	}
	s := startSim(t, "--ready-after", "0s")
	for _, c := range curls {
		r := simCurl(t, s.base, c)
		if r.err != nil || r.status != 200 {
			t.Fatalf("%s\n→ %d %v %s", c, r.status, r.err, r.body)
		}
		r.json(t)
	}

	var out bytes.Buffer
	if code := Main([]string{"sim", "--help"}, IO{Out: &out, Err: &out}); code != 0 {
		t.Fatalf("sim --help: exit %d", code)
	}
	for _, f := range simCommand(&IO{}).Flags {
		name := f.Names()[0]
		if !strings.Contains(section, "--"+name) {
			t.Errorf("README's simulator section does not mention --%s", name)
		}
		if !strings.Contains(out.String(), "--"+name) {
			t.Errorf("sim --help does not mention --%s", name)
		}
		if ev, ok := f.(interface{ GetEnvVars() []string }); ok {
			for _, v := range ev.GetEnvVars() {
				if !strings.Contains(out.String(), v) {
					t.Errorf("sim --help does not mention %s", v)
				}
			}
		}
	}
	if !strings.Contains(section, "IDSTACK_SIM_") || !strings.Contains(section, "/_sim/calls") || !strings.Contains(section, "/_sim/world") {
		t.Error("README's simulator section does not describe the environment variables and /_sim/")
	}
}

const simVMCreate = `curl "https://api.idcloudhost.com/v1/user-resource/vm" -H "apikey: k" -X POST -d "name=web-1" -d "os_name=ubuntu" -d "os_version=22.04" -d "disks=20" -d "vcpu=1" -d "ram=1024" -d "username=example" -d "password=Password123" -d "reserve_public_ip=false"`

// simCalls reads /_sim/calls of a running simulator.
func simCalls(t *testing.T, base string) []simCallJSON {
	t.Helper()
	var calls struct{ Calls []simCallJSON }
	if r := simCurl(t, base, `curl http://127.0.0.1:8080/_sim/calls`); r.status != 200 || json.Unmarshal(r.body, &calls) != nil {
		t.Fatalf("/_sim/calls: %d %s", r.status, r.body)
	}
	return calls.Calls
}

type simCallJSON struct {
	Method, Path   string
	Status         int
	Lost, Pending  bool
	GatewayTimeout bool `json:"gateway_timeout"`
	Outcome        int
}

// waitSimCall polls /_sim/calls until a call of method and path satisfies
// ok (at most 10 s).
func waitSimCall(t *testing.T, base, method, path string, ok func(simCallJSON) bool) simCallJSON {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		calls := simCalls(t, base)
		for _, c := range calls {
			if c.Method == method && c.Path == path && ok(c) {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s %s as wanted in /_sim/calls within 10 s: %+v", method, path, calls)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSimVMTimingFlags: --ready-after, --async-vms, --quirks live and
// --gateway-timeout shape how VM calls answer, seen over HTTP.
func TestSimVMTimingFlags(t *testing.T) {
	t.Parallel()
	const api = "https://api.idcloudhost.com/v1"
	list := `curl "` + api + `/user-resource/vm/list" -H "apikey: k"`
	t.Run("the document: create answers running after --ready-after", func(t *testing.T) {
		t.Parallel()
		s := startSim(t, "--ready-after", "2s")
		ans := make(chan curlResult, 1)
		start := time.Now()
		go func() { ans <- simCurl(t, s.base, simVMCreate) }()
		waitSimCall(t, s.base, "POST", "/user-resource/vm", func(c simCallJSON) bool { return c.Pending })
		runCurlSteps(t, s.base, []docStep{{name: "creating meanwhile", curl: list, status: 200, want: map[string]any{"#": 1.0, "0.status": "creating"}}})
		r := <-ans
		if took := time.Since(start); r.status != 200 || took < 2*time.Second {
			t.Fatalf("create: %d after %v: %s", r.status, took, r.body)
		}
		if st, _ := jsonAt(r.json(t), "status"); st != "running" {
			t.Fatalf("create answered %v, want running", st)
		}
	})
	t.Run("--async-vms: create answers creating at once", func(t *testing.T) {
		t.Parallel()
		s := startSim(t, "--async-vms", "--ready-after", "1h")
		runCurlSteps(t, s.base, []docStep{
			{name: "create", curl: simVMCreate, status: 200, want: map[string]any{"status": "creating"}, save: map[string]string{"vm": "uuid"}},
			{name: "busy", curl: `curl "` + api + `/user-resource/vm/stop" -H "apikey: k" -X POST -d "uuid={{vm}}"`, status: 409,
				want: map[string]any{"errors.Error": keyPresent}},
		})
	})
	t.Run("--quirks live: not listed until the create finishes", func(t *testing.T) {
		t.Parallel()
		s := startSim(t, "--quirks", "live", "--ready-after", "2s")
		ans := make(chan curlResult, 1)
		go func() { ans <- simCurl(t, s.base, simVMCreate) }()
		waitSimCall(t, s.base, "POST", "/user-resource/vm", func(c simCallJSON) bool { return c.Pending })
		runCurlSteps(t, s.base, []docStep{{name: "not listed meanwhile", curl: list, status: 200, want: map[string]any{"#": 0.0}}})
		if r := <-ans; r.status != 200 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		runCurlSteps(t, s.base, []docStep{{name: "listed after", curl: list, status: 200, want: map[string]any{"#": 1.0, "0.status": "running"}}})
	})
	t.Run("--gateway-timeout: 504 while the create carries on", func(t *testing.T) {
		t.Parallel()
		s := startSim(t, "--quirks", "live", "--ready-after", "1s", "--gateway-timeout", "100ms")
		runCurlSteps(t, s.base, []docStep{{name: "create", curl: simVMCreate, status: 504, want: map[string]any{"message": sim.GatewayTimeoutMessage}}})
		c := waitSimCall(t, s.base, "POST", "/user-resource/vm", func(simCallJSON) bool { return true })
		if c.Status != 504 || !c.GatewayTimeout {
			t.Fatalf("/_sim/calls: %+v", c)
		}
		c = waitSimCall(t, s.base, "POST", "/user-resource/vm", func(c simCallJSON) bool { return !c.Pending })
		if c.Status != 504 || !c.GatewayTimeout || c.Outcome != 200 {
			t.Fatalf("/_sim/calls when done: %+v", c)
		}
		runCurlSteps(t, s.base, []docStep{{name: "the VM is there", curl: list, status: 200, want: map[string]any{"#": 1.0, "0.status": "running"}}})
	})
}

// TestSimVMTimingEnvironment: the new flags' variables, for `idstack sim`
// and for the embedded simulator (--endpoint sim).
func TestSimVMTimingEnvironment(t *testing.T) {
	t.Setenv("IDSTACK_SIM_ASYNC_VMS", "true")
	t.Setenv("IDSTACK_SIM_READY_AFTER", "1h")
	t.Setenv("IDSTACK_SIM_GATEWAY_TIMEOUT", "30s")
	s := startSim(t)
	runCurlSteps(t, s.base, []docStep{{name: "create", curl: simVMCreate, status: 200, want: map[string]any{"status": "creating"}}})

	tests := []struct {
		env  map[string]string
		want sim.Options
		err  string
	}{
		{env: nil, want: sim.Options{ReadyAfter: time.Second}},
		{env: map[string]string{"IDSTACK_SIM_ASYNC_VMS": "true", "IDSTACK_SIM_GATEWAY_TIMEOUT": "2s", "IDSTACK_SIM_READY_AFTER": "30s", "IDSTACK_SIM_QUIRKS": "live"},
			want: sim.Options{ReadyAfter: 30 * time.Second, AsyncVMs: true, GatewayTimeout: 2 * time.Second, Quirks: "live"}},
		{env: map[string]string{"IDSTACK_SIM_ASYNC_VMS": "0"}, want: sim.Options{ReadyAfter: time.Second}},
		{env: map[string]string{"IDSTACK_SIM_ASYNC_VMS": "maybe"}, err: "IDSTACK_SIM_ASYNC_VMS=\"maybe\": want true or false"},
		{env: map[string]string{"IDSTACK_SIM_GATEWAY_TIMEOUT": "soon"}, err: "IDSTACK_SIM_GATEWAY_TIMEOUT=\"soon\": want a duration"},
		{env: map[string]string{"IDSTACK_SIM_GATEWAY_TIMEOUT": "-1s"}, err: "IDSTACK_SIM_GATEWAY_TIMEOUT=\"-1s\": want a duration"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.env), func(t *testing.T) {
			stdio := &IO{LookupEnv: func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }}
			got, err := embeddedSimOptions(stdio)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Fatalf("options (-want +got):\n%s", d)
			}
		})
	}
}
