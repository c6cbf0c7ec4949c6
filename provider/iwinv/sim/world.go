package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// World is the simulator's whole state: plain data, exported fields only,
// JSON-serialisable (Save, Load) and comparable with cmp.Diff. Tests read
// it with Server.World and change it with Server.Mutate.
type World struct {
	// Seq numbers every id the simulator hands out; with the seed it makes
	// them deterministic.
	Seq int64 `json:"seq"`

	Zones        []api.Zone             `json:"zones"`
	Flavors      []api.Flavor           `json:"flavors"`
	Images       []api.Image            `json:"images"`
	StorageTypes []api.BlockStorageType `json:"storage_types"`
	SSHKeys      []api.SSHKey           `json:"ssh_keys"`
	UserScripts  []api.UserScript       `json:"user_scripts"`

	Instances      []Instance      `json:"instances"`
	BlockStorages  []BlockStorage  `json:"block_storages"`
	SecurityGroups []SecurityGroup `json:"security_groups"`
}

// Instance is an instance of the world.
type Instance struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description *string  `json:"description"`
	Status      string   `json:"status"`
	Zone        string   `json:"zone"`
	Flavor      string   `json:"flavor"`
	Image       string   `json:"image"`
	SSHKey      string   `json:"ssh_key,omitempty"`
	UserScript  string   `json:"user_script,omitempty"`
	IP          []string `json:"ip"`
	// Password is the default account's, shown only to a read that asks
	// for it (api.FieldDefaultAccount).
	Password  string    `json:"password"`
	CreatedAt time.Time `json:"created_at"`
	// ReadyAt is when the current transition ends and Next the status it
	// then takes ("" for deleting: the instance is then gone).
	ReadyAt time.Time `json:"ready_at"`
	Next    string    `json:"next,omitempty"`
}

// BlockStorage is a volume of the world.
type BlockStorage struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Type        string  `json:"type"`
	Size        int     `json:"size"`
	Zone        string  `json:"zone"`
	Status      string  `json:"status"`
	// Instance is the instance it is attached to, or is being attached to
	// or detached from; "" when available.
	Instance  string    `json:"instance,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ReadyAt   time.Time `json:"ready_at"`
	Next      string    `json:"next,omitempty"`
}

// SecurityGroup is a firewall of the world with its rules and the
// instances it is attached to.
type SecurityGroup struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Content   *string    `json:"content"`
	ICMP      string     `json:"icmp"`
	Rules     []api.Rule `json:"rules"`
	Instances []string   `json:"instances"`
}

// The zones of the initial world; DefaultZone is the first listed, which
// the client reports as the default location.
const (
	DefaultZone = "KR1-Z01"
	SecondZone  = "KR1-Z02"
)

// initialWorld is a small realistic account: two zones, a few flavors
// (one offered in the second zone only) and images (Windows needs a
// larger flavor), two block storage types (HDD in the first zone only),
// two SSH keys and a user script made in the console.
func initialWorld() World {
	both := []string{DefaultZone, SecondZone}
	return World{
		Zones: []api.Zone{
			{ZoneID: DefaultZone, ZoneName: "KR1 Zone 1 (Seoul)", Status: "active"},
			{ZoneID: SecondZone, ZoneName: "KR1 Zone 2 (Seoul)", Status: "active"},
		},
		Flavors: []api.Flavor{
			{FlavorID: "fl-std-1c1g", Name: "STD-1C1G", Type: "standard", VCPU: 1, Memory: 1024, Disk: 25, Zones: both},
			{FlavorID: "fl-std-2c4g", Name: "STD-2C4G", Type: "standard", VCPU: 2, Memory: 4096, Disk: 50, Zones: both},
			{FlavorID: "fl-std-4c8g", Name: "STD-4C8G", Type: "standard", VCPU: 4, Memory: 8192, Disk: 80, Zones: both},
			{FlavorID: "fl-cpu-8c16g", Name: "CPU-8C16G", Type: "compute", VCPU: 8, Memory: 16384, Disk: 100, Zones: []string{SecondZone}},
		},
		Images: []api.Image{
			{ImageID: "img-ubuntu-2204", Name: "Ubuntu 22.04", OS: "ubuntu", ImageType: "linux", Visibility: "public", MinVCPU: 1, MinMemory: 1024, Zones: both},
			{ImageID: "img-ubuntu-2404", Name: "Ubuntu 24.04", OS: "ubuntu", ImageType: "linux", Visibility: "public", MinVCPU: 1, MinMemory: 1024, Zones: both},
			{ImageID: "img-rocky-9", Name: "Rocky Linux 9", OS: "rocky", ImageType: "linux", Visibility: "public", MinVCPU: 1, MinMemory: 1024, Zones: both},
			{ImageID: "img-debian-12", Name: "Debian 12", OS: "debian", ImageType: "linux", Visibility: "public", MinVCPU: 1, MinMemory: 1024, Zones: both},
			{ImageID: "img-win-2022", Name: "Windows Server 2022", OS: "windows", ImageType: "windows", Visibility: "public", MinVCPU: 2, MinMemory: 4096, Zones: both},
		},
		StorageTypes: []api.BlockStorageType{
			{Type: "SSD", Min: 10, Max: 2000, Zones: both},
			{Type: "HDD", Min: 10, Max: 4000, Zones: []string{DefaultZone}},
		},
		SSHKeys: []api.SSHKey{
			{SSHKeyID: "key-7f3a91", Name: "deploy", StartDate: "2026-01-05 09:00:00"},
			{SSHKeyID: "key-2b8c40", Name: "ops", StartDate: "2026-02-11 14:30:00"},
		},
		UserScripts: []api.UserScript{
			{UserScriptID: "us-1001", Name: "install-nginx"},
		},
		Instances:      []Instance{},
		BlockStorages:  []BlockStorage{},
		SecurityGroups: []SecurityGroup{},
	}
}

// clone deep-copies a world through its JSON form.
func (w *World) clone() World {
	b, err := json.Marshal(w)
	if err != nil {
		panic(fmt.Sprintf("sim: world does not marshal: %v", err))
	}
	var c World
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("sim: world does not unmarshal: %v", err))
	}
	return c
}

// next returns the next sequence number of the world.
func (w *World) next() int64 {
	w.Seq++
	return w.Seq
}

// newUUID returns a deterministic version 4 UUID.
func (w *World) newUUID(seed int64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(seed))
	binary.BigEndian.PutUint64(b[8:], uint64(w.next()))
	h := sha256.Sum256(b[:])
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// newFirewallID returns an id of the observed shape FIREWALL-….
func (w *World) newFirewallID(seed int64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(seed))
	binary.BigEndian.PutUint64(b[8:], uint64(w.next()))
	h := sha256.Sum256(append(b[:], "firewall"...))
	return fmt.Sprintf("FIREWALL-%X", h[:5])
}

// settle ends the transitions whose time has come: an instance takes its
// next status or, deleted, goes (its volumes detached and left behind,
// its firewall attachments dropped); a volume ends attached, detached or
// gone.
func (w *World) settle(now time.Time) {
	kept := w.Instances[:0]
	var gone []string
	for _, in := range w.Instances {
		if in.Next != "" || in.Status == api.StatusDeleting {
			if now.Before(in.ReadyAt) {
				kept = append(kept, in)
				continue
			}
			if in.Status == api.StatusDeleting {
				gone = append(gone, in.ID)
				continue
			}
			in.Status, in.Next = in.Next, ""
		}
		kept = append(kept, in)
	}
	w.Instances = kept
	for _, id := range gone {
		w.forgetInstance(id)
	}
	vols := w.BlockStorages[:0]
	for _, v := range w.BlockStorages {
		if v.Next != "" || v.Status == api.StorageDeleting {
			if now.Before(v.ReadyAt) {
				vols = append(vols, v)
				continue
			}
			if v.Status == api.StorageDeleting {
				continue
			}
			v.Status, v.Next = v.Next, ""
			if v.Status == api.StorageAvailable {
				v.Instance = ""
			}
		}
		vols = append(vols, v)
	}
	w.BlockStorages = vols
}

// forgetInstance detaches what a deleted instance leaves behind.
func (w *World) forgetInstance(id string) {
	for i := range w.BlockStorages {
		if v := &w.BlockStorages[i]; v.Instance == id {
			v.Instance, v.Status, v.Next = "", api.StorageAvailable, ""
		}
	}
	for i := range w.SecurityGroups {
		g := &w.SecurityGroups[i]
		out := g.Instances[:0]
		for _, in := range g.Instances {
			if in != id {
				out = append(out, in)
			}
		}
		g.Instances = out
	}
}

func (w *World) zone(id string) *api.Zone {
	for i := range w.Zones {
		if w.Zones[i].ZoneID == id {
			return &w.Zones[i]
		}
	}
	return nil
}

func (w *World) flavor(id string) *api.Flavor {
	for i := range w.Flavors {
		if w.Flavors[i].FlavorID == id {
			return &w.Flavors[i]
		}
	}
	return nil
}

func (w *World) image(id string) *api.Image {
	for i := range w.Images {
		if w.Images[i].ImageID == id {
			return &w.Images[i]
		}
	}
	return nil
}

func (w *World) instance(id string) *Instance {
	for i := range w.Instances {
		if w.Instances[i].ID == id {
			return &w.Instances[i]
		}
	}
	return nil
}

func (w *World) volume(id string) *BlockStorage {
	for i := range w.BlockStorages {
		if w.BlockStorages[i].ID == id {
			return &w.BlockStorages[i]
		}
	}
	return nil
}

func (w *World) group(id string) *SecurityGroup {
	for i := range w.SecurityGroups {
		if w.SecurityGroups[i].ID == id {
			return &w.SecurityGroups[i]
		}
	}
	return nil
}
