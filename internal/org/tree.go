package org

// Node is an org with its children, for tree views.
type Node struct {
	Org
	Children []*Node
	// More counts children left out below the depth limit.
	More int
}

// BuildTree nests a flat list (parents before children, as Visible and
// Subtree return them). Nodes whose parent is not in the list become roots.
// Below maxDepth levels under a root, children are counted, not listed.
func BuildTree(list []Org, maxDepth int) []*Node {
	byID := make(map[int64]*Node, len(list))
	var roots []*Node
	rootDepth := map[int64]int{}
	for i := range list {
		n := &Node{Org: list[i]}
		byID[n.ID] = n
		var parent *Node
		if n.ParentID != nil {
			parent = byID[*n.ParentID]
		}
		if parent == nil {
			roots = append(roots, n)
			rootDepth[n.ID] = n.Depth
			continue
		}
		top := parent
		for top.ParentID != nil && byID[*top.ParentID] != nil {
			top = byID[*top.ParentID]
		}
		if maxDepth > 0 && n.Depth-rootDepth[top.ID] > maxDepth {
			parent.More++
			continue
		}
		parent.Children = append(parent.Children, n)
	}
	return roots
}
