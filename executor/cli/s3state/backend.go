// Package s3state keeps a stack's state, lock and journal in S3 object
// storage (the S3 backend, for CI where nothing local survives). It speaks
// HTTP through the AWS SDK, so only the command layer imports it: the
// planner and the executor know a state.Backend, never this one. What it
// shares with the local backend (the state's format and checks, the
// journal's and the lock's formats, reading other stacks' states) is
// planner/state's.
package s3state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/idstack/idstack/planner/state"
	"github.com/idstack/idstack/provider"
)

// Config says where a stack's state is kept in S3 object storage.
type Config struct {
	// Endpoint is the S3 URL (the cloud's GET /v1/storage/api/s3).
	Endpoint string
	// AccessKey and SecretKey sign the requests (GET /v1/storage/user/keys).
	AccessKey, SecretKey string
	// Region signs the requests; the cloud has one ("us-east-1" if empty).
	Region string
	// Bucket holds the state; Key is the state object's key. The lock is
	// KEY.lock and the journal KEY.journal/….
	Bucket, Key string
	// HTTPClient is nil for the default one.
	HTTPClient *http.Client
	// Timeout bounds each call (30 s if zero).
	Timeout time.Duration
	// Provider's kinds are the only ones a state may hold (nil: any).
	Provider *provider.Description
}

// DefaultKey is the state's key when the configuration names none: the
// name of the local backend's state file.
func DefaultKey(stack string) string { return state.FileName(stack) }

// Backend keeps a stack's state, lock and journal in S3 object storage,
// for CI where nothing local survives:
//   - the state's snapshot is one JSON object; every snapshot write is
//     conditional on the ETag of the snapshot this run read or last wrote
//     (If-Match, or If-None-Match: * for the first), so of two writers
//     only one wins and the other is told the state changed under it;
//   - the journal, the state's write-ahead log (an apply's intents,
//     outcomes and changes), is one object per batch of entries, never a
//     growing object rewritten: KEY.journal/NNNNNNNNNN.jsonl, N the first
//     entry's number (journal.go);
//   - the lock is an object created with If-None-Match: * (it fails when
//     the object exists) and released by a delete conditional on its own
//     ETag, so a run never removes another run's lock.
type Backend struct {
	cfg    Config
	stack  string
	client *s3.Client

	mu   sync.Mutex
	etag string // of the state as last read or written ("" = none yet)
	read bool   // Load or Save has run: etag is meaningful
}

var _ state.Backend = (*Backend)(nil)

// New returns the S3 backend of a stack.
func New(cfg Config, stack string) (*Backend, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("S3 backend: no bucket")
	}
	if cfg.Endpoint == "" {
		return nil, errors.New("S3 backend: no endpoint")
	}
	if cfg.Key == "" {
		cfg.Key = DefaultKey(stack)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	opts := s3.Options{
		BaseEndpoint: aws.String(strings.TrimSuffix(cfg.Endpoint, "/")),
		Region:       cfg.Region,
		UsePathStyle: true, // S3-compatible storage: bucket in the path, not the host
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
		// S3-compatible servers do not all know the newer checksum
		// trailers: send and check checksums only where S3 requires them.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if cfg.HTTPClient != nil {
		opts.HTTPClient = cfg.HTTPClient
	}
	return &Backend{cfg: cfg, stack: stack, client: s3.New(opts)}, nil
}

// String names the state object.
func (b *Backend) String() string { return "s3://" + b.cfg.Bucket + "/" + b.cfg.Key }

func (b *Backend) lockKey() string    { return b.cfg.Key + ".lock" }
func (b *Backend) journalDir() string { return b.cfg.Key + ".journal/" }

func (b *Backend) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), b.cfg.Timeout)
}

// s3Code is the S3 error code of err ("" if none).
func s3Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func notFound(err error) bool {
	switch s3Code(err) {
	case "NoSuchKey", "NotFound":
		return true
	}
	return false
}

// conditionFailed reports a lost conditional write (412, or 409 while
// another conditional write of the key is in flight).
func conditionFailed(err error) bool {
	switch s3Code(err) {
	case "PreconditionFailed", "ConditionalRequestConflict":
		return true
	}
	return false
}

// get reads an object and its ETag.
func (b *Backend) get(key string) ([]byte, string, error) {
	ctx, cancel := b.ctx()
	defer cancel()
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.cfg.Bucket, Key: &key})
	if err != nil {
		return nil, "", err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	return data, aws.ToString(out.ETag), err
}

// put writes an object; ifMatch "" writes unconditionally, "*" only if it
// does not exist, anything else only if its ETag is that. It returns the
// new ETag.
func (b *Backend) put(key string, data []byte, ifMatch string) (string, error) {
	ctx, cancel := b.ctx()
	defer cancel()
	in := &s3.PutObjectInput{Bucket: &b.cfg.Bucket, Key: &key, Body: bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))), ContentType: aws.String("application/json")}
	switch ifMatch {
	case "":
	case "*":
		in.IfNoneMatch = aws.String("*")
	default:
		in.IfMatch = aws.String(ifMatch)
	}
	out, err := b.client.PutObject(ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ETag), nil
}

func (b *Backend) del(key, ifMatch string) error {
	ctx, cancel := b.ctx()
	defer cancel()
	in := &s3.DeleteObjectInput{Bucket: &b.cfg.Bucket, Key: &key}
	if ifMatch != "" {
		in.IfMatch = aws.String(ifMatch)
	}
	_, err := b.client.DeleteObject(ctx, in)
	if notFound(err) {
		return nil
	}
	return err
}

// Load reads the state: the journal's objects first, then the snapshot
// (see state.Stored), whose ETag later writes are conditional on. No
// object yet is an empty state; one that does not validate is a
// *state.InvalidError.
func (b *Backend) Load() (*state.State, error) {
	entries, err := b.ReadJournal()
	if err != nil {
		return nil, err
	}
	data, etag, err := b.get(b.cfg.Key)
	found := err == nil
	if err != nil && !notFound(err) {
		return nil, fmt.Errorf("reading the state %s: %w", b, err)
	}
	// The ETag is the object's as read, valid or not: `idstack state rm`
	// may repair an invalid state, and its save is conditional on it.
	b.mu.Lock()
	b.etag, b.read = etag, true
	b.mu.Unlock()
	return state.Stored{Where: "state " + b.String(), LogWhere: "journal s3://" + b.cfg.Bucket + "/" + b.journalDir(),
		Snapshot: data, Found: found, Log: entries}.State(state.Expect{Stack: b.stack, Provider: b.cfg.Provider})
}

// Save writes the whole state as a change of its own: its serial
// incremented, then Checkpoint; on failure the serial is as it was.
func (b *Backend) Save(s *state.State) error {
	s.Serial++
	if err := b.Checkpoint(s); err != nil {
		s.Serial--
		return err
	}
	return nil
}

// Checkpoint writes the state as it is as the snapshot, on condition that
// the object is still the one this run read or last wrote; if another
// run wrote it since, the error is state.ErrStateChanged.
func (b *Backend) Checkpoint(s *state.State) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.read {
		// Never read: learn the current ETag so the write is still
		// conditional.
		_, etag, err := b.get(b.cfg.Key)
		if err != nil && !notFound(err) {
			return fmt.Errorf("reading the state %s: %w", b, err)
		}
		b.etag, b.read = etag, true
	}
	s.Version = state.FormatVersion
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	cond := b.etag
	if cond == "" {
		cond = "*"
	}
	data = append(data, '\n')
	etag, err := b.put(b.cfg.Key, data, cond)
	if conditionFailed(err) {
		// A write whose answer was lost and that the client sent again
		// fails its own condition: then the object is what we wrote.
		if cur, curTag, gerr := b.get(b.cfg.Key); gerr == nil && bytes.Equal(cur, data) {
			b.etag = curTag
			return nil
		}
		return fmt.Errorf("saving the state %s (serial %d): %w; run `idstack plan` to see where things stand", b, s.Serial, state.ErrStateChanged)
	}
	if err != nil {
		return fmt.Errorf("saving the state %s: %w", b, err)
	}
	b.etag = etag
	return nil
}

// snapshotUnchanged checks that the snapshot is still the one this run
// read or last wrote (a HEAD): the journal's writes are conditional on
// their own keys only, and this closes the gap (journal.go).
func (b *Backend) snapshotUnchanged() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.read {
		return nil // nothing read: nothing to compare with
	}
	ctx, cancel := b.ctx()
	defer cancel()
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.cfg.Bucket, Key: &b.cfg.Key})
	etag := ""
	switch {
	case err == nil:
		etag = aws.ToString(out.ETag)
	case !notFound(err):
		return fmt.Errorf("reading the state %s: %w", b, err)
	}
	if etag != b.etag {
		return fmt.Errorf("the state %s: %w; run `idstack plan` to see where things stand", b, state.ErrStateChanged)
	}
	return nil
}

// Lock creates the lock object, which fails while another run holds it;
// it waits up to timeout, polling, for the holder to release it.
func (b *Backend) Lock(holder string, timeout time.Duration) (func() error, error) {
	host, _ := os.Hostname()
	info := state.LockInfo{Holder: holder, Host: host, PID: os.Getpid(), CreatedAt: time.Now().UTC()}
	data, _ := json.Marshal(info)
	deadline := time.Now().Add(timeout)
	for {
		etag, err := b.put(b.lockKey(), data, "*")
		if err == nil {
			return func() error { return b.del(b.lockKey(), etag) }, nil
		}
		if !conditionFailed(err) {
			return nil, fmt.Errorf("taking the lock s3://%s/%s: %w", b.cfg.Bucket, b.lockKey(), err)
		}
		held, rerr := b.ReadLock()
		if rerr != nil && !errors.Is(rerr, state.ErrNoLock) {
			return nil, rerr
		}
		if rerr == nil && sameLock(held, info) {
			// Our own lock: the create succeeded, its answer was lost and
			// the client sent it again.
			_, etag, err := b.get(b.lockKey())
			if err != nil {
				return nil, err
			}
			return func() error { return b.del(b.lockKey(), etag) }, nil
		}
		if rerr == nil && !time.Now().Before(deadline) {
			return nil, &state.LockedError{Path: "s3://" + b.cfg.Bucket + "/" + b.lockKey(), Info: held, Stale: state.IsStale(held, host)}
		}
		// Released between our write and our read: try again at once.
		if rerr != nil {
			continue
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func sameLock(a, b state.LockInfo) bool {
	return a.Holder == b.Holder && a.Host == b.Host && a.PID == b.PID && a.CreatedAt.Equal(b.CreatedAt)
}

// ReadLock says who holds the lock; the error is a *state.LockReadError.
func (b *Backend) ReadLock() (state.LockInfo, error) {
	path := "s3://" + b.cfg.Bucket + "/" + b.lockKey()
	data, _, err := b.get(b.lockKey())
	if notFound(err) {
		return state.LockInfo{}, &state.LockReadError{Path: path, Err: state.ErrNoLock}
	}
	if err != nil {
		return state.LockInfo{}, &state.LockReadError{Path: path, Err: err}
	}
	return state.ParseLock(path, data)
}

// Unlock removes the lock whoever holds it.
func (b *Backend) Unlock() error { return b.del(b.lockKey(), "") }
