package iwinv

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/iwinv/api"
)

// ruleSpec is a firewall rule in the stack file's words: direction in or
// out, protocol tcp or udp, port "22" or "8000-8100", source an IPv4 CIDR
// and an optional description (the API's content).
type ruleSpec struct {
	direction, protocol, port, source, description string
}

// key identifies a rule: the API refuses two rules of one key.
func (r ruleSpec) key() string {
	return r.direction + "|" + r.protocol + "|" + r.port + "|" + r.source
}

// title is the rule's name in the API, which requires one of 1–25
// characters: made from the rule itself ("in-tcp-8000-8100"), since the
// stack file has none. It is never compared.
func (r ruleSpec) title() string {
	t := r.direction + "-" + r.protocol + "-" + r.port
	for utf8.RuneCountInString(t) > 25 {
		t = t[:len(t)-1]
	}
	return t
}

func (r ruleSpec) input() api.RuleInput {
	in := api.RuleInput{Bound: strings.ToUpper(r.direction), Protocol: strings.ToUpper(r.protocol), Port: r.port, IP: r.source, Title: r.title()}
	if r.description != "" {
		d := r.description
		in.Content = &d
	}
	return in
}

// attrs is the rule as a live object reports it: its description only
// when it has one (so that a rule written without one compares equal),
// and its id, which no comparison reads.
func (r ruleSpec) attrs(id int64) map[string]any {
	m := map[string]any{"direction": r.direction, "protocol": r.protocol, "port": r.port, "source": r.source, "id": strconv.FormatInt(id, 10)}
	if r.description != "" {
		m["description"] = r.description
	}
	return m
}

func ruleOf(r api.Rule) ruleSpec {
	s := ruleSpec{direction: strings.ToLower(r.Bound), protocol: strings.ToLower(r.Protocol), port: r.Port, source: r.IP}
	if r.Content != nil {
		s.description = *r.Content
	}
	return s
}

// parseRules reads the rules attribute: a list of objects.
func parseRules(v any) ([]ruleSpec, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("rules: want a list, got %T", v)
	}
	out := make([]ruleSpec, 0, len(list))
	seen := map[string]bool{}
	for i, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("rules[%d]: want an object, got %T", i, it)
		}
		var r ruleSpec
		for _, f := range []struct {
			name string
			to   *string
		}{{"direction", &r.direction}, {"protocol", &r.protocol}, {"port", &r.port}, {"source", &r.source}, {"description", &r.description}} {
			s, err := provider.AsString(fmt.Sprintf("rules[%d].%s", i, f.name), m[f.name])
			if err != nil {
				return nil, err
			}
			*f.to = s
		}
		r.direction, r.protocol = strings.ToLower(r.direction), strings.ToLower(r.protocol)
		if seen[r.key()] {
			return nil, fmt.Errorf("rules[%d]: the same direction, protocol, port and source as an earlier rule", i)
		}
		seen[r.key()] = true
		out = append(out, r)
	}
	return out, nil
}

// syncRules makes a group's rules what want says, item by item: a rule
// whose description alone changed is edited in place, new rules are added
// before old ones are removed (no moment without the access being
// replaced), and a rule the file drops is deleted.
func (c *Client) syncRules(ctx context.Context, id string, have []api.Rule, want []ruleSpec) error {
	byKey := map[string]api.Rule{}
	for _, r := range have {
		byKey[ruleOf(r).key()] = r
	}
	wanted := map[string]bool{}
	var add []ruleSpec
	for _, w := range want {
		wanted[w.key()] = true
		cur, ok := byKey[w.key()]
		switch {
		case !ok:
			add = append(add, w)
		case ruleOf(cur).description == w.description:
		case w.description != "":
			if err := c.EditRule(ctx, id, cur.RuleID, api.RuleInput{Content: &w.description}); err != nil {
				return err
			}
		default: // the API keeps a description an edit leaves empty: make the rule again
			if err := c.DeleteRule(ctx, id, cur.RuleID); err != nil && !isNotFound(err) {
				return err
			}
			add = append(add, w)
		}
	}
	for _, w := range add {
		if err := c.addRule(ctx, id, w); err != nil {
			return err
		}
	}
	for _, r := range have {
		if !wanted[ruleOf(r).key()] {
			if err := c.DeleteRule(ctx, id, r.RuleID); err != nil && !isNotFound(err) {
				return err
			}
		}
	}
	return nil
}

// addRule creates a rule once; a failure is confirmed by the rules as
// they are (a lost answer, or a repeat the API refused as a duplicate).
func (c *Client) addRule(ctx context.Context, id string, w ruleSpec) error {
	_, err := c.do(ctx, request{method: http.MethodPost, path: groupPath(id) + "/rules", json: w.input(), mode: once})
	if err == nil || ctx.Err() != nil {
		return err
	}
	if rules, lerr := listAll[api.Rule](ctx, c, groupPath(id)+"/rules", nil); lerr == nil {
		for _, r := range rules {
			if ruleOf(r) == w {
				return nil
			}
		}
	}
	return fmt.Errorf("adding rule %s %s %s from %s: %w", w.direction, w.protocol, w.port, w.source, err)
}

// EditRule is PUT /v1/security-groups/{id}/rules/{rule_id}: the fields
// sent change, the others stay (seen live).
func (c *Client) EditRule(ctx context.Context, id string, rule int64, in api.RuleInput) error {
	_, err := c.do(ctx, request{method: http.MethodPut, path: groupPath(id) + "/rules/" + strconv.FormatInt(rule, 10), json: in, mode: idempotent, notFound: by404})
	return err
}

// DeleteRule is DELETE /v1/security-groups/{id}/rules/{rule_id}.
func (c *Client) DeleteRule(ctx context.Context, id string, rule int64) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: groupPath(id) + "/rules/" + strconv.FormatInt(rule, 10), mode: idempotent, notFound: by404})
	return err
}
