// Package api holds the idcloudhost wire types: the JSON shapes of the
// reference document (seeds/003), shared by the HTTP client and the
// simulator. Field names follow the document exactly; nullable fields are
// pointers, or Nullable where the document shows a key as null on some
// answers and leaves it out on others. Nothing here has behaviour beyond
// encoding.
package api

import (
	"bytes"
	"encoding/json"
)

// Nullable is a JSON value that may be absent, null or a value. With the
// omitzero tag option an absent one is left out and a null one is written
// as null, so a documented null survives a decode and an encode (a pointer
// with omitempty loses it; a pointer without it invents nulls).
type Nullable[T any] struct {
	Value T
	// Valid is set when the value is not null.
	Valid bool
	// Set is set when the key is present (null or a value).
	Set bool
}

// Some is a present, non-null value.
func Some[T any](v T) Nullable[T] { return Nullable[T]{Value: v, Valid: true, Set: true} }

// Null is a present null.
func Null[T any]() Nullable[T] { return Nullable[T]{Set: true} }

// IsZero reports an absent value (for omitzero).
func (n Nullable[T]) IsZero() bool { return !n.Set }

// Ptr is the value, or nil when absent or null.
func (n Nullable[T]) Ptr() *T {
	if !n.Valid {
		return nil
	}
	v := n.Value
	return &v
}

// MarshalJSON writes the value or null.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if !n.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(n.Value)
}

// UnmarshalJSON reads a value or null; either makes it present.
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*n = Nullable[T]{Set: true}
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = Some(v)
	return nil
}

// ErrorEnvelope is the document's error shape: {"errors": {"Error": "…"}}.
// The live service also uses other keys inside "errors", sometimes with an
// object holding "msg"; decoders take the first value.
type ErrorEnvelope struct {
	Errors map[string]json.RawMessage `json:"errors"`
}

// MessageError is the live service's second error shape: {"message": "…"}.
type MessageError struct {
	Message string `json:"message"`
}

// Location is an entry of GET /v1/config/locations.
type Location struct {
	DisplayName string `json:"display_name"`
	IsDefault   bool   `json:"is_default"`
	IsPreferred bool   `json:"is_preferred"`
	Description string `json:"description"`
	OrderNr     int    `json:"order_nr"`
	Slug        string `json:"slug"`
	CountryCode string `json:"country_code"`
}

// HostPool is an entry of GET /v1/user-resource/host_pool/list.
type HostPool struct {
	CreatedAt           string `json:"created_at"`
	Description         string `json:"description"`
	IsDefaultDesignated bool   `json:"is_default_designated"`
	Name                string `json:"name"`
	UpdatedAt           string `json:"updated_at"`
	UUID                string `json:"uuid"`
}

// VMImage is an entry of GET /v1/config/vm_images.
type VMImage struct {
	OSName       string           `json:"os_name"`
	DisplayName  string           `json:"display_name"`
	UIPosition   int              `json:"ui_position"`
	IsDefault    bool             `json:"is_default"`
	IsAppCatalog bool             `json:"is_app_catalog"`
	Icon         string           `json:"icon"`
	Versions     []VMImageVersion `json:"versions"`
}

// VMImageVersion is one version of a VMImage.
type VMImageVersion struct {
	OSVersion   string `json:"os_version"`
	DisplayName string `json:"display_name"`
	Published   bool   `json:"published"`
}

// VMParameter is an entry of GET /v1/api/parameters/vm.
type VMParameter struct {
	Constraint  string           `json:"constraint"`
	Description string           `json:"description"`
	Expression  string           `json:"expression,omitempty"`
	Mandatory   bool             `json:"mandatory"`
	Max         *int             `json:"max,omitempty"`
	Min         *int             `json:"min,omitempty"`
	Parameter   string           `json:"parameter"`
	Type        string           `json:"type"`
	Values      []string         `json:"values,omitempty"`
	LimitedBy   string           `json:"limited_by,omitempty"`
	Limits      []map[string]any `json:"limits,omitempty"`
}

// VM is a virtual machine (GET/POST/PATCH /v1/user-resource/vm, vm/list…).
type VM struct {
	Backup             bool             `json:"backup"`
	BillingAccount     int              `json:"billing_account"`
	CreatedAt          string           `json:"created_at"`
	Description        string           `json:"description"`
	DesignatedPoolName string           `json:"designated_pool_name,omitempty"`
	DesignatedPoolUUID string           `json:"designated_pool_uuid,omitempty"`
	Hostname           string           `json:"hostname"`
	HypervisorID       Nullable[int]    `json:"hypervisor_id,omitzero"`
	ID                 int              `json:"id,omitempty"`
	LicenseType        string           `json:"license_type,omitempty"`
	MAC                string           `json:"mac"`
	Memory             int              `json:"memory"`
	Name               string           `json:"name"`
	OSName             string           `json:"os_name"`
	OSVersion          string           `json:"os_version"`
	PrivateIPv4        string           `json:"private_ipv4"`
	PublicIPv4         Nullable[string] `json:"public_ipv4,omitzero"`
	PublicIPv6         string           `json:"public_ipv6,omitempty"`
	Status             string           `json:"status"`
	Storage            []Storage        `json:"storage"`
	Tags               any              `json:"tags"`
	UpdatedAt          *string          `json:"updated_at"`
	UserID             int              `json:"user_id"`
	Username           string           `json:"username"`
	UUID               string           `json:"uuid"`
	VCPU               int              `json:"vcpu"`
}

// Storage is a VM's disk as the VM calls report it.
type Storage struct {
	CreatedAt string `json:"created_at"`
	ID        int    `json:"id,omitempty"`
	Name      string `json:"name"`
	Pool      string `json:"pool,omitempty"`
	Primary   bool   `json:"primary"`
	// PublicIPv4 is shown (null) by GET billing_resources only.
	PublicIPv4 Nullable[string] `json:"public_ipv4,omitzero"`
	Replica    []Replica        `json:"replica"`
	Shared     bool             `json:"shared"`
	Size       int              `json:"size"`
	Type       string           `json:"type,omitempty"`
	UpdatedAt  Nullable[string] `json:"updated_at,omitzero"`
	UserID     int              `json:"user_id,omitempty"`
	UUID       string           `json:"uuid"`
}

// Replica is a snapshot or backup of a VM's storage.
type Replica struct {
	CreatedAt  string  `json:"created_at"`
	ID         int     `json:"id"`
	MasterID   int     `json:"master_id"`
	MasterUUID string  `json:"master_uuid"`
	Pool       string  `json:"pool"`
	Size       int     `json:"size"`
	Type       string  `json:"type"`
	UpdatedAt  *string `json:"updated_at"`
	UUID       string  `json:"uuid"`
}

// Success is the {"success": true} answer of several calls.
type Success struct {
	Success bool `json:"success"`
}

// Disk is a standalone block storage disk (/v1/storage/disks).
type Disk struct {
	UUID             string         `json:"uuid"`
	Status           string         `json:"status"`
	Snapshots        []DiskSnapshot `json:"snapshots,omitzero"` // [] is kept, nil left out
	UserID           int            `json:"user_id"`
	BillingAccountID int            `json:"billing_account_id"`
	SizeGB           int            `json:"size_gb"`
	SourceImageType  string         `json:"source_image_type"`
	SourceImage      string         `json:"source_image,omitempty"`
	CreatedAt        string         `json:"created_at"`
	UpdatedAt        string         `json:"updated_at"`
}

// DiskSnapshot is a snapshot of a standalone disk.
type DiskSnapshot struct {
	UUID      string `json:"uuid"`
	SizeGB    int    `json:"sizeGb"`
	CreatedAt string `json:"created_at"`
	DiskUUID  string `json:"disk_uuid"`
}

// Network is a private network (/v1/network/network…).
type Network struct {
	VLANID         *int     `json:"vlan_id,omitempty"`
	Subnet         string   `json:"subnet"`
	SubnetIPv6     string   `json:"subnet_ipv6"`
	Name           string   `json:"name"`
	CreatedAt      string   `json:"created_at"`
	UpdatedAt      string   `json:"updated_at"`
	UUID           string   `json:"uuid"`
	Type           string   `json:"type"`
	IsDefault      bool     `json:"is_default"`
	VMUUIDs        []string `json:"vm_uuids"`
	ResourcesCount int      `json:"resources_count"`
}

// FloatingIP is a public IPv4 address (/v1/network/ip_addresses…).
type FloatingIP struct {
	ID                     int     `json:"id"`
	Address                string  `json:"address"`
	UserID                 int     `json:"user_id"`
	BillingAccountID       int     `json:"billing_account_id"`
	Type                   string  `json:"type"`
	NetworkID              *int    `json:"network_id"`
	Name                   string  `json:"name"`
	Enabled                bool    `json:"enabled"`
	CreatedAt              string  `json:"created_at"`
	UpdatedAt              string  `json:"updated_at"`
	IsDeleted              bool    `json:"is_deleted"`
	IsVirtual              bool    `json:"is_virtual"`
	AssignedTo             *string `json:"assigned_to"`
	AssignedToResourceType string  `json:"assigned_to_resource_type,omitempty"`
	AssignedToPrivateIP    string  `json:"assigned_to_private_ip,omitempty"`
	UnassignedAt           string  `json:"unassigned_at,omitempty"`
	UUID                   string  `json:"uuid,omitempty"`
}

// LoadBalancer is a network load balancer (/v1/network/load_balancers…).
type LoadBalancer struct {
	UUID             string           `json:"uuid"`
	DisplayName      string           `json:"display_name"`
	NetworkUUID      string           `json:"network_uuid"`
	UserID           int              `json:"user_id"`
	BillingAccountID int              `json:"billing_account_id"`
	CreatedAt        string           `json:"created_at"`
	UpdatedAt        string           `json:"updated_at"`
	IsDeleted        bool             `json:"is_deleted"`
	PrivateAddress   string           `json:"private_address"`
	PublicAddress    string           `json:"public_address,omitempty"`
	ForwardingRules  []ForwardingRule `json:"forwarding_rules"`
	Targets          []LBTarget       `json:"targets"`
}

// ForwardingRule is a load balancer port rule.
type ForwardingRule struct {
	UUID       string        `json:"uuid,omitempty"`
	Protocol   string        `json:"protocol,omitempty"`
	CreatedAt  string        `json:"created_at,omitempty"`
	SourcePort int           `json:"source_port"`
	TargetPort int           `json:"target_port"`
	Settings   *RuleSettings `json:"settings,omitempty"`
}

// RuleSettings are a forwarding rule's settings.
type RuleSettings struct {
	ConnectionLimit    int    `json:"connection_limit"`
	SessionPersistence string `json:"session_persistence"`
}

// LBTarget is a load balancer target.
type LBTarget struct {
	CreatedAt       string `json:"created_at,omitempty"`
	TargetUUID      string `json:"target_uuid"`
	TargetType      string `json:"target_type"`
	TargetIPAddress string `json:"target_ip_address,omitempty"`
}

// Bucket is an S3 bucket (/v1/storage/bucket…).
type Bucket struct {
	Name             string `json:"name"`
	SizeBytes        int64  `json:"size_bytes"`
	BillingAccountID int    `json:"billing_account_id"`
	NumObjects       int    `json:"num_objects"`
	CreatedAt        string `json:"created_at"`
	ModifiedAt       string `json:"modified_at"`
	IsSuspended      bool   `json:"is_suspended"`
}

// S3Info is the answer of GET /v1/storage/api/s3.
type S3Info struct {
	URL string `json:"url"`
}

// S3User is the answer of GET /v1/storage/user.
type S3User struct {
	Caps             []any   `json:"caps"`
	DisplayName      string  `json:"displayName"`
	Email            string  `json:"email"`
	MaxBuckets       int     `json:"maxBuckets"`
	S3Credentials    []S3Key `json:"s3Credentials"`
	Subusers         []any   `json:"subusers"`
	Suspended        int     `json:"suspended"`
	SwiftCredentials []any   `json:"swiftCredentials"`
	UserID           string  `json:"userId"`
}

// S3Key is an S3 access key pair.
type S3Key struct {
	AccessKey string `json:"accessKey"`
	SecretKey string `json:"secretKey"`
	UserID    string `json:"userId"`
}

// PricingPolicy is the answer of GET /v1/pricing/policy: the hourly price
// of each billed resource, in the account's billing currency.
type PricingPolicy struct {
	Policy []PriceEntry `json:"policy"`
}

// PriceEntry is one price of the policy. ResourceType is CPU (NumCPUs
// CPUs), RAM (MegsRAM MiB), STORAGE (ServiceNameInUptime main, backup or
// snapshot: per GiB), LICENSE (windows: per core) or OBJECT_STORAGE (per
// GiB); Price is per hour.
type PriceEntry struct {
	NumCPUs                 int     `json:"numCpus,omitempty"`
	MegsRAM                 int     `json:"megsRam,omitempty"`
	PolicyID                int     `json:"policyId"`
	Price                   float64 `json:"price"`
	ResourceType            string  `json:"resourceType"`
	ServiceNameInUptime     string  `json:"serviceNameInUptime,omitempty"`
	ServiceNameUserFriendly string  `json:"serviceNameUserFriendly"`
}
