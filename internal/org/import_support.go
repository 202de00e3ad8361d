package org

// Exported wrappers for the directory import (internal/directoryimport), which
// checks a whole workbook before it writes anything and so needs the tree's
// own rules without calling Create.

// CheckParentKind reports whether an org of kind may sit under one of
// parentKind ("" for a root): ERULE on field parent_id otherwise.
func CheckParentKind(kind, parentKind string) error { return checkParentKind(kind, parentKind) }

// ValidateInput trims in and checks it on its own (name, kind, code length),
// as Create and Update do: EINVALID naming the field otherwise.
func ValidateInput(in *Input) error { return validate(in) }
