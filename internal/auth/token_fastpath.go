package auth

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
)

// tokenPath reads a bearer token, its person and the person's grants in one
// prepared query: the API's hot path (one query per request instead of
// three, and no SQL parsing on SQLite). On PostgreSQL a good token's row is
// kept in a db.Cache, which ends every copy when a token, a person, a role,
// an org or an enterprise changes anywhere (a NOTIFY from the database), so
// a revoked token, a disabled account or a changed role still applies to
// the next request. Unknown and revoked tokens are never kept.
type tokenPath struct {
	once  sync.Once
	stmt  *db.Stmt
	cache *db.Cache[string, tokenRow]

	// touched is when this server last wrote each token's last_used_at, so
	// that a burst of requests on one token writes it once, not once per
	// request in flight when the minute turns.
	mu      sync.Mutex
	touched map[int64]time.Time
}

// touch reports whether this request should write the token's last use.
func (p *tokenPath) touch(id int64, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.touched[id]; ok && now.Sub(t) < time.Minute && !now.Before(t) {
		return false
	}
	if p.touched == nil {
		p.touched = map[int64]time.Time{}
	}
	p.touched[id] = now
	return true
}

const tokenActorQuery = `SELECT t.id, t.revoked_at, t.last_used_at, u.id, u.login, u.name, u.org_id, u.disabled,
	r.role, r.scope_org_id, o.path, u.enterprise_id, eo.path
	FROM api_tokens t JOIN users u ON u.id = t.user_id
	LEFT JOIN user_roles r ON r.user_id = u.id LEFT JOIN orgs o ON o.id = r.scope_org_id
	LEFT JOIN enterprises e ON e.id = u.enterprise_id LEFT JOIN orgs eo ON eo.id = e.territory_org_id
	WHERE t.token_hash = ? ORDER BY r.role, o.path`

// tokenRow is what tokenActor found; found is false for an unknown token.
type tokenRow struct {
	found         bool
	id            int64
	revoked, used sql.NullTime
	disabled      bool
	actor         *Actor
}

// errNotKept makes the cache pass on a row that must be read every time.
var errNotKept = errors.New("auth: token row not kept")

// tokenActor reads the token's row, or takes the copy of a good one.
func (s *Service) tokenActor(ctx context.Context, hash, client string) (tokenRow, error) {
	s.tokens.once.Do(func() {
		s.tokens.stmt = s.DB.NewStmt(tokenActorQuery)
		s.tokens.cache = db.NewCache[string, tokenRow](s.DB, 10000)
	})
	var read tokenRow
	t, err := s.tokens.cache.Get(ctx, hash, func(ctx context.Context) (tokenRow, error) {
		var err error
		if read, err = s.readToken(ctx, hash); err != nil {
			return read, err
		}
		if !read.found || read.revoked.Valid || read.disabled {
			return read, errNotKept
		}
		return read, nil
	})
	switch {
	case errors.Is(err, errNotKept):
		return read, nil
	case err != nil:
		return t, err
	}
	// The copy is shared: each request gets its own actor.
	a := *t.actor
	a.ClientAddr = client
	a.Grants = append([]Grant(nil), t.actor.Grants...)
	t.actor = &a
	return t, nil
}

func (s *Service) readToken(ctx context.Context, hash string) (tokenRow, error) {
	var out tokenRow
	rows, err := s.DB.QueryStmt(ctx, s.tokens.stmt, hash)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		a := &Actor{}
		var role, path, entPath sql.NullString
		var scope, ent sql.NullInt64
		if err := rows.Scan(&out.id, &out.revoked, &out.used, &a.UserID, &a.Login, &a.Name, &a.OrgID, &out.disabled, &role, &scope, &path, &ent, &entPath); err != nil {
			return out, err
		}
		if !out.found {
			a.EnterpriseID = ent.Int64
			out.found, out.actor = true, a
		}
		if role.Valid && path.Valid {
			out.actor.Grants = append(out.actor.Grants, grantOf(role.String, scope.Int64, path.String, ent, entPath))
		}
	}
	return out, rows.Err()
}
