package org

import (
	"sort"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Node is an org with its children, for tree views.
type Node struct {
	Org
	Children []*Node
	// More counts descendants left out below the depth limit.
	More int
}

// kindRank orders siblings: territory first (as offices list it), then
// departments and police stations.
var kindRank = map[string]int{District: 0, Township: 1, Street: 2, Zone: 3, Village: 4, Community: 5, Department: 6, PoliceStation: 7}

// SortOrgs orders orgs as people expect to read them: by kind, then the
// explicit sort number, then the name in pinyin order (not code-point order,
// which scatters 东城 and 北苑 between unrelated names).
func SortOrgs(list []Org) {
	c := collate.New(language.SimplifiedChinese)
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if kindRank[a.Kind] != kindRank[b.Kind] {
			return kindRank[a.Kind] < kindRank[b.Kind]
		}
		if a.Sort != b.Sort {
			return a.Sort < b.Sort
		}
		return c.CompareString(a.Name, b.Name) < 0
	})
}

// BuildTree nests a flat list (parents before children, as Visible and
// Subtree return them). Nodes whose parent is not in the list become roots.
// Below maxDepth levels under a root, descendants are counted, not listed.
func BuildTree(list []Org, maxDepth int) []*Node {
	byID := make(map[int64]*Node, len(list))
	var roots []*Node
	top := map[int64]*Node{} // each node's root
	for i := range list {
		n := &Node{Org: list[i]}
		byID[n.ID] = n
		var parent *Node
		if n.ParentID != nil {
			parent = byID[*n.ParentID]
		}
		if parent == nil {
			roots = append(roots, n)
			top[n.ID] = n
			continue
		}
		root := top[parent.ID]
		top[n.ID] = root
		if maxDepth > 0 && n.Depth-root.Depth > maxDepth {
			// Count it at the deepest listed ancestor.
			anc := parent
			for anc.Depth-root.Depth > maxDepth {
				anc = byID[*anc.ParentID]
			}
			anc.More++
			continue
		}
		parent.Children = append(parent.Children, n)
	}
	var order func(ns []*Node)
	order = func(ns []*Node) {
		flat := make([]Org, len(ns))
		idx := make(map[int64]*Node, len(ns))
		for i, n := range ns {
			flat[i] = n.Org
			idx[n.ID] = n
		}
		SortOrgs(flat)
		for i := range flat {
			ns[i] = idx[flat[i].ID]
			order(ns[i].Children)
		}
	}
	// Roots keep their order (higher scopes first); siblings below are sorted.
	for _, r := range roots {
		order(r.Children)
	}
	return roots
}

// Group is a run of siblings of one kind, for compact views.
type Group struct {
	Kind string
	Orgs []*Node
}

// GroupByKind splits sorted nodes into runs of the same kind.
func GroupByKind(ns []*Node) []Group {
	var out []Group
	for _, n := range ns {
		if len(out) == 0 || out[len(out)-1].Kind != n.Kind {
			out = append(out, Group{Kind: n.Kind})
		}
		out[len(out)-1].Orgs = append(out[len(out)-1].Orgs, n)
	}
	return out
}
