// Command anwen is the whole platform in one binary: serve, migrate, demo,
// user, token and audit. Every flag also reads an ANWEN_ environment variable.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/anwen-gov/anwen/internal/app"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/notify"
)

const usage = `anwen — 安稳: work safety and petitions, run to closure

Usage:
  anwen serve [--demo] [--addr 127.0.0.1:8080]   run the platform
  anwen migrate                                  apply database migrations
  anwen demo                                     load the fictional demo district (idempotent)
  anwen user create --login L --name N --org-code C [--post P] [--phone X] [--role ROLE@ORGCODE ...] [--password P]
  anwen user reset-password --login L            print a new password (to be changed at next sign-in)
  anwen token create --user LOGIN [--name N]     print a new API token (shown once)
  anwen token list [--user LOGIN]
  anwen token revoke --id N
  anwen audit verify                             check the audit trail's hash chain
  anwen audit export [--from YYYY-MM-DD] [--to YYYY-MM-DD]   CSV on standard output
  anwen bench daily-report [--units N] [--clients C] [--db DSN]   load test on a throwaway database
  anwen version

Every command takes --data DIR (ANWEN_DATA, default ./anwen-data) and
--db DSN (ANWEN_DB; empty means SQLite in DIR; postgres://… means PostgreSQL).
Run "anwen COMMAND -h" for a command's flags.
`

var version = "dev"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1], os.Args[2:], os.Stdout, os.Stderr)
	var ee exitError
	switch {
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintln(os.Stderr, "anwen:", ee.msg)
		}
		os.Exit(ee.code)
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "anwen:", err)
		os.Exit(1)
	}
}

// exitError carries an exit code other than 1.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func run(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	switch cmd {
	case "serve":
		return cmdServe(ctx, args, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, args, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, args, stdout, stderr)
	case "user":
		return cmdUser(ctx, args, stdout, stderr)
	case "token":
		return cmdToken(ctx, args, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, args, stdout, stderr)
	case "bench":
		return cmdBench(ctx, args, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "anwen", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return exitError{2, fmt.Sprintf("unknown command %q", cmd)}
	}
}

// common holds the flags every command shares.
type common struct {
	data, dsn, logLevel string
	demo                bool
	cookieSecure        bool
	trustProxy          bool
	maxFailures         int
	lockout, idle       time.Duration
	waiveAdminTOTP      bool
	baseURL             string
	blobURL             string
	metricsToken        string
	smtp                notify.SMTPConfig
}

// env returns ANWEN_<name> or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv("ANWEN_" + name); ok {
		return v
	}
	return def
}

func envBool(name string, def bool) bool {
	v, ok := os.LookupEnv("ANWEN_" + name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def
	}
	return b
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(env(name, "")); err == nil {
		return n
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(env(name, "")); err == nil {
		return d
	}
	return def
}

func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet("anwen "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &common{}
	fs.StringVar(&c.data, "data", env("DATA", "anwen-data"), "data directory (SQLite file, attachments) [ANWEN_DATA]")
	fs.StringVar(&c.dsn, "db", env("DB", ""), "database: empty for SQLite in --data, or postgres://… [ANWEN_DB]")
	fs.StringVar(&c.logLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error [ANWEN_LOG_LEVEL]")
	return fs, c
}

func (c *common) logger(stderr io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.logLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: lvl}))
}

func (c *common) config() app.Config {
	ac := auth.DefaultConfig()
	if c.maxFailures > 0 {
		ac.MaxFailures = c.maxFailures
	}
	if c.lockout > 0 {
		ac.LockoutDuration = c.lockout
	}
	if c.idle > 0 {
		ac.IdleTimeout = c.idle
	}
	ac.WaiveAdminTOTP = c.waiveAdminTOTP
	return app.Config{DataDir: c.data, DSN: c.dsn, Demo: c.demo, CookieSecure: c.cookieSecure, TrustProxy: c.trustProxy, Auth: ac,
		BaseURL: strings.TrimSuffix(c.baseURL, "/"), SMTP: c.smtp, BlobURL: c.blobURL, MetricsToken: c.metricsToken}
}

// open parses flags and opens the app (migrating the database).
func open(ctx context.Context, fs *flag.FlagSet, c *common, args []string, stderr io.Writer) (*app.App, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, exitError{2, "unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}
	return app.Open(ctx, c.config(), nil, c.logger(stderr))
}
