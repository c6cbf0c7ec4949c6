// Package sim is an in-memory simulator of the idcloudhost API: a real
// http.Handler on the reference document's own routes, methods, encodings,
// status codes, response shapes and rules, with latency, readiness delays,
// fault injection and the live service's known quirks (Options.Quirks).
//
// The same Server serves tests (httptest.NewServer(s) or s.Client(), which
// needs no listener), the standalone `idstack sim` and `--endpoint sim`
// (World persisted with Save and Load).
//
// # Control
//
// Tests control it in Go (AddFault, TransientFaults, SetLatency,
// SetReadyAfter, Mutate, World, Calls) or, on a running `idstack sim`,
// through flags (--fail, --lost-response, --transient-rate, --seed, all
// spelled as ParseFault reads them) and over HTTP under ControlPrefix
// (/_sim/calls, /_sim/world, /_sim/faults), which no API path can reach.
//
// # Behaviour
//
// Routes are /v1/{slug}/… for location-specific endpoints and /v1/… for the
// default location; an unknown slug answers 404. Buckets, S3, /config and
// /api/parameters/vm are global. Form fields are read from the query and a
// form body (also for DELETE); a JSON body is not a form, so a form endpoint
// sent JSON sees no fields, as the live service does for /storage/disks.
//
// The document gives no error statuses; the simulator answers 400 for
// invalid input, 404 for a missing object (400 for GET of a VM or network
// with Quirks "live"), 409 for a call the object's state refuses (a VM that
// is creating or running, a default or non-empty network, a non-empty
// bucket, an attached disk, a taken bucket name), 401 without an apikey
// header and 403 for a wrong key.
//
// VMs are "creating" for Options.ReadyAfter after create or clone, then
// "running" (computed from the clock when read; no goroutines). Start and
// stop take effect at once; with Quirks "live" create, start and stop block
// for Options.LiveVMDelay and answer the final status.
//
// # Guesses where the document is silent
//
//   - reserve_public_ip defaults to true for VMs (the document) and to false
//     for load balancers; a VM's reserved address outlives the VM
//     (unassigned, still billed), a load balancer's is released with it.
//   - Deleting a VM deletes the disks added with POST vm/storage and
//     detaches standalone ones; its replicas go with it.
//   - A PATCH of a VM with vcpu or ram equal to the current value is refused
//     (400) even if another field changes.
//   - start of a running VM and stop of a stopped one succeed (no-ops).
//   - Extra disks (vm/storage, /storage/disks) are 1–2048 GiB; a boot disk
//     20–240 GiB. PATCH /storage/disks changes only billing_account_id.
//   - A floating IP may be deleted while assigned; a VM holds at most one.
//   - Load balancer targets are VMs of the same location, in any network.
//   - POST vm/storage, attach and forwarding_rules answer the whole object
//     (the forwarding rule with its uuid, needed to drop it).
//   - The os_name/os_version enums of /api/parameters/vm are the published
//     catalogue (the document's example lists older images).
package sim
