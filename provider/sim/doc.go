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
// SetReadyAfter, SetGatewayTimeout, Mutate, World, Calls) or, on a running
// `idstack sim`, through flags (--fail, --lost-response, --transient-rate,
// --seed, all spelled as ParseFault reads them; --ready-after, --async-vms,
// --gateway-timeout, --quirks) and over HTTP under ControlPrefix
// (/_sim/calls, /_sim/world, /_sim/faults), which no API path can reach.
// The call log records a call when the API answers it, or as Pending as
// soon as a blocking call's work begins or the gateway answers 504; the
// entry then gets the call's Outcome when the work is done.
//
// # Behaviour
//
// Routes are /v1/{slug}/… for location-specific endpoints and /v1/… for the
// default location; an unknown slug answers 404. Buckets, S3, /config,
// /api/parameters/vm and /pricing/policy (the document's example prices)
// are global. Form fields are read from the query and a
// form body (also for DELETE); a JSON body is not a form, so a form endpoint
// sent JSON sees no fields, as the live service does for /storage/disks.
//
// The document gives no error statuses; the simulator answers 400 for
// invalid input, 404 for a missing object (400 for GET of a VM or network
// with Quirks "live"), 409 for a call the object's state refuses (a busy
// VM, a running VM's vcpu/ram, a default or non-empty network, a
// non-empty bucket, an attached disk, a taken bucket name), 401 without an
// apikey header and 403 for a wrong key.
//
// # Billing accounts
//
// The account's billing accounts are every id the document's examples
// send or show (World.BillingAccounts): 129072 (DefaultBillingAccount, used
// where a call may omit it), 129188 (SecondBillingAccount), 6, 7, 1, 2,
// 12345, 123456, 129093, 129552, 129673 and 130157, so that a request
// copied from the document gets the document's answer; any other id is
// "Provided billing account is incorrect." (400). POST
// /network/ip_addresses requires billing_account_id (the document marks
// it required there, and only there): without it, 400 "billing_account_id
// is required: …", in both modes. A VM, disk, bucket or load balancer
// create without one gets 129072.
//
// # VM timing
//
// VM create (and clone), start and stop take Options.ReadyAfter (0: no
// time at all). Meanwhile the VM is "creating", "starting" or "stopping".
// By default, as the document shows, these calls answer when done, with
// "running" or "stopped"; with Options.AsyncVMs they answer at once with
// the transitional status, and the VM takes its final status ReadyAfter
// later (computed from Options.Now when read; no goroutine). A start of a
// running VM and a stop of a stopped one answer at once (no-ops); reinstall
// and rebuild take no time. A world saved during a transition (Save,
// --world) ends it by the clock once loaded.
//
// The work of a blocking call is the server's, not the client's: it
// completes at its normal time when the client goes away (a killed
// process, a cancelled context) or the gateway answers first; the call
// log then shows the call Lost or GatewayTimeout, with its Outcome. A
// client that leaves while its call is still in Latency withdraws it: the
// API never sees it (not recorded); a gateway timeout in Latency does not:
// the call reaches the API after its latency.
//
// While a VM is busy (creating, starting, stopping), every call that
// changes it answers 409 "Virtual machine U is stopping; try again when it
// is stopped" (or "is being created"/"is starting" … "running"): start,
// stop, PATCH (name, vcpu, ram), delete, password, backup toggle,
// reinstall, rebuild, snapshot (replica), clone from it, and its storage
// (add, grow, delete, attach, detach). Guesses: the live service is taken
// to refuse a delete while busy too; billing (resource_billing) and the
// public address calls (vm/ip/public, floating IP assign) are not the
// machine and are served.
//
// With Quirks "live", a VM whose synchronous create has not finished is
// not there: not listed, not found by uuid (GET answers 400, other calls
// 404), not in its network's vm_uuids and resources_count (the network is
// still not deletable), not in billing_resources. It appears, "running",
// when the create finishes; its reserved floating IP (reserve_public_ip)
// is reserved from the start. With AsyncVMs the create answered at once,
// so the VM is listed (creating) in live mode too.
//
// # Gateway timeout
//
// Options.GatewayTimeout (--gateway-timeout) models the gateway in front
// of the API, in both modes: a call still being served after it (a slow
// VM call, or Latency) is answered 504 with the gateway's own error shape,
// {"message": "The upstream server is timing out"} (the gateway's
// message, as its 401 and 403 answers), while the API carries on and
// completes the work at its normal time. The call log shows Status 504,
// GatewayTimeout, Pending until the work is done, then its Outcome.
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
