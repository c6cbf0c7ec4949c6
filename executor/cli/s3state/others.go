package s3state

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/idstack/idstack/planner/state"
)

// The S3 backend lists the other stacks' states for --adopt
// (state.OwnedElsewhere).
var _ state.OtherStates = (*Backend)(nil)

// OtherStates reads the other *.state.json objects beside the state's key
// (same bucket, same prefix up to the key's last "/", not deeper): one
// listing, then per state found a listing of its journal and a read of
// its snapshot (and of its journal's objects, if any).
func (b *Backend) OtherStates() ([]*state.Other, []string) {
	dir := ""
	if i := strings.LastIndex(b.cfg.Key, "/"); i >= 0 {
		dir = b.cfg.Key[:i+1]
	}
	var keys []string
	p := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{Bucket: &b.cfg.Bucket, Prefix: aws.String(dir), Delimiter: aws.String("/")})
	for p.HasMorePages() {
		ctx, cancel := b.ctx()
		page, err := p.NextPage(ctx)
		cancel()
		if err != nil {
			return nil, []string{fmt.Sprintf("listing the states in s3://%s/%s: %v", b.cfg.Bucket, dir, err)}
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if k != b.cfg.Key && strings.HasSuffix(k, state.Suffix) && !strings.Contains(k[len(dir):], "/") {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	var out []*state.Other
	var bad []string
	for _, k := range keys {
		where := "state s3://" + b.cfg.Bucket + "/" + k
		// Its journal first, then its snapshot (see state.Stored).
		entries, err := b.readJournal(k + ".journal/")
		if err != nil {
			bad = append(bad, fmt.Sprintf("another stack's %s is unreadable (%v)", where, err))
			continue
		}
		data, _, err := b.get(k)
		if notFound(err) {
			continue // deleted since the listing
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("another stack's %s is unreadable (%v)", where, err))
			continue
		}
		st := state.Stored{Where: where, LogWhere: "journal s3://" + b.cfg.Bucket + "/" + k + ".journal/", Snapshot: data, Found: true, Log: entries}
		if o, msg := state.DecodeOther(st); o != nil {
			out = append(out, o)
		} else {
			bad = append(bad, msg)
		}
	}
	return out, bad
}
