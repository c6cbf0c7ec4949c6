package sim

import (
	"fmt"
	"testing"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// TestPagination: lists are read page by page, default 10, with page_no
// (or page) and page_size; a page past the end is empty; bad values are
// CHECK_PARAM.
func TestPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	for i := range 35 {
		e.createInstance(SecondZone, fmt.Sprintf("crowd-%02d", i))
	}
	e.createInstance(DefaultZone, "elsewhere")
	for _, tc := range []struct {
		query              string
		rows, no, size, tl int
		first              string
	}{
		{"", 10, 1, 10, 35, "crowd-00"},
		{"&page_no=4", 5, 4, 10, 35, "crowd-30"},
		{"&page=2", 10, 2, 10, 35, "crowd-10"},
		{"&page_no=5", 0, 5, 10, 35, ""},
		{"&page_size=100", 35, 1, 100, 35, "crowd-00"},
		{"&page_no=3&page_size=16", 3, 3, 16, 35, "crowd-32"},
	} {
		a := e.must(200, "GET", "/v1/instances?zone_id="+SecondZone+tc.query, nil)
		var rows []api.Instance
		a.decode(t, &rows)
		if len(rows) != tc.rows || *a.env.Count != tc.rows || *a.env.PageNo != tc.no || *a.env.PageSize != tc.size || *a.env.Total != tc.tl {
			t.Errorf("%s: %d rows, count %d, page %d, size %d, total %d; want %d, %d, %d, %d, %d", tc.query, len(rows),
				*a.env.Count, *a.env.PageNo, *a.env.PageSize, *a.env.Total, tc.rows, tc.rows, tc.no, tc.size, tc.tl)
		}
		if tc.rows > 0 && *rows[0].Name != tc.first {
			t.Errorf("%s: first row %s, want %s", tc.query, *rows[0].Name, tc.first)
		}
	}
	for _, q := range []string{"page_no=0", "page_no=x", "page_size=101", "page_size=-1", "page_no=01"} {
		e.fails(400, api.CheckParam, "GET", "/v1/instances?"+q, nil)
	}
	// Security groups default to pages of 50, as seen live.
	a := e.must(200, "GET", "/v1/security-groups", nil)
	if *a.env.PageSize != 50 {
		t.Errorf("security groups page size %d, want 50", *a.env.PageSize)
	}
	// A group's rules are not paginated: every row at once, no page fields.
	var g []api.SecurityGroup
	e.must(200, "POST", "/v1/security-groups", api.SecurityGroupInput{Title: "many"}).decode(t, &g)
	for i := range 12 {
		e.must(200, "POST", "/v1/security-groups/"+g[0].FirewallID+"/rules",
			api.RuleInput{Bound: "IN", Protocol: "TCP", Port: fmt.Sprint(8000 + i), IP: "0.0.0.0/0", Title: "r"})
	}
	a = e.must(200, "GET", "/v1/security-groups/"+g[0].FirewallID+"/rules?page_no=1&page_size=5", nil)
	if *a.env.Count != 12 || a.env.Paged() {
		t.Errorf("rules: count %d, paged %v; want 12 rows unpaged", *a.env.Count, a.env.Paged())
	}
}
