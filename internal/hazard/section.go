package hazard

import (
	"context"
	"html/template"
	"net/http"

	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/web"
)

// EnterpriseSectionRows is how many open hazards an enterprise's page lists.
const EnterpriseSectionRows = 10

// EnterpriseHazards is what an enterprise's page shows of its hazards.
type EnterpriseHazards struct {
	EnterpriseID int64
	// By state, and overdue and major among the open ones.
	Registered, Rectifying, Awaiting, Closed, Cancelled int
	Open, Overdue, MajorOpen                            int
	Rows                                                []*Hazard // the open ones, nearest deadline first
	Today                                               calendar.Date
	CanReport                                           bool
}

// EnterpriseHazards counts the hazards of enterprise id and lists its
// open ones. The caller has checked the actor may see them.
func (s *Service) EnterpriseHazards(ctx context.Context, id int64, limit int) (*EnterpriseHazards, error) {
	today := s.today()
	out := &EnterpriseHazards{EnterpriseID: id, Today: today}
	err := s.read(ctx, func(q db.Querier) error {
		rows, err := q.Query(ctx, `SELECT status, grade, count(*), SUM(CASE WHEN status IN ('registered', 'rectifying') AND deadline < ? THEN 1 ELSE 0 END)
			FROM hazards WHERE enterprise_id = ? GROUP BY status, grade`, today.String(), id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var status, grade string
			var n, overdue int
			if err := rows.Scan(&status, &grade, &n, &overdue); err != nil {
				rows.Close()
				return err
			}
			switch status {
			case Registered:
				out.Registered += n
			case Rectifying:
				out.Rectifying += n
			case AwaitingAcceptance:
				out.Awaiting += n
			case Closed:
				out.Closed += n
			case Cancelled:
				out.Cancelled += n
			}
			if status == Registered || status == Rectifying || status == AwaitingAcceptance {
				out.Open += n
				if grade == Major {
					out.MajorOpen += n
				}
			}
			out.Overdue += overdue
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if out.Open == 0 {
			return nil
		}
		list, err := q.Query(ctx, "SELECT "+hazardCols+hazardFrom+` WHERE h.enterprise_id = ? AND h.status IN ('registered', 'rectifying', 'awaiting_acceptance')
			ORDER BY CASE WHEN h.status = 'awaiting_acceptance' THEN 1 ELSE 0 END, h.deadline, h.id LIMIT ?`, id, limit)
		if err != nil {
			return err
		}
		defer list.Close()
		for list.Next() {
			h, err := scanHazard(list)
			if err != nil {
				return err
			}
			h.computeOverdue(today)
			out.Rows = append(out.Rows, h)
		}
		return list.Err()
	})
	return out, err
}

// More is how many open hazards the list leaves out.
func (e *EnterpriseHazards) More() int { return e.Open - len(e.Rows) }

// Total is every hazard of the enterprise, cancelled ones included.
func (e *EnterpriseHazards) Total() int {
	return e.Registered + e.Rectifying + e.Awaiting + e.Closed + e.Cancelled
}

// EnterpriseSection renders the hazards block of an enterprise's page
// (internal/enterprise's AddSection, adapted in app): the counts by state,
// the open hazards with their deadlines, links to the ledger filtered to
// the enterprise and to its statistics table. It shows nothing to whoever
// may not see hazards at the enterprise's path (auth.EnterpriseScope).
func EnterpriseSection(srv *web.Server, svc *Service) func(r *http.Request, a *auth.Actor, enterpriseID int64, path string) (template.HTML, error) {
	return func(r *http.Request, a *auth.Actor, enterpriseID int64, path string) (template.HTML, error) {
		if a == nil || !(a.Operator || a.Can(auth.HazardView, path)) {
			return "", nil
		}
		d, err := svc.EnterpriseHazards(r.Context(), enterpriseID, EnterpriseSectionRows)
		if err != nil {
			return "", err
		}
		d.CanReport = a.Operator || a.Can(auth.HazardReport, path)
		v := srv.NewView(r, a, "", struct {
			tools
			*EnterpriseHazards
		}{tools{web.Lang(r)}, d})
		return web.RenderFragment(srv.Template(assets, "templates/section.html", "templates/partials.html"), "hz-enterprise-section", v)
	}
}
