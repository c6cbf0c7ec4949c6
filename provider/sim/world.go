package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/idstack/idstack/provider/api"
)

// World is the simulator's whole state. It is plain data: exported fields
// only, JSON-serialisable (Save/Load) and comparable with cmp.Diff. The API
// shapes are kept in the api types; the fields around them are what the API
// does not show (location, network membership, readiness time…).
type World struct {
	// Seq numbers every id, uuid, MAC and address the simulator hands out;
	// with the server's seed it makes them deterministic.
	Seq int64 `json:"seq"`
	// PublicIPSeq numbers the public addresses handed out.
	PublicIPSeq int `json:"public_ip_seq"`
	// UserID is the account's user id, shown in every resource.
	UserID int `json:"user_id"`
	// BillingAccounts are the account's billing account ids; the first is
	// the default one.
	BillingAccounts []int `json:"billing_accounts"`
	// ForeignBuckets are bucket names taken by other users of the cloud
	// (bucket names are global).
	ForeignBuckets []string `json:"foreign_buckets"`

	Locations     []api.Location  `json:"locations"`
	Pools         []api.HostPool  `json:"pools"`
	Images        []api.VMImage   `json:"images"`
	VMs           []VM            `json:"vms"`
	Networks      []Network       `json:"networks"`
	Disks         []Disk          `json:"disks"`
	FloatingIPs   []FloatingIP    `json:"floating_ips"`
	LoadBalancers []LoadBalancer  `json:"load_balancers"`
	Buckets       []api.Bucket    `json:"buckets"`
	S3Keys        []api.S3Key     `json:"s3_keys"`
	Replicas      []StoredReplica `json:"replicas"`
	// Objects are the objects of the buckets, served over S3 (s3.go).
	Objects []Object `json:"objects,omitempty"`
}

// VM is a virtual machine of the world. API.Storage holds the boot disk
// only; attached disks live in World.Disks with AttachedTo set.
type VM struct {
	Location     string `json:"location"`
	NetworkUUID  string `json:"network_uuid"`
	PasswordHash string `json:"password_hash"`
	PublicKey    string `json:"public_key,omitempty"`
	CloudInit    string `json:"cloud_init,omitempty"`
	// ReadyAt is when the VM's current transition (creating, starting,
	// stopping) ends, and Next the status it then takes ("" for a world
	// saved before Next existed: creating and starting end running,
	// stopping stopped).
	ReadyAt time.Time `json:"ready_at"`
	Next    string    `json:"next,omitempty"`
	// Unlisted hides a VM whose synchronous create has not finished
	// (Quirks "live"): not listed, not found by uuid, in no network.
	Unlisted bool   `json:"unlisted,omitempty"`
	API      api.VM `json:"api"`

	// ClonedFrom is the replica (snapshot or backup) the VM was created
	// from with source_uuid/source_replica, ClonedFromVM its VM; the API
	// shows neither.
	ClonedFrom   string `json:"cloned_from,omitempty"`
	ClonedFromVM string `json:"cloned_from_vm,omitempty"`
}

// Network is a private network of a location.
type Network struct {
	Location string      `json:"location"`
	NextHost int         `json:"next_host"`
	API      api.Network `json:"api"`
}

// Disk is a standalone block storage disk, possibly attached to a VM.
type Disk struct {
	Location   string `json:"location"`
	AttachedTo string `json:"attached_to,omitempty"`
	Device     string `json:"device,omitempty"`
	// VMOwned disks were added with POST vm/storage and go with their VM.
	VMOwned bool `json:"vm_owned,omitempty"`
	// StorageID is the disk's id among a VM's storage.
	StorageID int      `json:"storage_id"`
	API       api.Disk `json:"api"`
}

// FloatingIP is a public IPv4 address of a location.
type FloatingIP struct {
	Location string         `json:"location"`
	API      api.FloatingIP `json:"api"`
}

// LoadBalancer is a load balancer of a location.
type LoadBalancer struct {
	Location string           `json:"location"`
	API      api.LoadBalancer `json:"api"`
}

// StoredReplica is a snapshot or backup of a VM's boot disk.
type StoredReplica struct {
	VMUUID string      `json:"vm_uuid"`
	API    api.Replica `json:"api"`
}

// Fixed identities of the initial world. The billing accounts are two of
// the document's: 129072 is the one its reinstall, rebuild and stop
// examples answer (and SPEC §1's stack default), 129188 the one its VM
// PATCH example answers.
const (
	DefaultBillingAccount = 129072
	SecondBillingAccount  = 129188
	GeneralPoolUUID       = "4820b11f-82c9-4313-a1ef-14d6039981db"
	PerformancePoolUUID   = "d2fc6881-9316-46d7-b515-b6cddaeee927"
	DefaultNetworkName    = "Default network"
	userID                = 8
)

// initialWorld is the world a new Server starts with.
func initialWorld(s *Server, noDefaultNetworks bool) World {
	w := World{
		UserID:          userID,
		BillingAccounts: documentBillingAccounts(),
		ForeignBuckets:  []string{},
		Locations:       initialLocations(),
		Pools:           initialPools(),
		Images:          initialImages(),
		VMs:             []VM{},
		Networks:        []Network{},
		Disks:           []Disk{},
		FloatingIPs:     []FloatingIP{},
		LoadBalancers:   []LoadBalancer{},
		Buckets:         []api.Bucket{},
		S3Keys:          []api.S3Key{},
		Replicas:        []StoredReplica{},
	}
	if !noDefaultNetworks {
		for _, l := range w.Locations {
			s.newNetwork(&w, l.Slug, DefaultNetworkName)
		}
	}
	return w
}

// documentBillingAccounts are the account's billing accounts: every id the
// reference document's examples send or show, so that a request copied
// from the document gets the document's answer. The default comes first.
func documentBillingAccounts() []int {
	return []int{
		DefaultBillingAccount, // VM answers, disk and bucket PATCH, bucket list
		SecondBillingAccount,  // VM PATCH answer
		6,                     // VM create and its answer, VM get and list, tokens
		7,                     // bucket list
		1, 2,                  // floating IP list; floating IP create and update
		12345,  // bucket create (its answer shows 129093)
		123456, // load balancer billing change
		129093, // buckets
		129552, // disk list
		129673, // disk create
		130157, // load balancers
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

// hash64 derives a deterministic number from the seed and a sequence number.
func hash64(seed, n int64, salt string) []byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(seed))
	binary.BigEndian.PutUint64(b[8:], uint64(n))
	h := sha256.Sum256(append(b[:], salt...))
	return h[:]
}

// newUUID returns a deterministic version 4 UUID.
func (s *Server) newUUID(w *World) string {
	h := hash64(s.seed, w.next(), "uuid")
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// newMAC returns a deterministic MAC address in the KVM range.
func (s *Server) newMAC(w *World) string {
	h := hash64(s.seed, w.next(), "mac")
	return fmt.Sprintf("52:54:00:%02x:%02x:%02x", h[0], h[1], h[2])
}

// newID returns a new integer id.
func (w *World) newID() int { return int(w.next()) }

// billingOK reports whether id is one of the account's billing accounts.
func (w *World) billingOK(id int) bool {
	for _, b := range w.BillingAccounts {
		if b == id {
			return true
		}
	}
	return false
}

// defaultBilling is the account's default billing account.
func (w *World) defaultBilling() int {
	if len(w.BillingAccounts) == 0 {
		return 0
	}
	return w.BillingAccounts[0]
}

// Timestamp layouts of the document: VM and network calls use the first,
// disks and buckets the second.
const (
	tsLayout     = "2006-01-02 15:04:05"
	tsMicro      = "2006-01-02 15:04:05.000000"
	tsJavaLayout = "2006-01-02T15:04:05.000+0000"
)
