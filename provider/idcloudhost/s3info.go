package idcloudhost

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/idstack/idstack/provider/api"
)

// S3Endpoint is GET /v1/storage/api/s3: the URL of the account's S3
// object storage.
func (c *Client) S3Endpoint(ctx context.Context) (string, error) {
	var out api.S3Info
	if err := c.do(ctx, idempotent, http.MethodGet, "", "/storage/api/s3", nil, &out); err != nil {
		return "", err
	}
	if out.URL == "" {
		return "", errors.New("GET /v1/storage/api/s3 answered no url")
	}
	return out.URL, nil
}

// S3Keys is GET /v1/storage/user/keys: the account's S3 key pairs.
func (c *Client) S3Keys(ctx context.Context) ([]api.S3Key, error) {
	var out []api.S3Key
	err := c.do(ctx, idempotent, http.MethodGet, "", "/storage/user/keys", nil, &out)
	return out, err
}

// S3User is GET /v1/storage/user: the account's S3 user, which the
// service makes (with a first key pair) on first use.
func (c *Client) S3User(ctx context.Context) (api.S3User, error) {
	var out api.S3User
	err := c.do(ctx, idempotent, http.MethodGet, "", "/storage/user", nil, &out)
	return out, err
}

// S3Access is what an S3 client needs: the endpoint and a key pair.
type S3Access struct {
	Endpoint  string
	AccessKey string
	SecretKey string
}

// S3Access finds the S3 endpoint and a key pair of the account: the first
// of /v1/storage/user/keys, or, when there is none yet, the first of
// /v1/storage/user (which makes the S3 user and its first pair). It never
// creates further keys.
func (c *Client) S3Access(ctx context.Context) (S3Access, error) {
	url, err := c.S3Endpoint(ctx)
	if err != nil {
		return S3Access{}, err
	}
	keys, err := c.S3Keys(ctx)
	if err != nil {
		return S3Access{}, err
	}
	if len(keys) == 0 {
		u, err := c.S3User(ctx)
		if err != nil {
			return S3Access{}, err
		}
		keys = u.S3Credentials
	}
	for _, k := range keys {
		if k.AccessKey != "" && k.SecretKey != "" {
			return S3Access{Endpoint: strings.TrimSpace(url), AccessKey: k.AccessKey, SecretKey: k.SecretKey}, nil
		}
	}
	return S3Access{}, errors.New("the account has no S3 key pair: make one with POST /v1/storage/user/keys (or in the console)")
}
