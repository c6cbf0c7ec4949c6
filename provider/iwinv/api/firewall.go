package api

// SecurityGroup is a row of GET /v1/security-groups and
// /v1/security-groups/{id}: a firewall. Content is its description,
// HTML-escaped in answers; ICMP is "Y" or "N".
type SecurityGroup struct {
	FirewallID string  `json:"firewall_id"`
	Title      string  `json:"title"`
	Content    *string `json:"content"`
	ICMP       string  `json:"icmp"`
}

// SecurityGroupInput is the JSON body of POST and PUT /v1/security-groups
// (title is required in both).
type SecurityGroupInput struct {
	Title   string  `json:"title"`
	Content *string `json:"content,omitempty"`
	ICMP    string  `json:"icmp,omitempty"`
}

// Rule is a row of GET /v1/security-groups/{id}/rules: Bound is IN or OUT,
// Protocol TCP or UDP, Port one port or a range ("8000-8100"), IP an IPv4
// CIDR, Title the rule's name (1–25 characters) and Content its
// description (null when none).
type Rule struct {
	RuleID   int64   `json:"rule_id"`
	Bound    string  `json:"bound"`
	Protocol string  `json:"protocol"`
	Port     string  `json:"port"`
	IP       string  `json:"ip"`
	Title    string  `json:"title"`
	Content  *string `json:"content"`
}

// RuleInput is the JSON body of POST and PUT .../rules[/{rule_id}].
type RuleInput struct {
	Bound    string  `json:"bound,omitempty"`
	Protocol string  `json:"protocol,omitempty"`
	Port     string  `json:"port,omitempty"`
	IP       string  `json:"ip,omitempty"`
	Title    string  `json:"title,omitempty"`
	Content  *string `json:"content,omitempty"`
}

// AttachInput is the JSON body of POST /v1/security-groups/{id}/attach
// and /detach.
type AttachInput struct {
	InstanceID string `json:"instance_id"`
}

// AttachedInstance is a row of GET /v1/security-groups/{id}/instances.
type AttachedInstance struct {
	InstanceID string `json:"instance_id"`
	Name       string `json:"name"`
	ZoneID     string `json:"zone_id"`
}

// The rule words the API accepts (uppercase only: lowercase "tcp" or
// "inbound" is CHECK_PARAM_ENUM) and the ICMP flag's.
const (
	BoundIn     = "IN"
	BoundOut    = "OUT"
	ProtocolTCP = "TCP"
	ProtocolUDP = "UDP"
	ICMPYes     = "Y"
	ICMPNo      = "N"
)
