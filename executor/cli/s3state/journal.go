package s3state

import (
	"bytes"
	"fmt"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/idstack/idstack/planner/state"
)

// The journal in S3 is one object per batch of entries (a write of
// state.GroupCommit): KEY.journal/NNNNNNNNNN.jsonl, N the number of the
// batch's first entry, so that the keys sort in the journal's order. An
// earlier idstack wrote one object per run (NNNNNNNNNN-RUN.jsonl, N its
// first entry): those are read the same way.
//
// Two runs must not both write the state. A batch is written with
// If-None-Match: *, so of two runs that read the same journal only one can
// write its next entry. That misses a run that read the journal before
// another one finished, wrote its snapshot and cleared the journal (the
// key is free again); but that other run changed the snapshot first, so
// after each batch the snapshot's ETag is checked too (a HEAD), and a
// batch written too late is deleted again. A batch costs two requests,
// and covers every step that finished meanwhile.

// journal is one run's part of the journal.
type journal struct {
	*state.GroupCommit
	b *Backend
}

// readParallelism is how many journal objects are read at once.
const readParallelism = 16

// OpenJournal starts this run's part of the journal: its entries follow
// the last one written (the last object's).
func (b *Backend) OpenJournal() (state.Journal, error) {
	keys, err := b.journalKeys(b.journalDir())
	if err != nil {
		return nil, err
	}
	last := 0
	if n := len(keys); n > 0 {
		entries, err := b.readJournalObject(keys[n-1])
		if err != nil {
			return nil, err
		}
		if m := len(entries); m > 0 {
			last = entries[m-1].Seq
		}
	}
	j := &journal{b: b}
	j.GroupCommit = state.NewGroupCommit(last, state.NewRunID(), j.write)
	return j, nil
}

// write stores one batch as a new object, then checks that the snapshot
// did not change under this run.
func (j *journal) write(batch state.Batch) error {
	b := j.b
	key := fmt.Sprintf("%s%010d.jsonl", b.journalDir(), batch.First)
	where := "s3://" + b.cfg.Bucket + "/" + key
	etag, err := b.put(key, batch.Data, "*")
	if conditionFailed(err) {
		// Ours if a write whose answer was lost was sent again.
		cur, curTag, gerr := b.get(key)
		if gerr != nil || !bytes.Equal(cur, batch.Data) {
			return fmt.Errorf("journal %s: another run wrote this entry: %w; run `idstack plan` to see where things stand", where, state.ErrStateChanged)
		}
		etag, err = curTag, nil
	}
	if err != nil {
		return fmt.Errorf("journal %s: %w", where, err)
	}
	if err := b.snapshotUnchanged(); err != nil {
		// The batch went into a journal that another run has since
		// finished with: take it back, so that it is not read as part
		// of that run's state.
		b.del(key, etag)
		return err
	}
	return nil
}

// journalKeys lists the journal objects under dir, in order.
func (b *Backend) journalKeys(dir string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{Bucket: &b.cfg.Bucket, Prefix: aws.String(dir)})
	for p.HasMorePages() {
		ctx, cancel := b.ctx()
		page, err := p.NextPage(ctx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("listing the journal s3://%s/%s: %w", b.cfg.Bucket, dir, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// readJournalObject reads one journal object (none: no entries).
func (b *Backend) readJournalObject(key string) ([]state.Entry, error) {
	data, _, err := b.get(key)
	if notFound(err) {
		return nil, nil // cleared since it was listed
	}
	if err != nil {
		return nil, fmt.Errorf("reading the journal s3://%s/%s: %w", b.cfg.Bucket, key, err)
	}
	return state.ParseJournal("s3://"+b.cfg.Bucket+"/"+key, data)
}

// ReadJournal reads every run's entries, in order.
func (b *Backend) ReadJournal() ([]state.Entry, error) { return b.readJournal(b.journalDir()) }

// readJournal reads the journal objects under dir, several at a time.
func (b *Backend) readJournal(dir string) ([]state.Entry, error) {
	keys, err := b.journalKeys(dir)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	parts := make([][]state.Entry, len(keys))
	errs := make([]error, len(keys))
	sem := make(chan struct{}, readParallelism)
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			parts[i], errs[i] = b.readJournalObject(k)
		}()
	}
	wg.Wait()
	var out []state.Entry
	for i := range keys {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, parts[i]...)
	}
	return out, nil
}

// deleteBatch is the most keys one DeleteObjects call takes.
const deleteBatch = 1000

// ClearJournal removes every journal object, a thousand per request.
func (b *Backend) ClearJournal() error {
	keys, err := b.journalKeys(b.journalDir())
	if err != nil {
		return err
	}
	for len(keys) > 0 {
		n := min(len(keys), deleteBatch)
		ids := make([]types.ObjectIdentifier, n)
		for i, k := range keys[:n] {
			ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		ctx, cancel := b.ctx()
		out, err := b.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &b.cfg.Bucket, Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		cancel()
		if err != nil {
			return fmt.Errorf("clearing the journal s3://%s/%s: %w", b.cfg.Bucket, b.journalDir(), err)
		}
		for _, e := range out.Errors {
			if code := aws.ToString(e.Code); code != "NoSuchKey" {
				return fmt.Errorf("clearing the journal: s3://%s/%s: %s %s", b.cfg.Bucket, aws.ToString(e.Key), code, aws.ToString(e.Message))
			}
		}
		keys = keys[n:]
	}
	return nil
}
