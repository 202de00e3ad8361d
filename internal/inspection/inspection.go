// Package inspection records inspections (检查记录): who inspected (people,
// org), when, what (an enterprise or a place), of which kind (enterprise
// self-inspection 企业自查, territorial 属地检查, department 部门检查,
// leadership-led 领导带队检查, joint 联合检查, re-inspection 复查), a
// checklist from a versioned template (检查表) answered pass / fail / not
// applicable, free findings and photos. Each failed item or finding becomes a
// hazard (隐患) in one action, prefilled with everything the inspection
// knows, through a HazardRegistrar that the hazard ledger implements.
//
// Scope: an inspection's object path is its enterprise's
// (auth.EnterpriseScope) or, for a place not in the register, its territory
// org's. Government grants reach every inspection in their subtree and
// record every kind but a self-inspection; an enterprise contact's grant,
// scoped to its enterprise, reaches only that enterprise's self-inspections.
//
// Nothing is deleted. A submitted inspection never changes (the database's
// triggers refuse it); a draft may be changed by its creator.
package inspection

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anwen-gov/anwen/internal/attachment"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
)

// Kinds of inspection.
const (
	KindSelf         = "self"         // 企业自查: by the enterprise itself
	KindTerritorial  = "territorial"  // 属地检查: the township, street or village
	KindDepartment   = "department"   // 部门检查: an industry department
	KindLeadership   = "leadership"   // 领导带队检查: led by a leader
	KindJoint        = "joint"        // 联合检查: several departments together
	KindReinspection = "reinspection" // 复查: following up an earlier inspection
)

// Kinds lists the kinds in display order.
var Kinds = []string{KindTerritorial, KindDepartment, KindLeadership, KindJoint, KindReinspection, KindSelf}

// KindNames are the kinds' Chinese names.
var KindNames = map[string]string{KindSelf: "企业自查", KindTerritorial: "属地检查", KindDepartment: "部门检查",
	KindLeadership: "领导带队检查", KindJoint: "联合检查", KindReinspection: "复查"}

// Results of a checklist item.
const (
	Pass = "pass" // 合格
	Fail = "fail" // 不合格
	NA   = "na"   // 不适用
)

// Statuses of an inspection.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
)

// OwnerType is the attachment owner type of every inspection photo.
const OwnerType = "inspection"

// Category is a hazard category (隐患类别): the codes are the hazard
// ledger's, so that a failed item's category carries over unchanged.
type Category struct {
	Code string `json:"code"`
	Name string `json:"name"`
	En   string `json:"name_en"`
}

// Categories are the categories a checklist item or a finding may have.
var Categories = []Category{
	{"fire", "消防", "Fire"}, {"electrical", "电气", "Electrical"}, {"special_equipment", "特种设备", "Special equipment"},
	{"hazchem", "危化品", "Hazardous chemicals"}, {"confined_space", "有限空间", "Confined spaces"}, {"dust", "粉尘涉爆", "Combustible dust"},
	{"construction", "建筑施工", "Construction"}, {"gas", "燃气", "Gas"}, {"traffic", "交通", "Traffic"}, {"other", "其他", "Other"},
}

// categoryCode accepts a code or a Chinese name; "" when unknown.
func categoryCode(s string) string {
	s = strings.TrimSpace(s)
	for _, c := range Categories {
		if s == c.Code || s == c.Name {
			return c.Code
		}
	}
	return ""
}

// CategoryName is a code's Chinese name (the code itself when unknown).
func CategoryName(code string) string {
	for _, c := range Categories {
		if c.Code == code {
			return c.Name
		}
	}
	return code
}

// Finding is everything an inspection knows about a failed checklist item
// or a free finding, handed to the hazard ledger so that nothing known is
// typed twice.
type Finding struct {
	InspectionID int64
	// InspectionKind: self (企业自查: the enterprise reports its own
	// hazard), territorial, department, leadership, joint, reinspection.
	InspectionKind string
	AnswerID       int64  // the failed checklist answer (0 for a free finding)
	FreeFindingID  int64  // the free finding (0 for a checklist answer)
	SourceRef      string // e.g. "inspection 12 item 3" or "inspection 12 finding 1", for the hazard's source_ref
	EnterpriseID   *int64 // nil: a place not in the register
	EnterpriseName string
	TerritoryOrgID int64  // the territory (属地) org
	Location       string // the finding's location, else the inspection's place, else the enterprise's address
	// Description: the inspector's note, then the checklist item's number
	// and text; for a free finding its text and note (at most 1,000
	// characters; Location at most 200).
	Description string
	Category    string    // hazard category code: fire, electrical, special_equipment, hazchem, confined_space, dust, construction, gas, traffic, other
	Basis       string    // the checklist item's basis (依据), "" for a free finding
	FoundAt     time.Time // the inspection's time, UTC
	// FinderUserID and FinderName: who recorded the inspection (检查人).
	FinderUserID int64
	FinderName   string
	Inspectors   []string // every inspector's name, the leader included
	// AttachmentIDs are the item's photos. They are already linked to the
	// inspection (owner type "inspection"), visible to whoever sees it: show
	// them or refer to them; attachment.Service.Link takes only pending
	// uploads and would refuse them.
	AttachmentIDs []int64
	CampaignID    *int64 // the campaign (排查整治行动) the inspection belongs to, nil for none
	Deadline      string // YYYY-MM-DD chosen by the inspector; "" = the ledger's default
}

// HazardRegistrar registers a hazard found by an inspection (implemented by
// the hazard ledger, wired in internal/app).
type HazardRegistrar interface {
	// RegisterFromInspection registers f as a hazard as actor a, inside tx:
	// the transaction that also writes the hazard's id and number on the
	// inspection's row and the audit record, so that both commit or
	// neither. It returns the new hazard's id and number (e.g.
	// YH-2026-0001); refusals are apperr errors (ENOTFOUND, EFORBIDDEN,
	// EINVALID with a field …), passed on to the caller unchanged.
	RegisterFromInspection(ctx context.Context, tx *db.Tx, a *auth.Actor, f Finding) (hazardID int64, number string, err error)
}

// CampaignChecker says whether an inspection may count for an
// investigation campaign (排查整治行动) (implemented by the campaigns, wired
// in internal/app).
type CampaignChecker interface {
	// CheckInspection checks campaign id for an inspection by a of the
	// object at path (enterpriseID nil for a place) and returns the
	// campaign's title; refusals are apperr errors naming campaign_id.
	CheckInspection(ctx context.Context, a *auth.Actor, id int64, enterpriseID *int64, path string) (string, error)
}

// Service records and reads inspections and their checklist templates.
type Service struct {
	DB          *db.DB
	Auth        *auth.Service
	Clock       clock.Clock
	Attachments *attachment.Service
	Log         *slog.Logger

	mu        sync.RWMutex
	registrar HazardRegistrar
	campaigns CampaignChecker
}

// SetCampaigns sets the campaigns' check of campaign_id; without one a
// positive campaign_id is stored as given.
func (s *Service) SetCampaigns(c CampaignChecker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.campaigns = c
}

// Campaigns returns the campaign check set, or nil.
func (s *Service) Campaigns() CampaignChecker {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.campaigns
}

// SetRegistrar sets the hazard ledger's side of "登记为隐患"; nil hides the
// button and the API answers 422.
func (s *Service) SetRegistrar(r HazardRegistrar) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.registrar = r
}

// Registrar returns the registrar set, or nil.
func (s *Service) Registrar() HazardRegistrar {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.registrar
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Limits of what one inspection holds.
const (
	maxPlace        = 200
	maxParticipants = 200
	maxSummary      = 2000
	maxNote         = 500
	maxFindingText  = 500
	maxFindings     = 50
	maxInspectors   = 20
	maxItems        = 200
)
