package cli_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/provider/sim"
)

// TestS3Scripts runs testdata/script/s3/*.txtar: sessions with the state
// in S3. Each script gets a simulator of its own over real HTTP for its
// whole length (IDSTACK_ENDPOINT, IDSTACK_API_KEY), as a cloud account
// would be, with the bucket idstack-state already made.
func TestS3Scripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("..", "..", "testdata", "script", "s3"),
		Setup: func(env *testscript.Env) error {
			s := sim.New(sim.Options{ReadyAfter: 50 * time.Millisecond})
			srv := httptest.NewServer(s)
			env.Defer(srv.Close)
			if _, err := idcloudhost.New(srv.URL, "script-key").CreateBucket(context.Background(), "idstack-state", 0); err != nil {
				return err
			}
			env.Setenv("IDSTACK_ENDPOINT", srv.URL)
			env.Setenv("IDSTACK_API_KEY", "script-key")
			return nil
		},
	})
}
