package run

import _ "embed"

//go:embed batch.schema.json
var batchSchema []byte

// BatchSchema is the JSON Schema (draft-07) of the batch JSON that
// `idstack stop --format json` and `idstack start --format json` print,
// published as executor/run/batch.schema.json.
func BatchSchema() []byte { return append([]byte(nil), batchSchema...) }
