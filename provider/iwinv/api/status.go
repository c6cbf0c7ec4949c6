package api

// Instance statuses. Active and Shutoff are settled; the others are
// transitions that end in one of them (or, for Deleting, in absence), and
// while one lasts the instance refuses calls that change it
// (DELETED_OR_WORKING_INSTANCE).
const (
	StatusBuilding   = "building"
	StatusActive     = "active"
	StatusShutoff    = "shutoff"
	StatusStarting   = "starting"
	StatusStopping   = "stopping"
	StatusRebooting  = "rebooting"
	StatusRebuilding = "rebuilding"
	StatusResizing   = "resizing"
	StatusDeleting   = "deleting"
)

// Block storage statuses: Available (detached) and InUse (attached) are
// settled.
const (
	StorageCreating  = "creating"
	StorageAvailable = "available"
	StorageInUse     = "in-use"
	StorageAttaching = "attaching"
	StorageDetaching = "detaching"
	StorageDeleting  = "deleting"
)
