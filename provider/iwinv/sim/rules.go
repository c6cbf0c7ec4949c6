package sim

import (
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// Rule title and content bounds, as the live service was seen to hold them.
const maxRuleText = 25

// listRules lists a group's rules at once (not paginated: the live
// service ignores page parameters here).
func listRules(c *call) (result, *apiErr) {
	g, e := c.groupOfChild()
	if e != nil {
		return result{}, e
	}
	return rows(http.StatusOK, g.Rules), nil
}

// checkRule validates a whole rule as the live service was seen to:
// uppercase IN/OUT and TCP/UDP only (ICMP is the group's flag), one port
// or an ascending range of 1–65535, an IPv4 CIDR, a title of 1–25
// characters and a content of at most 25.
func checkRule(r api.Rule) *apiErr {
	if r.Bound != api.BoundIn && r.Bound != api.BoundOut {
		return badRequest(api.CheckParamEnum, "bound %q: IN or OUT", r.Bound)
	}
	if r.Protocol != api.ProtocolTCP && r.Protocol != api.ProtocolUDP {
		return badRequest(api.CheckParamEnum, "protocol %q: TCP or UDP (ICMP is the security group's icmp flag)", r.Protocol)
	}
	if !validPorts(r.Port) {
		return checkParam("port %q: one port or a range such as 8000-8100, of 1 to 65535", r.Port)
	}
	if e := checkCIDR(r.IP); e != nil {
		return e
	}
	if n := utf8.RuneCountInString(r.Title); n < 1 || n > maxRuleText {
		return badRequest(api.CheckLength, "title: 1 to %d characters, got %d", maxRuleText, n)
	}
	if r.Content != nil && utf8.RuneCountInString(*r.Content) > maxRuleText {
		return badRequest(api.CheckLength, "content: at most %d characters", maxRuleText)
	}
	return nil
}

func validPorts(p string) bool {
	from, to, isRange := strings.Cut(p, "-")
	a, ok1 := port(from)
	b, ok2 := a, true
	if isRange {
		b, ok2 = port(to)
	}
	return ok1 && ok2 && a <= b
}

func port(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == s
}

// checkCIDR: IPv6 is IPV6_NOT_SUPPORTED, a bare address CHECK_PARAM (both
// seen live), a malformed prefix CIDR_NOT_VALID. Host bits are kept.
func checkCIDR(s string) *apiErr {
	if strings.Contains(s, ":") {
		return badRequest(api.IPv6NotSupported, "ip %q: IPv6 is not supported", s)
	}
	if !strings.Contains(s, "/") {
		return checkParam("ip %q: want an IPv4 CIDR such as 203.0.113.0/24", s)
	}
	if p, err := netip.ParsePrefix(s); err != nil || !p.Addr().Is4() {
		return badRequest(api.CIDRNotValid, "ip %q is not a valid IPv4 CIDR", s)
	}
	return nil
}

// duplicate reports whether another rule of g has the same bound,
// protocol, port and address (the live service refuses an exact duplicate).
func duplicate(g *SecurityGroup, r api.Rule) bool {
	return slices.ContainsFunc(g.Rules, func(x api.Rule) bool {
		return x.RuleID != r.RuleID && x.Bound == r.Bound && x.Protocol == r.Protocol && x.Port == r.Port && x.IP == r.IP
	})
}

// createRule answers 200 with the rule and its integer id (seen live; the
// reference says 202).
func createRule(c *call) (result, *apiErr) {
	g, e := c.groupOfChild()
	if e != nil {
		return result{}, e
	}
	var in api.RuleInput
	if e := c.decodeJSON(&in); e != nil {
		return result{}, e
	}
	for _, f := range []struct{ name, v string }{{"bound", in.Bound}, {"protocol", in.Protocol}, {"port", in.Port}, {"ip", in.IP}, {"title", in.Title}} {
		if f.v == "" {
			return result{}, missing(f.name)
		}
	}
	r := api.Rule{RuleID: c.w.next(), Bound: in.Bound, Protocol: in.Protocol, Port: in.Port, IP: in.IP, Title: in.Title, Content: nonEmpty(in.Content)}
	if e := checkRule(r); e != nil {
		return result{}, e
	}
	if duplicate(g, r) {
		return result{}, checkParam("an identical rule exists")
	}
	g.Rules = append(g.Rules, r)
	return rows(http.StatusOK, []api.Rule{r}), nil
}

// editRule changes the fields sent and keeps the others (seen live); an
// empty content keeps the old one.
func editRule(c *call) (result, *apiErr) {
	g, e := c.lookupGroup()
	if e != nil {
		return result{}, e
	}
	r := c.rule(g)
	if r == nil {
		return result{}, notFound("rule %s not found in %s", c.params["rule"], g.ID)
	}
	var in api.RuleInput
	if e := c.decodeJSON(&in); e != nil {
		return result{}, e
	}
	next := *r
	for _, f := range []struct {
		to  *string
		val string
	}{{&next.Bound, in.Bound}, {&next.Protocol, in.Protocol}, {&next.Port, in.Port}, {&next.IP, in.IP}, {&next.Title, in.Title}} {
		if f.val != "" {
			*f.to = f.val
		}
	}
	if content := nonEmpty(in.Content); content != nil {
		next.Content = content
	}
	if e := checkRule(next); e != nil {
		return result{}, e
	}
	if duplicate(g, next) {
		return result{}, checkParam("an identical rule exists")
	}
	*r = next
	return rows(http.StatusOK, []api.Rule{next}), nil
}

func deleteRule(c *call) (result, *apiErr) {
	g, e := c.lookupGroup()
	if e != nil {
		return result{}, e
	}
	r := c.rule(g)
	if r == nil {
		return result{}, notFound("rule %s not found in %s", c.params["rule"], g.ID)
	}
	id := r.RuleID
	g.Rules = slices.DeleteFunc(g.Rules, func(x api.Rule) bool { return x.RuleID == id })
	return text(http.StatusOK, "The rule has been deleted."), nil
}

func (c *call) rule(g *SecurityGroup) *api.Rule {
	id, err := strconv.ParseInt(c.params["rule"], 10, 64)
	if err != nil {
		return nil
	}
	for i := range g.Rules {
		if g.Rules[i].RuleID == id {
			return &g.Rules[i]
		}
	}
	return nil
}

func nonEmpty(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}
