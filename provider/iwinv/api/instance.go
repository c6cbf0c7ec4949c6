package api

// Bits of the fields mask of instance reads (api-kr.iwinv.kr/fields): an
// instance read answers only the fields it asks for. DefaultAccount (a
// password) and VNC (a console link) are never asked for by idstack.
const (
	FieldInstanceID     = 1
	FieldName           = 2
	FieldDescription    = 4
	FieldStatus         = 8
	FieldIP             = 16 // the simulator's choice: the fields page is silent on it
	FieldDefaultAccount = 128
	FieldZone           = 512
	FieldFlavor         = 1024
	FieldImage          = 2048
	FieldVNC            = 16384
)

// InstanceFields is what idstack reads of an instance: id, name,
// description, status, zone, flavor, image (the documented 3599) and its
// addresses.
const InstanceFields = FieldInstanceID | FieldName | FieldDescription | FieldStatus | FieldIP | FieldZone | FieldFlavor | FieldImage

// Instance is a row of GET /v1/instances and GET /v1/instances/{id} (whose
// result is an array of one), as idstack's client reads it. Every field is
// present only when the fields mask asks for it. It has no field for the
// default account's password or the console link: a client that decodes
// it has nowhere to keep them, even when a server sends them unasked.
type Instance struct {
	InstanceID  string     `json:"instance_id,omitempty"`
	Name        *string    `json:"name,omitempty"`
	Description NullString `json:"description,omitzero"`
	Status      string     `json:"status,omitempty"`
	IP          []string   `json:"ip,omitempty"`
	Zone        *ZoneRef   `json:"zone,omitempty"`
	Flavor      *FlavorRef `json:"flavor,omitempty"`
	Image       *ImageRef  `json:"image,omitempty"`
}

// InstanceDetail is an instance row with the fields that hold secrets,
// answered only when the fields mask asks for them (the simulator's
// shape; idstack never asks).
type InstanceDetail struct {
	Instance
	DefaultAccount *DefaultAccount `json:"default_account,omitempty"`
	VNC            *VNC            `json:"vnc,omitempty"`
}

// ZoneRef, FlavorRef and ImageRef are an instance's nested catalogue
// entries.
type ZoneRef struct {
	ZoneID   string `json:"zone_id"`
	ZoneName string `json:"zone_name"`
}

// FlavorRef is an instance's flavor.
type FlavorRef struct {
	FlavorID string `json:"flavor_id"`
	Name     string `json:"name"`
}

// ImageRef is an instance's image.
type ImageRef struct {
	ImageID string `json:"image_id"`
	Name    string `json:"name"`
}

// DefaultAccount is the account an image creates, with its password.
type DefaultAccount struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// VNC is an instance's console link.
type VNC struct {
	URL string `json:"url"`
}

// The form fields of POST /v1/instances (multipart/form-data). Name and
// description are URL-encoded once before they are put in the form, as
// the reference asks.
const (
	FormZoneID       = "zone_id"
	FormImageID      = "image_id"
	FormFlavorID     = "flavor_id"
	FormName         = "name"
	FormDescription  = "description"
	FormCount        = "count"
	FormSSHKeyID     = "ssh_key_id"
	FormUserScriptID = "user_script_id"
)
