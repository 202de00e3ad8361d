package enterprise

import (
	"context"
	"strconv"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/people"
)

// Contact is an enterprise contact's account (企业联络人): it signs in and
// sees only its enterprise. The phone is masked as the enterprise's are.
type Contact struct {
	ID         int64  `json:"id"`
	Login      string `json:"login"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	MustChange bool   `json:"must_change_password"`
	Disabled   bool   `json:"disabled"`
}

// ContactInput is what creating a contact takes; the password is generated.
type ContactInput struct {
	Login string `json:"login"`
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
}

// NewContact is a created contact with its initial password, shown once.
type NewContact struct {
	Contact
	Password string `json:"password"`
}

// Contacts lists the accounts that speak for an enterprise the actor may see.
func (s *Service) Contacts(ctx context.Context, a *auth.Actor, id int64) ([]Contact, error) {
	e, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.contacts(ctx, a, e)
}

func (s *Service) contacts(ctx context.Context, a *auth.Actor, e *Enterprise) ([]Contact, error) {
	rows, err := s.DB.Query(ctx, "SELECT id, login, name, phone, must_change_password, disabled FROM users WHERE enterprise_id = ? ORDER BY id", e.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Contact{}
	for rows.Next() {
		var c Contact
		if err := rows.Scan(&c.ID, &c.Login, &c.Name, &c.Phone, &c.MustChange, &c.Disabled); err != nil {
			return nil, err
		}
		if e.PhonesMasked && c.ID != a.UserID { // one's own number is no secret to oneself
			c.Phone = people.MaskPhone(c.Phone)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CreateContact makes an account for an enterprise: role enterprise scoped at
// its territory org, users.enterprise_id set, a random initial password that
// must be changed at the first sign-in. It needs the right to keep the
// register at the enterprise (not the right to manage people: the account
// can see nothing but its enterprise).
func (s *Service) CreateContact(ctx context.Context, a *auth.Actor, id int64, in ContactInput) (*NewContact, error) {
	e, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Check(ctx, a, auth.EnterpriseManage, e.Path(), "enterprise", strconv.FormatInt(id, 10)); err != nil {
		return nil, err
	}
	if e.Closed {
		return nil, apperr.New(apperr.ERULE, "该企业已关闭，不能新增联络人 / the enterprise is closed: no new contacts")
	}
	pin := people.Input{Login: in.Login, Name: in.Name, Phone: in.Phone, OrgID: e.TerritoryOrgID,
		Roles: []people.RoleGrant{{Role: auth.RoleEnterprise, ScopeOrgID: e.TerritoryOrgID}}}
	if err := people.Validate(&pin, true); err != nil {
		return nil, err
	}
	pw := people.RandomPassword()
	if err := auth.CheckPolicy(pw, pin.Login); err != nil {
		pw = people.RandomPassword() // the rare draw that contains the login
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return nil, err
	}
	out := &NewContact{Contact: Contact{Login: pin.Login, Name: pin.Name, Phone: pin.Phone, MustChange: true}, Password: pw}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		uid, err := people.CreateTx(ctx, tx, now, pin, hash, true)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET enterprise_id = ? WHERE id = ?", e.ID, uid); err != nil {
			return err
		}
		out.ID = uid
		en := a.Entry(now, "enterprise.contact_create", "user", strconv.FormatInt(uid, 10), e.TerritoryOrgID)
		en.After = struct {
			Login, Name  string
			OrgID        int64
			EnterpriseID int64
			Role         string
		}{pin.Login, pin.Name, pin.OrgID, e.ID, auth.RoleEnterprise}
		en.Detail = "contact of enterprise " + strconv.FormatInt(e.ID, 10)
		return audit.Append(ctx, tx, en)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
