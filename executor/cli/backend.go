package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/executor/cli/s3state"
	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/spec"
)

// backendFlags choose the remote state from the command line (they win
// over the stack file's backend:). Every command that reads a stack file
// takes them.
func backendFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "backend-bucket", Usage: "keep the state in this S3 `BUCKET` of the cloud's object storage", EnvVars: []string{"IDSTACK_BACKEND_BUCKET"}},
		&cli.StringFlag{Name: "backend-key", Usage: "the state's object `KEY` in the bucket (default <stack>.state.json)", EnvVars: []string{"IDSTACK_BACKEND_KEY"}},
	}
}

// s3Settings is the S3 backend as the stack file or the flags set it.
type s3Settings struct {
	Bucket, Key string
	From        string // "the stack file" or "--backend-bucket"
}

// s3SettingsFor reads backend: {s3: {bucket, key}} of the stack file and
// the flags; ok is false for the local backend.
func s3SettingsFor(so stackOptions, stack *spec.Stack) (s3Settings, bool) {
	var s s3Settings
	if b, ok := stack.Doc["backend"].(map[string]any); ok {
		if s3, ok := b["s3"].(map[string]any); ok {
			s.Bucket, _ = s3["bucket"].(string)
			s.Key, _ = s3["key"].(string)
			s.From = "the stack file"
		}
	}
	if v := so.BackendBucket; v != "" {
		s.Bucket, s.From = v, "--backend-bucket"
	}
	if v := so.BackendKey; v != "" {
		s.Key = v
	}
	if s.Bucket == "" {
		return s, false
	}
	if s.Key == "" {
		s.Key = s3state.DefaultKey(stack.Name)
	}
	return s, true
}

// backendFor picks where a stack's state lives: the cloud's S3 object
// storage when the stack file (backend: {s3: …}) or --backend-bucket says
// so, with the endpoint and a key pair read from the API
// (/v1/storage/api/s3, /v1/storage/user/keys); otherwise the local
// .idstack directory beside the stack file.
func backendFor(ctx context.Context, conn connOptions, so stackOptions, stack *spec.Stack) (state.Backend, error) {
	s, ok := s3SettingsFor(so, stack)
	if !ok {
		return state.NewLocal(stack.Dir, stack.Name, stack.Provider), nil
	}
	if stack.Provider != nil && stack.Provider.Name != idcloudhost.Name {
		// The bucket is idcloudhost's object storage, reached with its API
		// key: another cloud's stack has no such key, and --endpoint is
		// that cloud's.
		return nil, fmt.Errorf("the S3 state backend (from %s) keeps the state in idcloudhost's object storage, reached with idcloudhost's API key; a stack on %s keeps its state in .idstack/ beside the stack file: drop the backend", s.From, stack.Provider.Name)
	}
	endpoint, key := conn.Endpoint, conn.APIKey
	if endpoint == simEndpoint {
		return nil, fmt.Errorf("the S3 state backend (from %s) needs a simulator that outlives the run: start `idstack sim` and pass --endpoint http://127.0.0.1:8080, or drop the backend to keep the state in .idstack/", s.From)
	}
	if key == "" {
		return nil, errors.New("no API key: set IDSTACK_API_KEY or --api-key (the S3 state backend reads its endpoint and keys through the API)")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	access, err := idcloudhost.New(endpoint, key, idcloudhostObserver(conn.Log)).S3Access(ctx)
	if err != nil {
		return nil, fmt.Errorf("S3 state backend s3://%s/%s: %w", s.Bucket, s.Key, err)
	}
	return s3state.New(s3state.Config{
		Endpoint: access.Endpoint, AccessKey: access.AccessKey, SecretKey: access.SecretKey,
		Bucket: s.Bucket, Key: s.Key, Provider: stack.Provider,
	}, stack.Name)
}
