package planner

import (
	"github.com/idstack/idstack/provider"
)

// How each field of a kind is compared and changed is the provider's
// description (provider.Field): its Change (SPEC §2's modes, weakest
// first), the live attribute that reports it (Live), the kind it names
// (Ref), how a list is compared (Keys), NoShrink, Sensitive and Default.

// observed reports whether a fresh read of an object shows the field, so
// that what is left to do can be computed from it: reported by the API,
// not a secret, and changed in place (a replacement or a reinstall is the
// plan's business, not a retry's).
func observed(f *provider.Field) bool {
	return f != nil && f.Live != "" && !f.Sensitive && f.Change != provider.Replace && f.Change != provider.Reinstall
}

// named reports whether a kind's objects have live names.
func named(ks *provider.KindSpec) bool { return ks != nil && ks.NameField != "" }

// singular names one object of a kind in messages.
func singular(d *provider.Description, k provider.Kind) string {
	if ks := d.Kind(k); ks != nil {
		return ks.Singular
	}
	return string(k)
}

func (b *builder) singular(k provider.Kind) string { return singular(b.live.Provider, k) }
