package spec

import (
	"regexp"
)

// stackNameRE: a stack name names its state (.idstack/<stack>.state.json,
// or the S3 object <stack>.state.json), so it is a plain file name. Were
// other characters allowed, two names could share one state file (the
// backends turn them into _), and two environments would own each
// other's resources. The length (at most 128) is checked apart: a counted
// repetition {0,127} compiles into 127 copies, 3 ms and 136 KB at every
// start of the program.
var stackNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)

const maxStackName = 128

// stackName checks the stack name once variables are applied.
func (c *checker) stackName() {
	name := c.s.Name
	if name == "" || c.s.nameUnresolved {
		return // missing (the schema says so) or an unset variable (already reported)
	}
	if len(name) > maxStackName || !stackNameRE.MatchString(name) {
		c.errorf(c.at("/stack", Range{Filename: c.s.Filename}), "/stack",
			"a stack name is 1–128 letters, digits, '.', '_' and '-', not starting with '.' or '-': it names the state file .idstack/<stack>.state.json; give the variables it uses such values (e.g. --var env=pr-123)",
			"invalid stack name %q", name)
	}
}
