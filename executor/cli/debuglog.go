package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/idstack/idstack/provider/idcloudhost"
	"github.com/idstack/idstack/provider/iwinv"
)

// The debug log (SPEC §5): IDSTACK_LOG=debug (or --log-level debug) writes
// every attempt of every call to the cloud's API, with its method, path,
// status, duration and whether it is retried, to stderr or to
// IDSTACK_LOG_FILE (--log-file). Lines are log/slog's text format, one
// key=value record per attempt, so grep and log shippers read them.
//
// Credentials are never in a record: the clients report no headers and no
// bodies, and every string the log writes is scrubbed of the API key and
// the iwinv key pair all the same, in case an error message quotes one.
//
// Levels: debug logs every attempt; warn only failed ones (an error, or
// an answer of 400 and above), retried or not; error only the attempts that
// gave up; off (the default) nothing.

const logLevelsAllowed = "debug, info, warn, error or off"

func logFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "log-level", Usage: "log the API calls: debug (every attempt), warn (failed ones), error (the ones given up), or off", EnvVars: []string{"IDSTACK_LOG"}},
		&cli.StringFlag{Name: "log-file", Usage: "write the log to `FILE` (appended) instead of stderr", EnvVars: []string{"IDSTACK_LOG_FILE"}},
	}
}

// openLog makes the run's logger; nil when logging is off. close closes
// the log file.
func openLog(level, file string, stderr io.Writer, secrets []string) (log *slog.Logger, close func() error, err error) {
	close = func() error { return nil }
	var lv slog.Level
	switch strings.ToLower(strings.TrimSpace(level)) {
	case "", "off", "none":
		return nil, close, nil
	case "debug":
		lv = slog.LevelDebug
	case "info":
		lv = slog.LevelInfo
	case "warn", "warning":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		return nil, close, exit(ExitError, fmt.Errorf("log level %q (--log-level, IDSTACK_LOG): allowed are %s", level, logLevelsAllowed))
	}
	w := stderr
	if file != "" {
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return nil, close, exit(ExitError, fmt.Errorf("log file (--log-file, IDSTACK_LOG_FILE): %w", err))
		}
		w, close = f, f.Close
	}
	var masks []string
	for _, s := range secrets {
		if len(s) >= 4 { // a shorter "secret" would mask ordinary words
			masks = append(masks, s, "(sensitive)")
		}
	}
	scrub := strings.NewReplacer(masks...)
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: lv, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if len(masks) > 0 && a.Value.Kind() == slog.KindString {
			a.Value = slog.StringValue(scrub.Replace(a.Value.String()))
		}
		return a
	}})
	return slog.New(h), close, nil
}

// callLevel is the level of an attempt: debug when it succeeded, warn when
// it failed and is retried, error when it failed and was the last.
func callLevel(status int, err error, retry bool) slog.Level {
	switch {
	case err == nil && status < 400:
		return slog.LevelDebug
	case retry:
		return slog.LevelWarn
	default:
		return slog.LevelError
	}
}

func logCall(log *slog.Logger, cloud string, status int, err error, retry bool, attrs ...slog.Attr) {
	lv := callLevel(status, err, retry)
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	log.LogAttrs(context.Background(), lv, "api call", append([]slog.Attr{slog.String("cloud", cloud)}, attrs...)...)
}

// idcloudhostObserver logs idcloudhost's calls; nil when logging is off.
func idcloudhostObserver(log *slog.Logger) idcloudhost.Option {
	if log == nil {
		return func(*idcloudhost.Client) {}
	}
	return idcloudhost.WithObserver(func(ci idcloudhost.CallInfo) {
		logCall(log, idcloudhost.Name, ci.Status, ci.Err, ci.Retry,
			slog.String("method", ci.Method), slog.String("location", ci.Location), slog.String("path", ci.Path),
			slog.Int("status", ci.Status), slog.Duration("duration", ci.Duration), slog.Int("attempt", ci.Attempt), slog.Bool("retry", ci.Retry))
	})
}

// iwinvObserver logs iwinv's calls; nil when logging is off.
func iwinvObserver(log *slog.Logger) iwinv.Option {
	if log == nil {
		return func(*iwinv.Client) {}
	}
	return iwinv.WithObserver(func(ci iwinv.CallInfo) {
		attrs := []slog.Attr{slog.String("method", ci.Method), slog.String("path", ci.Path),
			slog.Int("status", ci.Status), slog.Duration("duration", ci.Duration), slog.Int("attempt", ci.Attempt), slog.Bool("retry", ci.Retry)}
		if ci.Code != "" {
			attrs = append(attrs, slog.String("code", ci.Code))
		}
		logCall(log, iwinv.Name, ci.Status, ci.Err, ci.Retry, attrs...)
	})
}
