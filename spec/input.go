package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// Limits on what a load reads. Each is checked before the bytes are
// parsed or kept, and far above any real stack: a stack of 10,000
// resources is about 2 MB and nests 8 levels.
const (
	// MaxSourceSize bounds a stack file and each var file.
	MaxSourceSize = 8 << 20
	// MaxFileSize bounds the file of one ${file.PATH} (an SSH key, a
	// certificate, a script).
	MaxFileSize = 1 << 20
	// MaxDepth bounds the nesting of mappings and lists in a stack file or
	// a var file: the YAML parser's time and memory grow with its square.
	MaxDepth = 64
)

// utf8BOM is the byte order mark some editors put at the start of a file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// stripBOM drops a UTF-8 byte order mark at the start of src. It is
// invisible in editors, so the columns of line 1 stay right without it.
func stripBOM(src []byte) []byte { return bytes.TrimPrefix(src, utf8BOM) }

// TooLargeError is a file over its size limit.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s", e.Path, sizeText(e.Limit))
}

// NotRegularError is a file that is not a regular file (a device, a FIFO,
// a socket, a directory) where only regular files are read.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, fileType(e.Mode))
}

func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// sizeText is a limit in the units it is set in: 8 MiB, 1 MiB, 512 KiB.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// inputKind says what a file is read as, which sets its limit and which
// file types it may be.
type inputKind int

const (
	stackInput inputKind = iota // -f: a regular file or a pipe
	varInput                    // --var-file: a regular file or a pipe
	fileInput                   // ${file.PATH}: a regular file only
)

func (k inputKind) limit() int64 {
	if k == fileInput {
		return MaxFileSize
	}
	return MaxSourceSize
}

// read reads a file of the load within its limit. With Options.ReadFile
// unset it opens the file without blocking (a FIFO with no writer would
// block open(2) forever), checks its type on the open descriptor, and
// reads at most limit+1 bytes: a size from stat is not trusted (/dev/zero
// and /proc files report 0). A ReadFile given by the caller (tests) is
// held to the same size limit after the fact.
func (o Options) read(path string, k inputKind) ([]byte, error) {
	if o.ReadFile != nil {
		data, err := o.ReadFile(path)
		if err == nil && int64(len(data)) > k.limit() {
			return nil, &TooLargeError{Path: path, Limit: k.limit()}
		}
		return data, err
	}
	return readLimited(path, k)
}

func readLimited(path string, k inputKind) ([]byte, error) {
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	m := fi.Mode()
	// A pipe is what a shell's process substitution gives:
	// --var-file <(sops -d secrets.yaml), -f /dev/stdin.
	pipeOK := k != fileInput && m&fs.ModeNamedPipe != 0
	if !m.IsRegular() && !pipeOK {
		return nil, &NotRegularError{Path: path, Mode: m}
	}
	limit := k.limit()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}

// readLimitDetail says what a stack file or a var file may be.
var readLimitDetail = "a stack file or a var file is a regular file or a pipe of at most " + sizeText(MaxSourceSize)

// readProblem says what went wrong reading a file, for a diagnostic:
// summary (without the file's role) and what is allowed.
func readProblem(err error, k inputKind) (string, string) {
	var big *TooLargeError
	var odd *NotRegularError
	allowed := readLimitDetail
	if k == fileInput {
		allowed = "${file.PATH} reads a regular file of at most " + sizeText(MaxFileSize) + " (an SSH key, a certificate, a script): not a device, FIFO, socket or directory"
	}
	switch {
	case errors.As(err, &big):
		return big.Error(), allowed
	case errors.As(err, &odd):
		return odd.Error(), allowed
	}
	return err.Error(), ""
}
