package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Whatever a log record says, the credentials are masked in it.
func TestLogMasksCredentials(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log, closeLog, err := openLog("debug", "", &buf, []string{"api-key-123", "AKIAIWINV", "", "ab"})
	if err != nil {
		t.Fatal(err)
	}
	defer closeLog()
	logCall(log, "idcloudhost", 401, errors.New("key api-key-123 refused; access AKIAIWINV"), false)
	if s := buf.String(); strings.Contains(s, "api-key-123") || strings.Contains(s, "AKIAIWINV") || strings.Count(s, "(sensitive)") != 2 {
		t.Errorf("not masked: %s", s)
	}
	if log, _, _ := openLog("off", "", &buf, nil); log != nil {
		t.Error("off logs")
	}
}
