package auth

// Disputes (矛盾纠纷排查化解): read the ledger (personal data masked);
// register a dispute found in one's territory (排查登记: a village grid
// worker for the village); handle it — mediation sessions, the lifecycle,
// and opening the parties' masked personal data (each opening audited);
// keep the dispute types, the risk levels and the reminder settings.
const (
	DisputeView      Action = "dispute.view"
	DisputeReport    Action = "dispute.report"
	DisputeManage    Action = "dispute.manage"
	DisputeConfigure Action = "dispute.configure"
)

// The dispute rows of the matrix, appended here until perm.go lists them:
// leaders and staff handle disputes in their scope (a leader is often the
// 包案领导); grid workers register and follow the disputes of their
// village without seeing the parties' contact data; supervisors read the
// ledger; the system administrator keeps the types and levels but reads no
// dispute. Enterprise contacts and the auditor have none.
func init() {
	Actions = append(Actions, DisputeView, DisputeReport, DisputeManage, DisputeConfigure)
	matrix[RoleSysadmin] = append(matrix[RoleSysadmin], DisputeConfigure)
	matrix[RoleLeader] = append(matrix[RoleLeader], DisputeView, DisputeReport, DisputeManage)
	matrix[RoleStaff] = append(matrix[RoleStaff], DisputeView, DisputeReport, DisputeManage, DisputeConfigure)
	matrix[RoleSupervisor] = append(matrix[RoleSupervisor], DisputeView)
	matrix[RoleGridWorker] = append(matrix[RoleGridWorker], DisputeView, DisputeReport)
}
