package app

import (
	"context"
	"fmt"

	"github.com/anwen-gov/anwen/internal/workcalendar"
)

func init() {
	wiring = append(wiring, func(ctx context.Context, a *App) error {
		a.WorkCalendar = &workcalendar.Service{DB: a.DB, Auth: a.Auth, Clock: a.Clock}
		if err := a.WorkCalendar.EnsureSeeded(ctx); err != nil {
			return fmt.Errorf("seed the work calendar: %w", err)
		}
		workcalendar.Register(a.Web, a.WorkCalendar)
		return nil
	})
}
