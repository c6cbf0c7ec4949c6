// Package schema generates the JSON schema of a provider's stack files
// from its description, validates a loaded stack against it and maps each
// error back to its place in the file.
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/idstack/idstack/provider"
)

const schemaURL = "https://idstack.dev/idstack.schema.json"

// JSON returns the schema of a provider's stack files for editors
// (printed by `idstack schema`): generated from its description, a ${…}
// accepted wherever a variable may stand.
func JSON(d *provider.Description) []byte { return GenerateForEditors(d) }

// compiled holds what Validate needs, built once per description.
type compiled struct {
	src    []byte
	schema *jsonschema.Schema
	doc    any                 // the schema as plain JSON, to read keywords
	order  map[string][]string // schema pointer of an object → its "properties" keys in file order
}

var cache sync.Map // *provider.Description → func() (*compiled, error)

// load compiles the schema of a description, once per process.
func load(d *provider.Description) (*compiled, error) {
	f, _ := cache.LoadOrStore(d, sync.OnceValues(func() (*compiled, error) { return compile(Generate(d)) }))
	return f.(func() (*compiled, error))()
}

func compile(src []byte) (*compiled, error) {
	c := jsonschema.NewCompiler()
	// Draft-07: the draft editors (yaml-language-server) know best.
	c.Draft = jsonschema.Draft7
	if err := c.AddResource(schemaURL, bytes.NewReader(src)); err != nil {
		return nil, err
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	order, err := propertyOrder(src)
	if err != nil {
		return nil, err
	}
	return &compiled{src: src, schema: s, doc: doc, order: order}, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

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
