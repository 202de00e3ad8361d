package app

import (
	"context"

	"github.com/anwen-gov/anwen/internal/petition"
)

// LoadDemoPetitions registers the demo district's fictional petition cases
// (信访事项) in several states, once, and names the demo's discipline organ
// and area code: the commands that load the demo call it after LoadDemo.
// Scenario tests start from the demo without them, so that what they count
// is what they made.
func (a *App) LoadDemoPetitions(ctx context.Context) (int, error) {
	if a.Petitions() == nil {
		return 0, nil
	}
	return petition.SeedDemo(ctx, a.Petitions())
}

func init() { addDemoRecords("petitions", (*App).LoadDemoPetitions) }
