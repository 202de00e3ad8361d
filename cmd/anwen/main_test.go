package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// runCmd runs one anwen command against the database given by flags.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args[0], append(args[1:], "--log-level", "error"), &out, &errb)
	return out.String(), errb.String(), err
}

func TestCommands(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dir := t.TempDir()
			flags := []string{"--data", dir}
			if dialect == "postgres" {
				flags = []string{"--db", dbtest.PostgresDSN(t)}
			}
			with := func(args ...string) []string { return append(args, flags...) }

			out, _, err := runCmd(t, with("migrate")...)
			if err != nil || !strings.Contains(out, "schema version") {
				t.Fatalf("migrate: %q %v", out, err)
			}
			if out, _, err = runCmd(t, with("demo")...); err != nil || !strings.Contains(out, "added 127 organisations, 381 people, 40 enterprises, 57 hazards, ") {
				t.Fatalf("demo: %q %v", out, err)
			}
			if out, _, err = runCmd(t, with("demo")...); err != nil || !strings.Contains(out, "added 0 organisations, 0 people, 0 enterprises, 0 hazards, ") ||
				regexp.MustCompile(`[, ][1-9][0-9]* [a-z]`).MatchString(out) {
				t.Fatalf("demo again must add nothing: %q %v", out, err)
			}

			// token create prints the token and nothing else.
			out, _, err = runCmd(t, with("token", "create", "--user", "leader", "--name", "test")...)
			tok := strings.TrimSpace(out)
			if err != nil || !strings.HasPrefix(tok, "anw_") || strings.Count(out, "\n") != 1 || len(tok) != 56 {
				t.Fatalf("token create printed %q (%v)", out, err)
			}
			if _, _, err = runCmd(t, with("token", "create", "--user", "nobody")...); err == nil {
				t.Fatal("token create for an unknown user succeeded")
			}
			if out, _, err = runCmd(t, with("token", "list", "--user", "leader")...); err != nil || !strings.Contains(out, "leader\ttest") {
				t.Fatalf("token list: %q %v", out, err)
			}

			// user create: a generated initial password, printed once.
			out, _, err = runCmd(t, with("user", "create", "--login", "zhangsan", "--name", "张三", "--org-code", "SFQ-QS", "--role", "staff@SFQ-QS")...)
			if err != nil || !strings.Contains(out, "initial password: ") {
				t.Fatalf("user create: %q %v", out, err)
			}
			if _, _, err = runCmd(t, with("user", "create", "--login", "lisi", "--name", "李四", "--org-code", "SFQ", "--role", "sysadmin@SFQ", "--role", "auditor@SFQ")...); err == nil {
				t.Fatal("user create with two administrator roles succeeded")
			}

			// audit verify: intact, then broken once a record is edited under the triggers.
			if out, _, err = runCmd(t, with("audit", "verify")...); err != nil || !strings.HasPrefix(out, "ok: ") {
				t.Fatalf("audit verify: %q %v", out, err)
			}
			if out, _, err = runCmd(t, with("audit", "export")...); err != nil || !strings.HasPrefix(out, "seq,time,") {
				t.Fatalf("audit export: %.100q %v", out, err)
			}
			tamper(t, dialect, dir, flags)
			out, _, err = runCmd(t, with("audit", "verify")...)
			var ee exitError
			if !errors.As(err, &ee) || ee.code != 3 || !strings.Contains(out, "BROKEN: record 2") {
				t.Fatalf("audit verify on a broken chain: %q %v", out, err)
			}
		})
	}
}

func tamper(t *testing.T, dialect, dir string, flags []string) {
	t.Helper()
	ctx := context.Background()
	dsn := ""
	if dialect == "postgres" {
		dsn = flags[1]
	}
	d, err := db.Open(ctx, dsn, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	stmts := []string{"DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET detail = 'edited' WHERE seq = 2"}
	if dialect == "postgres" {
		stmts[0] = "DROP TRIGGER audit_log_no_change ON audit_log"
	}
	for _, s := range stmts {
		if _, err := d.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRefusesFileThatIsNotADatabase(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "anwen.db"), bytes.Repeat([]byte("not sqlite "), 500), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCmd(t, "migrate", "--data", dir)
	if err == nil || !strings.Contains(err.Error(), "not a database") {
		t.Fatalf("migrate on a junk file: %v", err)
	}
}

func TestUnknownCommand(t *testing.T) {
	_, _, err := runCmd(t, "frobnicate")
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 2 {
		t.Fatalf("unknown command: %v", err)
	}
}
