package api

import "fmt"

// ErrorCode is a documented error: its name (the envelope's error_code)
// and its code (the envelope's code), from api-kr.iwinv.kr/error.
type ErrorCode struct {
	Name string
	Code string
}

func (c ErrorCode) String() string { return fmt.Sprintf("%s (%s)", c.Name, c.Code) }

// The documented error codes.
var (
	NotFound                 = ErrorCode{"NOT_FOUND", "0x1"}
	CIDRNotValid             = ErrorCode{"CIDR_NOT_VALID", "0x2"}
	CIDRNotRegistered        = ErrorCode{"CIDR_NOT_REGISTERED", "0x3"}
	IPv6NotSupported         = ErrorCode{"IPV6_NOT_SUPPORTED", "0x4"}
	CheckRequestIP           = ErrorCode{"CHECK_REQUEST_IP", "0x5"}
	CheckCredential          = ErrorCode{"CHECK_CREDENTIAL", "0x6"}
	CheckSignature           = ErrorCode{"CHECK_SIGNATURE", "0x7"}
	InvalidSignature         = ErrorCode{"INVALID_SIGNATURE", "0x8"}
	CheckIP                  = ErrorCode{"CHECK_IP", "0x9"}
	RequiredGetParamMissing  = ErrorCode{"REQUIRED_GET_PARAM_MISSING", "0xa"}
	RequiredPostParamMissing = ErrorCode{"REQUIRED_POST_PARAM_MISSING", "0xb"}
	DevCheckReturn           = ErrorCode{"DEV_CHECK_RETURN", "0xc"}
	UnavailableFlavor        = ErrorCode{"UNAVAILABLE_FLAVOR", "0xd"}
	CheckParam               = ErrorCode{"CHECK_PARAM", "0xe"}
	CheckParamEnum           = ErrorCode{"CHECK_PARAM_ENUM", "0xf"}
	UnavailableCombination   = ErrorCode{"UNAVAILABLE_COMBINATION", "0x10"}
	CheckLength              = ErrorCode{"CHECK_LENGTH", "0x11"}
	UnavailableSSHKey        = ErrorCode{"UNAVAILABLE_SSH_KEY", "0x12"}
	DeletedOrWorkingInstance = ErrorCode{"DELETED_OR_WORKING_INSTANCE", "0x13"}
	EmptySet                 = ErrorCode{"EMPTY_SET", "0x14"}
	InUse                    = ErrorCode{"IN_USE", "0x15"}
	IDInvalid                = ErrorCode{"ID_INVALID", "0x16"}
	LimitExceeded            = ErrorCode{"LIMIT_EXCEEDED", "0x17"}
	CheckConsole             = ErrorCode{"CHECK_CONSOLE", "0x18"}
)

// ErrorCodes lists every documented error code, in the order of their codes.
var ErrorCodes = []ErrorCode{
	NotFound, CIDRNotValid, CIDRNotRegistered, IPv6NotSupported, CheckRequestIP,
	CheckCredential, CheckSignature, InvalidSignature, CheckIP, RequiredGetParamMissing,
	RequiredPostParamMissing, DevCheckReturn, UnavailableFlavor, CheckParam, CheckParamEnum,
	UnavailableCombination, CheckLength, UnavailableSSHKey, DeletedOrWorkingInstance, EmptySet,
	InUse, IDInvalid, LimitExceeded, CheckConsole,
}

// LookupErrorCode finds a documented error code by its name; ok is false
// for a name the table does not hold, or one whose code does not match it
// (a garbled envelope is not trusted to mean a documented error).
func LookupErrorCode(name, code string) (ErrorCode, bool) {
	for _, c := range ErrorCodes {
		if c.Name == name {
			return c, code == "" || code == c.Code
		}
	}
	return ErrorCode{}, false
}
