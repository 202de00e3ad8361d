package org_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/org"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestSubtreeRange(t *testing.T) {
	tests := []struct {
		scope, path string
		in          bool
	}{
		{"/1/5/", "/1/5/", true},
		{"/1/5/", "/1/5/23/", true},
		{"/1/5/", "/1/50/", false}, // a sibling whose id starts with the same digit
		{"/1/5/", "/1/6/", false},
		{"/1/5/", "/1/", false},
	}
	for _, tt := range tests {
		lo, hi := org.SubtreeRange(tt.scope)
		got := tt.path >= lo && tt.path < hi
		if got != tt.in {
			t.Errorf("%s in subtree %s = %v, want %v", tt.path, tt.scope, got, tt.in)
		}
	}
}

func TestBuildTree(t *testing.T) {
	p := func(i int64) *int64 { return &i }
	list := []org.Org{
		{ID: 1, Name: "区", Depth: 0},
		{ID: 2, ParentID: p(1), Depth: 1},
		{ID: 3, ParentID: p(2), Depth: 2},
		{ID: 4, ParentID: p(3), Depth: 3},
		{ID: 9, ParentID: p(8), Depth: 5}, // parent not visible: a root of its own
	}
	roots := org.BuildTree(list, 2)
	if len(roots) != 2 || roots[0].ID != 1 || roots[1].ID != 9 {
		t.Fatalf("roots %+v", roots)
	}
	n3 := roots[0].Children[0].Children[0]
	if n3.ID != 3 || len(n3.Children) != 0 || n3.More != 1 {
		t.Fatalf("depth limit: node 3 has %d children, %d more", len(n3.Children), n3.More)
	}
}

func TestSortOrgsByKindThenPinyin(t *testing.T) {
	list := []org.Org{
		{ID: 1, Name: "区应急管理局", Kind: org.Department},
		{ID: 2, Name: "青山镇", Kind: org.Township},
		{ID: 3, Name: "东城街道", Kind: org.Street},
		{ID: 4, Name: "北苑街道", Kind: org.Street},
		{ID: 5, Name: "柳河镇", Kind: org.Township},
		{ID: 6, Name: "白水镇", Kind: org.Township, Sort: 9},
	}
	org.SortOrgs(list)
	var got []string
	for _, o := range list {
		got = append(got, o.Name)
	}
	want := []string{"柳河镇", "青山镇", "白水镇", "北苑街道", "东城街道", "区应急管理局"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

// Organisations are never deleted: the database refuses it, which is what
// lets report_days do without a foreign key (migration 00007).
func TestOrgsAreNeverDeleted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		var id int64
		err := d.InTx(ctx, func(tx *db.Tx) error {
			var err error
			id, err = db.InsertID(ctx, tx, "INSERT INTO orgs (name, kind, code, path, depth, sort, created_at, updated_at) VALUES ('删不掉镇', 'township', 'DEL', '/x/', 0, 0, ?, ?)", now, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "DELETE FROM orgs WHERE id = ?", id)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "never deleted") {
			t.Fatalf("deleting an org: %v, want a refusal", err)
		}
		var n int
		d.QueryRow(ctx, "SELECT count(*) FROM orgs WHERE id = ?", id).Scan(&n)
		if n != 1 {
			t.Error("the org is gone")
		}
	})
}
