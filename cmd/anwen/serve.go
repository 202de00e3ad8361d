package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/anwen-gov/anwen/internal/demo"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("serve", stderr)
	addr := fs.String("addr", env("ADDR", "127.0.0.1:8080"), "listen address [ANWEN_ADDR]")
	fs.BoolVar(&c.demo, "demo", envBool("DEMO", false), "load the fictional demo district and mark every page as a demo [ANWEN_DEMO]")
	secure := fs.String("cookie-secure", env("COOKIE_SECURE", "auto"), "Secure flag on cookies: true, false, or auto (true unless --demo) [ANWEN_COOKIE_SECURE]")
	fs.BoolVar(&c.trustProxy, "trust-proxy", envBool("TRUST_PROXY", false), "take the client address from X-Forwarded-For [ANWEN_TRUST_PROXY]")
	fs.IntVar(&c.maxFailures, "max-failures", envInt("MAX_FAILURES", 5), "failed sign-ins in a row before lockout [ANWEN_MAX_FAILURES]")
	fs.DurationVar(&c.lockout, "lockout", envDuration("LOCKOUT", 15*time.Minute), "lockout duration [ANWEN_LOCKOUT]")
	fs.DurationVar(&c.idle, "idle-timeout", envDuration("IDLE_TIMEOUT", 30*time.Minute), "idle session timeout [ANWEN_IDLE_TIMEOUT]")
	fs.StringVar(&c.baseURL, "base-url", env("BASE_URL", ""), "public address of this install, e.g. https://anwen.example.gov.cn, for links in robot messages and e-mail [ANWEN_BASE_URL]")
	fs.StringVar(&c.metricsToken, "metrics-token", env("METRICS_TOKEN", ""), "bearer token that lets a scraper outside the local network read /metrics (local, direct requests need none) [ANWEN_METRICS_TOKEN]")
	fs.StringVar(&c.blobURL, "blob", env("BLOB_URL", ""), "where attachments are kept: file:///absolute/dir or an S3-compatible s3://bucket?endpoint=…&region=…; default DATA/attachments [ANWEN_BLOB_URL]")
	fs.StringVar(&c.smtp.Host, "smtp-host", env("SMTP_HOST", ""), "SMTP server for e-mail notifications [ANWEN_SMTP_HOST]")
	fs.IntVar(&c.smtp.Port, "smtp-port", envInt("SMTP_PORT", 587), "SMTP port [ANWEN_SMTP_PORT]")
	fs.StringVar(&c.smtp.Username, "smtp-user", env("SMTP_USER", ""), "SMTP user (PLAIN auth) [ANWEN_SMTP_USER]")
	fs.StringVar(&c.smtp.Password, "smtp-password", env("SMTP_PASSWORD", ""), "SMTP password; prefer the environment variable [ANWEN_SMTP_PASSWORD]")
	fs.StringVar(&c.smtp.From, "smtp-from", env("SMTP_FROM", ""), "sender, e.g. \"安稳 <anwen@example.gov.cn>\" [ANWEN_SMTP_FROM]")
	fs.BoolVar(&c.smtp.ImplicitTLS, "smtp-tls", envBool("SMTP_TLS", false), "TLS from the start (port 465) instead of STARTTLS [ANWEN_SMTP_TLS]")
	waive := fs.Bool("demo-waive-admin-2fa", envBool("DEMO_WAIVE_ADMIN_2FA", true), "with --demo, let administrators sign in without a second factor [ANWEN_DEMO_WAIVE_ADMIN_2FA]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch *secure {
	case "true":
		c.cookieSecure = true
	case "false":
		c.cookieSecure = false
	default:
		c.cookieSecure = !c.demo
	}
	c.waiveAdminTOTP = c.demo && *waive
	a, err := open(ctx, fs, c, nil, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if c.demo {
		res, err := a.LoadDemo(ctx)
		if err != nil {
			return fmt.Errorf("load demo: %w", err)
		}
		recs, err := a.LoadDemoRecords(ctx)
		if err != nil {
			return fmt.Errorf("load demo: %w", err)
		}
		attrs := []any{"orgs", res.Orgs, "people", res.People, "enterprises", res.Enterprises}
		added := res.Orgs + res.People + res.Enterprises
		for _, r := range recs {
			attrs, added = append(attrs, r.Name, r.Added), added+r.Added
		}
		if added > 0 {
			a.Log.Info("demo district loaded", attrs...)
		}
	}
	a.Start(ctx)
	return a.Web.Serve(ctx, *addr, func(bound string) {
		a.Log.Info("anwen listening", "addr", bound, "database", a.DB.Where)
		fmt.Fprintf(stdout, "\n安稳 Anwen is running: open http://%s/\n", bound)
		if c.demo {
			fmt.Fprintf(stdout, "\nDemo sign-ins (password %s for all):\n", demo.DemoPassword)
			for _, s := range demo.SignIns() {
				fmt.Fprintf(stdout, "  %-12s %s · %s · %s\n", s.Login, s.Name, s.Description, s.OrgName)
			}
			fmt.Fprintln(stdout, "\nThis is a demo install: every page says so, and administrators need no second factor.")
		}
		fmt.Fprintln(stdout)
	})
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("migrate", stderr)
	a, err := open(ctx, fs, c, args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	cur, latest, err := a.DB.Versions(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s is at schema version %d of %d\n", a.DB.Where, cur, latest)
	return nil
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("demo", stderr)
	a, err := open(ctx, fs, c, args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.LoadDemo(ctx)
	if err != nil {
		return err
	}
	recs, err := a.LoadDemoRecords(ctx)
	if err != nil {
		return err
	}
	added := fmt.Sprintf("%d organisations, %d people, %d enterprises", res.Orgs, res.People, res.Enterprises)
	for _, r := range recs {
		added += fmt.Sprintf(", %d %s", r.Added, r.Name)
	}
	fmt.Fprintf(stdout, "demo district: added %s (password %s)\n", added, demo.DemoPassword)
	return nil
}

var _ = flag.ErrHelp
