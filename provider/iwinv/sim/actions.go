package sim

import (
	"net/http"
	"time"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// The texts of the action answers; shutdown's is the seed page's.
const (
	msgStart    = "Starting the instance. It may take some time."
	msgShutdown = "Shutting down the instance. It may take some time."
	msgReboot   = "Rebooting the instance. It may take some time."
	msgRebuild  = "Rebuilding the instance. It may take some time."
	msgResize   = "Resizing the instance. It may take some time."
)

// action serves an instance action: found, not busy, then f.
func action(f func(c *call, in *Instance) (result, *apiErr)) handler {
	return func(c *call) (result, *apiErr) {
		in, e := c.lookupInstance()
		if e != nil {
			return result{}, e
		}
		if e := notBusy(in); e != nil {
			return result{}, e
		}
		return f(c, in)
	}
}

// accepted is a 202 with an action's text whose work ends at done.
func accepted(msg string, done time.Time) result {
	res := text(http.StatusAccepted, msg)
	res.doneAt = done
	return res
}

// startInstance powers an instance on; starting an active one does
// nothing.
var startInstance = action(func(c *call, in *Instance) (result, *apiErr) {
	if in.Status == api.StatusActive {
		return text(http.StatusAccepted, msgStart), nil
	}
	return accepted(msgStart, c.transition(in, api.StatusStarting, api.StatusActive)), nil
})

// shutdownInstance is the power switch; shutting down a shut-off one does
// nothing.
var shutdownInstance = action(func(c *call, in *Instance) (result, *apiErr) {
	if in.Status == api.StatusShutoff {
		return text(http.StatusAccepted, msgShutdown), nil
	}
	return accepted(msgShutdown, c.transition(in, api.StatusStopping, api.StatusShutoff)), nil
})

var rebootInstance = action(func(c *call, in *Instance) (result, *apiErr) {
	if in.Status != api.StatusActive {
		return result{}, checkParam("instance %s is %s: only an active instance reboots", in.ID, in.Status)
	}
	return accepted(msgReboot, c.transition(in, api.StatusRebooting, api.StatusActive)), nil
})

// rebuildInstance rewrites the boot disk from image_id (the current image
// when absent); the instance ends active whatever it was.
var rebuildInstance = action(func(c *call, in *Instance) (result, *apiErr) {
	image := c.str(api.FormImageID)
	if image == "" {
		image = in.Image
	}
	if e := c.w.offered(in.Zone, image, in.Flavor); e != nil {
		return result{}, e
	}
	in.Image = image
	return accepted(msgRebuild, c.transition(in, api.StatusRebuilding, api.StatusActive)), nil
})

// resizeInstance changes the flavor of an active or shut-off instance; a
// running one is restarted by it and ends active, a shut-off one ends
// shut off.
var resizeInstance = action(func(c *call, in *Instance) (result, *apiErr) {
	flavor := c.str(api.FormFlavorID)
	if flavor == "" {
		return result{}, missing(api.FormFlavorID)
	}
	if flavor == in.Flavor {
		return result{}, checkParam("instance %s already has flavor %s", in.ID, flavor)
	}
	if e := c.w.offered(in.Zone, in.Image, flavor); e != nil {
		return result{}, e
	}
	in.Flavor = flavor
	return accepted(msgResize, c.transition(in, api.StatusResizing, in.Status)), nil
})

// remoteConsole answers a console link; a shut-off instance has none.
func remoteConsole(c *call) (result, *apiErr) {
	in, e := c.lookupInstance()
	if e != nil {
		return result{}, e
	}
	if in.Status != api.StatusActive {
		return result{}, badRequest(api.CheckConsole, "instance %s is %s: the console needs an active instance", in.ID, in.Status)
	}
	return rows(http.StatusOK, []api.VNC{{URL: "https://console.sim.invalid/vnc/" + in.ID}}), nil
}
