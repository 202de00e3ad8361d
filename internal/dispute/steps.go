package dispute

import (
	"context"
	"database/sql"
	"time"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
)

// Step is one entry of a dispute's timeline.
type Step struct {
	ID        int64     `json:"id"`
	Action    string    `json:"action"`
	From      string    `json:"from_status"`
	To        string    `json:"to_status"`
	ActorName string    `json:"actor_name"`
	At        time.Time `json:"at"`
	Comment   string    `json:"comment"`
	Reason    string    `json:"reason"`
	Detail    string    `json:"detail"`
	SessionID *int64    `json:"session_id"`
}

// Session is one mediation session (调解).
type Session struct {
	ID       int64     `json:"id"`
	HeldAt   time.Time `json:"held_at"`
	Method   string    `json:"method"`
	Mediator string    `json:"mediator"`
	Outcome  string    `json:"outcome"`
	Note     string    `json:"note"`
}

type stepRow struct {
	disputeID int64
	action    string
	from, to  string
	comment   string
	reason    string
	detail    string
	sessionID *int64
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
	return db.InsertID(ctx, tx, `INSERT INTO dispute_steps (dispute_id, action, from_status, to_status, session_id, actor_user_id, actor_name, at, comment, reason, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.disputeID, st.action, st.from, st.to, nullInt(st.sessionID), uid, name, now, st.comment, st.reason, st.detail)
}

func (s *Service) steps(ctx context.Context, q db.Querier, id int64) ([]Step, error) {
	rows, err := q.Query(ctx, `SELECT id, action, from_status, to_status, actor_name, at, comment, reason, detail, session_id
		FROM dispute_steps WHERE dispute_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Step{}
	for rows.Next() {
		var st Step
		var sess sql.NullInt64
		if err := rows.Scan(&st.ID, &st.Action, &st.From, &st.To, &st.ActorName, &st.At, &st.Comment, &st.Reason, &st.Detail, &sess); err != nil {
			return nil, err
		}
		st.At, st.SessionID = st.At.UTC(), nullID(sess)
		out = append(out, st)
	}
	return out, rows.Err()
}

func (s *Service) sessions(ctx context.Context, q db.Querier, id int64) ([]Session, error) {
	rows, err := q.Query(ctx, `SELECT id, held_at, method, mediator, outcome, note FROM dispute_sessions WHERE dispute_id = ? ORDER BY held_at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var se Session
		if err := rows.Scan(&se.ID, &se.HeldAt, &se.Method, &se.Mediator, &se.Outcome, &se.Note); err != nil {
			return nil, err
		}
		se.HeldAt = se.HeldAt.UTC()
		out = append(out, se)
	}
	return out, rows.Err()
}

// insertSession writes a mediation session inside tx.
func insertSession(ctx context.Context, tx *db.Tx, a *auth.Actor, now time.Time, disputeID int64, in SessionInput) (int64, error) {
	var uid any
	if a != nil && a.UserID != 0 {
		uid = a.UserID
	}
	return db.InsertID(ctx, tx, `INSERT INTO dispute_sessions (dispute_id, held_at, method, mediator, outcome, note, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, disputeID, in.HeldAt.UTC(), in.Method, in.Mediator, in.Outcome, in.Note, uid, now)
}
