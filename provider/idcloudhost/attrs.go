package idcloudhost

// Attribute values are read with provider's AsString, AsInt, AsBool and
// AttrReader, and update changes indexed with provider.ChangeSet.

// boolForm is a boolean as the API's form fields want it.
func boolForm(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
