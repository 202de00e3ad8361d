package petition

import (
	"context"
	"time"

	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/db"
)

// tallyCols are the figures petition_tally keeps per handling org and day
// (and petition_tally_month per month), in table order; see migration
// 00019_petition_tally.sql, whose fill statements compute the same from
// the cases, their steps and their written answers.
var tallyCols = []string{"registered", "repeats", "accepted", "declined", "decided_on_time", "replied", "replied_on_time", "extended", "reviews", "rated", "satisfied"}

// delta is a change to the tally, in tallyCols order.
type delta [11]int

const (
	tRegistered = iota
	tRepeats
	tAccepted
	tDeclined
	tDecidedOnTime
	tReplied
	tRepliedOnTime
	tExtended
	tReviews
	tRated
	tSatisfied
)

var tallyUpsert = func() [2]string {
	var out [2]string
	for i, t := range [2][2]string{{"petition_tally", "day"}, {"petition_tally_month", "month"}} {
		q := "INSERT INTO " + t[0] + " (org_id, " + t[1]
		vals, set := "?, ?", ""
		for j, c := range tallyCols {
			q += ", " + c
			vals += ", ?"
			if j > 0 {
				set += ", "
			}
			set += c + " = " + t[0] + "." + c + " + excluded." + c
		}
		out[i] = q + ") VALUES (" + vals + ") ON CONFLICT (" + t[1] + ", org_id) DO UPDATE SET " + set
	}
	return out
}()

// addTally adds d to org's figures on day and in its month (negative to take away).
func addTally(ctx context.Context, tx *db.Tx, orgID int64, day string, d delta) error {
	if d == (delta{}) {
		return nil
	}
	for i, key := range []string{day, day[:7]} {
		args := []any{orgID, key}
		for _, v := range d {
			args = append(args, v)
		}
		if _, err := tx.Exec(ctx, tallyUpsert[i], args...); err != nil {
			return err
		}
	}
	return nil
}

// tallyRegistered counts a new case: in the district's mix of the day, and
// for the org that received it itself (nil: the bureau routes it later).
func tallyRegistered(ctx context.Context, tx *db.Tx, day, category, channel, subject string, direct *int64, repeat bool) error {
	for _, t := range [][3]string{{"petition_tally_mix", "day", day}, {"petition_tally_mix_month", "month", day[:7]}} {
		for _, kc := range [][2]string{{"category", category}, {"channel", channel}, {"subject", subject}} {
			if _, err := tx.Exec(ctx, `INSERT INTO `+t[0]+` (`+t[1]+`, kind, code, registered) VALUES (?, ?, ?, 1)
				ON CONFLICT (`+t[1]+`, kind, code) DO UPDATE SET registered = `+t[0]+`.registered + 1`, t[2], kc[0], kc[1]); err != nil {
				return err
			}
		}
	}
	if direct == nil {
		return nil
	}
	return addTally(ctx, tx, *direct, day, arrival(repeat, 1))
}

func arrival(repeat bool, n int) delta {
	var d delta
	d[tRegistered] = n
	if repeat {
		d[tRepeats] = n
	}
	return d
}

// arrivalDay is the day the case reached its handling org.
func arrivalDay(p *Petition) string {
	if p.RoutedAt != nil {
		return calendar.DateOf(*p.RoutedAt).String()
	}
	return calendar.DateOf(p.RegisteredAt).String()
}

// answerOrg is the org a case's answer, rating and review requests count for.
func answerOrg(p *Petition) int64 {
	if p.HandlingOrgID != nil {
		return *p.HandlingOrgID
	}
	return p.BureauOrgID
}

// tallyStep adds what transition t of p (as it was before) changes in the
// tally, inside apply's transaction.
func tallyStep(ctx context.Context, tx *db.Tx, p *Petition, t *Transition, req request, now time.Time) error {
	today := calendar.DateOf(now).String()
	var d delta
	switch t.Action {
	case ActTransfer, ActAssign, ActToDiscipline, ActObject, ActOverrule:
		// The case leaves the org that had it, and reaches the new one today.
		repeat := p.RepeatOf != nil
		if p.HandlingOrgID != nil {
			if err := addTally(ctx, tx, *p.HandlingOrgID, arrivalDay(p), arrival(repeat, -1)); err != nil {
				return err
			}
		}
		to := p.HandlingOrgID
		switch t.Action {
		case ActObject:
			to = nil
		case ActTransfer, ActAssign, ActToDiscipline, ActOverrule:
			to = &req.target.ID
		}
		if to == nil {
			return nil
		}
		return addTally(ctx, tx, *to, today, arrival(repeat, 1))
	case ActAccept, ActDecline:
		if p.HandlingOrgID == nil {
			return nil
		}
		if t.Action == ActAccept {
			d[tAccepted] = 1
		} else {
			d[tDeclined] = 1
		}
		if p.Clock.DueAt == nil || now.Before(*p.Clock.DueAt) {
			d[tDecidedOnTime] = 1
		}
		return addTally(ctx, tx, *p.HandlingOrgID, today, d)
	case ActExtend:
		if p.HandlingOrgID == nil {
			return nil
		}
		d[tExtended] = 1
		return addTally(ctx, tx, *p.HandlingOrgID, today, d)
	case ActReply:
		served := req.served.String()
		d[tReplied] = 1
		if p.Clock.LastDay == "" || served <= p.Clock.LastDay {
			d[tRepliedOnTime] = 1
		}
		return addTally(ctx, tx, answerOrg(p), served, d)
	case ActRequestReview, ActRequestReview2:
		d[tReviews] = 1
		return addTally(ctx, tx, answerOrg(p), today, d)
	}
	return nil
}

// tallyRated counts a petitioner's rating.
func tallyRated(ctx context.Context, tx *db.Tx, p *Petition, rating string, now time.Time) error {
	var d delta
	d[tRated] = 1
	if rating == "satisfied" || rating == "basic" {
		d[tSatisfied] = 1
	}
	return addTally(ctx, tx, answerOrg(p), calendar.DateOf(now).String(), d)
}
