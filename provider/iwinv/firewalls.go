package iwinv

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
)

const groupsPath = "/v1/security-groups"

func groupPath(id string) string { return groupsPath + "/" + url.PathEscape(id) }

// ListGroups is GET /v1/security-groups (every page).
func (c *Client) ListGroups(ctx context.Context) ([]api.SecurityGroup, error) {
	return listAll[api.SecurityGroup](ctx, c, groupsPath, nil)
}

// GetGroup is GET /v1/security-groups/{id}. A group that does not exist
// answers an empty array (seen live): that is provider.ErrNotFound.
func (c *Client) GetGroup(ctx context.Context, id string) (api.SecurityGroup, error) {
	env, err := c.do(ctx, request{method: http.MethodGet, path: groupPath(id), mode: idempotent, notFound: by404})
	if err != nil {
		return api.SecurityGroup{}, err
	}
	rows, err := rowsOf[api.SecurityGroup](env, "GET "+groupPath(id))
	switch {
	case err != nil:
		return api.SecurityGroup{}, err
	case len(rows) == 0:
		return api.SecurityGroup{}, absent(http.MethodGet, groupPath(id), "security group "+id)
	case len(rows) != 1 || rows[0].FirewallID != id:
		return api.SecurityGroup{}, fmt.Errorf("GET %s: %d rows, want exactly security group %s", groupPath(id), len(rows), id)
	}
	return rows[0], nil
}

// CreateGroup is POST /v1/security-groups (JSON). Never repeated.
func (c *Client) CreateGroup(ctx context.Context, in api.SecurityGroupInput) (string, error) {
	env, err := c.do(ctx, request{method: http.MethodPost, path: groupsPath, json: in, mode: once})
	if err != nil {
		return "", err
	}
	rows, err := rowsOf[api.SecurityGroup](env, "POST "+groupsPath)
	if err != nil {
		return "", err
	}
	if len(rows) != 1 || rows[0].FirewallID == "" {
		return "", fmt.Errorf("POST %s: answered %d groups, want 1", groupsPath, len(rows))
	}
	return rows[0].FirewallID, nil
}

// EditGroup is PUT /v1/security-groups/{id}: it sets values, repeatable.
func (c *Client) EditGroup(ctx context.Context, id string, in api.SecurityGroupInput) error {
	_, err := c.do(ctx, request{method: http.MethodPut, path: groupPath(id), json: in, mode: idempotent, notFound: by404})
	return err
}

// DeleteGroup is DELETE /v1/security-groups/{id} (its rules go with it).
func (c *Client) DeleteGroup(ctx context.Context, id string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: groupPath(id), mode: idempotent, notFound: by404})
	return err
}

// GroupInstances is GET /v1/security-groups/{id}/instances.
func (c *Client) GroupInstances(ctx context.Context, id string) ([]api.AttachedInstance, error) {
	return listAll[api.AttachedInstance](ctx, c, groupPath(id)+"/instances", nil)
}

// AttachGroup and DetachGroup are POST …/attach and …/detach
// ({instance_id}); repeating one does nothing, so they are repeatable.
func (c *Client) AttachGroup(ctx context.Context, id, instance string) error {
	_, err := c.do(ctx, request{method: http.MethodPost, path: groupPath(id) + "/attach", json: api.AttachInput{InstanceID: instance}, mode: idempotent, notFound: by404})
	return err
}

// DetachGroup detaches a group from an instance.
func (c *Client) DetachGroup(ctx context.Context, id, instance string) error {
	_, err := c.do(ctx, request{method: http.MethodPost, path: groupPath(id) + "/detach", json: api.AttachInput{InstanceID: instance}, mode: idempotent, notFound: by404})
	return err
}

// attachGroup attaches a group to an instance. An instance that is busy
// (building, resizing…: 409 DELETED_OR_WORKING_INSTANCE, nothing done) is
// waited for and the attach made again, as for any change to it: an
// instance adopted after a killed run may still be building.
func (c *Client) attachGroup(ctx context.Context, id, instance string) error {
	return c.whenSettled(ctx, instance, func() error { return c.AttachGroup(ctx, id, instance) })
}

// detachGroup detaches a group from an instance, waiting out a busy
// instance likewise. An instance that is gone (or goes while it is
// waited for) has no attachment left: no error.
func (c *Client) detachGroup(ctx context.Context, id, instance string) error {
	gone := false
	err := c.retryBusy(ctx, func() error {
		if gone {
			return nil
		}
		return c.DetachGroup(ctx, id, instance)
	}, func(ctx context.Context) error {
		_, err := c.waitSettled(ctx, instance)
		if isNotFound(err) {
			gone = true
			return nil
		}
		return err
	})
	if isNotFound(err) {
		return nil
	}
	return err
}

// groupParts is a group with its rules and the instances it is attached to.
type groupParts struct {
	group     api.SecurityGroup
	rules     []api.Rule
	instances []string
}

func firewallObject(p groupParts) provider.Object {
	desc := ""
	if p.group.Content != nil {
		desc = html.UnescapeString(*p.group.Content) // answered HTML-escaped (seen live)
	}
	rules := make([]any, 0, len(p.rules))
	for _, r := range p.rules {
		rules = append(rules, ruleOf(r).attrs(r.RuleID))
	}
	ids := slices.Sorted(slices.Values(p.instances))
	return provider.Object{Kind: Firewalls, ID: p.group.FirewallID, Name: p.group.Title, Attrs: provider.Attrs{
		"name":        p.group.Title,
		"description": desc,
		"icmp":        p.group.ICMP == api.ICMPYes,
		"rules":       rules,
		"attach_to":   strs(ids),
	}}
}

// parts reads a group's rules and instances. A group deleted meanwhile
// makes them answer CHECK_PARAM (seen live), which alone does not prove
// it gone: the group is read again, and only its absence is NotFound.
func (c *Client) parts(ctx context.Context, g api.SecurityGroup) (groupParts, error) {
	p := groupParts{group: g}
	rules, err := listAll[api.Rule](ctx, c, groupPath(g.FirewallID)+"/rules", nil)
	var ins []api.AttachedInstance
	if err == nil {
		ins, err = c.GroupInstances(ctx, g.FirewallID)
	}
	if err != nil {
		if codeOf(err) == api.CheckParam.Name {
			if _, gerr := c.GetGroup(ctx, g.FirewallID); isNotFound(gerr) {
				return p, gerr
			}
		}
		return p, err
	}
	p.rules = rules
	for _, in := range ins {
		p.instances = append(p.instances, in.InstanceID)
	}
	return p, nil
}

func (c *Client) getParts(ctx context.Context, id string) (groupParts, error) {
	g, err := c.GetGroup(ctx, id)
	if err != nil {
		return groupParts{}, err
	}
	return c.parts(ctx, g)
}

func (c *Client) getFirewallObject(ctx context.Context, id string) (provider.Object, error) {
	p, err := c.getParts(ctx, id)
	if err != nil {
		return provider.Object{}, err
	}
	return firewallObject(p), nil
}

// listFirewallObjects lists the groups, then each group's rules and
// instances, a few groups at a time. A group deleted meanwhile is left
// out.
func (c *Client) listFirewallObjects(ctx context.Context) ([]provider.Object, error) {
	groups, err := c.ListGroups(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]provider.Object, len(groups))
	keep := make([]bool, len(groups))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, 4)
	)
	for i, g := range groups {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			p, err := c.parts(ctx, g)
			switch {
			case isNotFound(err):
			case err != nil:
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			default:
				out[i], keep[i] = firewallObject(p), true
			}
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	objs := out[:0]
	for i, o := range out {
		if keep[i] {
			objs = append(objs, o)
		}
	}
	return objs, nil
}

// firewallSpec is a firewall as the stack file writes it.
type firewallSpec struct {
	name, description string
	icmp              bool
	rules             []ruleSpec
	attach            []string
}

func readFirewall(a provider.Attrs) (firewallSpec, error) {
	r := provider.AttrReader{Attrs: a}
	f := firewallSpec{name: r.Str("name"), description: r.Str("description"), icmp: r.Bool("icmp"), attach: r.Strs("attach_to")}
	if r.Err != nil {
		return f, r.Err
	}
	if f.name == "" {
		return f, fmt.Errorf("name: a firewall needs a name")
	}
	var err error
	f.rules, err = parseRules(a["rules"])
	return f, err
}

func icmpFlag(b bool) string {
	if b {
		return api.ICMPYes
	}
	return api.ICMPNo
}

// createFirewall makes a group, then its rules, then its attachments. A
// failure after the group exists answers it with the error: the caller
// owns it.
func (c *Client) createFirewall(ctx context.Context, a provider.Attrs) (provider.Object, error) {
	f, err := readFirewall(a)
	if err != nil {
		return provider.Object{}, notSentErr(err)
	}
	in := api.SecurityGroupInput{Title: f.name, ICMP: icmpFlag(f.icmp)}
	if f.description != "" {
		in.Content = &f.description
	}
	id, err := c.CreateGroup(ctx, in)
	if err != nil {
		return provider.Object{}, err
	}
	made := provider.Object{Kind: Firewalls, ID: id, Name: f.name, Attrs: provider.Attrs{"name": f.name, "description": f.description, "icmp": f.icmp}}
	if err := c.syncRules(ctx, id, nil, f.rules); err != nil {
		return made, fmt.Errorf("firewall %s created, but its rules were not: %w", id, err)
	}
	for _, inst := range f.attach {
		if err := c.attachGroup(ctx, id, inst); err != nil {
			return made, fmt.Errorf("firewall %s created, but attaching it to instance %s failed: %w", id, inst, err)
		}
	}
	obj, err := c.getFirewallObject(ctx, id)
	if err != nil {
		return made, nil
	}
	return obj, nil
}

// updateFirewall edits the group (name, description, icmp in one PUT),
// its rules item by item, and its attachments, from a fresh read.
func (c *Client) updateFirewall(ctx context.Context, id string, changes []provider.FieldChange) (provider.Object, error) {
	cs := provider.IndexChanges(changes)
	if err := cs.Only("name", "description", "icmp", "rules", "attach_to"); err != nil {
		return provider.Object{}, fmt.Errorf("firewall %s: %w", id, err)
	}
	p, err := c.getParts(ctx, id)
	if err != nil {
		return provider.Object{}, err
	}
	cur := firewallObject(p)
	want := provider.Attrs{}
	for k, v := range cur.Attrs {
		want[k] = v
	}
	for f, ch := range cs {
		want[f] = ch.After
	}
	f, err := readFirewall(want)
	if err != nil {
		return provider.Object{}, err
	}
	if f.name != cur.Attrs["name"] || f.description != cur.Attrs["description"] || f.icmp != cur.Attrs["icmp"] {
		in := api.SecurityGroupInput{Title: f.name, ICMP: icmpFlag(f.icmp)}
		if f.description != cur.Attrs["description"] {
			in.Content = &f.description // "" clears it
		}
		if err := c.EditGroup(ctx, id, in); err != nil {
			return provider.Object{}, err
		}
	}
	if _, ok := cs["rules"]; ok {
		if err := c.syncRules(ctx, id, p.rules, f.rules); err != nil {
			return provider.Object{}, err
		}
	}
	if _, ok := cs["attach_to"]; ok {
		for _, inst := range f.attach {
			if !slices.Contains(p.instances, inst) {
				if err := c.attachGroup(ctx, id, inst); err != nil {
					return provider.Object{}, err
				}
			}
		}
		for _, inst := range p.instances {
			if !slices.Contains(f.attach, inst) {
				if err := c.detachGroup(ctx, id, inst); err != nil {
					return provider.Object{}, err
				}
			}
		}
	}
	return c.getFirewallObject(ctx, id)
}

// deleteFirewall detaches the group from its instances (the API refuses
// to delete an attached group), deletes it, and confirms it is gone.
func (c *Client) deleteFirewall(ctx context.Context, id string) error {
	for attempt := 1; ; attempt++ {
		p, err := c.getParts(ctx, id)
		if err != nil {
			return err
		}
		for _, inst := range p.instances {
			if err := c.detachGroup(ctx, id, inst); err != nil {
				return err
			}
		}
		err = c.DeleteGroup(ctx, id)
		if err == nil || isNotFound(err) {
			break
		}
		// In use again (attached meanwhile): read it again.
		if !isBusy(err) || attempt >= c.maxAttempts || ctx.Err() != nil {
			return err
		}
	}
	return c.waitGone(ctx, "firewall "+id, func(ctx context.Context) (string, error) {
		_, err := c.GetGroup(ctx, id)
		return "present", err
	})
}
