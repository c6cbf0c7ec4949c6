package idcloudhost

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// TestCatalogReadsTheImageListOnce: a plan reads the catalogue of every
// location with VMs at once; the image list is global, so the client reads
// it once for all of them, and a failed read is not kept: the next
// catalogue reads it again.
func TestCatalogReadsTheImageListOnce(t *testing.T) {
	t.Parallel()
	var failFirst atomic.Bool
	failFirst.Store(true)
	images := example(t, "vm_images.json")
	pools := file(t, "host_pools.json")
	c, rec, _ := newFake(t, map[string]func(request) (int, string){
		"GET /v1/jkt01/user-resource/host_pool/list": pools,
		"GET /v1/jkt02/user-resource/host_pool/list": pools,
		"GET /v1/sgp01/user-resource/host_pool/list": pools,
		"GET /v1/config/vm_images": func(request) (int, string) {
			if failFirst.CompareAndSwap(true, false) {
				return 400, `{"errors": {"Error": "refused once"}}`
			}
			return 200, images
		},
	})
	ctx := context.Background()
	if _, err := c.Catalog(ctx, "jkt01"); err == nil {
		t.Fatal("a failed image list gave a catalogue")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for _, loc := range []string{"jkt01", "jkt02", "sgp01"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cat, err := c.Catalog(ctx, loc)
			if err == nil && len(cat.(*Catalog).Images) == 0 {
				t.Errorf("%s: no images in the catalogue", loc)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, r := range rec.Calls() {
		if r.Path == "/v1/config/vm_images" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("the image list was read %d times, want 2 (the failed read, then one for three locations)", n)
	}
}
