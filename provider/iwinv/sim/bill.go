package sim

import (
	"net/http"

	"github.com/idstack/idstack/provider/iwinv/api"
)

// Bill is a month's bill. The reference lists the bill endpoints without
// their shapes; the simulator answers these (doc.go).
type Bill struct {
	BillID string `json:"bill_id"`
	Month  string `json:"month"`
	Amount int    `json:"amount"`
	Status string `json:"status"`
}

// LiveBill is the running total of the current month.
type LiveBill struct {
	Instances     int `json:"instances"`
	BlockStorages int `json:"block_storages"`
	Amount        int `json:"amount"`
}

var bills = []Bill{{BillID: "B202601", Month: "2026-01", Amount: 0, Status: "paid"}}

func listBills(c *call) (result, *apiErr) { return paginate(c, bills, api.DefaultPageSize) }

func getBill(c *call) (result, *apiErr) {
	for _, b := range bills {
		if b.BillID == c.params["id"] {
			return rows(http.StatusOK, []Bill{b}), nil
		}
	}
	return result{}, notFound("bill %s not found", c.params["id"])
}

// liveBill counts what is billed now: every instance, running or shut off
// (shutdown does not stop billing), and every block storage.
func liveBill(c *call) (result, *apiErr) {
	b := LiveBill{Instances: len(c.w.Instances), BlockStorages: len(c.w.BlockStorages)}
	return rows(http.StatusOK, []LiveBill{b}), nil
}
