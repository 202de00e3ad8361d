package petition

import (
	"context"
	"database/sql"
	"time"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
)

// Step is one entry of a case's timeline.
type Step struct {
	ID        int64     `json:"id"`
	Action    string    `json:"action"`
	From      string    `json:"from_status"`
	To        string    `json:"to_status"`
	ActorName string    `json:"actor_name"`
	OrgName   string    `json:"org_name"`
	At        time.Time `json:"at"`
	Comment   string    `json:"comment"`
	// Notice: the written notice to the petitioner (accept, decline, a
	// routing), which the portal shows; the comment stays internal.
	Notice    string `json:"notice"`
	Reason    string `json:"reason"`
	Detail    string `json:"detail"`
	OpinionID *int64 `json:"opinion_id"`
}

// Opinion is a written answer: the reply (处理意见书, round 0), the review
// (复查意见, 1) or the second review (复核意见, 2).
type Opinion struct {
	ID        int64     `json:"id"`
	Round     int       `json:"round"`
	OrgID     int64     `json:"org_id"`
	OrgName   string    `json:"org_name"`
	Decision  string    `json:"decision"`
	Facts     string    `json:"facts"`
	Reasons   string    `json:"reasons"`
	Basis     string    `json:"basis"`
	Agreement string    `json:"agreement"` // mediation (调解协议书), settlement (和解协议书) or ""
	ServedDay string    `json:"served_day"`
	CreatedAt time.Time `json:"created_at"`
}

type stepRow struct {
	petitionID int64
	action     string
	from, to   string
	orgID      *int64
	comment    string
	notice     string
	reason     string
	detail     string
	opinionID  *int64
}

func insertStep(ctx context.Context, tx *db.Tx, a *auth.Actor, now time.Time, st stepRow) (int64, error) {
	var uid any
	name := "（系统）"
	if a != nil {
		name = a.Name
		if a.UserID != 0 {
			uid = a.UserID
		}
		if name == "" {
			name = a.Login
		}
	}
	return db.InsertID(ctx, tx, `INSERT INTO petition_steps (petition_id, action, from_status, to_status, actor_user_id, actor_name, org_id, at, comment, notice, reason, detail, opinion_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.petitionID, st.action, st.from, st.to, uid, name, nullInt(st.orgID), now, st.comment, st.notice, st.reason, st.detail, nullInt(st.opinionID))
}

func (s *Service) steps(ctx context.Context, q db.Querier, id int64) ([]Step, error) {
	rows, err := q.Query(ctx, `SELECT s.id, s.action, s.from_status, s.to_status, s.actor_name, COALESCE(o.name, ''), s.at, s.comment, s.notice, s.reason, s.detail, s.opinion_id
		FROM petition_steps s LEFT JOIN orgs o ON o.id = s.org_id WHERE s.petition_id = ? ORDER BY s.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Step{}
	for rows.Next() {
		var st Step
		var op sql.NullInt64
		if err := rows.Scan(&st.ID, &st.Action, &st.From, &st.To, &st.ActorName, &st.OrgName, &st.At, &st.Comment, &st.Notice, &st.Reason, &st.Detail, &op); err != nil {
			return nil, err
		}
		st.At, st.OpinionID = st.At.UTC(), nullID(op)
		out = append(out, st)
	}
	return out, rows.Err()
}

func (s *Service) opinions(ctx context.Context, q db.Querier, id int64) ([]Opinion, error) {
	rows, err := q.Query(ctx, `SELECT p.id, p.round, p.org_id, o.name, p.decision, p.facts, p.reasons, p.basis, p.agreement, p.served_day, p.created_at
		FROM petition_opinions p JOIN orgs o ON o.id = p.org_id WHERE p.petition_id = ? ORDER BY p.round`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Opinion{}
	for rows.Next() {
		var o Opinion
		if err := rows.Scan(&o.ID, &o.Round, &o.OrgID, &o.OrgName, &o.Decision, &o.Facts, &o.Reasons, &o.Basis, &o.Agreement, &o.ServedDay, &o.CreatedAt); err != nil {
			return nil, err
		}
		o.CreatedAt = o.CreatedAt.UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}
