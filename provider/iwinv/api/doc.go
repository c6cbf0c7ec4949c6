// Package api holds iwinv's wire types: the envelope every answer wears,
// the documented error codes, the request signature, and the JSON shapes of
// zones, flavors, images, instances, block storages, security groups and
// their rules, SSH keys and user scripts. The HTTP client (provider/iwinv)
// and the simulator (provider/iwinv/sim) share them and nothing else.
//
// Field names follow iwinv's reference pages (IWINV-NOTES.md); where a
// page is silent the shape is the simulator's choice, written down in
// provider/iwinv/sim's doc. Nothing here has behaviour beyond encoding.
package api
