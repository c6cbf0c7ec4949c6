// Package sim is an in-memory simulator of iwinv's IaaS API: a real
// http.Handler on the reference's routes under /v1, with its signature,
// envelope, error codes, pagination and asynchronous operations, plus what
// tests need: latency, readiness delays, a rate limit, fault injection,
// lost responses and a call log. Its facts come from the seed page
// (shutdown) and IWINV-NOTES.md; where they are silent the simulator
// chooses, and every choice is written below.
//
// The same Server serves tests (httptest.NewServer(s), or s.Client()
// without a listener) and `idstack sim --provider iwinv` (World saved
// with Save, read back with Load).
//
// # Control
//
// Tests control it in Go: AddFault (with Nth, Times, Rate, LostResponse,
// Params), TransientFaults, SetLatency, SetReadyAfter, SetRateLimit,
// Mutate, World and Calls; a running simulator over HTTP under
// ControlPrefix. A fault's Params (param.NAME=VALUE in ParseFault) match
// only calls that hold those values among their parameters: the query, a
// multipart or urlencoded body's fields, and a JSON object body's
// top-level string fields (not numbers, booleans or nested fields): a
// create of one name can fail alone. Fault specs, their matching and the
// in-process transport are provider/simkit's, shared with idcloudhost's
// simulator.
//
// # Requests
//
//   - Every call carries X-iwinv-Timestamp (Unix seconds),
//     X-iwinv-Credential (the access key) and X-iwinv-Signature, the
//     lowercase hex HMAC-SHA256 of timestamp + path keyed with the secret
//     key. The path is the URL path as sent, less a trailing slash; the
//     query is not signed.
//   - Refusals, all 401 (the live service answered 401 to a stale
//     timestamp; the others are chosen alike): no credential header or an
//     unknown access key is CHECK_CREDENTIAL (0x6); no timestamp or
//     signature header, a timestamp that is not Unix seconds, or one more
//     than 5 minutes from the server's clock either way is CHECK_SIGNATURE
//     (0x7); a signature that does not match is INVALID_SIGNATURE (0x8).
//     Authentication comes before routing: an unsigned call to an unknown
//     path is refused as unsigned. Source-IP restrictions (CHECK_IP,
//     CHECK_REQUEST_IP) are not simulated.
//   - Options.RateLimit (off by default; the API's is 60) allows that
//     many calls per access key in any 60 seconds; beyond it 429
//     LIMIT_EXCEEDED (0x17, the table's only code that fits) with
//     Retry-After: the seconds until the oldest call leaves the window.
//     Refused calls do not count.
//   - Instance and block storage writes are multipart/form-data (a
//     urlencoded body is read the same way); name and description are
//     URL-decoded once, since the reference asks clients to URL-encode
//     them. Security groups, rules and attachments take JSON; a form body
//     there is CHECK_PARAM.
//   - Deprecated create fields (security_group, attach_public_ip,
//     block_storage.N.*) are accepted and ignored.
//
// # Answers
//
//   - Every answer is the envelope {code, error_code, message, result}:
//     success is code "0x00" and error_code "SUCCESS"; an error carries its
//     documented code and name, its message and result null.
//   - HTTP statuses of errors (the reference gives none): 404 NOT_FOUND
//     for a missing object or an unknown path; 409 for a call the object's
//     state refuses (DELETED_OR_WORKING_INSTANCE for a busy instance,
//     IN_USE for an attached volume or group); 429 LIMIT_EXCEEDED; 401 as
//     above; every other refusal 400 with the code that names it
//     (CHECK_PARAM, CHECK_PARAM_ENUM, CHECK_LENGTH, ID_INVALID,
//     UNAVAILABLE_FLAVOR, UNAVAILABLE_COMBINATION, UNAVAILABLE_SSH_KEY,
//     IPV6_NOT_SUPPORTED, CIDR_NOT_VALID, REQUIRED_POST_PARAM_MISSING,
//     EMPTY_SET, CHECK_CONSOLE). A documented path with another method is
//     405 CHECK_PARAM. An injected 5xx is DEV_CHECK_RETURN (the live
//     service's code for a failed create).
//   - Lists are paginated with page_no (page is accepted too) from 1 and
//     page_size from 1 to 100, default 10 (50 for security groups, as seen
//     live), and add count (the rows of this page), page_no, page_size and
//     total. A page past the end is an empty array. Paginated: zones,
//     flavors, images, instances, block storages, security groups, SSH
//     keys, user scripts, bills. Not paginated (count only, every row at
//     once, as seen live or undocumented): a group's rules and instances,
//     block storage types. Details answer an array of one with count.
//   - Not found, per endpoint: an instance or block storage id of the
//     wrong shape (not a UUID) is 400 ID_INVALID, a well-formed unknown
//     one 404 NOT_FOUND; an unknown image is 400 ID_INVALID and an unknown
//     flavor an empty array (both seen live); GET of an unknown security
//     group is 200 with an empty array (seen live), its PUT and DELETE 404
//     NOT_FOUND, its rules and instances 400 CHECK_PARAM (seen live for
//     rules); an unknown rule is 404 NOT_FOUND.
//
// # Instances
//
//   - Statuses: building → active on create; active and shutoff are
//     settled; starting, stopping, rebooting, rebuilding, resizing and
//     deleting are transitions. Each takes Options.ReadyAfter (0: it ends
//     at the next call), computed from the clock (no goroutine); a world
//     saved mid-transition ends it by the clock once loaded. While one
//     lasts, every write to the instance (edit, actions, delete, a volume
//     or firewall attach or detach) is 409 DELETED_OR_WORKING_INSTANCE.
//   - Create answers 202 with [{instance_id, status: "building"}] (count ≤
//     10; with count > 1 the names get -1, -2 … and a missing name is
//     instance-<id prefix>). The instance is listed at once. Ids are UUIDs.
//     zone_id, image_id and flavor_id are required; a flavor not offered in
//     the zone is UNAVAILABLE_FLAVOR, a flavor smaller than the image's
//     minimum UNAVAILABLE_COMBINATION, an unknown SSH key
//     UNAVAILABLE_SSH_KEY. Names are 1–64 characters, descriptions at most
//     255 (CHECK_LENGTH); names need not be unique.
//   - Reads answer only the fields their mask asks for (without one: id,
//     name, status); description is then null when empty. Bit 16 is the
//     instance's addresses ("ip"), the simulator's choice. default_account
//     (128, with a password) and vnc (16384) are answered only when asked.
//   - PUT edits name and description (multipart) and answers the instance
//     as its fields mask asks; with neither, 400 EMPTY_SET.
//   - start, shutdown, reboot, rebuild, resize answer 202 with a text
//     (shutdown's is the seed page's). Starting an active instance and
//     shutting down a shut-off one do nothing (202). Reboot needs an
//     active instance. Rebuild (image_id, default the current image) ends
//     active whatever the instance was. Resize (flavor_id, required; the
//     same flavor is CHECK_PARAM) works on an active or a shut-off instance
//     and ends as it was: a running instance is restarted by it.
//   - Shutdown is the power switch and billing continues while off:
//     GET /v1/bill/live counts shut-off instances.
//   - DELETE answers 202 [{instance_id, status: "deleting",
//     block_storages: [ids]}]; the instance is gone ReadyAfter later, and
//     then its volumes are detached (left behind, available) and its
//     firewall attachments dropped.
//   - remote-console answers [{url}] for an active instance, else 400
//     CHECK_CONSOLE.
//
// # Block storage
//
//   - A volume is created attached: POST needs instance_id, type and size
//     (name and description optional) and answers 202 [{block_storage_id,
//     status: "creating", instance_id}]; it is "in-use" ReadyAfter later,
//     in the instance's zone. Types come from /block-storages/types with
//     their size bounds and zones (an unknown or unoffered type is
//     CHECK_PARAM_ENUM, a size out of bounds CHECK_PARAM).
//   - attach/{instance_id} goes attaching → in-use: the volume must be
//     available (else 409 IN_USE) and the instance of its zone (else
//     CHECK_PARAM) and not busy; detach goes detaching → available (a
//     volume that is not in use is CHECK_PARAM); DELETE goes deleting →
//     gone (available only, else 409 IN_USE). All answer 202 and take
//     ReadyAfter. Volume ids are UUIDs.
//   - The API has no resize of a volume.
//   - GETs answer 200 (seen live, where the reference says 202).
//
// # Firewalls
//
//   - Security groups (ids FIREWALL-…, seen live) are account-wide: they
//     have no zone. Create, edit and delete answer 200 (seen live; the
//     reference says 202). title is required (1–50 characters, a guess),
//     content optional, icmp "Y" or "N" (default N). Content is answered
//     HTML-escaped (seen live). PUT sets title and, when sent, content (an
//     empty one clears it: the live service was seen to do both) and icmp.
//     DELETE takes the rules with it; while attached it is 409 IN_USE.
//   - Rules (seen live): bound IN or OUT and protocol TCP or UDP, in
//     capitals (lowercase, or ICMP, is CHECK_PARAM_ENUM: ICMP is the group's
//     flag); port one port or an ascending range within 1–65535
//     (CHECK_PARAM); ip an IPv4 CIDR, host bits kept (IPv6 is
//     IPV6_NOT_SUPPORTED, a bare address CHECK_PARAM, a malformed prefix
//     CIDR_NOT_VALID); title 1–25 characters, content at most 25
//     (CHECK_LENGTH); an exact duplicate of bound, protocol, port and ip is
//     CHECK_PARAM. Ids are integers. PUT changes only the fields sent.
//   - attach and detach ({instance_id}) answer 202 and take effect at once;
//     attaching an attached instance or detaching a detached one does
//     nothing. An instance may have several groups.
//
// # Catalogue and world
//
// Two zones (KR1-Z01, listed first, and KR1-Z02), four flavors (one only
// in KR1-Z02), five images (Windows needs 2 vCPU and 4 GiB), two volume
// types (HDD only in KR1-Z01), two SSH keys and one user script, all made
// in the console (the API only lists them). Bills are a guess: one paid
// month, and a live bill that counts instances and volumes.
package sim
