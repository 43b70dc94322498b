// Package rc is the single table of REST return codes (rest-conventions.md
// §2.3): numeric code, symbolic name, HTTP status and English text. Both the
// HTTP server and the Lua rest_utils module read it.
package rc

import "strings"

// Code is one return code.
type Code struct {
	RC   int
	Str  string
	HTTP int
	HR   string // human readable, English
}

// Key is the name Lua scripts use (rest_utils.consts.success.<key> or
// rest_utils.consts.err.<key>), following ntopng's names.
func (c Code) Key() string {
	if k, ok := luaAlias[c.Str]; ok {
		return k
	}
	return strings.TrimSuffix(strings.ToLower(c.Str), "_successfully")
}

// Success reports whether the code is a success (rc 0).
func (c Code) Success() bool { return c.RC == 0 }

var luaAlias = map[string]string{
	"INVALID_ARGUMENTS":      "invalid_args",
	"NAME_RESOLUTION_FAILED": "resolution_failed",
	"OK":                     "ok",
}

// All return codes, in the order of the reference table.
var All = []Code{
	{0, "OK", 200, "Success"},
	{0, "SNMP_DEVICE_DELETED_SUCCESSFULLY", 200, "SNMP device deleted successfully"},
	{0, "SNMP_DEVICE_ADDED_SUCCESSFULLY", 200, "SNMP device added successfully"},
	{0, "SNMP_DEVICE_EDITED_SUCCESSFULLY", 200, "SNMP device edited successfully"},
	{0, "POOL_DELETED_SUCCESSFULLY", 200, "Pool deleted successfully"},
	{0, "POOL_ADDED_SUCCESSFULLY", 200, "Pool added successfully"},
	{0, "POOL_EDITED_SUCCESSFULLY", 200, "Pool edited successfully"},
	{0, "POOL_MEMBER_BOUND_SUCCESSFULLY", 200, "Pool member bound successfully"},
	{0, "INFRASTRUCTURE_INSTANCE_ADDED", 200, "Unknown"},
	{0, "INFRASTRUCTURE_INSTANCE_EDITED", 200, "Unknown"},
	{0, "INFRASTRUCTURE_INSTANCE_DELETED", 200, "Unknown"},
	{-1, "NOT_FOUND", 404, "Not found"},
	{-2, "INVALID_INTERFACE", 400, "Invalid interface"},
	{-2, "NOT_ENABLED", 400, "Unknown"},
	{-3, "NOT_GRANTED", 401, "Not authorized"},
	{-4, "INVALID_HOST", 400, "Invalid host"},
	{-5, "INVALID_ARGUMENTS", 400, "Invalid arguments"},
	{-6, "INTERNAL_ERROR", 500, "Internal error"},
	{-7, "BAD_FORMAT", 400, "Bad format"},
	{-8, "BAD_CONTENT", 400, "Bad content"},
	{-9, "NAME_RESOLUTION_FAILED", 400, "Unable to resolve host name to an IP address"},
	{-10, "SNMP_DEVICE_ALREADY_ADDED", 409, "SNMP device already added"},
	{-11, "SNMP_DEVICE_UNREACHABLE", 400, "No answer from the SNMP device"},
	{-12, "NO_SNMP_DEVICE_DISCOVERED", 400, "No SNMP device discovered"},
	{-13, "ADD_POOL_FAILED", 409, "Unable to add a pool with the submitted params"},
	{-14, "EDIT_POOL_FAILED", 409, "Unable to edit a pool with the submitted params"},
	{-15, "DELETE_POOL_FAILED", 409, "Unable to delete a pool with the submitted params"},
	{-16, "POOL_NOT_FOUND", 409, "Pool not found"},
	{-17, "BIND_POOL_MEMBER_FAILED", 409, "Unable to bind the sumbitted member to the pool"},
	{-18, "BIND_POOL_MEMBER_ALREADY_BOUND", 409, "Unable to bind member which is already bound to another pool"},
	{-19, "PASSWORD_MISMATCH", 400, "Unknown"},
	{-20, "ADD_USER_FAILED", 409, "Unknown"},
	{-21, "DELETE_USER_FAILED", 409, "Unknown"},
	{-22, "SNMP_UNKNOWN_DEVICE", 400, "Unknown"},
	{-23, "USER_ALREADY_EXISTING", 409, "Unknown"},
	{-24, "USER_DOES_NOT_EXIST", 409, "Unknown"},
	{-25, "EDIT_USER_FAILED", 400, "Unknown"},
	{-26, "SNMP_DEVICE_INTERFACE_STATUS_CHANGE_FAILED", 400, "SNMP device interface status change has failed"},
	{-27, "CONFIGURATION_FILE_MISMATCH", 400, "The uploaded file is not a valid configuration file!"},
	{-28, "PARTIAL_IMPORT", 409, "The configuration has been imported successfully, but some elements were already present and haven't be replaced."},
	{-29, "ADD_INFRASTRUCTURE_INSTANCE_FAILED", 409, "Unknown"},
	{-30, "EDIT_INFRASTRUCTURE_INSTANCE_FAILED", 409, "Unknown"},
	{-31, "DELETE_INFRASTRUCTURE_INSTANCE_FAILED", 409, "Unknown"},
	{-32, "INFRASTRUCTURE_INSTANCE_NOT_FOUND", 404, "Unknown"},
	{-33, "INFRASTRUCTURE_INSTANCE_EMPTY_ID", 409, "The ID of the instance cannot be empty."},
	{-34, "INFRASTRUCTURE_INSTANCE_EMPTY_ALIAS", 409, "The name of the instance cannot be empty."},
	{-35, "INFRASTRUCTURE_INSTANCE_EMPTY_URL", 409, "An URL of the instance must be defined."},
	{-36, "INFRASTRUCTURE_INSTANCE_EMPTY_TOKEN", 409, "The token of the instance cannot be empty."},
	{-37, "INFRASTRUCTURE_INSTANCE_EMPTY_RTT_THRESHOLD", 409, "The RTT threshold cannot be empty!"},
	{-38, "INFRASTRUCTURE_INSTANCE_SAME_ID", 409, "Unknown"},
	{-39, "INFRASTRUCTURE_INSTANCE_SAME_ALIAS", 409, "An instance with this alias already exists."},
	{-40, "INFRASTRUCTURE_INSTANCE_SAME_URL", 409, "An instance with this URL is already defined"},
	{-41, "INFRASTRUCTURE_INSTANCE_SAME_TOKEN", 409, "An instance is already bound with this token."},
	{-42, "INFRASTRUCTURE_INSTANCE_ALREADY_EXISTING", 409, "Duplicated instance."},
	{-43, "INFRASTRUCTURE_INSTANCE_CHECK_FAILED", 409, "Unable to perform the request. Destination unreachable."},
	{-44, "INFRASTRUCTURE_INSTANCE_CHECK_NOT_FOUND", 409, "Not found"},
	{-45, "INFRASTRUCTURE_INSTANCE_CHECK_INVALID_RESPONSE", 409, "Invalid response received. Expected JSON"},
	{-46, "INFRASTRUCTURE_INSTANCE_CHECK_AUTH_FAILED", 409, "Authorization failed. Invalid token"},
	{-47, "INFRASTRUCTURE_INSTANCE_EMPTY_BANDWIDTH_THRESHOLD", 409, "The bandwidth threshold cannot be empty!"},
	{-48, "WIDGETS_MISSING_TRANSFORMATION", 409, "Missing transformation"},
	{-49, "WIDGETS_MISSING_DATASOURCES", 409, "Missing datasources"},
	{-50, "WIDGETS_MISSING_DATASOURCE_TYPE", 409, "Missing datasource type"},
	{-51, "WIDGETS_UNKNOWN_DATASOURCE_TYPE", 409, "Unknown datasource type"},
	{-52, "WIDGETS_MISSING_DATASOURCE_PARAMS", 409, "Missing datasource params"},
	{-53, "ADD_POOL_FAILED_TOO_MANY_POOLS", 409, "Too many pools created. Consider upgrading ntopng to Enterprise M or above to create additional pools."},
	{-54, "ADD_POOL_FAILED_TOO_MANY_POOLS_ENTERPRISE", 409, "Too many pools created."},
	{-55, "DHCP_ACTIVE_LEASES_NOT_NEDGE", 409, "Build is not nEdge."},
	{-56, "DHCP_ACTIVE_LEASES_NOT_ROUTING_MODE", 409, "Listing DHCP leases is only available in routing mode."},
	{-57, "MAX_SNMP_DEVICES_NUM_REACHED", 400, "Reached the maximum limit of configurable devices"},
}

var byStr = func() map[string]Code {
	m := make(map[string]Code, len(All))
	for _, c := range All {
		m[c.Str] = c
	}
	return m
}()

// ByStr returns the code with the given symbolic name.
func ByStr(s string) (Code, bool) {
	c, ok := byStr[s]
	return c, ok
}

// Must returns the code with the given name and panics on a typo, which the
// tests catch.
func Must(s string) Code {
	c, ok := byStr[s]
	if !ok {
		panic("rc: unknown code " + s)
	}
	return c
}

// Frequently used codes.
var (
	OK               = Must("OK")
	NotFound         = Must("NOT_FOUND")
	InvalidInterface = Must("INVALID_INTERFACE")
	NotGranted       = Must("NOT_GRANTED")
	InvalidArguments = Must("INVALID_ARGUMENTS")
	InternalError    = Must("INTERNAL_ERROR")
	BadFormat        = Must("BAD_FORMAT")
	BadContent       = Must("BAD_CONTENT")
)
