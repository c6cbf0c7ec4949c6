package sim

import (
	"github.com/idstack/idstack/provider/api"
)

func initialLocations() []api.Location {
	return []api.Location{
		{DisplayName: "Jakarta 01", IsDefault: true, IsPreferred: true, Description: "Jakarta, Indonesia (primary)", OrderNr: 1, Slug: "jkt01", CountryCode: "idn"},
		{DisplayName: "Jakarta 02", Description: "Jakarta, Indonesia", OrderNr: 2, Slug: "jkt02", CountryCode: "idn"},
		{DisplayName: "Jakarta 03", Description: "Jakarta, Indonesia", OrderNr: 3, Slug: "jkt03", CountryCode: "idn"},
		{DisplayName: "Singapore 01", Description: "Singapore", OrderNr: 4, Slug: "sgp01", CountryCode: "sgp"},
	}
}

func initialPools() []api.HostPool {
	return []api.HostPool{
		{CreatedAt: "2022-12-28 13:50:52", Description: "A server class for a wide range of purposes", IsDefaultDesignated: true, Name: "General", UpdatedAt: "2023-02-21 08:17:13", UUID: GeneralPoolUUID},
		{CreatedAt: "2022-12-28 13:50:52", Description: "Faster CPUs for demanding workloads", Name: "Performance", UpdatedAt: "2023-02-22 21:21:13", UUID: PerformancePoolUUID},
	}
}

func image(os, display string, pos int, def, app bool, versions ...string) api.VMImage {
	img := api.VMImage{OSName: os, DisplayName: display, UIPosition: pos, IsDefault: def, IsAppCatalog: app, Icon: "https://console.idcloudhost.com/icons/" + os + ".svg"}
	for _, v := range versions {
		published := true
		if v[0] == '!' { // an unpublished (retired) version
			v, published = v[1:], false
		}
		img.Versions = append(img.Versions, api.VMImageVersion{OSVersion: v, DisplayName: v, Published: published})
	}
	return img
}

func initialImages() []api.VMImage {
	return []api.VMImage{
		image("ubuntu", "Ubuntu", 1, true, false, "!18.04", "20.04", "22.04", "24.04"),
		image("debian", "Debian", 2, false, false, "11", "12"),
		image("centos", "CentOS", 3, false, false, "7.9"),
		image("almalinux", "AlmaLinux", 4, false, false, "8", "9"),
		image("rockylinux", "Rocky Linux", 5, false, false, "9"),
		image("windows", "Windows Server", 6, false, false, "2019", "2022"),
		image("docker", "Docker CE on Ubuntu", 7, false, true, "24.04"),
	}
}

// published reports whether os/version is a published image of the world.
func (w *World) published(os, version string) bool {
	for _, img := range w.Images {
		if img.OSName != os {
			continue
		}
		for _, v := range img.Versions {
			if v.OSVersion == version && v.Published {
				return true
			}
		}
	}
	return false
}

func (w *World) pool(uuid string) *api.HostPool {
	for i := range w.Pools {
		if w.Pools[i].UUID == uuid {
			return &w.Pools[i]
		}
	}
	return nil
}

func (w *World) defaultPool() *api.HostPool {
	for i := range w.Pools {
		if w.Pools[i].IsDefaultDesignated {
			return &w.Pools[i]
		}
	}
	if len(w.Pools) > 0 {
		return &w.Pools[0]
	}
	return nil
}

func (w *World) defaultLocation() string {
	for _, l := range w.Locations {
		if l.IsDefault {
			return l.Slug
		}
	}
	if len(w.Locations) > 0 {
		return w.Locations[0].Slug
	}
	return ""
}

func getLocations(c *call) (result, *apiErr) { return ok(c.w.Locations), nil }

func getHostPools(c *call) (result, *apiErr) { return ok(c.w.Pools), nil }

func getImages(c *call) (result, *apiErr) { return ok(c.w.Images), nil }

func getImagesFiltered(app bool) handler {
	return func(c *call) (result, *apiErr) {
		out := []api.VMImage{}
		for _, img := range c.w.Images {
			if img.IsAppCatalog == app {
				out = append(out, img)
			}
		}
		return ok(out), nil
	}
}

func intp(i int) *int { return &i }

// Validation limits of /v1/api/parameters/vm.
const (
	minDisk, maxDisk       = 20, 240
	minRAM, maxRAM         = 512, 65536
	minVCPU, maxVCPU       = 1, 16
	minWinRAM, minWinVCPU  = 1024, 2
	vmNameExpr             = `^[0-9a-zA-Z][-0-9a-zA-Z]{2,}[0-9a-zA-Z]$`
	passwordExpr           = `^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{8,}$`
	usernameExpr           = `^(?=.{1,30}$)[a-zA-Z_][0-9a-zA-Z_-]*$`
	minExtraDisk, maxExtra = 1, 2048
)

// getParameters answers GET /v1/api/parameters/vm with the document's list;
// the os_name and os_version enums are the published catalogue.
func getParameters(c *call) (result, *apiErr) {
	var names []string
	var limits []map[string]any
	seen := map[string]bool{}
	for _, img := range c.w.Images {
		var vs []string
		for _, v := range img.Versions {
			if v.Published {
				vs = append(vs, v.OSVersion)
			}
		}
		if len(vs) == 0 || seen[img.OSName] {
			continue
		}
		seen[img.OSName] = true
		names = append(names, img.OSName)
		limits = append(limits, map[string]any{"os_name": img.OSName, "values": vs})
	}
	params := []api.VMParameter{
		{Constraint: "range", Description: "Size of main storage in gigabytes.", Mandatory: true, Max: intp(maxDisk), Min: intp(minDisk), Parameter: "disks", Type: "integer"},
		{Constraint: "regexp", Description: "Name of the VM", Expression: vmNameExpr, Mandatory: true, Parameter: "name", Type: "string"},
		{Constraint: "enum", Description: "OS name of VM base image.", Mandatory: true, Parameter: "os_name", Type: "string", Values: names},
		{Constraint: "enum", Description: "OS version of VM base image.", LimitedBy: "os_name", Limits: limits, Mandatory: true, Parameter: "os_version", Type: "string"},
		{Constraint: "regexp", Description: "Password for logging in to the VM.", Expression: passwordExpr, Mandatory: true, Parameter: "password", Type: "string"},
		{Constraint: "range", Description: "Amount of RAM.", LimitedBy: "os_name", Limits: []map[string]any{{"min": minWinRAM, "os_name": "windows"}}, Mandatory: true, Max: intp(maxRAM), Min: intp(minRAM), Parameter: "ram", Type: "integer"},
		{Constraint: "regexp", Description: "Username for logging in to the VM.", Expression: usernameExpr, LimitedBy: "os_name", Limits: []map[string]any{{"mandatory": false, "os_name": "windows"}}, Mandatory: true, Parameter: "username", Type: "string"},
		{Constraint: "range", Description: "Number of CPUs.", LimitedBy: "os_name", Limits: []map[string]any{{"min": minWinVCPU, "os_name": "windows"}}, Mandatory: true, Max: intp(maxVCPU), Min: intp(minVCPU), Parameter: "vcpu", Type: "integer"},
	}
	return ok(params), nil
}
