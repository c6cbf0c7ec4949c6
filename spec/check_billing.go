package spec

// floatingIP: the API requires a billing account for a floating IP (its
// own billing_account_id is required, where every other kind may leave
// it to the account's default), so one must be declared on the floating
// IP or as the stack's default. A value of the wrong type is the
// schema's to report.
func (c *checker) floatingIP(r *Resource) {
	if r.BillingAccount != 0 {
		return
	}
	for _, ptr := range []string{resPtr(r) + "/billing_account", "/billing_account"} {
		if v, set := c.s.At(ptr); set && v != nil {
			return
		}
	}
	rng := r.Range
	c.errorf(&rng, resPtr(r),
		"the API requires billing_account_id for a floating IP: set billing_account: on it, or a billing_account: at the top level of the stack, the default that fills it for every resource (e.g. billing_account: 129072)",
		"%s needs a billing account", r.Addr)
}
