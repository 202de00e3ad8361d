package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/people"
)

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func sub(args []string) (string, []string) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", args
	}
	return args[0], args[1:]
}

func cmdUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	verb, rest := sub(args)
	switch verb {
	case "create":
		fs, c := newFlags("user create", stderr)
		login := fs.String("login", "", "login (required)")
		name := fs.String("name", "", "full name (required)")
		orgCode := fs.String("org-code", "", "code of the person's organisation (or --org-id)")
		orgID := fs.Int64("org-id", 0, "id of the person's organisation")
		post := fs.String("post", "", "post (职务)")
		phone := fs.String("phone", "", "mobile number")
		password := fs.String("password", "", "initial password (default: generated and printed); must be changed at first sign-in")
		var roles multi
		fs.Var(&roles, "role", "ROLE@ORGCODE (or ROLE@ORGID), repeatable, e.g. sysadmin@SFQ")
		a, err := open(ctx, fs, c, rest, stderr)
		if err != nil {
			return err
		}
		defer a.Close()
		in := people.Input{Login: *login, Name: *name, Post: *post, Phone: *phone, Password: *password, OrgID: *orgID}
		if *orgCode != "" {
			if in.OrgID, err = orgByCode(ctx, a.DB, *orgCode); err != nil {
				return err
			}
		}
		for _, r := range roles {
			role, scope, ok := strings.Cut(r, "@")
			if !ok {
				return exitError{2, fmt.Sprintf("--role %q: want ROLE@ORGCODE", r)}
			}
			id, err := strconv.ParseInt(scope, 10, 64)
			if err != nil {
				if id, err = orgByCode(ctx, a.DB, scope); err != nil {
					return err
				}
			}
			in.Roles = append(in.Roles, people.RoleGrant{Role: role, ScopeOrgID: id})
		}
		generated := in.Password == ""
		if generated {
			in.Password = people.RandomPassword()
		}
		p, err := a.People.Create(ctx, auth.CommandLine(), in)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created user %s (id %d)\n", p.Login, p.ID)
		if generated {
			fmt.Fprintf(stdout, "initial password: %s (must be changed at first sign-in)\n", in.Password)
		}
		return nil
	case "reset-password":
		fs, c := newFlags("user reset-password", stderr)
		login := fs.String("login", "", "login (required)")
		a, err := open(ctx, fs, c, rest, stderr)
		if err != nil {
			return err
		}
		defer a.Close()
		acct, err := a.Auth.AccountByLogin(ctx, a.DB, *login)
		if err != nil {
			return err
		}
		pw, err := a.People.ResetPassword(ctx, auth.CommandLine(), acct.ID)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, pw)
		return nil
	default:
		return exitError{2, "usage: anwen user create|reset-password [flags]"}
	}
}

func orgByCode(ctx context.Context, d *db.DB, code string) (int64, error) {
	var id int64
	if err := d.QueryRow(ctx, "SELECT id FROM orgs WHERE code = ?", code).Scan(&id); err != nil {
		return 0, exitError{1, fmt.Sprintf("no organisation with code %q", code)}
	}
	return id, nil
}

func cmdToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	verb, rest := sub(args)
	fs, c := newFlags("token "+verb, stderr)
	switch verb {
	case "create":
		user := fs.String("user", "", "login of the token's owner (required)")
		name := fs.String("name", "", "what the token is for")
		a, err := open(ctx, fs, c, rest, stderr)
		if err != nil {
			return err
		}
		defer a.Close()
		if *user == "" {
			return exitError{2, "--user is required"}
		}
		tok, _, err := a.Auth.CreateToken(ctx, nil, *user, *name)
		if err != nil {
			return err
		}
		// Only the token on standard output, so that scripts can capture it.
		fmt.Fprintln(stdout, tok)
		return nil
	case "list":
		user := fs.String("user", "", "only this login's tokens")
		a, err := open(ctx, fs, c, rest, stderr)
		if err != nil {
			return err
		}
		defer a.Close()
		var uid int64
		if *user != "" {
			acct, err := a.Auth.AccountByLogin(ctx, a.DB, *user)
			if err != nil {
				return err
			}
			uid = acct.ID
		}
		list, err := a.Auth.ListTokens(ctx, uid)
		if err != nil {
			return err
		}
		for _, t := range list {
			state := "active"
			if t.RevokedAt != nil {
				state = "revoked " + t.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Login, t.Name, t.CreatedAt.Format(time.RFC3339), state)
		}
		return nil
	case "revoke":
		id := fs.Int64("id", 0, "token id (from token list)")
		a, err := open(ctx, fs, c, rest, stderr)
		if err != nil {
			return err
		}
		defer a.Close()
		if err := a.Auth.RevokeToken(ctx, nil, *id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked token %d\n", *id)
		return nil
	default:
		return exitError{2, "usage: anwen token create|list|revoke [flags]"}
	}
}

func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	verb, rest := sub(args)
	fs, c := newFlags("audit "+verb, stderr)
	switch verb {
	case "verify":
		a, err := open(ctx, fs, c, rest, stderr)
		if err != nil {
			return err
		}
		defer a.Close()
		res, err := audit.Verify(ctx, a.DB)
		if err != nil {
			return err
		}
		if res.FirstBad != 0 {
			fmt.Fprintf(stdout, "BROKEN: record %d does not match (%s); %d records read\n", res.FirstBad, res.Reason, res.Checked)
			return exitError{3, ""}
		}
		fmt.Fprintf(stdout, "ok: %d records, chain intact\n", res.Checked)
		return nil
	case "export":
		from := fs.String("from", "", "first day, YYYY-MM-DD (Asia/Shanghai)")
		to := fs.String("to", "", "last day, YYYY-MM-DD (inclusive)")
		a, err := open(ctx, fs, c, rest, stderr)
		if err != nil {
			return err
		}
		defer a.Close()
		f := audit.Filter{Limit: 10000}
		if *from != "" {
			d, err := calendar.ParseDate(*from)
			if err != nil {
				return exitError{2, err.Error()}
			}
			f.From = d.Time()
		}
		if *to != "" {
			d, err := calendar.ParseDate(*to)
			if err != nil {
				return exitError{2, err.Error()}
			}
			f.To = d.AddDays(1).Time()
		}
		w := csv.NewWriter(stdout)
		w.Write(audit.CSVHeader)
		for {
			recs, err := audit.Search(ctx, a.DB, f)
			if err != nil {
				return err
			}
			for _, r := range recs {
				w.Write(r.CSV())
			}
			if len(recs) < f.Limit {
				break
			}
			f.BeforeSeq = recs[len(recs)-1].Seq
		}
		w.Flush()
		return w.Error()
	default:
		return exitError{2, "usage: anwen audit verify|export [flags]"}
	}
}
