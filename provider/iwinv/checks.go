package iwinv

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/idstack/idstack/provider"
)

// checkFirewall applies the API's rule rules that a schema cannot say:
// port ranges within 1–65535 and ascending, sources that are IPv4 CIDRs,
// no ICMP rules (the firewall's icmp field), no two rules of one
// direction, protocol, port and source (the API refuses duplicates).
func checkFirewall(w provider.Written) []provider.Problem {
	rules, ok := w.Values["rules"].([]any)
	if !ok {
		return nil
	}
	var out []provider.Problem
	seen := map[string]int{}
	for i, it := range rules {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		at := func(f string) string { return fmt.Sprintf("rules.%d.%s", i, f) }
		if m["protocol"] == "icmp" {
			out = append(out, provider.Problem{Field: at("protocol"),
				Summary: fmt.Sprintf("%s: rule %d is an ICMP rule, which iwinv refuses", w.Address, i+1),
				Allowed: "rules are tcp or udp; to answer ping, set icmp: true on the firewall"})
		}
		if p, ok := m["port"].(string); ok {
			if why := portProblem(p); why != "" {
				out = append(out, provider.Problem{Field: at("port"),
					Summary: fmt.Sprintf("%s: rule %d: port %q %s", w.Address, i+1, p, why),
					Allowed: "one port or an ascending range within 1–65535, quoted: \"22\" or \"8000-8100\""})
			}
		}
		if s, ok := m["source"].(string); ok {
			if why := sourceProblem(s); why != "" {
				out = append(out, provider.Problem{Field: at("source"),
					Summary: fmt.Sprintf("%s: rule %d: source %q %s", w.Address, i+1, s, why),
					Allowed: "an IPv4 CIDR such as 0.0.0.0/0 (anywhere) or 203.0.113.7/32 (one address); iwinv takes no IPv6"})
			}
		}
		key := fmt.Sprint(m["direction"], "|", m["protocol"], "|", m["port"], "|", m["source"])
		if j, dup := seen[key]; dup {
			out = append(out, provider.Problem{Field: fmt.Sprintf("rules.%d", i),
				Summary: fmt.Sprintf("%s: rules %d and %d have the same direction, protocol, port and source", w.Address, j+1, i+1),
				Allowed: "iwinv refuses two such rules: merge them (a description is one per rule)"})
		} else {
			seen[key] = i
		}
	}
	return out
}

func portProblem(p string) string {
	from, to, isRange := strings.Cut(p, "-")
	a, err1 := strconv.Atoi(from)
	b, err2 := a, error(nil)
	if isRange {
		b, err2 = strconv.Atoi(to)
	}
	switch {
	case err1 != nil || err2 != nil:
		return "is not a port or a range"
	case a < 1 || b > 65535 || b < 1 || a > 65535:
		return "is outside 1–65535"
	case a > b:
		return "is a range that does not ascend"
	}
	return ""
}

func sourceProblem(s string) string {
	switch {
	case strings.Contains(s, ":"):
		return "is IPv6, which iwinv does not support"
	case !strings.Contains(s, "/"):
		if _, err := netip.ParseAddr(s); err == nil {
			return fmt.Sprintf("is an address without a prefix length (write %s/32 for it alone)", s)
		}
		return "is not an IPv4 CIDR"
	}
	if p, err := netip.ParsePrefix(s); err != nil || !p.Addr().Is4() {
		return "is not a valid IPv4 CIDR"
	}
	return ""
}
