package api

// Zone is a row of GET /v1/zones. A zone is where instances and block
// storages live: idstack's location.
type Zone struct {
	ZoneID   string `json:"zone_id"`
	ZoneName string `json:"zone_name"`
	Status   string `json:"status"`
}

// Flavor is a row of GET /v1/flavors (and /v1/flavors/{id}): an instance
// size. Memory is in MiB, Disk (the boot disk) in GB.
type Flavor struct {
	FlavorID string   `json:"flavor_id"`
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	VCPU     int      `json:"vcpu"`
	Memory   int      `json:"memory"`
	Disk     int      `json:"disk"`
	GPU      int      `json:"gpu"`
	Zones    []string `json:"zones"`
}

// Image is a row of GET /v1/images (and /v1/images/{id}). MinVCPU and
// MinMemory (MiB) are what an instance of the image needs.
type Image struct {
	ImageID    string   `json:"image_id"`
	Name       string   `json:"name"`
	OS         string   `json:"os"`
	ImageType  string   `json:"image_type"`
	Visibility string   `json:"visibility"`
	MinVCPU    int      `json:"min_vcpu"`
	MinMemory  int      `json:"min_memory"`
	Zones      []string `json:"zones"`
}

// BlockStorageType is a row of GET /v1/block-storages/types: a volume
// type with its size bounds in GB and the zones that offer it.
type BlockStorageType struct {
	Type  string   `json:"type"`
	Min   int      `json:"min"`
	Max   int      `json:"max"`
	Zones []string `json:"zones"`
}

// SSHKey is a row of GET /v1/auth/ssh_key (keys are made in the console).
type SSHKey struct {
	SSHKeyID  string `json:"ssh_key_id"`
	Name      string `json:"name"`
	StartDate string `json:"start_date"`
}

// UserScript is a row of GET /v1/instance/script (scripts are made in the
// console).
type UserScript struct {
	UserScriptID string `json:"user_script_id"`
	Name         string `json:"name"`
}
