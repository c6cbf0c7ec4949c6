package sim

import "github.com/idstack/idstack/provider/api"

// PricingPolicy is what GET /v1/pricing/policy answers: the reference
// document's example, so that plans against the simulator show the
// document's figures.
func PricingPolicy() api.PricingPolicy {
	return api.PricingPolicy{Policy: []api.PriceEntry{
		{NumCPUs: 1, PolicyID: 1001, Price: 0.00521, ResourceType: "CPU", ServiceNameUserFriendly: "1 CPU"},
		{MegsRAM: 512, PolicyID: 1010, Price: 0.001645, ResourceType: "RAM", ServiceNameUserFriendly: "0.5 GB RAM"},
		{MegsRAM: 1024, PolicyID: 1011, Price: 0.00329, ResourceType: "RAM", ServiceNameUserFriendly: "1 GB RAM"},
		{PolicyID: 1021, Price: 3.42e-05, ResourceType: "STORAGE", ServiceNameInUptime: "backup", ServiceNameUserFriendly: "Backup"},
		{PolicyID: 1022, Price: 0.0001, ResourceType: "STORAGE", ServiceNameInUptime: "snapshot", ServiceNameUserFriendly: "Snapshot"},
		{PolicyID: 1023, Price: 0.0001, ResourceType: "STORAGE", ServiceNameInUptime: "main", ServiceNameUserFriendly: "Storage"},
		{PolicyID: 1030, Price: 0.00548, ResourceType: "LICENSE", ServiceNameInUptime: "windows", ServiceNameUserFriendly: "Windows license per core per hour"},
		{PolicyID: 1040, Price: 3.42e-05, ResourceType: "OBJECT_STORAGE", ServiceNameInUptime: "object_storage", ServiceNameUserFriendly: "Object storage per gigabyte per hour"},
	}}
}

func getPricingPolicy(c *call) (result, *apiErr) { return ok(PricingPolicy()), nil }
