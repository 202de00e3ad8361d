package auth

// CalendarView makes the work calendar (工作日历) visible. Everyone reads the
// calendar, so every role carries it; its only effect on writes is that
// Authorize answers EFORBIDDEN rather than ENOTFOUND to someone who can see
// the district's calendar but may not change it (calendar.manage is checked
// at the path of the root org).
const CalendarView Action = "calendar.view"

func init() {
	Actions = append(Actions, CalendarView)
	for _, role := range Roles {
		matrix[role] = append(matrix[role], CalendarView)
	}
}
