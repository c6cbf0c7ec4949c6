package sim

import (
	"html"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// Security group rules the reference leaves open: the simulator's
// choices (doc.go).
const (
	maxGroupTitle   = 50
	maxGroupContent = 255
	groupPageSize   = 50 // the live list's default page size
)

// groupJSON is a group as the API shows it: its content HTML-escaped, as
// the live service was seen to.
func groupJSON(g *SecurityGroup) api.SecurityGroup {
	out := api.SecurityGroup{FirewallID: g.ID, Title: g.Title, ICMP: g.ICMP}
	if g.Content != nil {
		esc := html.EscapeString(*g.Content)
		out.Content = &esc
	}
	return out
}

// lookupGroup finds the group of the path: 404 NOT_FOUND when there is none.
func (c *call) lookupGroup() (*SecurityGroup, *apiErr) {
	g := c.w.group(c.params["id"])
	if g == nil {
		return nil, notFound("security group %s not found", c.params["id"])
	}
	return g, nil
}

// groupOfChild finds the group of a rules or instances call: an unknown
// group is 400 CHECK_PARAM there, as the live service was seen to answer.
func (c *call) groupOfChild() (*SecurityGroup, *apiErr) {
	g := c.w.group(c.params["id"])
	if g == nil {
		return nil, checkParam("security group %s: no such group", c.params["id"])
	}
	return g, nil
}

// groupInput validates a create or edit body.
func (c *call) groupInput(in *api.SecurityGroupInput) *apiErr {
	if e := c.decodeJSON(in); e != nil {
		return e
	}
	if strings.TrimSpace(in.Title) == "" {
		return missing("title")
	}
	if n := utf8.RuneCountInString(in.Title); n > maxGroupTitle {
		return badRequest(api.CheckLength, "title: at most %d characters, got %d", maxGroupTitle, n)
	}
	if in.Content != nil && utf8.RuneCountInString(*in.Content) > maxGroupContent {
		return badRequest(api.CheckLength, "content: at most %d characters", maxGroupContent)
	}
	if in.ICMP != "" && in.ICMP != api.ICMPYes && in.ICMP != api.ICMPNo {
		return badRequest(api.CheckParamEnum, "icmp %q: Y or N", in.ICMP)
	}
	return nil
}

func listGroups(c *call) (result, *apiErr) {
	out := make([]api.SecurityGroup, 0, len(c.w.SecurityGroups))
	for i := range c.w.SecurityGroups {
		out = append(out, groupJSON(&c.w.SecurityGroups[i]))
	}
	return paginate(c, out, groupPageSize)
}

// getGroup answers an empty array for a group that does not exist, as the
// live service was seen to.
func getGroup(c *call) (result, *apiErr) {
	var out []api.SecurityGroup
	if g := c.w.group(c.params["id"]); g != nil {
		out = append(out, groupJSON(g))
	}
	return rows(http.StatusOK, out), nil
}

// createGroup answers 200 with the group (the reference says 202; the
// live service was seen to answer 200).
func createGroup(c *call) (result, *apiErr) {
	var in api.SecurityGroupInput
	if e := c.groupInput(&in); e != nil {
		return result{}, e
	}
	g := SecurityGroup{ID: c.w.newFirewallID(c.s.seed), Title: in.Title, Content: in.Content, ICMP: api.ICMPNo,
		Rules: []api.Rule{}, Instances: []string{}}
	if in.ICMP != "" {
		g.ICMP = in.ICMP
	}
	c.w.SecurityGroups = append(c.w.SecurityGroups, g)
	return rows(http.StatusOK, []api.SecurityGroup{groupJSON(&g)}), nil
}

// editGroup sets title, and content and icmp when sent (an empty content
// clears it).
func editGroup(c *call) (result, *apiErr) {
	g, e := c.lookupGroup()
	if e != nil {
		return result{}, e
	}
	var in api.SecurityGroupInput
	if e := c.groupInput(&in); e != nil {
		return result{}, e
	}
	g.Title = in.Title
	if in.Content != nil {
		g.Content = in.Content
		if *in.Content == "" {
			g.Content = nil
		}
	}
	if in.ICMP != "" {
		g.ICMP = in.ICMP
	}
	return rows(http.StatusOK, []api.SecurityGroup{groupJSON(g)}), nil
}

// deleteGroup deletes a group and its rules; 409 IN_USE while it is
// attached to an instance.
func deleteGroup(c *call) (result, *apiErr) {
	g, e := c.lookupGroup()
	if e != nil {
		return result{}, e
	}
	if len(g.Instances) > 0 {
		return result{}, inUse("security group %s is attached to %d instance(s): detach them first", g.ID, len(g.Instances))
	}
	c.w.SecurityGroups = slices.DeleteFunc(c.w.SecurityGroups, func(x SecurityGroup) bool { return x.ID == g.ID })
	return text(http.StatusOK, "The security group has been deleted."), nil
}

// listGroupInstances lists the instances a group is attached to (not
// paginated).
func listGroupInstances(c *call) (result, *apiErr) {
	g, e := c.groupOfChild()
	if e != nil {
		return result{}, e
	}
	out := []api.AttachedInstance{}
	for _, id := range g.Instances {
		if in := c.w.instance(id); in != nil {
			out = append(out, api.AttachedInstance{InstanceID: in.ID, Name: in.Name, ZoneID: in.Zone})
		}
	}
	return rows(http.StatusOK, out), nil
}

// attachGroup and detachGroup take effect at once (202); attaching an
// attached instance or detaching a detached one does nothing.
func attachGroup(c *call) (result, *apiErr) { return attachment(c, true) }

func detachGroup(c *call) (result, *apiErr) { return attachment(c, false) }

func attachment(c *call, attach bool) (result, *apiErr) {
	g, e := c.lookupGroup()
	if e != nil {
		return result{}, e
	}
	var in api.AttachInput
	if e := c.decodeJSON(&in); e != nil {
		return result{}, e
	}
	if in.InstanceID == "" {
		return result{}, missing("instance_id")
	}
	inst := c.w.instance(in.InstanceID)
	if inst == nil {
		return result{}, checkParam("instance_id %q: no such instance", in.InstanceID)
	}
	if e := notBusy(inst); e != nil {
		return result{}, e
	}
	has := slices.Contains(g.Instances, inst.ID)
	switch {
	case attach && !has:
		g.Instances = append(g.Instances, inst.ID)
	case !attach && has:
		g.Instances = slices.DeleteFunc(g.Instances, func(id string) bool { return id == inst.ID })
	}
	if attach {
		return text(http.StatusAccepted, "The security group has been attached."), nil
	}
	return text(http.StatusAccepted, "The security group has been detached."), nil
}
