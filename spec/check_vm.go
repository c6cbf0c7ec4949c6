package spec

import (
	"regexp"
	"strings"
	"unicode"
)

// The API's VM name rule, from the reference document.
var vmNameRE = regexp.MustCompile(`^[0-9a-zA-Z][-0-9a-zA-Z]{2,}[0-9a-zA-Z]$`)

func (c *checker) vm(r *Resource) {
	ptr := resPtr(r)
	fieldAt := func(f string) *Range { return c.at(ptr+"/"+f, r.Range) }

	name, nameRng := liveName(r)
	if !strings.Contains(name, "${") && !vmNameRE.MatchString(name) {
		c.errorf(nameRng, ptr+"/name", "a VM name is at least 4 letters, digits and hyphens, starting and ending with a letter or digit (^[0-9a-zA-Z][-0-9a-zA-Z]{2,}[0-9a-zA-Z]$); set name: if the logical name does not fit",
			"invalid VM name %q for %s", name, r.Addr)
	}

	osName, _ := r.Fields["os_name"].V.(string)
	windows := strings.EqualFold(osName, "windows")
	if windows {
		if n, ok := number(r.Fields["vcpu"].V); ok && n < 2 {
			c.errorf(fieldAt("vcpu"), ptr+"/vcpu", "allowed for Windows: 2–16", "a Windows VM needs at least 2 vcpu, %s has %v", r.Addr, n)
		}
		if n, ok := number(r.Fields["ram"].V); ok && n < 1024 {
			c.errorf(fieldAt("ram"), ptr+"/ram", "allowed for Windows: 1024–65536", "a Windows VM needs at least 1024 MiB of ram, %s has %v", r.Addr, n)
		}
	}

	user, hasUser := r.Fields["username"]
	switch u, isStr := user.V.(string); {
	case !hasUser && !windows:
		rng := r.Range
		c.errorf(&rng, ptr+"/username", "set username: (the login the API creates on the VM); only Windows VMs go without one",
			"%s: username is required", r.Addr)
	case hasUser && isStr && !strings.Contains(u, "${") && !validUsername(u):
		c.errorf(fieldAt("username"), ptr+"/username", "a username is 1–30 characters: a letter or _, then letters, digits, _ or -",
			"invalid username %q for %s", u, r.Addr)
	}

	if pw, ok := r.Fields["password"].V.(string); ok && !strings.Contains(pw, "${") {
		if missing := passwordMissing(pw); len(missing) > 0 {
			// Never echo the password: it may be real.
			c.errorf(fieldAt("password"), ptr+"/password", "a password needs at least 8 characters with a lowercase letter, an uppercase letter and a digit; missing: "+strings.Join(missing, ", "),
				"the password of %s is too weak", r.Addr)
		}
	}

	if ci, ok := r.Fields["cloud_init"].V.(map[string]any); ok && hasUser {
		if _, users := ci["users"]; users {
			p := ptr + "/cloud_init/users"
			c.errorf(c.at(KeyPointer(p), r.Range), p,
				"a cloud-init users: block replaces the user the API creates from username, and the VM ends with no working login; drop users: (use username, password and public_key) or drop username",
				"%s sets both cloud_init.users and username", r.Addr)
		}
	}
}

// liveName is the name a resource has in the API: name:, else the logical name.
func liveName(r *Resource) (string, *Range) {
	if v, ok := r.Fields["name"]; ok {
		if s, ok := v.V.(string); ok {
			rng := v.Range
			return s, &rng
		}
	}
	rng := r.Range
	return r.Addr.Name, &rng
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// validUsername is ^(?=.{1,30}$)[a-zA-Z_][0-9a-zA-Z_-]*$ (Go's regexp has no lookahead).
func validUsername(s string) bool {
	if len(s) < 1 || len(s) > 30 {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r == '-' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return true
}

// passwordMissing lists what a password lacks (never the password itself).
func passwordMissing(pw string) []string {
	var lower, upper, digit bool
	for _, r := range pw {
		lower = lower || unicode.IsLower(r)
		upper = upper || unicode.IsUpper(r)
		digit = digit || unicode.IsDigit(r)
	}
	var missing []string
	if len([]rune(pw)) < 8 {
		missing = append(missing, "length (8 or more)")
	}
	if !lower {
		missing = append(missing, "a lowercase letter")
	}
	if !upper {
		missing = append(missing, "an uppercase letter")
	}
	if !digit {
		missing = append(missing, "a digit")
	}
	return missing
}
