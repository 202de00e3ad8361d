package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// MailMessage builds the RFC 5322 message: the UTF-8 subject Q-encoded, a
// plain-text body (base64, so any line length and character survive) ending
// with the absolute link.
func MailMessage(from *mail.Address, to string, m Out, now time.Time) []byte {
	var b bytes.Buffer
	subject := strings.NewReplacer("\r", " ", "\n", " ").Replace(m.Title)
	if m.Priority == Urgent {
		subject = "【紧急】" + subject
	}
	id := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%d", m.DedupeKey, to, now.UnixNano())))
	domain := "anwen.local"
	if i := strings.LastIndexByte(from.Address, '@'); i >= 0 {
		domain = from.Address[i+1:]
	}
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: <%s>\r\n", to)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id[:12]), domain)
	if m.Priority == Urgent {
		b.WriteString("X-Priority: 1\r\nImportance: high\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	text := m.Body
	if m.Link != "" {
		text += "\n\n" + openLabel + ": " + m.Link
	}
	text += "\n\n-- \n安稳 Anwen\n"
	text = strings.ReplaceAll(text, "\n", "\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(text))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

// sendMail sends m to one address through the configured server.
func (s *Service) sendMail(ctx context.Context, to string, m Out, now time.Time) error {
	cfg := s.SMTP
	if cfg.Host == "" {
		return &sendError{msg: "未配置邮件服务器 / SMTP is not configured"}
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return &sendError{msg: "发件地址无效 / the SMTP sender address is invalid"}
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return &sendError{msg: "收件地址无效 / the e-mail address is invalid"}
	}
	port := cfg.Port
	if port == 0 {
		port = 587
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(port))
	d := net.Dialer{Timeout: 10 * time.Second}
	var conn net.Conn
	if cfg.ImplicitTLS {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: cfg.Host}}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return &sendError{msg: "SMTP: " + clip(err.Error(), 200)}
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		conn.Close()
		return &sendError{msg: "SMTP: " + clip(err.Error(), 200)}
	}
	defer c.Close()
	fail := func(step string, err error) error {
		return &sendError{msg: "SMTP " + step + ": " + clip(err.Error(), 200)}
	}
	if err := c.Hello("localhost"); err != nil {
		return fail("EHLO", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !cfg.ImplicitTLS {
		if err := c.StartTLS(&tls.Config{ServerName: cfg.Host}); err != nil {
			return fail("STARTTLS", err)
		}
	}
	if cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host)); err != nil {
			return fail("AUTH", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fail("MAIL", err)
	}
	if err := c.Rcpt(rcpt.Address); err != nil {
		return fail("RCPT", err)
	}
	w, err := c.Data()
	if err != nil {
		return fail("DATA", err)
	}
	if _, err := w.Write(MailMessage(from, rcpt.Address, m, now)); err != nil {
		return fail("DATA", err)
	}
	if err := w.Close(); err != nil {
		return fail("DATA", err)
	}
	if err := c.Quit(); err != nil {
		return fail("QUIT", err)
	}
	return nil
}
