// Package schema holds the JSON schema of the stack file, validates a
// loaded stack against it and maps each error back to its place in the
// file.
package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

//go:embed idstack.schema.json
var schemaJSON []byte

const schemaURL = "https://idstack.dev/idstack.schema.json"

// JSON returns the schema (printed by `idstack schema`).
func JSON() []byte { return bytes.Clone(schemaJSON) }

// compiled holds what Validate needs, built once.
type compiled struct {
	schema *jsonschema.Schema
	doc    any                 // the schema as plain JSON, to read keywords
	order  map[string][]string // schema pointer of an object → its "properties" keys in file order
}

var load = sync.OnceValues(func() (*compiled, error) {
	c := jsonschema.NewCompiler()
	// Draft-07: the draft editors (yaml-language-server) know best.
	c.Draft = jsonschema.Draft7
	if err := c.AddResource(schemaURL, bytes.NewReader(schemaJSON)); err != nil {
		return nil, err
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(schemaJSON, &doc); err != nil {
		return nil, err
	}
	order, err := propertyOrder(schemaJSON)
	if err != nil {
		return nil, err
	}
	return &compiled{schema: s, doc: doc, order: order}, nil
})

// node returns the schema object at a JSON pointer, or nil.
func (c *compiled) node(ptr string) map[string]any {
	var v any = c.doc
	for _, seg := range splitPointer(ptr) {
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			var i int
			if _, err := fmt.Sscan(seg, &i); err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	m, _ := v.(map[string]any)
	return m
}

func splitPointer(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "/")
	if ptr == "" {
		return nil
	}
	un := strings.NewReplacer("~1", "/", "~0", "~")
	segs := strings.Split(ptr, "/")
	for i, s := range segs {
		segs[i] = un.Replace(s)
	}
	return segs
}

// propertyOrder records the order of every "properties" object, so the
// allowed fields are listed as the schema (and the docs) list them.
func propertyOrder(src []byte) (map[string][]string, error) {
	out := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(src))
	var walk func(ptr string) error
	walk = func(ptr string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k := kt.(string)
				p := ptr + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
				if strings.HasSuffix(ptr, "/properties") {
					owner := strings.TrimSuffix(ptr, "/properties")
					out[owner] = append(out[owner], k)
				}
				if err := walk(p); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s/%d", ptr, i)); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	return out, walk("")
}
