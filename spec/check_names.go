package spec

import (
	"net"
	"strings"
)

// bucket: S3 naming rules (names are global to the whole cloud), and no
// location (buckets have none).
func (c *checker) bucket(r *Resource) {
	ptr := resPtr(r)
	if _, ok := c.s.At(ptr + "/location"); ok {
		p := ptr + "/location"
		c.errorf(c.at(KeyPointer(p), r.Range), p, "remove location: from buckets."+r.Addr.Name+"; buckets are global, in no location",
			"location is not allowed on a bucket (%s)", r.Addr)
	}
	name, rng := liveName(r)
	if strings.Contains(name, "${") {
		return
	}
	if why := bucketNameProblem(name); why != "" {
		c.errorf(rng, ptr+"/name", "a bucket name is 3–63 lowercase letters, digits, hyphens and dots, starts and ends with a letter or digit, has no \"..\" and is not an IP address; set name: if the logical name does not fit",
			"invalid bucket name %q for %s: %s", name, r.Addr, why)
	}
}

func bucketNameProblem(s string) string {
	switch {
	case len(s) < 3 || len(s) > 63:
		return "length is not 3–63"
	case net.ParseIP(s) != nil:
		return "it is an IP address"
	case strings.Contains(s, ".."):
		return "it contains \"..\""
	case !isLowerAlnum(rune(s[0])) || !isLowerAlnum(rune(s[len(s)-1])):
		return "it must start and end with a lowercase letter or a digit"
	}
	for _, r := range s {
		if !isLowerAlnum(r) && r != '-' && r != '.' {
			return "it contains " + quoteRune(r)
		}
	}
	return ""
}

func isLowerAlnum(r rune) bool { return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' }

func quoteRune(r rune) string { return "'" + string(r) + "'" }

// duplicateNames: the planner finds live resources by name, so two of one
// kind with one name in one location would be confused (a warning), and a
// bucket name can exist only once (an error).
func (c *checker) duplicateNames() {
	type key struct {
		kind      Kind
		loc, name string
	}
	first := map[key]*Resource{}
	for _, r := range c.s.Resources {
		if r.Addr.Kind == Disks { // disks have no name
			continue
		}
		name, rng := liveName(r)
		if strings.Contains(name, "${") {
			continue
		}
		k := key{r.Addr.Kind, r.Location, name}
		prev, dup := first[k]
		if !dup {
			first[k] = r
			continue
		}
		if r.Addr.Kind == Buckets {
			c.errorf(rng, resPtr(r)+"/name", "bucket names are global: give each bucket its own name:",
				"%s has the same name %q as %s", r.Addr, name, prev.Addr)
			continue
		}
		c.warnf(rng, resPtr(r)+"/name", "idstack finds live resources by name: give each its own name:",
			"%s has the same name %q as %s in %s", r.Addr, name, prev.Addr, locName(r.Location))
	}
}
