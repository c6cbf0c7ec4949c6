package provider

import "context"

// Pricing is an optional capability: a provider whose cloud publishes a
// price list implements Pricer, and each kind it prices has a Price
// function (KindSpec.Price). The engine reads the price list once per plan
// (it is global), asks each kind what its objects cost an hour, and adds
// them up; it never knows what is priced (CPUs, memory, storage). A
// provider without a Pricer, or a kind without a Price, shows no cost at
// all, never a made-up one.

// Pricer is implemented by providers that can read their cloud's price
// list. What Prices returns is the provider's own shape: only its kinds'
// Price functions read it.
type Pricer interface {
	Prices(ctx context.Context) (any, error)
}

// Estimate is what one object costs, by the price list: an hour's price
// in the account's billing currency (the API does not say which), or why
// there is none.
type Estimate struct {
	Hourly float64
	// Note says what a person should know about the figure ("stopped:
	// storage only", "usage-based: 2.97 GiB stored").
	Note string
	// UsageBased: the price follows use (data stored), and Hourly is what
	// the object holds now; a new one is 0 until it holds something.
	UsageBased bool
	// Unpriced says why there is no figure ("not priced by the API", a
	// value known only after apply); Hourly means nothing then, and the
	// object is left out of totals, never counted as 0.
	Unpriced string
}

// Priced reports whether the estimate is a figure.
func (e Estimate) Priced() bool { return e.Unpriced == "" }

// Priced reports whether any kind of the description has prices.
func (d *Description) Priced() bool {
	if d == nil {
		return false
	}
	for _, ks := range d.Kinds {
		if ks.Price != nil {
			return true
		}
	}
	return false
}
