package spec

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// loadFile loads a stack file written in dir (a file of its own: tests
// in parallel share dir) with the real file system.
func loadFile(t *testing.T, dir, src string, opts Options) (*Stack, Diagnostics) {
	t.Helper()
	f, err := os.CreateTemp(dir, "stack-*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := f.Name()
	_, err = f.WriteString(src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = fakeEnv(nil)
	}
	return load(p, opts)
}

// sized writes a file of n bytes (sparse: nothing is written but its end).
func sized(t *testing.T, path string, n int64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(n); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFileLimits: ${file.PATH} reads a regular file of at most
// MaxFileSize, through a bounded reader; a device is refused before a byte
// is read (issue 11, item 10: ${file./dev/zero} read 6 GB in 60 s).
func TestFileLimits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sized(t, filepath.Join(dir, "big.pem"), MaxFileSize+1)
	if err := os.WriteFile(filepath.Join(dir, "max.pem"), []byte(strings.Repeat("k", MaxFileSize)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, field string
		want        []string
	}{
		{"at the limit", "${file.max.pem}", nil},
		{"over the limit", "x ${file.big.pem}", []string{"3:13: error: file " + filepath.Join(dir, "big.pem") + " is larger than 1 MiB (in ${file.big.pem})"}},
		{"a directory", "${file.sub}", []string{"3:11: error: file " + filepath.Join(dir, "sub") + " is a directory, not a regular file (in ${file.sub})"}},
	}
	if runtime.GOOS != "windows" {
		tests = append(tests, struct {
			name, field string
			want        []string
		}{"a device", "${file./dev/zero}", []string{"3:11: error: file /dev/zero is a character device, not a regular file (in ${file./dev/zero})"}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			s, ds := loadFile(t, dir, "stack: s\nvms:\n  a: {f: \""+tt.field+"\"}\n", Options{})
			if d := cmp.Diff(tt.want, brief(ds)); d != "" {
				t.Fatalf("(-want +got):\n%s", d)
			}
			if tt.want == nil {
				if got := s.Lookup(Address{VMs, "a"}).Fields["f"].V.(string); len(got) != MaxFileSize {
					t.Errorf("read %d bytes, want %d", len(got), MaxFileSize)
				}
				return
			}
			if !strings.Contains(ds[0].Detail, "at most 1 MiB") {
				t.Errorf("the detail does not say the limit: %q", ds[0].Detail)
			}
			if el := time.Since(start); el > 10*time.Second {
				t.Errorf("took %v", el)
			}
		})
	}
}

// TestSourceLimits: a stack file and a var file are regular files (or
// pipes) of at most MaxSourceSize.
func TestSourceLimits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := sized(t, filepath.Join(dir, "big.yaml"), MaxSourceSize+1)
	tests := []struct {
		name string
		run  func() Diagnostics
		want []string
	}{
		{"stack file over the limit", func() Diagnostics { _, ds := load(big, Options{}); return ds },
			[]string{"-: error: cannot read stack file: " + big + " is larger than 8 MiB"}},
		{"stack text over the limit", func() Diagnostics {
			_, ds := loadBytes("s.yaml", make([]byte, MaxSourceSize+1), Options{})
			return ds
		}, []string{"-: error: cannot read stack file: s.yaml is larger than 8 MiB"}},
		{"var file over the limit", func() Diagnostics {
			_, ds := loadFile(t, t.TempDir(), "stack: s\n", Options{VarFiles: []string{big}})
			return ds
		}, []string{"-: error: cannot read var file: " + big + " is larger than 8 MiB"}},
		{"stack file that is a directory", func() Diagnostics { _, ds := load(dir, Options{}); return ds },
			[]string{"-: error: cannot read stack file: " + dir + " is a directory, not a regular file"}},
	}
	if runtime.GOOS != "windows" {
		tests = append(tests, struct {
			name string
			run  func() Diagnostics
			want []string
		}{"stack file that is a device", func() Diagnostics { _, ds := load("/dev/zero", Options{}); return ds },
			[]string{"-: error: cannot read stack file: /dev/zero is a character device, not a regular file"}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ds := tt.run()
			if d := cmp.Diff(tt.want, brief(ds)); d != "" {
				t.Fatalf("(-want +got):\n%s", d)
			}
			if !strings.Contains(ds[0].Detail, "at most 8 MiB") {
				t.Errorf("the detail does not say the limit: %q", ds[0].Detail)
			}
		})
	}
}

// TestReadFileOptionIsBounded: a ReadFile given in Options is held to the
// same limits.
func TestReadFileOptionIsBounded(t *testing.T) {
	t.Parallel()
	files := map[string]string{"/s/big.pem": strings.Repeat("x", MaxFileSize+1)}
	_, ds := loadBytes("/s/idstack.yaml", []byte("stack: s\nvms:\n  a: {f: \"${file.big.pem}\"}\n"), Options{ReadFile: fakeFS(files), LookupEnv: fakeEnv(nil)})
	want := []string{"3:11: error: file /s/big.pem is larger than 1 MiB (in ${file.big.pem})"}
	if d := cmp.Diff(want, brief(ds)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}
