package sim

// routes are the documented endpoints, by path without /v1 and the slug.
var routes = []route{
	// Catalogue.
	gr("GET", "/config/locations", famOther, getLocations),
	gr("GET", "/config/vm_images", famOther, getImages),
	gr("GET", "/config/vm_images/plain_os", famOther, getImagesFiltered(false)),
	gr("GET", "/config/vm_images/app_catalog", famOther, getImagesFiltered(true)),
	gr("GET", "/api/parameters/vm", famOther, getParameters),
	lr("GET", "/user-resource/host_pool/list", famVM, getHostPools),

	// VMs (form-encoded).
	live400(lr("GET", "/user-resource/vm", famVM, getVM)),
	lr("POST", "/user-resource/vm", famVM, postVM),
	lr("PATCH", "/user-resource/vm", famVM, patchVM),
	lr("DELETE", "/user-resource/vm", famVM, deleteVM),
	lr("GET", "/user-resource/vm/list", famVM, listVMs),
	lr("POST", "/user-resource/vm/start", famVM, startVM),
	lr("POST", "/user-resource/vm/stop", famVM, stopVM),
	lr("PATCH", "/user-resource/vm/user", famVM, patchVMUser),
	lr("POST", "/user-resource/vm/backup", famVM, toggleBackup),
	lr("POST", "/user-resource/vm/reinstall", famVM, reinstallVM),
	lr("POST", "/user-resource/vm/clone", famVM, cloneVM),
	lr("POST", "/user-resource/vm/rebuild", famVM, rebuildVM),
	lr("GET", "/user-resource/vm/replica", famVM, getReplicas),
	lr("POST", "/user-resource/vm/replica", famVM, postReplica),
	lr("DELETE", "/user-resource/vm/replica", famVM, deleteReplica),
	lr("POST", "/user-resource/vm/storage", famVM, postVMStorage),
	lr("PATCH", "/user-resource/vm/storage", famVM, patchVMStorage),
	lr("DELETE", "/user-resource/vm/storage", famVM, deleteVMStorage),
	lr("POST", "/user-resource/vm/storage/attach", famVM, attachDisk),
	lr("POST", "/user-resource/vm/storage/detach", famVM, detachDisk),
	lr("POST", "/user-resource/vm/ip/public", famVM, postVMPublicIP),
	lr("DELETE", "/user-resource/vm/ip/public", famVM, deleteVMPublicIP),
	lr("POST", "/user-resource/resource_billing", famVM, postResourceBilling),
	lr("GET", "/user-resource/billing_resources", famVM, getBillingResources),

	// Private networks (name in the query string; rename is JSON).
	lr("GET", "/network/networks", famNetwork, getNetworks),
	live400(lr("GET", "/network/network/{uuid}", famNetwork, getNetwork)),
	lr("POST", "/network/network", famNetwork, postNetwork),
	lr("PATCH", "/network/network/{uuid}", famNetwork, patchNetwork),
	lr("PUT", "/network/network/{uuid}/default", famNetwork, putNetworkDefault),
	lr("DELETE", "/network/network/{uuid}", famNetwork, deleteNetwork),

	// Standalone disks (form-encoded).
	lr("POST", "/storage/disks", famDisk, postDisk),
	lr("GET", "/storage/disks", famDisk, listDisks),
	lr("GET", "/storage/disks/{uuid}", famDisk, getDisk),
	lr("PATCH", "/storage/disks/{uuid}", famDisk, patchDisk),
	lr("DELETE", "/storage/disks/{uuid}", famDisk, deleteDisk),

	// Floating IPs (JSON).
	lr("POST", "/network/ip_addresses", famFIP, postFIP),
	lr("GET", "/network/ip_addresses", famFIP, listFIPs),
	lr("GET", "/network/ip_addresses/{ip}", famFIP, getFIP),
	lr("PATCH", "/network/ip_addresses/{ip}", famFIP, patchFIP),
	lr("DELETE", "/network/ip_addresses/{ip}", famFIP, deleteFIP),
	lr("POST", "/network/ip_addresses/{ip}/assign", famFIP, assignFIPHandler),
	lr("POST", "/network/ip_addresses/{ip}/unassign", famFIP, unassignFIPHandler),

	// Load balancers (JSON).
	lr("GET", "/network/load_balancers", famLB, listLBs),
	lr("POST", "/network/load_balancers", famLB, postLB),
	lr("GET", "/network/load_balancers/{uuid}", famLB, getLB),
	lr("PATCH", "/network/load_balancers/{uuid}", famLB, patchLB),
	lr("DELETE", "/network/load_balancers/{uuid}", famLB, deleteLB),
	lr("POST", "/network/load_balancers/{uuid}/targets", famLB, postLBTarget),
	lr("DELETE", "/network/load_balancers/{uuid}/targets/{target}", famLB, deleteLBTarget),
	lr("POST", "/network/load_balancers/{uuid}/forwarding_rules", famLB, postLBRule),
	lr("DELETE", "/network/load_balancers/{uuid}/forwarding_rules/{rule}", famLB, deleteLBRule),
	lr("PUT", "/network/load_balancers/{uuid}/billing_account", famLB, putLBBilling),

	// Object storage (global; form-encoded).
	gr("PUT", "/storage/bucket", famBucket, putBucket),
	gr("GET", "/storage/bucket", famBucket, getBucket),
	gr("PATCH", "/storage/bucket", famBucket, patchBucket),
	gr("DELETE", "/storage/bucket", famBucket, deleteBucket),
	gr("GET", "/storage/bucket/list", famBucket, listBuckets),
	gr("GET", "/storage/api/s3", famBucket, getS3Info),
	gr("GET", "/storage/user", famBucket, getS3User),
	gr("GET", "/storage/user/keys", famBucket, getS3Keys),
	gr("POST", "/storage/user/keys", famBucket, postS3Key),
	gr("DELETE", "/storage/user/keys", famBucket, deleteS3Key),

	// Pricing (global).
	gr("GET", "/pricing/policy", famOther, getPricingPolicy),
}

func live400(rt route) route {
	rt.live400 = true
	return rt
}
