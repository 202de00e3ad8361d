package directoryimport

import (
	"embed"
	"errors"
	"net/http"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/sheet"
	"github.com/anwen-gov/anwen/internal/web"
)

//go:embed templates
var assets embed.FS

type handlers struct {
	srv *web.Server
	svc *Service
}

// Register adds the import and export routes and the import page.
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("POST", "/api/v1/import/directory", h.apiImport)
	srv.API("GET", "/api/v1/import/directory/template.xlsx", h.template)
	srv.API("GET", "/api/v1/export/directory.xlsx", h.export)
	srv.Page("GET", "/people/import", h.page)
	srv.Page("POST", "/people/import", h.submit)
	web.AddMessages(messages)
}

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	web.AllowLongWrite(w, 20*time.Minute) // argon2id makes 5,000 generated passwords take minutes on two cores
	data, formDry, err := sheet.ReadUpload(w, r, MaxFileSize)
	if err != nil {
		return err
	}
	dry := formDry || sheet.Truthy(r.URL.Query().Get("dry_run"))
	res, err := h.svc.Import(r.Context(), a, data, dry)
	w.Header().Set("Cache-Control", "no-store") // it may carry passwords
	return sheet.WriteImport(w, http.StatusOK, res, err)
}

func (h *handlers) template(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	data, err := Template()
	if err != nil {
		return err
	}
	sheet.SendXLSX(w, "anwen-directory-template.xlsx", "组织与人员导入模板.xlsx", data)
	return nil
}

func (h *handlers) export(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	data, err := h.svc.Export(r.Context(), a)
	if err != nil {
		return err
	}
	day := h.svc.Clock.Now().In(calendar.Location).Format("20060102")
	sheet.SendXLSX(w, "anwen-directory-"+day+".xlsx", "组织与人员-"+day+".xlsx", data)
	return nil
}

// ---- page ----

type pageData struct {
	Submitted bool
	DryRun    bool // what was submitted
	CheckOnly bool // the form's checkbox: ticked unless the last upload was a check that passed or a real import that failed
	Result    *Result
	sheet.Report
}

// mayImport reports whether the actor could create anything at all; the page
// is for them (as /people/new is). Each row is still checked on its own.
func mayImport(a *auth.Actor) error {
	if a.Operator || a.CanAnywhere(auth.OrgManage) || a.CanAnywhere(auth.UserManage) || a.CanAnywhere(auth.UserAdminRoles) {
		return nil
	}
	return apperr.New(apperr.EFORBIDDEN, "无权导入组织或人员 / you may not import organisations or people")
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if err := mayImport(a); err != nil {
		return h.svc.Auth.Refuse(r.Context(), a, auth.UserManage, "directory", err)
	}
	h.render(w, r, a, &pageData{CheckOnly: true}, nil)
	return nil
}

func (h *handlers) render(w http.ResponseWriter, r *http.Request, a *auth.Actor, d *pageData, formErr error) {
	v := h.srv.NewView(r, a, web.Translate(web.Lang(r), "dirimport.title"), d)
	if e, ok := apperr.As(formErr); ok {
		v.Error, v.Status = e, web.Status(e)
	}
	if d.Rows != nil {
		v.Status = http.StatusUnprocessableEntity
	}
	h.srv.Render(w, r, h.srv.Template(sheet.WithPartials(assets), "templates/import.html", sheet.Partials), v)
}

func (h *handlers) submit(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	web.AllowLongWrite(w, 20*time.Minute) // argon2id makes 5,000 generated passwords take minutes on two cores
	if err := mayImport(a); err != nil {
		return h.svc.Auth.Refuse(r.Context(), a, auth.UserManage, "directory", err)
	}
	data, dry, err := sheet.ReadUpload(w, r, MaxFileSize)
	d := &pageData{Submitted: true, DryRun: dry, CheckOnly: dry}
	if err != nil {
		if _, ok := apperr.As(err); ok {
			h.render(w, r, a, d, err)
			return nil
		}
		return err
	}
	res, err := h.svc.Import(r.Context(), a, data, dry)
	var rej *sheet.Rejected
	switch {
	case errors.As(err, &rej):
		d.Report = sheet.ReportOf(rej)
		h.render(w, r, a, d, nil)
		return nil
	case err != nil:
		c := apperr.Code(err)
		if c == apperr.EINVALID || c == apperr.ETOOLARGE || c == apperr.ERULE || c == apperr.EUNSUPPORTED || c == apperr.ECONFLICT {
			h.render(w, r, a, d, err)
			return nil
		}
		return err
	}
	d.Result = res
	d.CheckOnly = !dry || res.OrgsCreated+res.PeopleCreated == 0
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, a, d, nil)
	return nil
}

var messages = map[string][2]string{
	"dirimport.title":          {"Excel 导入组织与人员", "Import organisations and people from Excel"},
	"dirimport.back":           {"返回人员列表", "Back to people"},
	"dirimport.intro":          {"一个工作簿含“组织机构”和“人员”两张表（可只有其一）。导入前会检查每一行；只要有一处问题，就什么都不写入，并列出全部问题。", "One workbook with the sheets 组织机构 (organisations) and 人员 (people), either may be absent. Every row is checked first; if anything is wrong, nothing is written and every problem is listed."},
	"dirimport.export":         {"导出现有组织与人员", "Export current organisations and people"},
	"dirimport.export_hint":    {"导出文件与模板格式相同；手机号已脱敏，密码列为空。", "The export has the template's format; phone numbers are masked and the password column is empty."},
	"dirimport.checked":        {"检查通过", "Check passed"},
	"dirimport.checked_detail": {"可新增 %d 个组织、%d 名人员。取消勾选“先检查，不导入”后再次上传同一文件即可导入。", "%d organisation(s) and %d person(s) can be created. Untick “Check only” and upload the same file again to import."},
	"dirimport.done":           {"导入完成", "Import complete"},
	"dirimport.done_detail":    {"已新增 %d 个组织、%d 名人员。所有导入的人员首次登录时须修改密码。", "Created %d organisation(s) and %d person(s). Everyone imported must change the password at first sign-in."},
	"dirimport.passwords":      {"系统生成的初始密码", "Generated initial passwords"},
	"dirimport.passwords_warn": {"这些密码只显示这一次，离开本页后无法再查看。请当面或通过安全渠道分别交给本人，不要通过群聊或邮件群发。", "These passwords are shown this once and cannot be seen again. Hand each one to its owner in person or over a safe channel; never post them to a group chat or mailing list."},
	"dirimport.password":       {"初始密码", "Initial password"},
	"dirimport.how":            {"填写要点", "How to fill it in"},
	"dirimport.how_1":          {"组织机构：名称、类型、编码、上级编码必填；上级可以是已有组织，也可以是本表中写在前面的行。", "Organisations: name, kind, code and parent code are required; the parent may exist already or be an earlier row of the sheet."},
	"dirimport.how_2":          {"人员：登录名、姓名、所属组织编码必填；角色写成“工作人员@SFQ-QS; 网格员@SFQ-QS-01”。", "People: login, name and organisation code are required; write roles as “staff@SFQ-QS; grid_worker@SFQ-QS-01”."},
	"dirimport.how_3":          {"初始密码可留空，由系统生成并只显示一次；所有人首次登录须修改密码。", "Leave the password empty to have one generated and shown once; everyone must change it at first sign-in."},
}
