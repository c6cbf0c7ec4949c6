package iwinv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// maxPages bounds a list: a server that never ends its pages is an error,
// not a loop.
const maxPages = 1000

// listAll reads every page of a list (page_no from 1, the client's page
// size) and returns all rows. It stops at a short page, or when total rows
// are read; an answer without page_no and page_size is a list the API does
// not paginate (a group's rules), complete at once. A late failure
// discards the pages read: a partial list would read as deletions.
func listAll[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	var all []T
	for page := 1; page <= maxPages; page++ {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set(api.PageParam, strconv.Itoa(page))
		q.Set(api.PageSizeParam, strconv.Itoa(c.pageSize))
		env, err := c.do(ctx, request{method: http.MethodGet, path: path, query: q, mode: idempotent})
		if err != nil {
			return nil, err
		}
		rows, err := rowsOf[T](env, "GET "+path)
		if err != nil {
			return nil, err
		}
		if env.Count != nil && *env.Count != len(rows) {
			return nil, fmt.Errorf("GET %s: count %d, but %d rows", path, *env.Count, len(rows))
		}
		all = append(all, rows...)
		if !env.Paged() {
			return all, nil
		}
		if *env.PageNo != page {
			return nil, fmt.Errorf("GET %s: asked for page %d, answered page %d", path, page, *env.PageNo)
		}
		if len(rows) < *env.PageSize || len(rows) == 0 || env.Total != nil && len(all) >= *env.Total {
			return all, nil
		}
	}
	return nil, fmt.Errorf("GET %s: more than %d pages", path, maxPages)
}

// rowsOf decodes a result that is an array (a detail: an array of one).
func rowsOf[T any](env *api.Envelope, what string) ([]T, error) {
	var rows []T
	if err := json.Unmarshal(env.Result, &rows); err != nil {
		return nil, fmt.Errorf("%s: the result is not a list: %w", what, err)
	}
	return rows, nil
}
