package sim

// routes are the documented endpoints, by path after /v1.
var routes = []route{
	// Catalogue.
	rt("GET", "/zones", listZones),
	rt("GET", "/flavors", listFlavors),
	rt("GET", "/flavors/{id}", getFlavor),
	rt("GET", "/images", listImages),
	rt("GET", "/images/{id}", getImage),
	rt("GET", "/block-storages/types", listStorageTypes),
	rt("GET", "/auth/ssh_key", listSSHKeys),
	rt("GET", "/instance/script", listUserScripts),

	// Instances (multipart/form-data writes).
	rt("GET", "/instances", listInstances),
	rt("POST", "/instances", createInstances),
	rt("GET", "/instances/{id}", getInstance),
	rt("PUT", "/instances/{id}", editInstance),
	rt("DELETE", "/instances/{id}", deleteInstance),
	rt("POST", "/instances/{id}/start", startInstance),
	rt("POST", "/instances/{id}/shutdown", shutdownInstance),
	rt("POST", "/instances/{id}/reboot", rebootInstance),
	rt("POST", "/instances/{id}/rebuild", rebuildInstance),
	rt("POST", "/instances/{id}/resize", resizeInstance),
	rt("GET", "/instances/{id}/remote-console", remoteConsole),

	// Block storages (multipart/form-data writes).
	rt("GET", "/block-storages", listVolumes),
	rt("POST", "/block-storages", createVolume),
	rt("GET", "/block-storages/{id}", getVolume),
	rt("DELETE", "/block-storages/{id}", deleteVolume),
	rt("POST", "/block-storages/{id}/attach/{instance}", attachVolume),
	rt("POST", "/block-storages/{id}/detach", detachVolume),

	// Firewalls: security groups and their rules (JSON bodies).
	rt("GET", "/security-groups", listGroups),
	rt("POST", "/security-groups", createGroup),
	rt("GET", "/security-groups/{id}", getGroup),
	rt("PUT", "/security-groups/{id}", editGroup),
	rt("DELETE", "/security-groups/{id}", deleteGroup),
	rt("GET", "/security-groups/{id}/rules", listRules),
	rt("POST", "/security-groups/{id}/rules", createRule),
	rt("PUT", "/security-groups/{id}/rules/{rule}", editRule),
	rt("DELETE", "/security-groups/{id}/rules/{rule}", deleteRule),
	rt("GET", "/security-groups/{id}/instances", listGroupInstances),
	rt("POST", "/security-groups/{id}/attach", attachGroup),
	rt("POST", "/security-groups/{id}/detach", detachGroup),

	// Billing.
	rt("GET", "/bill", listBills),
	rt("GET", "/bill/live", liveBill),
	rt("GET", "/bill/{id}", getBill),
}
