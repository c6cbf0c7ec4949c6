package spec

// validStackName: a stack name names its state (.idstack/<stack>.state.json,
// or the S3 object <stack>.state.json), so it is a plain file name:
// ^[A-Za-z0-9_][A-Za-z0-9._-]*$, read byte by byte (as a regular
// expression it was compiled at every start of the program). Were
// other characters allowed, two names could share one state file (the
// backends turn them into _), and two environments would own each
// other's resources. The length (at most 128) is checked apart.
func validStackName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || i > 0 && (c == '.' || c == '-')) {
			return false
		}
	}
	return name != ""
}

const maxStackName = 128

// stackName checks the stack name once variables are applied.
func (c *checker) stackName() {
	name := c.s.Name
	if name == "" || c.s.nameUnresolved {
		return // missing (the schema says so) or an unset variable (already reported)
	}
	if len(name) > maxStackName || !validStackName(name) {
		c.errorf(c.at("/stack", Range{Filename: c.s.Filename}), "/stack",
			"a stack name is 1–128 letters, digits, '.', '_' and '-', not starting with '.' or '-': it names the state file .idstack/<stack>.state.json; give the variables it uses such values (e.g. --var env=pr-123)",
			"invalid stack name %q", name)
	}
}
