package idcloudhost

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/idstack/idstack/provider"
	"github.com/idstack/idstack/provider/api"
)

// Buckets are global (no location) and form-encoded; they are named by
// their name, which is unique across the whole cloud.
const bucketPath = "/storage/bucket"

// ListBuckets is GET /v1/storage/bucket/list.
func (c *Client) ListBuckets(ctx context.Context) ([]api.Bucket, error) {
	var out []api.Bucket
	err := c.do(ctx, idempotent, http.MethodGet, "", bucketPath+"/list", nil, &out)
	return out, err
}

// GetBucket is GET /v1/storage/bucket?name=NAME.
func (c *Client) GetBucket(ctx context.Context, name string) (api.Bucket, error) {
	var out api.Bucket
	err := c.do(ctx, idempotent, http.MethodGet, "", bucketPath+"?"+url.Values{"name": {name}}.Encode(), nil, &out)
	return out, err
}

// CreateBucket is PUT /v1/storage/bucket (form name, billing_account_id);
// any 2xx is success. Never retried.
func (c *Client) CreateBucket(ctx context.Context, name string, billingAccount int) (api.Bucket, error) {
	f := url.Values{"name": {name}}
	if billingAccount != 0 {
		f.Set("billing_account_id", strconv.Itoa(billingAccount))
	}
	var out api.Bucket
	err := c.do(ctx, once, http.MethodPut, "", bucketPath, f, &out)
	return out, err
}

// SetBucketBilling is PATCH /v1/storage/bucket (form name, billing_account_id).
func (c *Client) SetBucketBilling(ctx context.Context, name string, billingAccount int) (api.Bucket, error) {
	var out api.Bucket
	err := c.do(ctx, idempotent, http.MethodPatch, "", bucketPath,
		url.Values{"name": {name}, "billing_account_id": {strconv.Itoa(billingAccount)}}, &out)
	return out, err
}

// DeleteBucket is DELETE /v1/storage/bucket?name=NAME; only empty buckets.
func (c *Client) DeleteBucket(ctx context.Context, name string) error {
	return c.do(ctx, idempotent, http.MethodDelete, "", bucketPath+"?"+url.Values{"name": {name}}.Encode(), nil, nil)
}

func bucketObject(b api.Bucket) provider.Object {
	return provider.Object{
		Kind: Buckets, ID: b.Name, Name: b.Name,
		Attrs: provider.Attrs{
			"name":            b.Name,
			"billing_account": b.BillingAccountID,
			"num_objects":     b.NumObjects,
			"size_bytes":      int(b.SizeBytes),
		},
	}
}

func (c *Client) listBucketObjects(ctx context.Context) ([]provider.Object, error) {
	bs, err := c.ListBuckets(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]provider.Object, 0, len(bs))
	for _, b := range bs {
		out = append(out, bucketObject(b))
	}
	return out, nil
}

func (c *Client) createBucket(ctx context.Context, a provider.Attrs) (provider.Object, error) {
	r := provider.AttrReader{Attrs: a}
	name, ba := r.Str("name"), r.Int("billing_account")
	if r.Err != nil {
		return provider.Object{}, r.Err
	}
	if name == "" {
		return provider.Object{}, fmt.Errorf("bucket create: a name is required")
	}
	b, err := c.CreateBucket(ctx, name, ba)
	if err != nil {
		return provider.Object{}, err
	}
	if b.Name == "" { // an answer without the bucket: read it back
		if b, err = c.GetBucket(ctx, name); err != nil {
			return provider.Object{Kind: Buckets, ID: name, Name: name, Attrs: provider.Attrs{"name": name, "billing_account": ba}}, nil
		}
	}
	return bucketObject(b), nil
}

func (c *Client) updateBucket(ctx context.Context, name string, changes []provider.FieldChange) (provider.Object, error) {
	cs := provider.IndexChanges(changes)
	if err := cs.Only("billing_account"); err != nil {
		return provider.Object{}, fmt.Errorf("bucket %s: %w", name, err)
	}
	b, err := c.GetBucket(ctx, name)
	if err != nil {
		return provider.Object{}, err
	}
	if ch, ok := cs["billing_account"]; ok {
		n, err := provider.AsInt("billing_account", ch.After)
		if err != nil {
			return provider.Object{}, err
		}
		if n != b.BillingAccountID {
			if _, err := c.SetBucketBilling(ctx, name, n); err != nil {
				return provider.Object{}, err
			}
			if b, err = c.GetBucket(ctx, name); err != nil {
				return provider.Object{}, err
			}
		}
	}
	return bucketObject(b), nil
}
