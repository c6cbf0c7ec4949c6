package sim

import (
	"testing"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// TestFirewalls: a group with rules, attached to instances of both zones;
// its description answered HTML-escaped; rules edited in part and
// refused as duplicates; delete refused while attached, then taking the
// rules with it; a deleted group reads as an empty array.
func TestFirewalls(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.activeInstance(DefaultZone, "a")
	b := e.activeInstance(SecondZone, "b")
	content := "web <front> & api"
	var g []api.SecurityGroup
	e.must(200, "POST", "/v1/security-groups", api.SecurityGroupInput{Title: "web", Content: &content}).decode(t, &g)
	id := g[0].FirewallID
	if g[0].ICMP != "N" || *g[0].Content != "web &lt;front&gt; &amp; api" {
		t.Errorf("created %+v (icmp defaults to N, content escaped)", g[0])
	}
	e.fails(400, api.RequiredPostParamMissing, "POST", "/v1/security-groups", api.SecurityGroupInput{ICMP: "Y"})
	e.fails(400, api.CheckParamEnum, "POST", "/v1/security-groups", api.SecurityGroupInput{Title: "x", ICMP: "yes"})
	e.fails(400, api.CheckParam, "POST", "/v1/security-groups", form{"title", "x"}) // JSON only

	e.must(200, "PUT", "/v1/security-groups/"+id, api.SecurityGroupInput{Title: "web2", ICMP: "Y"}).decode(t, &g)
	if g[0].Title != "web2" || g[0].ICMP != "Y" || g[0].Content == nil {
		t.Errorf("after PUT without content: %+v (content kept)", g[0])
	}
	empty := ""
	e.must(200, "PUT", "/v1/security-groups/"+id, api.SecurityGroupInput{Title: "web2", Content: &empty}).decode(t, &g)
	if g[0].Content != nil {
		t.Errorf("after PUT with an empty content: %q, want null", *g[0].Content)
	}

	var r []api.Rule
	e.must(200, "POST", "/v1/security-groups/"+id+"/rules", api.RuleInput{Bound: "IN", Protocol: "TCP", Port: "8000-8100", IP: "10.0.0.0/8", Title: "app"}).decode(t, &r)
	rid := r[0].RuleID
	e.fails(400, api.CheckParam, "POST", "/v1/security-groups/"+id+"/rules", api.RuleInput{Bound: "IN", Protocol: "TCP", Port: "8000-8100", IP: "10.0.0.0/8", Title: "again"})
	e.fails(400, api.CheckLength, "POST", "/v1/security-groups/"+id+"/rules", api.RuleInput{Bound: "OUT", Protocol: "UDP", Port: "53", IP: "0.0.0.0/0", Title: "a title of more than 25 chars"})
	e.fails(400, api.CIDRNotValid, "POST", "/v1/security-groups/"+id+"/rules", api.RuleInput{Bound: "OUT", Protocol: "UDP", Port: "53", IP: "10.0.0.0/33", Title: "dns"})
	e.fails(400, api.CheckParam, "POST", "/v1/security-groups/"+id+"/rules", api.RuleInput{Bound: "OUT", Protocol: "UDP", Port: "9-8", IP: "0.0.0.0/0", Title: "dns"})
	desc := "app ports"
	e.must(200, "PUT", "/v1/security-groups/"+id+"/rules/"+itoa64(rid), api.RuleInput{Port: "9000", Content: &desc}).decode(t, &r)
	if r[0].Port != "9000" || r[0].Bound != "IN" || r[0].Title != "app" || *r[0].Content != desc {
		t.Errorf("after a partial PUT: %+v", r[0])
	}

	e.must(202, "POST", "/v1/security-groups/"+id+"/attach", api.AttachInput{InstanceID: a})
	e.must(202, "POST", "/v1/security-groups/"+id+"/attach", api.AttachInput{InstanceID: b})
	e.must(202, "POST", "/v1/security-groups/"+id+"/attach", api.AttachInput{InstanceID: b}) // again: nothing
	var att []api.AttachedInstance
	e.must(200, "GET", "/v1/security-groups/"+id+"/instances", nil).decode(t, &att)
	if len(att) != 2 || att[1].ZoneID != SecondZone {
		t.Errorf("attached %+v", att)
	}
	e.fails(409, api.InUse, "DELETE", "/v1/security-groups/"+id, nil)
	e.must(202, "POST", "/v1/security-groups/"+id+"/detach", api.AttachInput{InstanceID: a})
	e.must(202, "DELETE", "/v1/instances/"+b, nil)
	e.clock.Advance(testReady) // b is gone, and with it its attachment
	e.must(200, "DELETE", "/v1/security-groups/"+id, nil)
	a2 := e.must(200, "GET", "/v1/security-groups/"+id, nil)
	if *a2.env.Count != 0 {
		t.Errorf("a deleted group reads %s", a2.raw)
	}
	e.fails(404, api.NotFound, "DELETE", "/v1/security-groups/"+id, nil)
	e.fails(404, api.NotFound, "PUT", "/v1/security-groups/"+id, api.SecurityGroupInput{Title: "x"})
	e.fails(400, api.CheckParam, "GET", "/v1/security-groups/"+id+"/rules", nil)
}

func itoa64(n int64) string { return itoa(int(n)) }
