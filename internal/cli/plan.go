package cli

var planMessages = map[msgKey][2]string{}
