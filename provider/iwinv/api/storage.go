package api

// BlockStorage is a row of GET /v1/block-storages and
// /v1/block-storages/{id}: a volume, attached to at most one instance
// (InstanceID nil when detached). Size is in GB.
type BlockStorage struct {
	BlockStorageID string  `json:"block_storage_id"`
	Name           string  `json:"name"`
	Description    *string `json:"description"`
	Type           string  `json:"type"`
	Size           int     `json:"size"`
	Status         string  `json:"status"`
	ZoneID         string  `json:"zone_id"`
	InstanceID     *string `json:"instance_id"`
	CreatedAt      string  `json:"created_at"`
}

// StorageAccepted is the result row of an asynchronous block storage call.
type StorageAccepted struct {
	BlockStorageID string  `json:"block_storage_id"`
	Status         string  `json:"status"`
	InstanceID     *string `json:"instance_id"`
}

// The form fields of POST /v1/block-storages (multipart/form-data).
const (
	FormInstanceID = "instance_id"
	FormType       = "type"
	FormSize       = "size"
)

// CreatedAtLayout is the layout of BlockStorage.CreatedAt (UTC).
const CreatedAtLayout = "2006-01-02 15:04:05"
