// Package stackgen writes synthetic stack files of any size for the
// benchmarks: the harness (go run ./bench) and the Benchmark functions of
// spec, schema and planner. It imports nothing of idstack, so any package's
// tests may use it.
//
// A stack is made of cells spread round-robin over the locations. A full
// cell is ten resources, shaped like a small web service:
//
//	networks.cN-net
//	vms.cN-db                  → cN-net
//	disks.cN-db-data           → cN-db        (attach_to)
//	vms.cN-web1..3             → cN-net, cN-db (cloud_init reads ${vms.cN-db.private_ipv4})
//	load_balancers.cN-lb       → cN-net, cN-web* (targets)
//	floating_ips.cN-db-ip      → cN-db        (assign_to)
//	disks.cN-web1-data         → cN-web1
//	buckets.cN-assets          (global)
//
// A stack of n resources has max(len(locations), ceil(n/10)) cells, so even
// the smallest spans every location; a cell with fewer than ten resources
// takes a prefix of the order below, which keeps every reference valid.
package stackgen

import (
	"fmt"
	"sort"
	"strings"
)

// Locations are the default locations of a generated stack.
var Locations = []string{"jkt01", "jkt02", "sgp01"}

// Options shape a generated stack.
type Options struct {
	// Locations to spread the cells over (default Locations).
	Locations []string
	// Prefix of every live name (default "bench"); bucket names are
	// global, so two stacks in one world need two prefixes.
	Prefix string
}

// role is one member of a cell, in fill order.
type role int

const (
	roleNet role = iota
	roleDB
	roleDBData
	roleWeb1
	roleLB
	roleDBIP
	roleBucket
	roleWeb2
	roleWebData
	roleWeb3
	cellSize
)

// Counts says how many resources of each kind a stack has.
type Counts map[string]int

// Total is the number of resources.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

func (c Counts) String() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, c[k])
	}
	return strings.Join(parts, ", ")
}

// Generate returns the text of a stack file of n resources (n ≥ 1) and
// what it holds.
func Generate(n int, opts Options) ([]byte, Counts) {
	locs := opts.Locations
	if len(locs) == 0 {
		locs = Locations
	}
	prefix := opts.Prefix
	if prefix == "" {
		prefix = "bench"
	}
	if n < 1 {
		n = 1
	}
	cells := (n + int(cellSize) - 1) / int(cellSize)
	if cells < len(locs) {
		cells = len(locs)
	}
	if cells > n {
		cells = n
	}
	sizes := make([]int, cells)
	for i := range sizes {
		sizes[i] = n / cells
		if i < n%cells {
			sizes[i]++
		}
	}

	// One section per kind, written in the order of the stack file.
	var nets, vms, disks, ips, lbs, buckets strings.Builder
	counts := Counts{}
	for i, size := range sizes {
		c := fmt.Sprintf("c%d", i)
		loc := locs[i%len(locs)]
		live := prefix + "-" + c // live names: VM names allow letters, digits and hyphens
		has := func(r role) bool { return int(r) < size }
		vm := func(name string, db bool) {
			fmt.Fprintf(&vms, "  %s-%s:\n", c, name)
			fmt.Fprintf(&vms, "    name: %s-%s\n    location: %s\n", live, name, loc)
			fmt.Fprintf(&vms, "    os_name: ubuntu\n    os_version: \"22.04\"\n    vcpu: ${var.vcpu}\n    ram: 1024\n    disk: 20\n")
			fmt.Fprintf(&vms, "    network: %s-net\n    username: deploy\n    password: ${var.vm_password}\n", c)
			if !db {
				fmt.Fprintf(&vms, "    cloud_init:\n      write_files:\n        - path: /etc/app/db_host\n          content: ${vms.%s-db.private_ipv4}\n      runcmd: [\"systemctl restart app\"]\n", c)
			} else {
				vms.WriteString("    backup: false\n")
			}
			counts["vms"]++
		}
		disk := func(name, vmName string, size int) {
			fmt.Fprintf(&disks, "  %s-%s:\n    location: %s\n    size: %d\n    source: {type: EMPTY}\n    attach_to: %s-%s\n", c, name, loc, size, c, vmName)
			counts["disks"]++
		}
		if has(roleNet) {
			fmt.Fprintf(&nets, "  %s-net:\n    name: %s-net\n    location: %s\n", c, live, loc)
			counts["networks"]++
		}
		if has(roleDB) {
			vm("db", true)
		}
		if has(roleDBData) {
			disk("db-data", "db", 50)
		}
		if has(roleWeb1) {
			vm("web1", false)
		}
		if has(roleLB) {
			targets := []string{c + "-web1"}
			if has(roleWeb2) {
				targets = append(targets, c+"-web2")
			}
			if has(roleWeb3) {
				targets = append(targets, c+"-web3")
			}
			fmt.Fprintf(&lbs, "  %s-lb:\n    name: %s-lb\n    location: %s\n    network: %s-net\n", c, live, loc, c)
			fmt.Fprintf(&lbs, "    rules:\n      - {source_port: 80, target_port: 8080}\n      - {source_port: 443, target_port: 8443}\n")
			fmt.Fprintf(&lbs, "    targets: [%s]\n", strings.Join(targets, ", "))
			counts["load_balancers"]++
		}
		if has(roleDBIP) {
			fmt.Fprintf(&ips, "  %s-db-ip:\n    name: %s-db-ip\n    location: %s\n    assign_to: %s-db\n", c, live, loc, c)
			counts["floating_ips"]++
		}
		if has(roleBucket) {
			fmt.Fprintf(&buckets, "  %s-assets:\n    name: %s-assets\n", c, live)
			counts["buckets"]++
		}
		if has(roleWeb2) {
			vm("web2", false)
		}
		if has(roleWebData) {
			disk("web1-data", "web1", 20)
		}
		if has(roleWeb3) {
			vm("web3", false)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# Generated by bench/stackgen: %d resources in %d cells over %s.\n", n, cells, strings.Join(locs, ", "))
	fmt.Fprintf(&b, "stack: %s-%d\nlocation: %s\nbilling_account: 129072\n", prefix, n, locs[0])
	b.WriteString("vars:\n  vcpu: {type: number, default: 1}\n  vm_password: {type: string, sensitive: true, default: Bench-Passw0rd1}\n")
	for _, sec := range []struct {
		kind string
		body *strings.Builder
	}{{"networks", &nets}, {"vms", &vms}, {"disks", &disks}, {"floating_ips", &ips}, {"load_balancers", &lbs}, {"buckets", &buckets}} {
		if sec.body.Len() == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s:\n%s", sec.kind, sec.body.String())
	}
	return []byte(b.String()), counts
}
