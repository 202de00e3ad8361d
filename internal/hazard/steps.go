package hazard

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
)

// System events on the timeline, besides the table's actions.
const (
	EventOverdue   = "overdue"   // the deadline passed: the supervising org was told
	EventEscalated = "escalated" // overdue for the configured days: the district was told
	EventListedDue = "listed_overdue"
	EventImported  = "import" // read from an existing ledger
)

// Step is one entry of a hazard's timeline (处置过程).
type Step struct {
	ID          int64             `json:"id"`
	Action      string            `json:"action"`
	From        string            `json:"from_status"`
	To          string            `json:"to_status"`
	ActorUserID *int64            `json:"actor_user_id"`
	ActorName   string            `json:"actor_name"`
	At          time.Time         `json:"at"`
	Comment     string            `json:"comment"`
	Reason      string            `json:"reason"`
	OldDeadline string            `json:"old_deadline,omitempty"`
	NewDeadline string            `json:"new_deadline,omitempty"`
	Detail      string            `json:"detail,omitempty"`
	Attachments []attachment.Info `json:"attachments"`

	Files []attachment.Attachment `json:"-"`
}

// stepRow is a step to write.
type stepRow struct {
	hazardID                 int64
	action, from, to         string
	comment, reason, detail  string
	oldDeadline, newDeadline string
}

// insertStep appends a step by actor (nil: the system) and returns its id.
func insertStep(ctx context.Context, tx *db.Tx, a *auth.Actor, now time.Time, st stepRow) (int64, error) {
	var uid, orgID any
	name := "（系统）"
	if a != nil {
		name = a.Name
		if a.UserID != 0 {
			uid = a.UserID
		}
		if a.OrgID != 0 {
			orgID = a.OrgID
		}
		if a.Operator && name == "" {
			name = a.Login
		}
	}
	return db.InsertID(ctx, tx, `INSERT INTO hazard_steps (hazard_id, action, from_status, to_status, actor_user_id, actor_name, actor_org_id, at,
		comment, reason, old_deadline, new_deadline, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.hazardID, st.action, st.from, st.to, uid, name, orgID, now, st.comment, st.reason, nullStr(st.oldDeadline), nullStr(st.newDeadline), st.detail)
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// steps reads a hazard's timeline, oldest first, with each step's files.
func (s *Service) steps(ctx context.Context, q db.Querier, hazardID int64) ([]Step, error) {
	rows, err := q.Query(ctx, `SELECT id, action, from_status, to_status, actor_user_id, actor_name, at, comment, reason, old_deadline, new_deadline, detail
		FROM hazard_steps WHERE hazard_id = ? ORDER BY id`, hazardID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Step
	var ids []int64
	for rows.Next() {
		var st Step
		var uid sql.NullInt64
		var oldD, newD sql.NullString
		if err := rows.Scan(&st.ID, &st.Action, &st.From, &st.To, &uid, &st.ActorName, &st.At, &st.Comment, &st.Reason, &oldD, &newD, &st.Detail); err != nil {
			return nil, err
		}
		st.ActorUserID, st.At = nullID(uid), st.At.UTC()
		st.OldDeadline, st.NewDeadline = oldD.String, newD.String
		st.Attachments = []attachment.Info{}
		out = append(out, st)
		ids = append(ids, st.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if s.Attachments != nil && len(ids) > 0 {
		files, err := s.Attachments.List(ctx, q, OwnerStep, ids...)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].Files = files[out[i].ID]
			out[i].Attachments = attachment.Infos(out[i].Files)
		}
	}
	return out, nil
}

// stepHazard returns the hazard a step belongs to (for the attachment check).
func stepHazard(ctx context.Context, q db.Querier, stepID int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT hazard_id FROM hazard_steps WHERE id = ?", stepID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// searchText is what the ledger's search looks in: the number, the
// enterprise, the location, the description and who rectifies.
func searchText(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.Join(strings.Fields(p), " ")
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// searchGrams are what PostgreSQL's search index holds of text: its
// distinct characters (but the space) and pairs of adjacent characters,
// lower-cased, white space folded to one space.
func searchGrams(text string) []string {
	r := []rune(strings.ToLower(strings.Join(strings.Fields(text), " ")))
	seen := make(map[string]bool, 2*len(r))
	out := make([]string, 0, 2*len(r))
	add := func(g string) {
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	for i, c := range r {
		if c != ' ' {
			add(string(c))
		}
		if i+1 < len(r) {
			add(string(r[i : i+2]))
		}
	}
	return out
}

// queryGrams are the grams a match must hold: a query's pairs, or its one
// character.
func queryGrams(q string) []string {
	r := []rune(strings.ToLower(strings.Join(strings.Fields(q), " ")))
	if len(r) == 1 {
		return []string{string(r)}
	}
	seen := map[string]bool{}
	var out []string
	for i := 0; i+1 < len(r); i++ {
		if g := string(r[i : i+2]); !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("not an id")
	}
	return id, nil
}

// dailyItem is a daily-report item (每日报告事项) read with plain SQL: the
// daily report is another capability.
type dailyItem struct {
	ID          int64
	Half        string
	Category    string
	Summary     string
	Place       string
	OccurredAt  string
	OrgID       int64
	OrgPath     string
	Day         string
	SubmittedAt time.Time
	UserID      sql.NullInt64
	LinkKind    string
	LinkRef     string
}

func loadDailyItem(ctx context.Context, q db.Querier, id int64) (*dailyItem, error) {
	var it dailyItem
	err := q.QueryRow(ctx, `SELECT i.id, i.half, i.category, i.summary, i.place, i.occurred_at, r.org_id, o.path, r.day, r.submitted_at, r.user_id, i.link_kind, i.link_ref
		FROM daily_report_items i JOIN daily_reports r ON r.id = i.report_id JOIN orgs o ON o.id = r.org_id WHERE i.id = ?`, id).
		Scan(&it.ID, &it.Half, &it.Category, &it.Summary, &it.Place, &it.OccurredAt, &it.OrgID, &it.OrgPath, &it.Day, &it.SubmittedAt, &it.UserID, &it.LinkKind, &it.LinkRef)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &it, err
}
