package hazard

var sectionMessages = map[string][2]string{
	"hazard.sec.title":      {"隐患", "Hazards"},
	"hazard.sec.open_n":     {"未销号 %d 条", "%d open"},
	"hazard.sec.more":       {"另有 %d 条未销号隐患，见全部隐患。", "%d more open hazards: see all hazards."},
	"hazard.sec.none_open":  {"没有未销号的隐患。", "No open hazards."},
	"hazard.sec.awaiting":   {"待验收", "To accept"},
	"hazard.sec.major_open": {"重大未销号", "Major open"},
	"hazard.sec.all":        {"全部隐患", "All hazards"},
}
