package cli

import (
	"log/slog"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/planner"
)

// A command is an options struct and a run function with injected
// streams (DESIGN.md, habit 10): the flags are read once into the struct
// (the …Of functions), and the run function knows nothing of urfave/cli.

// connOptions say how to reach the cloud: the global flags.
type connOptions struct {
	// Endpoint is a URL, "sim" for the embedded simulator, or "" for the
	// provider's own (--endpoint, IDSTACK_ENDPOINT).
	Endpoint string
	APIKey   string // idcloudhost's (--api-key, IDSTACK_API_KEY)
	// iwinv's key pair (--iwinv-access-key, --iwinv-secret-key,
	// IDSTACK_IWINV_ACCESS_KEY, IDSTACK_IWINV_SECRET_KEY).
	IwinvAccessKey, IwinvSecretKey string
	// Log receives every API call (--log-level, IDSTACK_LOG); nil: off.
	Log *slog.Logger
	// endpoint, when set, learns the endpoint a connection used, for the
	// message of a cloud that cannot be reached.
	endpoint *string
}

func connOf(c *cli.Context) connOptions {
	conn := connOptions{Endpoint: c.String("endpoint"), APIKey: c.String("api-key"),
		IwinvAccessKey: c.String("iwinv-access-key"), IwinvSecretKey: c.String("iwinv-secret-key")}
	conn.Log, _ = c.App.Metadata[metaLog].(*slog.Logger)
	conn.endpoint, _ = c.App.Metadata[metaEndpoint].(*string)
	return conn
}

// stackOptions are the stack file, its variables and where its state is
// kept.
type stackOptions struct {
	stackArgs
	BackendBucket, BackendKey string // --backend-bucket, --backend-key
}

func stackOptionsOf(c *cli.Context) (stackOptions, error) {
	args, err := stackArgsOf(c)
	return stackOptions{stackArgs: args, BackendBucket: c.String("backend-bucket"), BackendKey: c.String("backend-key")}, err
}

// planOptions are what a plan is made from.
type planOptions struct {
	Conn  connOptions
	Stack stackOptions
	// Plan shapes the plan: destroy, adopt, targets.
	Plan            planner.Options
	CreateDeadlines []string      // --create-deadline
	LockTimeout     time.Duration // --lock-timeout (apply, destroy)
}

func planOptionsOf(c *cli.Context, base planner.Options) (planOptions, error) {
	so, err := stackOptionsOf(c)
	if err != nil {
		return planOptions{}, err
	}
	base.Adopt = base.Adopt || c.Bool("adopt")
	base.Destroy = base.Destroy || c.Bool("destroy")
	base.Targets = append(base.Targets, c.StringSlice("target")...)
	return planOptions{Conn: connOf(c), Stack: so, Plan: base, CreateDeadlines: c.StringSlice("create-deadline"), LockTimeout: c.Duration("lock-timeout")}, nil
}

// applyOptions are an apply's or a destroy's.
type applyOptions struct {
	planOptions
	Command     string // "apply" or "destroy": names the lock's holder
	SavedPlan   string // a reviewed plan to apply ("" to plan now)
	AutoApprove bool
	NoRollback  bool
	Parallelism int
}

func applyOptionsOf(c *cli.Context, base planner.Options) (applyOptions, error) {
	po, err := planOptionsOf(c, base)
	return applyOptions{planOptions: po, Command: c.Command.Name, SavedPlan: c.Args().First(),
		AutoApprove: c.Bool("auto-approve"), NoRollback: c.Bool("no-rollback"), Parallelism: c.Int("parallelism")}, err
}
