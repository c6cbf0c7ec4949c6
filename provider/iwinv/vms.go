package iwinv

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
)

const instancesPath = "/v1/instances"

func instancePath(id string) string { return instancesPath + "/" + url.PathEscape(id) }

// fieldsQuery asks an instance read for what idstack uses: never the
// default account (a password) nor the console link.
func fieldsQuery() url.Values {
	return url.Values{"fields": {strconv.Itoa(api.InstanceFields)}}
}

// ListInstances is GET /v1/instances?zone_id=… (every page). The list
// shows only the zones the API supports: an instance missing from it is
// not proven gone.
func (c *Client) ListInstances(ctx context.Context, zone string) ([]api.Instance, error) {
	q := fieldsQuery()
	q.Set("zone_id", zone)
	return listAll[api.Instance](ctx, c, instancesPath, q)
}

// GetInstance is GET /v1/instances/{id}: an array of exactly that one.
func (c *Client) GetInstance(ctx context.Context, id string) (api.Instance, error) {
	env, err := c.do(ctx, request{method: http.MethodGet, path: instancePath(id), query: fieldsQuery(), mode: idempotent, notFound: byID})
	if err != nil {
		return api.Instance{}, err
	}
	rows, err := rowsOf[api.Instance](env, "GET "+instancePath(id))
	if err != nil {
		return api.Instance{}, err
	}
	if len(rows) != 1 || rows[0].InstanceID != id {
		return api.Instance{}, fmt.Errorf("GET %s: %d rows, want exactly instance %s", instancePath(id), len(rows), id)
	}
	return rows[0], nil
}

// CreateInstance is POST /v1/instances (multipart, count 1). Never
// repeated: it has no idempotency key.
func (c *Client) CreateInstance(ctx context.Context, form []field) (string, error) {
	env, err := c.do(ctx, request{method: http.MethodPost, path: instancesPath, form: form, mode: once})
	if err != nil {
		return "", err
	}
	rows, err := rowsOf[api.Accepted](env, "POST "+instancesPath)
	if err != nil {
		return "", err
	}
	if len(rows) != 1 || rows[0].InstanceID == "" {
		return "", fmt.Errorf("POST %s: answered %d instances, want 1", instancesPath, len(rows))
	}
	return rows[0].InstanceID, nil
}

// EditInstance is PUT /v1/instances/{id}: name and description, each
// URL-encoded once as the reference asks. It sets values: repeatable.
func (c *Client) EditInstance(ctx context.Context, id string, name, description *string) error {
	var form []field
	if name != nil {
		form = append(form, field{api.FormName, url.QueryEscape(*name)})
	}
	if description != nil {
		form = append(form, field{api.FormDescription, url.QueryEscape(*description)})
	}
	_, err := c.do(ctx, request{method: http.MethodPut, path: instancePath(id), query: fieldsQuery(), form: form, mode: idempotent, notFound: byID})
	return err
}

// InstanceAction is POST /v1/instances/{id}/{start|shutdown|reboot|
// rebuild|resize}: 202, done when the instance settles. Never repeated
// blindly: callers read the instance after an unknown outcome.
func (c *Client) InstanceAction(ctx context.Context, id, action string, form []field) error {
	if form == nil {
		form = []field{}
	}
	_, err := c.do(ctx, request{method: http.MethodPost, path: instancePath(id) + "/" + action, form: form, mode: once, notFound: byID})
	return err
}

// DeleteInstance is DELETE /v1/instances/{id}: 202 "deleting"; it returns
// the block storages the instance leaves behind.
func (c *Client) DeleteInstance(ctx context.Context, id string) ([]string, error) {
	env, err := c.do(ctx, request{method: http.MethodDelete, path: instancePath(id), mode: once, notFound: byID})
	if err != nil {
		return nil, err
	}
	rows, err := rowsOf[api.Accepted](env, "DELETE "+instancePath(id))
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0].BlockStorages, nil
}

// Power states, as the stack file's power field says them.
const (
	powerRunning = "running"
	powerStopped = "stopped"
)

// statusWord is an instance's Object.Status: its power state when it is
// settled (active: running, shutoff: stopped), so that the engine can wait
// for the power the file declares; the API's own word during a transition.
func statusWord(s string) string {
	switch s {
	case api.StatusActive:
		return powerRunning
	case api.StatusShutoff:
		return powerStopped
	}
	return s
}

// powerOf is the power state a status is in or on its way to; "" when a
// status does not tell (a resize ends as it began; a delete ends nowhere).
func powerOf(s string) string {
	switch s {
	case api.StatusActive, api.StatusBuilding, api.StatusStarting, api.StatusRebooting, api.StatusRebuilding:
		return powerRunning
	case api.StatusShutoff, api.StatusStopping:
		return powerStopped
	}
	return ""
}

func settled(s string) bool { return s == api.StatusActive || s == api.StatusShutoff }

func vmObject(location string, in api.Instance) provider.Object {
	name := ""
	if in.Name != nil {
		name = *in.Name
	}
	a := provider.Attrs{
		"name":        name,
		"description": in.Description.Value,
		"power":       powerOf(in.Status),
		"status":      in.Status,
		"ips":         strs(in.IP),
		"ip":          "",
	}
	if len(in.IP) > 0 {
		a["ip"] = in.IP[0]
	}
	if in.Zone != nil && in.Zone.ZoneID != "" {
		location = in.Zone.ZoneID
	}
	if in.Flavor != nil {
		a["flavor"], a["flavor_name"] = in.Flavor.FlavorID, in.Flavor.Name
	}
	if in.Image != nil {
		a["image"], a["image_name"] = in.Image.ImageID, in.Image.Name
	}
	return provider.Object{Kind: VMs, Location: location, ID: in.InstanceID, Name: name, Status: statusWord(in.Status), Attrs: a}
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (c *Client) listVMObjects(ctx context.Context, location string) ([]provider.Object, error) {
	ins, err := c.ListInstances(ctx, location)
	if err != nil {
		return nil, err
	}
	out := make([]provider.Object, 0, len(ins))
	for _, in := range ins {
		out = append(out, vmObject(location, in))
	}
	return out, nil
}

func (c *Client) getVMObject(ctx context.Context, id string) (provider.Object, error) {
	in, err := c.GetInstance(ctx, id)
	if err != nil {
		return provider.Object{}, err
	}
	return vmObject("", in), nil
}

// createVM makes an instance and, for power: stopped, shuts it down once
// it is built. It does not wait for readiness: the engine waits for the
// declared power.
func (c *Client) createVM(ctx context.Context, location string, a provider.Attrs) (provider.Object, error) {
	r := provider.AttrReader{Attrs: a}
	name, desc := r.Str("name"), r.Str("description")
	flavor, image := r.Str("flavor"), r.Str("image")
	sshKey, script, power := r.Str("ssh_key"), r.Str("user_script"), r.Str("power")
	if r.Err != nil {
		return provider.Object{}, notSentErr(r.Err)
	}
	if power != "" && power != powerRunning && power != powerStopped {
		return provider.Object{}, notSentErr(fmt.Errorf("power: want running or stopped, got %q", power))
	}
	form := []field{{api.FormZoneID, location}, {api.FormImageID, image}, {api.FormFlavorID, flavor},
		{api.FormName, url.QueryEscape(name)}, {api.FormCount, "1"}}
	if desc != "" {
		form = append(form, field{api.FormDescription, url.QueryEscape(desc)})
	}
	if sshKey != "" {
		form = append(form, field{api.FormSSHKeyID, sshKey})
	}
	if script != "" {
		form = append(form, field{api.FormUserScriptID, script})
	}
	id, err := c.CreateInstance(ctx, form)
	if err != nil {
		return provider.Object{}, err
	}
	made := provider.Object{Kind: VMs, Location: location, ID: id, Name: name, Status: api.StatusBuilding,
		Attrs: provider.Attrs{"name": name, "description": desc, "flavor": flavor, "image": image, "power": powerRunning, "status": api.StatusBuilding}}
	if power == powerStopped {
		if _, err := c.setPower(ctx, id, powerStopped); err != nil {
			return made, fmt.Errorf("instance %s created, but shutting it down failed: %w", id, err)
		}
	}
	obj, err := c.getVMObject(ctx, id)
	if err != nil { // it exists: answer it rather than fail the create
		return made, nil
	}
	return obj, nil
}

// updateVM applies in-place changes in a fixed order once the instance is
// settled: name and description (one edit), the image (rebuild: it ends
// running), the flavor (resize; a stopped instance is stopped first if the
// file wants it stopped, so that the resize does not restart it), then the
// power the file declares (or the instance had).
func (c *Client) updateVM(ctx context.Context, id string, changes []provider.FieldChange) (provider.Object, error) {
	cs := provider.IndexChanges(changes)
	if err := cs.Only("name", "description", "flavor", "image", "power"); err != nil {
		return provider.Object{}, fmt.Errorf("instance %s: %w", id, err)
	}
	if _, err := c.GetInstance(ctx, id); err != nil {
		return provider.Object{}, err
	}
	in, err := c.waitSettled(ctx, id)
	if err != nil {
		return provider.Object{}, err
	}
	want := provider.Attrs{}
	for f, ch := range cs {
		want[f] = ch.After
	}
	r := provider.AttrReader{Attrs: want}
	wantPower := powerOf(in.Status)
	if r.Has("power") {
		wantPower = r.Str("power")
	}
	if r.Err == nil && wantPower != powerRunning && wantPower != powerStopped {
		return provider.Object{}, fmt.Errorf("power: want running or stopped, got %q", wantPower)
	}
	var name, desc *string
	if v := r.Str("name"); r.Has("name") && in.Name != nil && v != *in.Name {
		name = &v
	}
	if v := r.Str("description"); r.Has("description") && v != in.Description.Value {
		desc = &v
	}
	image, flavor := r.Str("image"), r.Str("flavor")
	if r.Err != nil {
		return provider.Object{}, r.Err
	}
	if name != nil || desc != nil {
		if err := c.whenSettled(ctx, id, func() error { return c.EditInstance(ctx, id, name, desc) }); err != nil {
			return provider.Object{}, err
		}
	}
	if image != "" && (in.Image == nil || image != in.Image.ImageID) {
		if err := c.rebuild(ctx, id, image); err != nil {
			return provider.Object{}, err
		}
	}
	if flavor != "" && (in.Flavor == nil || flavor != in.Flavor.FlavorID) {
		if wantPower == powerStopped {
			if _, err := c.setPower(ctx, id, powerStopped); err != nil {
				return provider.Object{}, err
			}
		}
		if err := c.resize(ctx, id, flavor); err != nil {
			return provider.Object{}, err
		}
	}
	if _, err := c.setPower(ctx, id, wantPower); err != nil {
		return provider.Object{}, err
	}
	return c.getVMObject(ctx, id)
}

// deleteVM deletes an instance once it is settled and returns when it is
// gone; its block storages are left behind, detached.
func (c *Client) deleteVM(ctx context.Context, id string) error {
	for attempt := 1; ; attempt++ {
		in, err := c.GetInstance(ctx, id)
		if err != nil {
			return err
		}
		if in.Status == api.StatusDeleting {
			break
		}
		if !settled(in.Status) {
			if _, err := c.waitSettled(ctx, id); err != nil {
				return err
			}
		}
		_, err = c.DeleteInstance(ctx, id)
		if err == nil || isNotFound(err) {
			break
		}
		// A busy refusal, or an unknown outcome: read it again rather
		// than repeat the delete blindly.
		if ctx.Err() != nil || !(transient(err) || isBusy(err)) || attempt >= c.maxAttempts {
			return err
		}
	}
	return c.waitGone(ctx, "instance "+id, func(ctx context.Context) (string, error) {
		in, err := c.GetInstance(ctx, id)
		return in.Status, err
	})
}

// waitGone polls read until it answers "not found".
func (c *Client) waitGone(ctx context.Context, what string, read func(context.Context) (string, error)) error {
	return c.waitFor(ctx, what+" to be gone", func(ctx context.Context) (bool, string, error) {
		st, err := read(ctx)
		if isNotFound(err) {
			return true, "", nil
		}
		return false, st, err
	})
}
