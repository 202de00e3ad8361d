package auth

// Petition cases (信访事项): read them (personal data masked); register one
// (登记, at the petition bureau); route it (转送、交办、转纪检监察, 督办, 重点
// 案件, review requests — the bureau's side); handle it as the org it was
// routed to or the org that reviews it (受理、不予受理、异议、答复、复查意见);
// approve an extension of the handling period as the org's head (延期审批);
// open the masked personal data and accusation content (每次显示留痕);
// keep the settings (the bureau, the discipline organ, the area code).
//
// A grant is necessary, not sufficient: internal/petition also asks that
// the person belongs to the side of the case they act on (the bureau, the
// handling org, the reviewing org), so that a district-wide grant held in
// another department does not open petitions; leaders and supervisors
// whose scope covers a case read it (oversight) without acting on it.
const (
	PetitionView      Action = "petition.view"
	PetitionRegister  Action = "petition.register"
	PetitionRoute     Action = "petition.route"
	PetitionHandle    Action = "petition.handle"
	PetitionApprove   Action = "petition.approve"
	PetitionReveal    Action = "petition.reveal"
	PetitionConfigure Action = "petition.configure"
)

// The petition rows of the matrix, appended here until perm.go lists them:
// staff register, route, handle and reveal (the bureau's staff and the
// handling orgs' petition desks); leaders handle, approve extensions as
// the org's head and reveal; supervisors (督查、纪委) read, and handle and reveal what
// is routed to their own org (the discipline queue); the system
// administrator keeps the settings and reads no case. Grid workers,
// enterprise contacts, the security administrator and the auditor have none.
func init() {
	Actions = append(Actions, PetitionView, PetitionRegister, PetitionRoute, PetitionHandle, PetitionApprove, PetitionReveal, PetitionConfigure)
	matrix[RoleSysadmin] = append(matrix[RoleSysadmin], PetitionConfigure)
	matrix[RoleLeader] = append(matrix[RoleLeader], PetitionView, PetitionHandle, PetitionApprove, PetitionReveal)
	matrix[RoleStaff] = append(matrix[RoleStaff], PetitionView, PetitionRegister, PetitionRoute, PetitionHandle, PetitionReveal)
	matrix[RoleSupervisor] = append(matrix[RoleSupervisor], PetitionView, PetitionHandle, PetitionReveal)
}
